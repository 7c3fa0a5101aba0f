"""Run a command and measure its wall time and the memory of its whole process tree.

Why not just ru_maxrss: for a parallel build, wait4()'s ru_maxrss is the peak of the single largest process
in the tree (max, not sum), while the machine has to hold all workers at once. So we report both: the kernel's
max-of-one figure, and the peak of the SUM over the live tree, sampled from /proc every 100 ms. The sum is
given both as RSS (counts pages shared between forked workers once per process: an upper bound) and as PSS
(shared pages split between sharers: what the tree really costs).

Caveat, measured: Linux carries the forking process's RSS into the child's ru_maxrss (exec keeps the
high-water mark of the forked copy), so `/bin/true` started by a Python holding 300 MB reports 311 MB.
The kernel figure is therefore an upper bound that includes the harness; targets use the sampled sums.
"""

from __future__ import annotations

import os
import subprocess
import threading
import time
from dataclasses import dataclass
from pathlib import Path

SAMPLE_SECONDS = 0.1


@dataclass
class RunStats:
    """What one measured command cost."""

    returncode: int
    seconds: float
    max_rss_one_mb: float  # wait4 ru_maxrss: the largest single process of the tree
    peak_tree_rss_mb: float  # sampled peak of the sum of RSS over the live tree
    peak_tree_pss_mb: float  # sampled peak of the sum of PSS over the live tree
    peak_processes: int
    cpu_seconds: float  # user + system of the root and the descendants it waited for (wait4)
    tree_cpu_seconds: float  # user + system summed over every process seen in the tree (sampled)
    output_tail: str


TICK = os.sysconf("SC_CLK_TCK")


def _children() -> dict[int, list[int]]:
    tree: dict[int, list[int]] = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry.name}/stat").read_text()
        except OSError:
            continue
        ppid = int(stat.rpartition(")")[2].split()[1])
        tree.setdefault(ppid, []).append(int(entry.name))
    return tree


def _tree(root: int) -> list[int]:
    children = _children()
    pids, todo = [], [root]
    while todo:
        pid = todo.pop()
        pids.append(pid)
        todo.extend(children.get(pid, []))
    return pids


def tree_cpu_seconds(root: int) -> float:
    """CPU seconds (user + system) used so far by the LIVE processes of root's tree."""
    ticks = 0
    for pid in _tree(root):
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
        except OSError:
            continue
        ticks += int(fields[11]) + int(fields[12])
    return ticks / TICK


def _memory_kb(pid: int) -> tuple[int, int]:
    rss = pss = 0
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Rss:"):
                rss = int(line.split()[1])
            elif line.startswith("Pss:"):
                pss = int(line.split()[1])
    except (OSError, ValueError):
        pass
    return rss, pss


class _Sampler(threading.Thread):
    def __init__(self, root: int) -> None:
        super().__init__(daemon=True)
        self.root = root
        self.peak_rss = self.peak_pss = 0
        self.peak_processes = 0
        self.cpu_ticks: dict[tuple[int, str], int] = {}  # (pid, start time) -> last seen utime + stime
        self.done = threading.Event()

    def run(self) -> None:
        while not self.done.is_set():
            pids = _tree(self.root)
            totals = [_memory_kb(pid) for pid in pids]
            self.peak_rss = max(self.peak_rss, sum(r for r, _ in totals))
            self.peak_pss = max(self.peak_pss, sum(p for _, p in totals))
            self.peak_processes = max(self.peak_processes, len(pids))
            for pid in pids:
                try:
                    fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
                except OSError:
                    continue
                self.cpu_ticks[(pid, fields[19])] = int(fields[11]) + int(fields[12])
            self.done.wait(SAMPLE_SECONDS)


def run_measured(cmd: list[str], cwd: Path, env: dict[str, str] | None = None) -> RunStats:
    """Run cmd to completion; wall time, CPU time and tree memory as described in the module docstring."""
    started = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    sampler = _Sampler(proc.pid)
    sampler.start()
    tail = bytearray()
    assert proc.stdout is not None
    for chunk in iter(lambda: proc.stdout.read(65536), b""):  # type: ignore[union-attr]
        tail = (tail + chunk)[-4000:]
    _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - started
    proc.returncode = os.waitstatus_to_exitcode(status)
    sampler.done.set()
    sampler.join()
    return RunStats(
        returncode=proc.returncode,
        seconds=seconds,
        max_rss_one_mb=usage.ru_maxrss / 1024,
        peak_tree_rss_mb=sampler.peak_rss / 1024,
        peak_tree_pss_mb=sampler.peak_pss / 1024,
        peak_processes=sampler.peak_processes,
        cpu_seconds=usage.ru_utime + usage.ru_stime,
        tree_cpu_seconds=sum(sampler.cpu_ticks.values()) / TICK,
        output_tail=tail.decode("utf-8", "replace"),
    )

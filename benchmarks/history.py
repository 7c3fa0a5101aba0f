"""The `history` stage of `make bench`: a build from git history against a folder build of the same files.

The synthetic archive of N files is replayed as an archiver-like repository (history_repo.py: N article
versions in ~N/6 hourly commits, reused names, an index list rewritten by every commit). Then, in the same
run and one after the other so both see the same machine: a cold folder build of the N files, a cold
history build of the repository, a no-op history rebuild, and a rebuild after one new archiver commit.
The ratio of the two cold rates is the figure that matters (the machine is shared); memory is sampled
over the whole process tree (proctree.py), git's own processes included. With `repack` among the stages,
a cold history build from a repacked copy of the repository too (`measure_repacked`): a clone from GitHub
holds a pack made by `git repack`, whose deltas differ from fast-import's.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import asdict
from pathlib import Path
from typing import Any

from benchmarks.history_repo import append_commit, make_repo
from benchmarks.proctree import run_measured
from benchmarks.scale_corpus import MARK, article_files
from zhnews.sources.git import LOG_GIT
from zhnews.sources.git_objects import run_git

ROOT = Path(__file__).resolve().parent.parent
NEW_ARTICLES = 6  # one archiver run
_PARSED = re.compile(r"files seen ([\d,]+): new ([\d,]+).*?\nparsed ([\d,]+)", re.S)


def _python() -> str:
    venv = ROOT / ".venv/bin/python"
    return str(venv if venv.exists() else sys.executable)


def _fresh(db: Path) -> Path:
    db.parent.mkdir(parents=True, exist_ok=True)
    for stale in db.parent.glob(db.name + "*"):
        stale.unlink()
    return db


def _build(args: list[str], db: Path, workers: int) -> dict[str, Any]:
    """One measured build_db.py run; its report's seen / new / parsed counts are kept with the figures."""
    cmd = [_python(), str(ROOT / "build_db.py"), *args, "--db", str(db), "--workers", str(workers)]
    stats = run_measured(cmd, ROOT)
    if stats.returncode != 0:
        raise RuntimeError(f"build failed ({stats.returncode}):\n{stats.output_tail}")
    figures = asdict(stats)
    tail = figures.pop("output_tail")
    if m := _PARSED.search(tail):
        figures["seen"], figures["new"], figures["parsed"] = (int(g.replace(",", "")) for g in m.groups())
    figures["report"] = tail.strip().splitlines()[-12:]
    return figures


def _changed_copies(corpus: Path, count: int) -> list[Path]:
    """`count` corpus files with one sentence changed (new blobs, new articles' text), in a scratch folder."""
    scratch = corpus.parent / f"{corpus.name}-new-commit"
    scratch.mkdir(exist_ok=True)
    copies = []
    for i, path in enumerate(article_files(corpus)[:count]):
        text = path.read_text(encoding="utf-8", errors="surrogateescape")
        copy = scratch / f"{i}-{path.name}"
        copy.write_text(text.replace("。", "。" + MARK, 1), encoding="utf-8", errors="surrogateescape")
        copies.append(copy)
    return copies


def repacked_copy(repo: Path, log: Callable[[str], None] = print) -> tuple[Path, float]:
    """The generated history as a clone from GitHub holds it: one pack whose deltas `git repack -adf` chose
    anew (fast-import deltas each tree against its previous version; a repack bases chains on the newest
    objects, deeper). Made once per generated repository (~30 min at 300k on 2 cores) and kept beside it;
    (path, seconds the repack took, 0 when reused)."""
    copy = repo.parent / "history-repacked.git"
    head = run_git(str(repo), "rev-parse", "main").strip()
    stamp = copy / "zhnews-made-from"
    if stamp.exists() and stamp.read_text() == head:
        return copy, 0.0
    log("  repacked copy of the repository (git repack -adf, as a server packs a clone)")
    shutil.rmtree(copy, ignore_errors=True)
    started = time.perf_counter()
    subprocess.run(["git", "clone", "-q", "--mirror", "--no-local", str(repo), str(copy)], check=True)
    subprocess.run(["git", "--git-dir", str(copy), "repack", "-adf", "-q"], check=True)
    stamp.write_text(head)
    return copy, time.perf_counter() - started


def _log_walk_seconds(repo: Path) -> float:
    """`git log --raw` of the whole history alone, with the git settings the build uses for it."""
    started = time.perf_counter()
    subprocess.run([*LOG_GIT, "--git-dir", str(repo), "log", "--raw", "--no-abbrev", "--format=%H", "main"],
                   capture_output=True, check=True)
    return time.perf_counter() - started


def measure_repacked(corpus: Path, base: Path, workers: int, log: Callable[[str], None] = print) -> dict:
    """A cold history build from the repacked copy, and its log walk alone (the `history` stage's other
    figures come from the fast-import pack)."""
    copy, repack_seconds = repacked_copy(base / "history.git", log)
    log("  cold history build from the repacked copy")
    build = _build([str(copy), "--git-history"], _fresh(base / "history-repacked" / "news.db"), workers)
    return {"repack_seconds": repack_seconds, "pack_bytes": sum(f.stat().st_size for f in
                                                               (copy / "objects" / "pack").glob("*.pack")),
            "build": build, "versions_per_s": build["seen"] / build["seconds"],
            "git_log_seconds": _log_walk_seconds(copy)}


def measure(corpus: Path, base: Path, workers: int, seed: int, rounds: int = 1,
            log: Callable[[str], None] = print) -> dict[str, Any]:
    """Every figure of the stage (see the module docstring). With `rounds` > 1 the two cold builds run in
    alternating order that many times, and the best of each counts: other work on a shared machine comes
    and goes within minutes."""
    repo = base / "history.git"
    log(f"  repository from {corpus.name} (git fast-import)")
    repository = make_repo(corpus, repo, seed=seed)
    log(f"  {repository['commits']:,} commits")
    db = base / "history-git" / "news.db"
    cold: dict[str, list[dict[str, Any]]] = {"folder": [], "history": []}
    for i in range(rounds):
        for kind in ("folder", "history") if i % 2 == 0 else ("history", "folder"):
            log(f"  cold {kind} build ({i + 1}/{rounds})")
            args = [str(corpus)] if kind == "folder" else [str(repo), "--git-history"]
            target = db if kind == "history" else base / "history-folder" / "news.db"
            cold[kind].append(_build(args, _fresh(target), workers))
    folder, history = (min(cold[k], key=lambda r: r["seconds"]) for k in ("folder", "history"))
    db_bytes = db.stat().st_size
    git_log_seconds = _log_walk_seconds(repo)
    log("  no-op history rebuild")
    noop = _build([str(repo), "--git-history"], db, workers)
    log("  one new archiver commit")
    head = append_commit(repo, _changed_copies(corpus, NEW_ARTICLES), seed)
    try:
        one_commit = _build([str(repo), "--git-history"], db, workers)
    finally:  # the repository stays as generated: a re-run measures the same history
        subprocess.run(["git", "--git-dir", str(repo), "update-ref", "refs/heads/main", head], check=True)
    versions_per_s = history["seen"] / history["seconds"]
    folder_files_per_s = folder["seen"] / folder["seconds"]
    per_cpu = {k: r["seen"] / r["tree_cpu_seconds"] for k, r in (("folder", folder), ("history", history))}
    return {
        "repository": repository,
        "rounds": rounds,
        "folder": folder,
        "history": history,
        "cold_seconds": {k: [r["seconds"] for r in runs] for k, runs in cold.items()},
        "noop": noop,
        "one_commit": one_commit,
        "db_bytes": db_bytes,
        "git_log_seconds": git_log_seconds,
        "versions_per_s": versions_per_s,
        "folder_files_per_s": folder_files_per_s,
        "ratio": versions_per_s / folder_files_per_s,
        "cpu_ratio": per_cpu["history"] / per_cpu["folder"],
    }

"""The parsing processes: chunks of files go out, outcomes come back, and a crashing file costs only itself.

Parsing is the CPU cost of a build, so it runs in a pool of spawned processes. This module knows nothing
of the database: the caller hands in the chunks and a `store` callback that receives the outcomes.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool

from zhnews.build.outcome import Outcome, parse_file
from zhnews.extract.parser import MAX_FILE_BYTES
from zhnews.sources import SourceFile, prefetch

IN_FLIGHT_PER_WORKER = 3  # chunks queued per worker: keeps workers busy, bounds memory

Task = tuple[SourceFile, str | None]  # a file to parse and the content hash it had (None: new file)


def parse_chunk(tasks: Sequence[Task]) -> list[Outcome]:
    """What a worker runs: one task per chunk of files keeps inter-process overhead small."""
    return [parse_file(sf, old_hash) for sf, old_hash in tasks]


def with_contents(chunk: list[Task]) -> list[Task]:
    """The chunk with the bytes of its git versions read here, before it goes to a worker (see `prefetch`)."""
    files = prefetch([sf for sf, _ in chunk], MAX_FILE_BYTES)
    return [(sf, old_hash) for sf, (_, old_hash) in zip(files, chunk, strict=True)]


def usable_cores() -> int:
    """The cores this process may run on (a container or taskset may allow fewer than the machine has)."""
    try:
        return len(os.sched_getaffinity(0)) or 1
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def run_chunks(chunks: Iterable[list[Task]], workers: int, store: Callable[[list[Outcome]], None]) -> None:
    """Parse every chunk and `store` its outcomes, in this process (workers == 1) or in a pool.

    At most workers * IN_FLIGHT_PER_WORKER chunks are out at once, so memory stays bounded however many
    files change; `chunks` is consumed lazily.
    """
    if workers == 1:
        for chunk in chunks:
            store(parse_chunk(with_contents(chunk)))
        return
    limit = workers * IN_FLIGHT_PER_WORKER
    with _Workers(workers) as pool:
        pending: dict[Future[list[Outcome]], tuple[list[Task], int]] = {}

        def collect(futures: Iterable[Future[list[Outcome]]]) -> None:
            for future in futures:
                chunk, generation = pending.pop(future)
                try:
                    outcomes = future.result()
                except BrokenProcessPool:  # a worker died (crash, OOM kill): find the file, go on
                    outcomes = pool.isolate(chunk, generation)
                store(outcomes)

        for chunk in map(with_contents, chunks):
            pending[pool.submit(chunk)] = (chunk, pool.generation)
            if len(pending) >= limit:
                collect(wait(pending, return_when=FIRST_COMPLETED).done)
        collect(list(pending))


class _Workers:
    """The parsing processes. A worker that dies takes its chunk with it; `isolate` re-runs such a chunk
    one file at a time in a separate one-worker pool, so only the file that kills the parser (a crash, an
    out-of-memory kill) is recorded as an error, and the build goes on."""

    def __init__(self, workers: int) -> None:
        self.workers = workers
        self.generation = 0  # bumped at every restart: tells futures of a dead pool from live ones
        self.pool = _start_pool(workers)

    def __enter__(self) -> _Workers:
        return self

    def __exit__(self, *exc: object) -> None:
        self.pool.shutdown(wait=True, cancel_futures=True)

    def _restart(self) -> None:
        self.pool.shutdown(wait=False, cancel_futures=True)
        self.pool = _start_pool(self.workers)
        self.generation += 1

    def submit(self, chunk: list[Task]) -> Future[list[Outcome]]:
        try:
            return self.pool.submit(parse_chunk, chunk)
        except BrokenProcessPool:  # broke since the last submit; its lost chunks get isolated when collected
            self._restart()
            return self.pool.submit(parse_chunk, chunk)

    def isolate(self, chunk: list[Task], generation: int) -> list[Outcome]:
        if generation == self.generation:
            self._restart()
        outcomes: list[Outcome] = []
        single = _start_pool(1)
        try:
            for sf, old_hash in chunk:
                try:
                    outcomes += single.submit(parse_chunk, [(sf, old_hash)]).result()
                except BrokenProcessPool:
                    single.shutdown(wait=False, cancel_futures=True)
                    single = _start_pool(1)
                    # size -1: the next run retries it (an out-of-memory kill may not happen again)
                    outcomes.append(Outcome(sf.source, -1, sf.mtime_ns, "error", sf.origin,
                                            known=old_hash is not None,
                                            error="parser process died on this file (crash or killed)"))
        finally:
            single.shutdown(wait=True, cancel_futures=True)
        return outcomes


def _start_pool(workers: int) -> ProcessPoolExecutor:
    # spawn, not fork: workers inherit no lock, no SQLite handle and no thread state from this process.
    return ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("spawn"),
                               initializer=_worker_init, initargs=(os.getpid(),))


def _worker_init(parent: int) -> None:
    """Leave Ctrl-C to the main process, and exit when it dies (even by kill -9): no orphan workers."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(0.5)
        os._exit(1)

    threading.Thread(target=watch, daemon=True).start()

"""Many readers at once: a bounded load test of the served app (`make bench` stage `load`, issue 13).

The server runs exactly as `make serve` runs it (zhnews.app.serve, one worker per core). First ONE client,
then CLIENTS clients at once, each for a fixed number of seconds, request a fixed mix of pages chosen by a
seeded random generator: the reader view, the articles table (with its facets), the search page and CSV
exports.
Throughput of many over one, and p50/p95/p99 of each page kind, say whether the server uses its cores and
whether slow pages starve the article pages. The searches use the eight queries of latency.QUERIES (one
character to very common terms), so the search page's per-process count cache is warm after each query's
first request, as it is for popular queries. Loopback only (127.0.0.1), bounded in time; every response is
read to its end and counted as an error unless it is a 200.

The load generator runs on the same machine: its own CPU time is reported so the figures can be read with
it in mind.
"""

from __future__ import annotations

import random
import resource
import sqlite3
import threading
import time
from collections.abc import Callable
from pathlib import Path

import httpx

from benchmarks import latency, machine

CLIENTS = 16
SECONDS = 30.0
# (kind, weight): what a crowd of readers asks for. Searches use terms of every frequency (latency.QUERIES).
MIX = (("reader view", 50), ("table", 15), ("search page", 20), ("export", 15))
Request = tuple[str, str, dict[str, str]]  # (kind, path, params)


def _read(db: Path, sql: str) -> list[tuple[object, ...]]:
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        return conn.execute(sql).fetchall()
    finally:
        conn.close()


class Mix:
    """Draws requests of the fixed mix; the same seed and database give the same sequence."""

    def __init__(self, db: Path, seed: int) -> None:
        self.ids = [r[0] for r in _read(db, "select id from articles order by id")]
        self.outlets = [r[0] for r in _read(db, "select id from outlets where articles > 0 order by id")]
        # exports of one outlet-month: from a few rows to a few thousand at 60k articles
        self.slices = _read(db, "select outlet, published_month from articles "
                                "where published_month is not null group by 1, 2 order by 1, 2")
        self.queries = [q for _, q in latency.QUERIES]
        self.seed = seed
        self.kinds = [k for k, _ in MIX]
        self.weights = [w for _, w in MIX]

    def generator(self, client: int) -> Callable[[], Request]:
        rng = random.Random(self.seed * 1000 + client)

        def draw() -> Request:
            kind = rng.choices(self.kinds, self.weights)[0]
            if kind == "reader view":
                return kind, f"/news/articles/{rng.choice(self.ids)}", {}
            if kind == "table":
                narrowed = {"outlet": rng.choice(self.outlets)} if rng.random() < 0.5 else {}
                return kind, "/news/articles", narrowed
            if kind == "search page":  # by relevance or newest first, as readers switch between them
                return kind, "/news/search", {"q": rng.choice(self.queries),
                                              "sort": rng.choice(("relevance", "newest"))}
            outlet, month = rng.choice(self.slices)
            extension = rng.choice(("csv", "csvbom"))
            return kind, f"/news/articles.{extension}", {"_stream": "on", "outlet": str(outlet),
                                                          "published_month": str(month)}

        return draw


def _phase(base: str, mix: Mix, clients: int, seconds: float) -> dict[str, object]:
    """`clients` threads, each a sequential client, for `seconds`; every request's kind, ms and status."""
    samples: list[tuple[str, float, int]] = []
    errors: list[str] = []
    lock = threading.Lock()
    stop_at = time.perf_counter() + seconds

    def client(number: int) -> None:
        draw = mix.generator(number)
        with httpx.Client(base_url=base, timeout=120) as http:
            while time.perf_counter() < stop_at:
                kind, path, params = draw()
                started = time.perf_counter()
                try:
                    response = http.get(path, params=params)
                    status = response.status_code
                except httpx.HTTPError as error:
                    status = 0
                    with lock:
                        errors.append(f"{path}: {error!r}")
                elapsed = (time.perf_counter() - started) * 1000
                with lock:
                    samples.append((kind, elapsed, status))
                    if status != 200 and status:
                        errors.append(f"{path} {params}: HTTP {status}")

    cpu_before = resource.getrusage(resource.RUSAGE_SELF)
    started = time.perf_counter()
    threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - started
    cpu_after = resource.getrusage(resource.RUSAGE_SELF)
    kinds: dict[str, dict[str, float]] = {}
    for kind, _ in MIX:
        ms = [m for k, m, _ in samples if k == kind]
        if ms:
            kinds[kind] = {"requests": len(ms), "p50": latency.percentile(ms, 50),
                           "p95": latency.percentile(ms, 95), "p99": latency.percentile(ms, 99)}
    return {
        "clients": clients,
        "seconds": wall,
        "requests": len(samples),
        "requests_per_s": len(samples) / wall,
        "errors": len(errors),
        "error_examples": errors[:5],
        "kinds": kinds,
        "client_cpu_seconds": (cpu_after.ru_utime + cpu_after.ru_stime)
        - (cpu_before.ru_utime + cpu_before.ru_stime),
        "load_at_end": machine.load_average(),
    }


def measure(root: Path, db: Path, log: Path, *, clients: int = CLIENTS, seconds: float = SECONDS,
            seed: int = 1, workers: int | None = None) -> dict[str, object]:
    """One client, then `clients` clients, each phase `seconds` long, against `make serve`'s server."""
    mix = Mix(db, seed)
    load_at_start = machine.load_average()
    server = latency.Server(root, db, log, workers=workers)
    try:
        _phase(server.base, mix, 2, min(5.0, seconds))  # warm-up: page cache, per-worker caches
        one = _phase(server.base, mix, 1, seconds)
        many = _phase(server.base, mix, clients, seconds)
    finally:
        server.stop()
    return {
        "command": " ".join(server.command).replace(f"{root}/", ""),
        "mix": dict(MIX),
        "load_at_start": load_at_start,
        "one": one,
        "many": many,
        "speedup": many["requests_per_s"] / one["requests_per_s"],  # type: ignore[operator]
    }

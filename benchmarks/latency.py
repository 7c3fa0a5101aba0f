"""Latency of the served app over real HTTP: `datasette serve -i` with the project's metadata and plugins.

Why over HTTP and not ds.client: users see the whole stack (ASGI server, templates, plugins, facets, the
rewrite of `_search`); a sequential loopback client measures exactly that. Request counts are bounded;
only 127.0.0.1 is contacted.
"""

from __future__ import annotations

import csv
import random
import shlex
import socket
import sqlite3
import statistics
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import yaml

# The fixed query set: (label, query). One of each kind the issue names.
QUERIES: tuple[tuple[str, str], ...] = (
    ("1 char", "法"),
    ("2 chars", "台湾"),
    ("3+ chars", "国安法"),
    ("name", "刘建超"),
    ("Traditional", "臺灣"),
    ("English", "Trump"),
    ("multi-term", "美国 香港"),
    ("very common", "中国"),
)
READY_TIMEOUT = 180.0


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def serve_flags(root: Path) -> list[str]:
    """The flags `make serve` passes to datasette (the Makefile's `serve-flags` target prints them)."""
    out = subprocess.run(
        ["make", "-s", "--no-print-directory", "serve-flags"],
        cwd=root,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return shlex.split(out)


def serve_command(root: Path, db: Path, port: int, inspect_file: Path, *, workers: int | None = None,
                  public: bool = False) -> list[str]:
    """The server exactly as `make serve` runs it (zhnews.app.serve: gunicorn workers over the Datasette app
    with the `datasette serve` flags of the Makefile), on a loopback port; `workers` defaults to the cores."""
    return [
        str(root / ".venv/bin/python"),
        "-m",
        "zhnews.app.serve",
        *(["--workers", str(workers)] if workers else []),
        *(["--public"] if public else []),
        "-i",
        str(db),
        "--inspect-file",
        str(inspect_file),
        *serve_flags(root),
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
    ]


def inspect(root: Path, db: Path, inspect_file: Path) -> float:
    """`datasette inspect` as `make serve` runs it first (table counts computed once per file); seconds."""
    started = time.perf_counter()
    subprocess.run(
        [str(root / ".venv/bin/datasette"), "inspect", str(db), "--inspect-file", str(inspect_file)],
        cwd=root,
        check=True,
        capture_output=True,
    )
    return time.perf_counter() - started


class Server:
    """A server subprocess we started (the gunicorn master; it stops its workers); stopped by its own pid."""

    def __init__(self, root: Path, db: Path, log: Path, *, workers: int | None = None,
                 public: bool = False) -> None:
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        inspect_file = db.with_name(db.name + "-inspect.json")
        self.inspect_seconds = inspect(root, db, inspect_file)
        self.command = serve_command(root, db, self.port, inspect_file, workers=workers, public=public)
        self._log = log.open("wb")
        self.proc = subprocess.Popen(self.command, cwd=root, stdout=self._log, stderr=subprocess.STDOUT)
        self.startup_seconds = self._wait_ready()

    def _wait_ready(self) -> float:
        started = time.perf_counter()
        while time.perf_counter() - started < READY_TIMEOUT:
            if self.proc.poll() is not None:
                raise RuntimeError(f"datasette exited with {self.proc.returncode}: see {self._log.name}")
            try:
                if httpx.get(self.base + "/-/versions.json", timeout=5).status_code == 200:
                    return time.perf_counter() - started
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        raise RuntimeError("datasette did not become ready")

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self._log.close()


def percentile(samples: list[float], p: float) -> float:
    """Nearest-rank percentile (no interpolation: with 20 samples p95 is the 19th)."""
    ordered = sorted(samples)
    rank = max(1, round(p / 100 * len(ordered) + 0.4999))
    return ordered[min(rank, len(ordered)) - 1]


def common_facet_values(db: Path, root: Path) -> list[tuple[str, str]]:
    """(column, its most common value) for each facet column of the articles table (metadata.yml)."""
    facets = _articles_metadata(root)["plugins"]["zhnews_search"]["facets"]
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        return [(column, conn.execute(f"SELECT {column} FROM articles WHERE {column} IS NOT NULL "
                                      f"GROUP BY 1 ORDER BY count(*) DESC LIMIT 1").fetchone()[0])
                for column in facets]
    finally:
        conn.close()


def sortable_columns(root: Path) -> list[str]:
    """The columns the articles table offers to sort by (metadata.yml), the key aside."""
    return [c for c in _articles_metadata(root)["sortable_columns"] if c != "id"]


def _articles_metadata(root: Path) -> dict:
    tables = yaml.safe_load((root / "metadata.yml").read_text())["databases"]["news"]["tables"]
    return tables["articles"]


def time_requests(client: httpx.Client, path: str, params: dict[str, str], reps: int) -> dict[str, object]:
    """One warm-up request, then `reps` timed sequential requests; milliseconds, statuses, bytes."""
    client.get(path, params=params)
    times: list[float] = []
    statuses: dict[int, int] = {}
    size = 0
    for _ in range(reps):
        started = time.perf_counter()
        response = client.get(path, params=params)
        times.append((time.perf_counter() - started) * 1000)
        statuses[response.status_code] = statuses.get(response.status_code, 0) + 1
        size = len(response.content)
    return {
        "path": path,
        "params": params,
        "ms": times,
        "p50": percentile(times, 50),
        "p95": percentile(times, 95),
        "mean": statistics.fmean(times),
        "statuses": statuses,
        "bytes": size,
    }


def _csv_lines(response: httpx.Response) -> Iterator[str]:
    pending = ""
    for chunk in response.iter_text():
        pending += chunk
        *lines, pending = pending.split("\n")
        for line in lines:
            yield line + "\n"
    if pending:
        yield pending


def stream_csv(client: httpx.Client, path: str, params: list[tuple[str, str]]) -> dict[str, object]:
    """Stream a CSV export to the end; rows (parsed as CSV: bodies hold newlines), bytes, seconds."""
    started = time.perf_counter()
    with client.stream("GET", path, params=params) as response:
        counter = _Counter(_csv_lines(response))
        rows = sum(1 for _ in csv.reader(counter)) - 1  # minus the header
        status = response.status_code
    seconds = time.perf_counter() - started
    return {
        "path": path,
        "params": params,
        "status": status,
        "rows": rows,
        "bytes": counter.bytes,
        "seconds": seconds,
        "rows_per_s": rows / seconds,
        "mb_per_s": counter.bytes / 1e6 / seconds,
    }


class _Counter:
    def __init__(self, lines: Iterator[str]) -> None:
        self._lines = lines
        self.bytes = 0

    def __iter__(self) -> Iterator[str]:
        for line in self._lines:
            self.bytes += len(line.encode("utf-8"))
            yield line


def match_counts(db: Path) -> tuple[dict[str, int | None], dict[str, float | None]]:
    """How many articles each query matches (the shared rewrite, straight on the FTS table): the load behind
    each latency figure; and the best of 3 times of that count: a floor for any page that shows an exact
    count (the stock table page counts, and its rows query enumerates the same matches again)."""
    from zhnews.search.text import fts_query

    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    counts: dict[str, int | None] = {}
    floors: dict[str, float | None] = {}
    sql = "select count(*) from articles_fts where articles_fts match ?"
    try:
        for _, query in QUERIES:
            counts[query] = floors[query] = None
            times = []
            for _ in range(3):
                started = time.perf_counter()
                try:
                    counts[query] = conn.execute(sql, (fts_query(query),)).fetchone()[0]
                except sqlite3.Error:
                    break
                times.append((time.perf_counter() - started) * 1000)
            floors[query] = min(times) if times else None
    finally:
        conn.close()
    return counts, floors


def sample_ids(db: Path, count: int, seed: int) -> list[int]:
    """A fixed pseudo-random set of article ids (same seed, same database -> same ids)."""
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        ids = [row[0] for row in conn.execute("select id from articles order by id")]
    finally:
        conn.close()
    return random.Random(seed).sample(ids, min(count, len(ids)))


def nth_id(db: Path, n: int) -> tuple[int, int]:
    """The id below which (inclusive) the first n articles by id lie, and how many rows that is."""
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        total = conn.execute("select count(*) from articles").fetchone()[0]
        n = min(n, total)
        row = conn.execute("select id from articles order by id limit 1 offset ?", (n - 1,)).fetchone()
    finally:
        conn.close()
    return int(row[0]), n


def measure(root: Path, db: Path, log: Path, reps: int, csv_rows: int, seed: int) -> dict[str, object]:
    """Serve db and measure every page kind; returns raw samples and percentiles."""
    server = Server(root, db, log)
    result: dict[str, object] = {
        "command": " ".join(server.command),
        "reps": reps,
        "startup_seconds": server.startup_seconds,
        "inspect_seconds": server.inspect_seconds,
    }
    result["matches"], result["count_ms"] = match_counts(db)
    try:
        with httpx.Client(base_url=server.base, timeout=120) as client:
            # The search page (issue 10). `_nocache=1`: every request counts its matches again (the
            # page caches counts per search for its next pages; a benchmark repeating one URL would only
            # time the cache). The default order (relevance up to engine.RANK_WINDOW matches, else newest),
            # relevance asked for, newest first, and the results alone.
            for key, path, extra in (
                ("search_page", "/news/search", {"_nocache": "1"}),
                ("search_ranked", "/news/search", {"sort": "relevance", "_nocache": "1"}),
                ("search_newest", "/news/search", {"sort": "newest", "_nocache": "1"}),
                ("search_first_results", "/news/search.json", {"sort": "newest", "_shape": "array"}),
            ):
                result[key] = [
                    {"label": label, "query": query,
                     **time_requests(client, path, {"q": query, **extra}, reps)}
                    for label, query in QUERIES
                ]
            result["table_facets"] = time_requests(client, "/news/articles", {}, reps)
            # "Next page" of the table in its default order (published descending): a keyset page, the
            # HTML a person gets (with its facets) and the JSON a script pages through.
            token = client.get("/news/articles.json", params={"_nofacet": "1"}).json()["next"]
            result["table_page_2"] = time_requests(client, "/news/articles", {"_next": token}, reps)
            result["table_page_2_json"] = time_requests(client, "/news/articles.json",
                                                        {"_next": token, "_nofacet": "1"}, reps)
            # The table as people narrow it: filtered by the most common value of each facet column (the
            # largest lists, so the dearest facet counts), and sorted by each column it offers to sort by.
            result["table_filtered"] = [
                {"label": f"{col}={value}", **time_requests(client, "/news/articles", {col: value}, reps)}
                for col, value in common_facet_values(db, root)
            ]
            result["table_sorted"] = [
                {"label": f"{key}={column}", **time_requests(client, "/news/articles", {key: column}, reps)}
                for column in sortable_columns(root) for key in ("_sort", "_sort_desc")
            ]
            ids = sample_ids(db, reps, seed)
            client.get(f"/news/articles/{ids[0]}")
            pages = []
            for article_id in ids:
                pages.append(time_requests(client, f"/news/articles/{article_id}", {}, 1))
            times = [page["ms"][0] for page in pages]  # type: ignore[index]
            result["article_page"] = {
                "ids": ids,
                "ms": times,
                "p50": percentile(times, 50),
                "p95": percentile(times, 95),
                "statuses": _merge([page["statuses"] for page in pages]),
            }
            last_id, rows = nth_id(db, csv_rows)
            bounded = [("_stream", "on"), ("_sort", "id"), ("id__lte", str(last_id))]
            result["csv_expected_rows"] = rows
            result["csv_full"] = stream_csv(client, "/news/articles.csv", bounded)
            slim = [("_col", c) for c in ("title", "url", "outlet", "published")]
            result["csv_slim"] = stream_csv(client, "/news/articles.csv", [*bounded, *slim])
            result["csv_search"] = stream_csv(client, "/news/search/all.csv", [("q", "台湾")])
    finally:
        server.stop()
    return result


def _merge(counts: list[dict[int, int]]) -> dict[int, int]:
    merged: dict[int, int] = {}
    for count in counts:
        for status, n in count.items():
            merged[status] = merged.get(status, 0) + n
    return merged

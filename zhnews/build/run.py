"""Build the SQLite database from article sources: incremental, atomic, parallel, memory-bounded.

This module is the run itself; each concern has its own module:
- zhnews.build.atomic: the database file is replaced whole (lock, temporary copy, fsync, swap), never changed
  in place, because Datasette serves it as immutable;
- zhnews.build.workers: files are parsed in a pool of processes (zhnews.build.outcome: what one file becomes);
- zhnews.build.writer: the rows, and the choice of each article's best capture.

Incremental rules: the old database is read (read-only) into a dict `source -> (size, mtime_ns)` and every
input file is stat'ed: a file whose size and mtime_ns match its row in `captures`/`build_errors` is not
read, and nothing is written when nothing changed. A file that differs is read and hashed in a worker;
the same hash only refreshes size/mtime (no parse). Files gone from the SOURCEs (or from SOURCEs not named
in this run: the database mirrors exactly the run's SOURCEs) lose their row. The result is the same
database a `--full` build would produce.

A git history is scanned by commit (`Source.scan` with the state of the `sources` table): only the versions
of the commits since the last build are listed, and its other rows stay as they are, but for those that
could not be read last time (size -1), which are looked up again. A rewritten history is rescanned whole.

A full rebuild happens with `--full`, for a new database, and when the schema, the zhnews version or the
search segmentation changed since the last build (`PRAGMA user_version` holds their fingerprint). After
changing parser code without bumping the version, run `--full`.
"""

from __future__ import annotations

import hashlib
import os
import sqlite3
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from importlib.metadata import version
from pathlib import Path

from zhnews.build import schema
from zhnews.build.atomic import (
    PAUSE_ENV,
    connect_read_only,
    discard_temp,
    exclusive,
    open_temp_copy,
    pause_point,
    swap_in,
)
from zhnews.build.outcome import Outcome, article_id, article_row
from zhnews.build.result import BuildError, BuildReport, Progress
from zhnews.build.workers import Task, run_chunks, usable_cores
from zhnews.build.writer import Writer, summarise
from zhnews.search import index as search_index
from zhnews.sources import Scan, Source, SourceError, SourceFile, SourceState, source_name

# Names other code imports from here (the CLI, the report, tests, benchmarks).
__all__ = ["PAUSE_ENV", "BuildError", "BuildReport", "Progress", "article_id", "article_row", "build"]

CHUNK = 32  # files per worker task: amortises inter-process overhead, keeps progress smooth


def build(
    sources: Sequence[Source],
    db_path: str | os.PathLike[str],
    *,
    workers: int | None = None,
    full: bool = False,
    progress: Progress | None = None,
) -> BuildReport:
    """Bring the database at `db_path` in line with `sources`; see the module docstring for the rules.

    With workers > 1 the parsers run in spawned processes, which import the caller's main module: a script
    calling build() needs the usual `if __name__ == "__main__":` guard.
    """
    started = time.perf_counter()
    if not sources:
        raise BuildError("no SOURCE given")
    db = Path(db_path).absolute()
    if db.is_dir():
        raise BuildError(f"--db {db} is a folder")
    if not db.parent.is_dir():
        raise BuildError(f"the folder of --db {db} does not exist")
    workers = max(1, workers or usable_cores())
    by_name = {s.name: s for s in sources}
    report = BuildReport()
    with exclusive(db):
        discard_temp(db)
        fingerprint = code_fingerprint()
        states, report.mode = _previous_build(db, fingerprint, full)
        fresh = report.mode != "incremental"
        writer: Writer | None = None

        def open_writer() -> Writer:
            """The writer, created at the first change: a build that changes nothing copies nothing."""
            nonlocal writer
            if writer is None:
                writer = Writer(open_temp_copy(db, copy=not fresh), by_name, report, fresh)
                pause_point("copied")
            return writer

        try:
            scans = {src.name: src.scan(states.get(src.name)) for src in sources}
            known = {} if fresh else _file_states(db, _partial(scans))
            report.sources = {name: scan.note for name, scan in scans.items()}
            if progress is not None:
                counts = [scan.count() for scan in scans.values()]
                progress.start(None if None in counts else sum(c for c in counts if c is not None))
            _run(sources, scans, known, workers, report, progress, open_writer)
            if known:  # what was not seen this time is gone
                open_writer().remove(sorted(known))
            new_states = {name: scan.state for name, scan in scans.items()}
            if fresh or new_states != states:  # e.g. new commits that held no article file
                open_writer()
            if writer is not None:
                writer.finish(fingerprint, fresh, new_states)
                summarise(writer.conn, report)
                writer.conn.close()
                pause_point("committed")
                swap_in(db)
                report.written = True
                pause_point("replaced")
            else:
                conn = connect_read_only(db)
                try:
                    summarise(conn, report)
                finally:
                    conn.close()
        except BaseException as exc:
            if writer is not None:
                writer.conn.close()
            discard_temp(db)
            if isinstance(exc, SourceError):  # e.g. a clone too damaged for `git log`: fatal, said plainly
                raise BuildError(str(exc)) from exc
            raise
        finally:
            for src in sources:
                src.close()
    report.elapsed = time.perf_counter() - started
    return report


def code_fingerprint() -> int:
    """The schema version, the zhnews version and the search segmentation, as a positive 31-bit int.

    Stored in PRAGMA user_version: a database built by another release is rebuilt in full (its articles
    came from another parser). Parser changes within one version need `--full`.
    """
    text = f"schema {schema.SCHEMA_VERSION}; zhnews {version('zhnews')}; {search_index.fingerprint()}"
    return (int.from_bytes(hashlib.sha256(text.encode()).digest()[:4], "big") & 0x7FFFFFFF) or 1


def file_state(size: int, mtime_ns: int) -> int:
    """Size and mtime as ONE int: the value of the in-memory dict (500k files: ~45 MB less than tuples)."""
    return (size << 64) | (mtime_ns & (2**64 - 1))


def _previous_build(db: Path, fingerprint: int, full: bool) -> tuple[dict[str, SourceState], str]:
    """The old database's source states and "incremental", or none and the reason for a full build."""
    if full:
        return {}, "full (--full)"
    if not db.exists():
        return {}, "full (new database)"
    with _reading(db) as conn:
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        if not tables:
            return {}, "full (empty database)"
        if not {"articles", "captures", "build_errors"} <= tables:
            raise BuildError(f"{db} is not a zhnews database (use another --db, or delete it)")
        if version != fingerprint:
            return {}, "full (schema, zhnews version or search segmentation changed)"
        states = {name: SourceState(kind, scope, commits or "") for name, kind, scope, commits in
                  conn.execute("SELECT name, kind, scope, git_commits FROM sources")}
    return states, "incremental"


def _file_states(db: Path, partial: set[str]) -> dict[str, int]:
    """`source -> file_state` of the old database's files: what this run must look at again or remove.

    The files of `partial` sources (scanned incrementally: only their new versions are listed) stay as they
    are and are not loaded (a no-op rebuild of a 300k history read 300k rows for nothing), but for those
    that could not be read last time (size -1): they are looked up again."""
    where = " AND ".join("(NOT (source >= ? AND source < ?) OR size = -1)" for _ in partial) or "1"
    bounds = [bound for name in sorted(partial) for bound in (f"{name}/", f"{name}0")]  # "0" follows "/"
    known: dict[str, int] = {}
    with _reading(db) as conn:
        for table in ("captures", "build_errors"):
            known.update((s, file_state(size, mtime)) for s, size, mtime in
                         conn.execute(f"SELECT source, size, mtime_ns FROM {table} WHERE {where}", bounds))
    return known


@contextmanager
def _reading(db: Path) -> Iterator[sqlite3.Connection]:
    try:
        conn = connect_read_only(db)
        try:
            yield conn
        finally:
            conn.close()
    except sqlite3.DatabaseError as exc:
        raise BuildError(f"cannot read {db}: {exc} (use another --db, or delete it)") from exc


def _partial(scans: dict[str, Scan]) -> set[str]:
    """The sources scanned incrementally: only their new files are listed, the others stay."""
    return {name for name, scan in scans.items() if not scan.complete}


def _retries(partial: set[str], known: dict[str, int]) -> dict[str, list[str]]:
    """By source scanned incrementally (`partial`), its files that could not be read last time (the only
    ones of it in `known`): looked up again, and removed if gone."""
    retry: dict[str, list[str]] = {name: [] for name in partial}
    for source in known:
        if (name := source_name(source)) in partial:
            retry[name].append(source)
    return retry


def _run(
    sources: Sequence[Source],
    scans: dict[str, Scan],
    known: dict[str, int],
    workers: int,
    report: BuildReport,
    progress: Progress | None,
    open_writer: Callable[[], Writer],
) -> None:
    """Scan the sources, stream changed files through the workers and hand the outcomes to the writer."""
    retry = _retries(_partial(scans), known)

    def records(src: Source) -> Iterator[SourceFile]:
        scan = scans[src.name]
        yield from scan.files
        for source in retry.get(src.name, []):  # gone (None): stays in `known`, so it is removed
            if (sf := src.get(source)) is not None:
                yield sf
        for reason, n in scan.skipped.items():
            report.skipped[reason] = report.skipped.get(reason, 0) + n

    def tasks() -> Iterator[list[Task]]:
        chunk: list[Task] = []
        for src in sources:
            for sf in records(src):
                report.seen += 1
                state = known.pop(sf.source, None)
                if state == file_state(sf.size, sf.mtime_ns):
                    report.unchanged += 1
                    if progress is not None:
                        progress.advance(1)
                    continue
                old_hash = open_writer().old_hash(sf.source) if state is not None else None
                chunk.append((sf, old_hash))
                if len(chunk) >= CHUNK:
                    yield chunk
                    chunk = []
        if chunk:
            yield chunk

    def store(outcomes: list[Outcome]) -> None:
        open_writer().apply(outcomes)
        if progress is not None:
            progress.advance(len(outcomes))
        pause_point("applied")

    run_chunks(tasks(), workers, store)

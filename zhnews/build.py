"""Build the SQLite database from article sources: incremental, atomic, parallel, memory-bounded.

Atomic swap (why: Datasette serves the file with `-i`, immutable, and then reads it without locks, so the
database file must NEVER change in place):
1. take an exclusive lock on `<db>.tmp.lock` (flock: released by the kernel even on kill -9) and delete
   any `<db>.tmp*` left by a killed run;
2. read the old database (read-only) into a dict `source -> (size, mtime_ns)` and stat every input file:
   unchanged files cost one stat and one dict lookup, and nothing is written when nothing changed;
3. at the first change, copy the old database to `<db>.tmp` (or start `<db>.tmp` empty for a full build),
   apply all changes there in one transaction (journal off: a killed run just leaves a temp file), commit,
   close, fsync the file, `os.replace` it over `<db>`, fsync the folder.
Killed at any instant, `<db>` is the old file or the new one, never a mix; readers that opened the old file
keep reading the old inode. Cost: one file copy per changed build (the price of immutable serving).

Incremental rules: a file whose size and mtime_ns match its row in `captures`/`build_errors` is not read. A
file that differs is read and hashed in a worker; the same hash only refreshes size/mtime (no parse). Files
gone from the SOURCEs (or from SOURCEs not named in this run: the database mirrors exactly the run's
SOURCEs) lose their row. An article is the parse of its best capture (most text, then latest `published`,
then smallest `source`); `captures.chosen` marks it. When captures of an article change, the best one is
re-chosen: from the files parsed in the same batch, else by re-parsing the file of the best remaining
capture. The result is the same database a `--full` build would produce.

A full rebuild happens with `--full`, for a new database, and when the schema, the zhnews version or the
search segmentation changed since the last build (`PRAGMA user_version` holds their fingerprint). After
changing parser code without bumping the version, run `--full`.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import multiprocessing
import os
import shutil
import signal
import sqlite3
import sys
import threading
import time
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from importlib.metadata import version
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import quote

from zhnews import schema, search_index
from zhnews.article import Article, ParseError
from zhnews.outlets import ALL_OUTLETS, outlet_info
from zhnews.parser import parse
from zhnews.sources import Source, SourceFile, source_name

CHUNK = 32  # files per worker task: amortises inter-process overhead, keeps progress smooth
IN_FLIGHT_PER_WORKER = 3  # chunks queued per worker: keeps workers busy, bounds memory
MAX_ID = 2**53 - 1
PAUSE_ENV = "ZHNEWS_BUILD_PAUSE_AT"  # test hook: pause at a named point so a kill lands deterministically


class BuildError(Exception):
    """A fatal problem (no sources, unwritable database, another build running): the build stops."""


class Progress(Protocol):
    def start(self, total: int) -> None: ...
    def advance(self, n: int) -> None: ...


@dataclass
class BuildReport:
    mode: str = "incremental"  # or why the build was full
    seen: int = 0
    new: int = 0
    changed: int = 0
    unchanged: int = 0
    touched: int = 0  # unchanged content, new size/mtime (counted in unchanged)
    removed: int = 0
    parsed: int = 0
    errors: int = 0  # files of this run that ended in build_errors
    errors_total: int = 0
    rechosen: int = 0  # captures re-parsed to re-choose an article
    articles: int = 0
    captures: int = 0
    per_outlet: dict[str, int] = field(default_factory=dict)
    written: bool = False  # False when nothing changed and the database file was left alone
    elapsed: float = 0.0
    error_reasons: dict[str, int] = field(default_factory=dict)

    @property
    def files_per_s(self) -> float:
        return self.seen / self.elapsed if self.elapsed else 0.0

    @property
    def parsed_per_s(self) -> float:
        return self.parsed / self.elapsed if self.elapsed else 0.0


# ---------------------------------------------------------------- pure helpers (also run in workers)

def article_id(url: str) -> int:
    """Stable id of a canonical URL: the first 8 bytes of its sha256, masked below 2^53 (exact in JSON)."""
    return int.from_bytes(hashlib.sha256(url.encode("utf-8")).digest()[:8], "big") & MAX_ID


def article_row(article: Article) -> dict[str, Any]:
    """The `articles` row of a parsed article (its `captures` count is filled in by the build)."""
    row: dict[str, Any] = {
        "id": article_id(article.url),
        "url": article.url,
        "title": article.title,
        "title_raw": article.title_raw,
        "outlet": article.outlet,
        "section": article.section,
        "author": article.author,
        "published": article.published,
        "published_from": article.published_from,
        "fed_at": article.fed_at,
        "published_month": article.published[:7] if article.published else None,
        "dateline": article.dateline,
        "published_local": article.published_local,
        "lead": article.lead,
        "body_text": article.body_text,
        "body_html": article.body_html,
        "image_url": article.image_url,
        "images": json.dumps(article.images, ensure_ascii=False),
        "language": article.language,
        "char_count": article.char_count,
        "captures": 0,
    }
    for column in schema.NULLABLE_TEXT:
        row[column] = row[column] or None
    return row


@dataclass(slots=True)
class Outcome:
    """What a worker made of one file: kind is "same" (content hash unchanged), "ok" or "error"."""

    source: str
    size: int
    mtime_ns: int
    kind: str
    content_hash: str = ""
    known: bool = False  # the file had a row (capture or error) before this run
    row: dict[str, Any] | None = None
    segmented: tuple[str, str, str] | None = None  # title, lead, body as indexed (segmenting is CPU work)
    error: str = ""


def parse_file(sf: SourceFile, old_hash: str | None) -> Outcome:
    """Read, hash and (unless the hash is unchanged) parse one file. Never raises: per-file problems are data.

    `old_hash` is the content hash recorded for this file, None for a file new to the database.
    """
    out = Outcome(sf.source, sf.size, sf.mtime_ns, "error", known=old_hash is not None)
    try:
        data = sf.read()
    except OSError as exc:
        out.size = -1  # the next run retries the file even if its size and mtime stay the same
        out.error = f"unreadable: {exc.strerror or exc}"
        return out
    out.content_hash = hashlib.sha256(data).hexdigest()
    if out.content_hash == old_hash:
        out.kind = "same"
        return out
    try:
        article = parse(data, sf.source)
        if not article.url:
            raise ParseError("no article URL")
        out.row = article_row(article)
        out.segmented = search_index.segment_article(article.title, article.lead, out.row["body_text"])
        out.kind = "ok"
    except ParseError as exc:
        out.error = str(exc) or "unparseable"
    except Exception as exc:  # a parser bug must not stop the build: record it, keep going
        out.error = f"internal error: {type(exc).__name__}: {exc}"
    return out


Task = tuple[SourceFile, str | None]  # a file to parse and the content hash it had (None: new file)


def parse_chunk(tasks: Sequence[Task]) -> list[Outcome]:
    return [parse_file(sf, old_hash) for sf, old_hash in tasks]


def _worker_init(parent: int) -> None:
    """Leave Ctrl-C to the main process, and exit when it dies (even by kill -9): no orphan workers."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(0.5)
        os._exit(1)

    threading.Thread(target=watch, daemon=True).start()


def usable_cores() -> int:
    """The cores this process may run on (a container or taskset may allow fewer than the machine has)."""
    try:
        return len(os.sched_getaffinity(0)) or 1
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def pause_point(name: str) -> None:
    """Test hook: with ZHNEWS_BUILD_PAUSE_AT=name, announce on stderr and sleep (for a kill -9 to land)."""
    if os.environ.get(PAUSE_ENV) == name:
        print(f"zhnews-build paused at {name}", file=sys.stderr, flush=True)
        time.sleep(600)


def code_fingerprint() -> int:
    """The schema version, the zhnews version and the search segmentation, as a positive 31-bit int.

    Stored in PRAGMA user_version: a database built by another release is rebuilt in full (its articles
    came from another parser). Parser changes within one version need `--full`.
    """
    text = f"schema {schema.SCHEMA_VERSION}; zhnews {version('zhnews')}; {search_index.fingerprint()}"
    return (int.from_bytes(hashlib.sha256(text.encode()).digest()[:4], "big") & 0x7FFFFFFF) or 1


# ---------------------------------------------------------------- database side

def _ro_connect(path: Path) -> sqlite3.Connection:
    return sqlite3.connect(f"file:{quote(str(path))}?mode=ro", uri=True)


def _write_connect(path: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(path, isolation_level=None)
    # A private temporary copy: a crash discards the whole file, so no journal or syncs are needed here;
    # durability comes from the fsync + rename at the end.
    conn.execute("PRAGMA journal_mode=OFF")
    conn.execute("PRAGMA synchronous=OFF")
    conn.execute("PRAGMA foreign_keys=ON")
    conn.execute("PRAGMA cache_size=-65536")  # 64 MB
    return conn


_INSERT_ARTICLE = (
    f"INSERT INTO articles ({', '.join(schema.ARTICLE_COLUMNS)}) "
    f"VALUES ({', '.join(':' + c for c in schema.ARTICLE_COLUMNS)}) "
    "ON CONFLICT(id) DO UPDATE SET "
    + ", ".join(f"{c} = excluded.{c}" for c in schema.ARTICLE_COLUMNS if c not in ("id", "captures"))
)


class Writer:
    """All writes of one build, into the temporary copy, inside one transaction."""

    def __init__(self, conn: sqlite3.Connection, sources: dict[str, Source], report: BuildReport,
                 fresh: bool) -> None:
        self.conn = conn
        self.sources = sources
        self.report = report
        if fresh:
            schema.create(conn)
            search_index.create_search_index(conn)
        conn.execute("BEGIN")
        self.outlets = {r[0] for r in conn.execute("SELECT id FROM outlets")}
        if fresh:
            for outlet in ALL_OUTLETS:
                self._add_outlet(outlet.code)

    def _add_outlet(self, code: str) -> None:
        info = outlet_info(code)
        self.conn.execute(
            "INSERT OR IGNORE INTO outlets (id, name, name_en, homepage, articles) VALUES (?, ?, ?, ?, 0)",
            (info.code, info.name, info.name_en, info.homepage),
        )
        self.outlets.add(code)

    def old_hash(self, source: str) -> str | None:
        row = self.conn.execute(
            "SELECT content_hash FROM captures WHERE source = ? "
            "UNION ALL SELECT content_hash FROM build_errors WHERE source = ?", (source, source)
        ).fetchone()
        return row[0] if row else None

    def _detach(self, source: str, dirty: set[int]) -> None:
        """Forget what a file yielded before (its capture or its error)."""
        for (aid,) in self.conn.execute("DELETE FROM captures WHERE source = ? RETURNING article_id",
                                        (source,)).fetchall():
            dirty.add(aid)
        self.conn.execute("DELETE FROM build_errors WHERE source = ?", (source,))

    def _record_error(self, source: str, error: str, content_hash: str, size: int, mtime_ns: int) -> None:
        self.conn.execute(
            "INSERT INTO build_errors (source, error, content_hash, size, mtime_ns) VALUES (?, ?, ?, ?, ?)",
            (source, error, content_hash, size, mtime_ns),
        )
        self.report.errors += 1
        reason = error.split(":", 1)[0][:80]
        if reason not in self.report.error_reasons and len(self.report.error_reasons) >= 100:
            reason = "other"  # bounded memory, whatever the parser's messages look like
        self.report.error_reasons[reason] = self.report.error_reasons.get(reason, 0) + 1

    def apply(self, outcomes: Iterable[Outcome]) -> None:
        """Store a batch of worker outcomes."""
        dirty: set[int] = set()
        batch: dict[str, Outcome] = {}
        pending_urls: dict[int, str] = {}
        for out in outcomes:
            if out.kind == "same":
                for table in ("captures", "build_errors"):
                    self.conn.execute(f"UPDATE {table} SET size = ?, mtime_ns = ? WHERE source = ?",
                                      (out.size, out.mtime_ns, out.source))
                self.report.unchanged += 1
                self.report.touched += 1
                continue
            self.report.parsed += 1
            if out.known:
                self.report.changed += 1
                self._detach(out.source, dirty)
            else:
                self.report.new += 1
            if out.kind == "error" or out.row is None:
                self._record_error(out.source, out.error, out.content_hash, out.size, out.mtime_ns)
                continue
            row = out.row
            aid, url = row["id"], row["url"]
            existing = pending_urls.get(aid) or self._article_url(aid)
            if existing is not None and existing != url:
                self._record_error(out.source, f"article id collision: {url} and {existing}",
                                   out.content_hash, out.size, out.mtime_ns)
                continue
            pending_urls[aid] = url
            self.conn.execute(
                "INSERT INTO captures (source, article_id, content_hash, published, char_count, chosen, "
                "size, mtime_ns) VALUES (?, ?, ?, ?, ?, 0, ?, ?)",
                (out.source, aid, out.content_hash, row["published"], row["char_count"], out.size,
                 out.mtime_ns),
            )
            batch[out.source] = out
            dirty.add(aid)
        self.resolve(dirty, batch)

    def remove(self, sources: Iterable[str]) -> None:
        """Files gone from the SOURCEs."""
        dirty: set[int] = set()
        for source in sources:
            self._detach(source, dirty)
            self.report.removed += 1
        self.resolve(dirty, {})

    def _article_url(self, aid: int) -> str | None:
        row = self.conn.execute("SELECT url FROM articles WHERE id = ?", (aid,)).fetchone()
        return row[0] if row else None

    def _reparse(self, source: str, content_hash: str) -> Outcome | None:
        """The article of a capture not parsed in this batch, or None when its file is gone or changed
        since it was recorded (then its own turn in this run re-resolves the article)."""
        src = self.sources.get(source_name(source))
        sf = src.get(source) if src else None
        if sf is None:
            return None
        out = parse_file(sf, None)
        if out.kind != "ok" or out.content_hash != content_hash:
            return None
        self.report.rechosen += 1
        return out

    def resolve(self, dirty: set[int], batch: dict[str, Outcome]) -> None:
        """Make each dirty article the parse of its best capture, or delete it when none remains."""
        unindex: list[tuple[Any, ...]] = []
        index: list[tuple[Any, ...]] = []
        for aid in sorted(dirty):
            candidates = self.conn.execute(
                "SELECT source, chosen, content_hash FROM captures WHERE article_id = ? "
                "ORDER BY char_count DESC, published DESC NULLS LAST, source", (aid,)
            ).fetchall()
            old = self.conn.execute("SELECT id, title, lead, body_text FROM articles WHERE id = ?",
                                    (aid,)).fetchone()
            if not candidates:
                if old:
                    unindex.append(old)
                    self.conn.execute("DELETE FROM articles WHERE id = ?", (aid,))
                continue
            for source, chosen, content_hash in candidates:
                if chosen:
                    break  # the article already holds the best usable capture
                out = batch.get(source) or self._reparse(source, content_hash)
                if out is None or out.row is None or out.segmented is None:
                    continue
                row = out.row
                if row["outlet"] not in self.outlets:
                    self._add_outlet(row["outlet"])
                if old:
                    unindex.append(old)
                self.conn.execute(_INSERT_ARTICLE, row)
                index.append((aid, *out.segmented))
                self.conn.execute("UPDATE captures SET chosen = (source = ?) WHERE article_id = ?",
                                  (source, aid))
                break
            self.conn.execute(
                "UPDATE articles SET captures = (SELECT count(*) FROM captures WHERE article_id = ?) "
                "WHERE id = ?", (aid, aid))
        if unindex:
            search_index.unindex_articles(self.conn, unindex)
        if index:
            search_index.index_segmented(self.conn, index)

    def finish(self, fingerprint: int, fresh: bool) -> None:
        if fresh:
            search_index.optimize_search_index(self.conn)  # one b-tree instead of many: smaller, faster
        self.conn.execute(
            "UPDATE outlets SET articles = (SELECT count(*) FROM articles WHERE outlet = outlets.id)")
        registry = [o.code for o in ALL_OUTLETS]
        self.conn.execute(
            f"DELETE FROM outlets WHERE articles = 0 AND id NOT IN ({', '.join('?' * len(registry))})",
            registry)
        self.conn.execute("COMMIT")
        self.conn.execute(f"PRAGMA user_version = {int(fingerprint)}")
        self.conn.execute("PRAGMA optimize")


def _summarise(conn: sqlite3.Connection, report: BuildReport) -> None:
    report.articles = conn.execute("SELECT count(*) FROM articles").fetchone()[0]
    report.captures = conn.execute("SELECT count(*) FROM captures").fetchone()[0]
    report.errors_total = conn.execute("SELECT count(*) FROM build_errors").fetchone()[0]
    report.per_outlet = dict(conn.execute(
        "SELECT outlet, count(*) AS n FROM articles GROUP BY outlet ORDER BY n DESC, outlet").fetchall())


def _fsync(path: Path, directory: bool = False) -> None:
    fd = os.open(path, os.O_RDONLY | (os.O_DIRECTORY if directory else 0))
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


# ---------------------------------------------------------------- the run

@contextlib.contextmanager
def _exclusive(db: Path) -> Iterator[None]:
    lock_path = db.with_name(db.name + ".tmp.lock")
    try:
        fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as exc:
        raise BuildError(f"cannot write next to the database {db}: {exc.strerror}") from exc
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as exc:
            raise BuildError(f"another build of {db} is running (lock {lock_path})") from exc
        yield
    finally:
        os.close(fd)


def _temp_paths(db: Path) -> list[Path]:
    tmp = db.with_name(db.name + ".tmp")
    return [tmp] + [tmp.with_name(tmp.name + s) for s in ("-journal", "-wal", "-shm")]


def file_state(size: int, mtime_ns: int) -> int:
    """Size and mtime as ONE int: the value of the in-memory dict (500k files: ~45 MB less than tuples)."""
    return (size << 64) | (mtime_ns & (2**64 - 1))


def _load_known(db: Path, fingerprint: int, full: bool) -> tuple[dict[str, int], str]:
    """The old database's file states, or an empty dict and the reason for a full build."""
    if full:
        return {}, "full (--full)"
    if not db.exists():
        return {}, "full (new database)"
    try:
        conn = _ro_connect(db)
        try:
            tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
            version = conn.execute("PRAGMA user_version").fetchone()[0]
            if not tables:
                return {}, "full (empty database)"
            if not {"articles", "captures", "build_errors"} <= tables:
                raise BuildError(f"{db} is not a zhnews database (use another --db, or delete it)")
            if version != fingerprint:
                return {}, "full (schema, zhnews version or search segmentation changed)"
            known: dict[str, int] = {}
            for table in ("captures", "build_errors"):
                known.update((s, file_state(size, mtime)) for s, size, mtime in
                             conn.execute(f"SELECT source, size, mtime_ns FROM {table}"))
            return known, "incremental"
        finally:
            conn.close()
    except sqlite3.DatabaseError as exc:
        raise BuildError(f"cannot read {db}: {exc} (use another --db, or delete it)") from exc


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
    with _exclusive(db):
        for stale in _temp_paths(db):
            stale.unlink(missing_ok=True)
        tmp = _temp_paths(db)[0]
        fingerprint = code_fingerprint()
        known, report.mode = _load_known(db, fingerprint, full)
        fresh = report.mode != "incremental"
        if progress is not None:
            progress.start(sum(s.count() for s in sources))

        writer: Writer | None = None

        def open_writer() -> Writer:
            nonlocal writer
            if writer is None:
                if not fresh:
                    shutil.copyfile(db, tmp)
                try:
                    conn = _write_connect(tmp)
                except sqlite3.Error as exc:
                    raise BuildError(f"cannot write {tmp}: {exc}") from exc
                writer = Writer(conn, by_name, report, fresh)
                pause_point("copied")
            return writer

        try:
            _run(sources, known, workers, report, progress, open_writer)
            if known:  # what was not seen this time is gone
                open_writer().remove(sorted(known))
            if fresh:
                open_writer()
            if writer is not None:
                writer.finish(fingerprint, fresh)
                _summarise(writer.conn, report)
                writer.conn.close()
                pause_point("committed")
                _fsync(tmp)
                os.replace(tmp, db)
                _fsync(db.parent, directory=True)
                report.written = True
                pause_point("replaced")
            else:
                conn = _ro_connect(db)
                try:
                    _summarise(conn, report)
                finally:
                    conn.close()
        except BaseException:
            if writer is not None:
                writer.conn.close()
            for path in _temp_paths(db):
                path.unlink(missing_ok=True)
            raise
    report.elapsed = time.perf_counter() - started
    return report


def _run(
    sources: Sequence[Source],
    known: dict[str, int],
    workers: int,
    report: BuildReport,
    progress: Progress | None,
    open_writer: Any,
) -> None:
    """Scan the sources, stream changed files through the workers and hand the outcomes to the writer."""

    def tasks() -> Iterator[list[Task]]:
        chunk: list[Task] = []
        for src in sources:
            for sf in src.files():
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

    if workers == 1:
        for chunk in tasks():
            store(parse_chunk(chunk))
            pause_point("applied")
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
                pause_point("applied")

        for chunk in tasks():
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
                    outcomes.append(Outcome(sf.source, -1, sf.mtime_ns, "error", known=old_hash is not None,
                                            error="parser process died on this file (crash or killed)"))
        finally:
            single.shutdown(wait=True, cancel_futures=True)
        return outcomes


def _start_pool(workers: int) -> ProcessPoolExecutor:
    # spawn, not fork: workers inherit no lock, no SQLite handle and no thread state from this process.
    return ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("spawn"),
                               initializer=_worker_init, initargs=(os.getpid(),))

"""The database file is replaced whole, never changed in place: lock, temporary copy, fsync, swap.

Why: Datasette serves the file with `-i` (immutable) and then reads it without locks, so a reader must
never see a half-written file. The protocol:
1. an exclusive lock on `<db>.tmp.lock` (flock: released by the kernel even on kill -9), then delete any
   `<db>.tmp*` left by a killed run;
2. at the first change, copy the old database to `<db>.tmp` (or start it empty for a full build) and
   write there with the journal off (a killed run just leaves a temporary file);
3. commit, close, fsync the file, `os.replace` it over `<db>`, fsync the folder.
Killed at any instant, `<db>` is the old file or the new one, never a mix; readers that opened the old
file keep reading the old inode. Cost: one file copy per changed build (the price of immutable serving).
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import shutil
import sqlite3
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

from zhnews.build.result import BuildError

PAUSE_ENV = "ZHNEWS_BUILD_PAUSE_AT"  # test hook: pause at a named point so a kill lands deterministically


def pause_point(name: str) -> None:
    """Test hook: with ZHNEWS_BUILD_PAUSE_AT=name, announce on stderr and sleep (for a kill -9 to land)."""
    if os.environ.get(PAUSE_ENV) == name:
        print(f"zhnews-build paused at {name}", file=sys.stderr, flush=True)
        time.sleep(600)


@contextlib.contextmanager
def exclusive(db: Path) -> Iterator[None]:
    """One build of `db` at a time (the lock file sits next to it, beside the temporary copy)."""
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


def discard_temp(db: Path) -> None:
    """Remove the temporary copy (and any SQLite side files): a killed run's leftovers, or a failed run's."""
    for path in _temp_paths(db):
        path.unlink(missing_ok=True)


def connect_read_only(path: Path) -> sqlite3.Connection:
    return sqlite3.connect(f"file:{quote(str(path))}?mode=ro", uri=True)


def open_temp_copy(db: Path, *, copy: bool) -> sqlite3.Connection:
    """A connection to `<db>.tmp`: a copy of `db` (incremental build) or a new empty file (full build)."""
    tmp = _temp_paths(db)[0]
    if copy:
        shutil.copyfile(db, tmp)
    try:
        conn = sqlite3.connect(tmp, isolation_level=None)
        # A private temporary copy: a crash discards the whole file, so no journal or syncs are needed here;
        # durability comes from the fsync + rename at the end.
        conn.execute("PRAGMA journal_mode=OFF")
        conn.execute("PRAGMA synchronous=OFF")
        conn.execute("PRAGMA foreign_keys=ON")
        conn.execute("PRAGMA cache_size=-65536")  # 64 MB
    except sqlite3.Error as exc:
        raise BuildError(f"cannot write {tmp}: {exc}") from exc
    return conn


def swap_in(db: Path) -> None:
    """Make the committed and closed `<db>.tmp` the database, durably."""
    tmp = _temp_paths(db)[0]
    _fsync(tmp)
    os.replace(tmp, db)
    _fsync(db.parent, directory=True)


def _fsync(path: Path, directory: bool = False) -> None:
    fd = os.open(path, os.O_RDONLY | (os.O_DIRECTORY if directory else 0))
    try:
        os.fsync(fd)
    finally:
        os.close(fd)

"""What every source of article files provides: the record and source protocols, a scan, the errors.
See zhnews.sources for the contract."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Protocol


class SourceError(Exception):
    """A SOURCE that cannot be used at all (missing, not a folder, two with the same name): fatal."""


class UnreadableFile(OSError):
    """A file (or version) whose bytes cannot be had. Its message is the `build_errors` reason as written:
    `<reason>: <detail>` (the build report counts errors by the part before the colon)."""


@dataclass(frozen=True, slots=True)
class Origin:
    """Where a capture's bytes came from, recorded with every capture and error."""

    path: str  # the file's path within its SOURCE
    commit: str | None = None  # git: the commit that wrote this version
    blob: str | None = None  # git: the object id of its bytes


class SourceFile(Protocol):
    """One input file (or one version of it). Picklable: parallel workers receive it and call read()."""

    @property
    def source(self) -> str: ...
    @property
    def size(self) -> int: ...
    @property
    def mtime_ns(self) -> int: ...
    @property
    def origin(self) -> Origin: ...

    def read(self, limit: int) -> bytes:
        """The file's bytes, at most `limit + 1` of them (one more than the limit tells "too large" without
        reading a huge file whole). Raises OSError (UnreadableFile with a ready reason) when unreadable."""
        ...


@dataclass(frozen=True, slots=True)
class Unreadable:
    """A file known to be unreadable while listing (a dangling symlink, a name that is not UTF-8, a git
    object missing from the clone): it still goes through the build, and ends in `build_errors`."""

    source: str
    size: int
    mtime_ns: int
    origin: Origin
    reason: str

    def read(self, limit: int) -> bytes:
        raise UnreadableFile(self.reason)


@dataclass(frozen=True, slots=True)
class Loaded:
    """A file whose bytes were read ahead by the build's own process (git versions, a chunk at a time):
    the parsing process gets them with the record."""

    source: str
    size: int
    mtime_ns: int
    origin: Origin
    data: bytes

    def read(self, limit: int) -> bytes:
        return self.data[: limit + 1]


@dataclass(frozen=True, slots=True)
class SourceState:
    """What a build remembers of a source (the `sources` table), so the next build can read only what is
    new. `scope` says which files were read (--paths, revision range, rules); `commits` the git commits
    read up to (a space-separated list of ids), empty for folders."""

    kind: str
    scope: str
    commits: str = ""


@dataclass
class Scan:
    """What one build reads from one source.

    `complete`: `files` are every file of the source (any file the database knows that is not among them
    is gone); False for an incremental scan that lists only what is new since `previous` state (the
    database's other files of this source stay). `skipped` is filled while `files` is consumed: files that
    are clearly not articles, counted by reason."""

    files: Iterator[SourceFile]
    count: Callable[[], int | None]  # how many files, for the progress bar; None: not known in advance
    state: SourceState
    complete: bool = True
    note: str = ""
    skipped: Counter[str] = field(default_factory=Counter)


class Source(Protocol):
    """A named collection of article files."""

    @property
    def name(self) -> str: ...

    def scan(self, previous: SourceState | None) -> Scan:
        """The files to look at, given the state the last build saved for this source (None: none)."""
        ...

    def get(self, source: str) -> SourceFile | None:
        """The current record for a `source` id yielded earlier, or None when it is gone."""
        ...

    def close(self) -> None:
        """Release what the source holds in this process (helper processes); it can be used again."""
        ...


def source_name(source: str) -> str:
    """The SOURCE name part of a `source` id."""
    return source.split("/", 1)[0]


def printable_path(path: str) -> tuple[str, bool]:
    """(path, True) when `path` is valid UTF-8 text; else its bytes with the invalid ones written as `\\xNN`
    (a stable id for the `build_errors` row of a file whose name the database cannot store) and False.

    Paths come from the OS and from git as bytes, decoded with surrogateescape: a name cut in the middle of
    a multi-byte character (the archiver truncates long titles) holds lone surrogates that SQLite refuses.
    """
    try:
        path.encode("utf-8")
    except UnicodeEncodeError:
        try:
            raw = path.encode("utf-8", "surrogateescape")  # the original bytes
        except UnicodeEncodeError:  # a surrogate that no byte made
            raw = path.encode("utf-8", "backslashreplace")
        return raw.decode("utf-8", "backslashreplace"), False
    return path, True


BAD_NAME = "file name is not valid UTF-8: rename the file (its invalid bytes are shown as \\xNN in `source`)"

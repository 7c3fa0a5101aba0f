"""Where article files come from, behind one small interface, so the build never walks folders itself.

A `Source` yields `SourceFile` records. A record is identified by `source`: the SOURCE's name, a slash, and
the file's path within it (`corpus/oped2-2020/articles/法广/123_标题.md`). That string is the key of the
`captures` and `build_errors` tables, so it must be stable from one run to the next: it never contains the
absolute location of the folder (moving the archive keeps the database valid; renaming the folder does not).

The incremental build decides "unchanged" from `(size, mtime_ns)` alone, without reading the file, so a
source must guarantee that a record with the same `source`, `size` and `mtime_ns` has the same bytes (up to
the usual mtime caveat of file systems; the build then confirms any difference with a content hash).

`FolderSource` walks a folder recursively for `*.md` and `*.txt` files. It skips:
- hidden files and folders (`.git`, editor swap files): they are never articles;
- `README.md` (any letter case, at any depth): the archiver names articles `<id>.md` or `<id>_<title>.md`,
  never `README.md`, and archives (like ../shared/corpus) describe themselves with a README at the root.

Designed-for extension — `GitHistorySource` (the archiver overwrote files, so old versions live only in git
history): it would yield one record per (path, blob) version, with `source` = `NAME/path@<commit>` (a version
never changes, so the fast check stays exact), `size` = blob size, `mtime_ns` = commit time, and a picklable
`read()` that runs `git cat-file blob <sha>` (or reads from a packfile). `get()` maps a `source` back to that
blob. Nothing in the build depends on files being on disk.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

SUFFIXES = (".md", ".txt")


class SourceError(Exception):
    """A SOURCE that cannot be used at all (missing, not a folder, two with the same name): fatal."""


class SourceFile(Protocol):
    """One input file (or one version of it). Picklable: parallel workers receive it and call read()."""

    @property
    def source(self) -> str: ...
    @property
    def size(self) -> int: ...
    @property
    def mtime_ns(self) -> int: ...
    def read(self) -> bytes: ...


class Source(Protocol):
    """A named collection of article files."""

    @property
    def name(self) -> str: ...

    def files(self) -> Iterator[SourceFile]:
        """Every file, streamed (never a list: an archive has hundreds of thousands)."""
        ...

    def count(self) -> int:
        """How many files `files()` will yield, cheaply (for the progress bar's total)."""
        ...

    def get(self, source: str) -> SourceFile | None:
        """The current record for a `source` id yielded earlier, or None when it is gone."""
        ...


@dataclass(frozen=True, slots=True)
class DiskFile:
    source: str
    size: int
    mtime_ns: int
    path: str  # absolute path on disk

    def read(self) -> bytes:
        with open(self.path, "rb") as handle:
            return handle.read()


def _is_article_name(name: str) -> bool:
    return (
        not name.startswith(".")
        and name.lower().endswith(SUFFIXES)
        and name.casefold() != "readme.md"
    )


class FolderSource:
    """A folder walked recursively in a stable (sorted) order."""

    def __init__(self, root: str | os.PathLike[str], name: str | None = None) -> None:
        path = Path(root)
        if not path.is_dir():
            raise SourceError(f"SOURCE {str(root)!r} is not a folder")
        self.root = path.resolve()
        self.name = name or self.root.name or "root"

    def __repr__(self) -> str:
        return f"FolderSource({str(self.root)!r}, name={self.name!r})"

    def _walk(self, folder: str, rel: str) -> Iterator[tuple[os.DirEntry[str], str]]:
        try:
            with os.scandir(folder) as it:
                entries = sorted(it, key=lambda e: e.name)
        except OSError:
            return  # unreadable or vanished folder: nothing to yield from it
        for entry in entries:
            if entry.name.startswith("."):
                continue
            relpath = f"{rel}/{entry.name}" if rel else entry.name
            try:
                is_dir = entry.is_dir(follow_symlinks=False)
            except OSError:
                continue
            if is_dir:
                yield from self._walk(entry.path, relpath)
            elif _is_article_name(entry.name):
                yield entry, relpath

    def files(self) -> Iterator[DiskFile]:
        for entry, relpath in self._walk(str(self.root), ""):
            try:
                st = entry.stat()  # the one stat per file of a no-op rebuild
            except OSError:
                continue  # vanished between listing and stat: it is simply not there
            yield DiskFile(f"{self.name}/{relpath}", st.st_size, st.st_mtime_ns, entry.path)

    def count(self) -> int:
        return sum(1 for _ in self._walk(str(self.root), ""))

    def get(self, source: str) -> DiskFile | None:
        prefix = self.name + "/"
        if not source.startswith(prefix):
            return None
        path = self.root / source[len(prefix):]
        try:
            st = path.stat()
        except OSError:
            return None
        return DiskFile(source, st.st_size, st.st_mtime_ns, str(path))


def folder_sources(paths: Iterable[str | os.PathLike[str]]) -> list[Source]:
    """SOURCE arguments as sources; the names must differ, since they prefix every `source` id."""
    sources: list[Source] = [FolderSource(p) for p in paths]
    if not sources:
        raise SourceError("no SOURCE given")
    seen: dict[str, Source] = {}
    for src in sources:
        if src.name in seen:
            raise SourceError(
                f"two SOURCEs share the name {src.name!r} ({seen[src.name]!r} and {src!r}): "
                "the name prefixes every source id, so it must be unique"
            )
        seen[src.name] = src
    return sources


def source_name(source: str) -> str:
    """The SOURCE name part of a `source` id."""
    return source.split("/", 1)[0]

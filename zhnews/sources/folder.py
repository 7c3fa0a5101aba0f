"""`FolderSource`: article files in a folder tree, walked in a stable (sorted) order."""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from zhnews.sources.base import SourceError, is_article_name


@dataclass(frozen=True, slots=True)
class DiskFile:
    source: str
    size: int
    mtime_ns: int
    path: str  # absolute path on disk

    def read(self) -> bytes:
        with open(self.path, "rb") as handle:
            return handle.read()


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
            elif is_article_name(entry.name):
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

"""`FolderSource`: article files in a folder tree, walked in a stable (sorted) order.

Every article-named entry becomes a record, even one that cannot be read, so it is accounted for (as a
`build_errors` row): a dangling symlink, a symlink loop, a FIFO, a device or a folder named `x.md`, and a
name that is not valid UTF-8 (the database cannot store it as text). Symlinked folders are not followed
(a link to `/` or to a parent would walk for ever).
"""

from __future__ import annotations

import errno
import json
import os
import stat
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from zhnews.sources.base import (
    BAD_NAME,
    Origin,
    Scan,
    SourceError,
    SourceFile,
    SourceState,
    Unreadable,
    UnreadableFile,
    printable_path,
)
from zhnews.sources.scope import PathScope, is_candidate

_KINDS = {stat.S_IFIFO: "a FIFO (named pipe)", stat.S_IFSOCK: "a socket", stat.S_IFCHR: "a character device",
          stat.S_IFBLK: "a block device", stat.S_IFDIR: "a folder"}


def _not_regular(mode: int) -> str:
    return f"not a regular file: {_KINDS.get(stat.S_IFMT(mode), 'a special file')}"


@dataclass(frozen=True, slots=True)
class DiskFile:
    source: str
    size: int
    mtime_ns: int
    path: str  # absolute path on disk
    origin: Origin

    def read(self, limit: int) -> bytes:
        # O_NONBLOCK: opening a FIFO that no one writes to returns at once instead of waiting for ever.
        fd = os.open(self.path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
        with os.fdopen(fd, "rb") as handle:
            mode = os.fstat(fd).st_mode
            if not stat.S_ISREG(mode):  # replaced by something else since it was listed
                raise UnreadableFile(_not_regular(mode))
            return handle.read(limit + 1)


class FolderSource:
    """A folder walked recursively in a stable (sorted) order."""

    kind = "folder"

    def __init__(self, root: str | os.PathLike[str], name: str | None = None,
                 scope: PathScope | None = None) -> None:
        path = Path(root)
        if not path.is_dir():
            raise SourceError(f"SOURCE {str(root)!r} is not a folder")
        self.root = path.resolve()
        self.name = name or self.root.name or "root"
        if not printable_path(self.name)[1]:
            raise SourceError(f"SOURCE {str(root)!r}: its name is not valid UTF-8 (rename the folder)")
        self.scope = scope or PathScope()

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
                is_dir = False
            if is_dir:
                yield from self._walk(entry.path, relpath)
            elif is_candidate(entry.name):
                yield entry, relpath

    def _articles(self, skipped: Counter[str]) -> Iterator[tuple[os.DirEntry[str], str]]:
        for entry, relpath in self._walk(str(self.root), ""):
            reason = self.scope.skip_reason(relpath)
            if reason is None:
                yield entry, relpath
            else:
                skipped[reason] += 1

    def _record(self, entry: os.DirEntry[str], relpath: str) -> SourceFile | None:
        """The record of one listed entry; None when it vanished since the listing."""
        shown, valid = printable_path(relpath)
        source = f"{self.name}/{shown}"
        try:
            st = entry.stat()  # follows a symlink: the one stat per file of a no-op rebuild
        except OSError as exc:
            try:
                link = entry.stat(follow_symlinks=False)
            except OSError:
                return None  # vanished between listing and stat: it is simply not there
            if exc.errno == errno.ELOOP:
                reason = "symbolic link loop: it never reaches a file"
            elif exc.errno == errno.ENOENT and entry.is_symlink():
                target = printable_path(os.readlink(entry.path))[0]
                reason = f"dangling symbolic link: its target {target!r} does not exist"
            else:
                reason = f"unreadable: {exc.strerror or exc}"
            return Unreadable(source, -1, link.st_mtime_ns, Origin(shown), reason)
        if not valid:
            return Unreadable(source, st.st_size, st.st_mtime_ns, Origin(shown), BAD_NAME)
        if not stat.S_ISREG(st.st_mode):
            return Unreadable(source, st.st_size, st.st_mtime_ns, Origin(shown), _not_regular(st.st_mode))
        return DiskFile(source, st.st_size, st.st_mtime_ns, entry.path, Origin(relpath))

    def files(self, skipped: Counter[str] | None = None) -> Iterator[SourceFile]:
        for entry, relpath in self._articles(Counter() if skipped is None else skipped):
            record = self._record(entry, relpath)
            if record is not None:
                yield record

    def count(self) -> int:
        return sum(1 for _ in self._articles(Counter()))

    def scan(self, previous: SourceState | None = None) -> Scan:
        """Always the whole folder: a folder's files are checked by size and mtime, no history to skip."""
        skipped: Counter[str] = Counter()
        state = SourceState(self.kind, json.dumps(self.scope.describe()))
        return Scan(self.files(skipped), self.count, state, note="folder", skipped=skipped)

    def get(self, source: str) -> DiskFile | None:
        prefix = self.name + "/"
        if not source.startswith(prefix):
            return None
        relpath = source[len(prefix):]
        path = self.root / relpath
        try:
            st = path.stat()
        except OSError:
            return None
        if not stat.S_ISREG(st.st_mode):
            return None
        return DiskFile(source, st.st_size, st.st_mtime_ns, str(path), Origin(relpath))

    def close(self) -> None:
        """Nothing to release: a folder holds no helper process."""

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

`GitHistorySource` yields every version of every article file in a git repository's history (the archiver
overwrote files, so old articles live only there): `source` = `NAME/path@<commit12>`. A version never
changes, so the same fast check stays exact (`mtime_ns` is the commit time, `size` the blob size), and
its `read()` is picklable (it runs `git cat-file`). Nothing in the build depends on files being on disk.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Protocol

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


def open_sources(paths: Iterable[str | os.PathLike[str]], *, git_history: bool = False) -> list[Source]:
    """SOURCE arguments as sources (folders, or git repositories read through their history).

    The names must differ, since they prefix every `source` id.
    """
    sources: list[Source] = [GitHistorySource(p) if git_history else FolderSource(p) for p in paths]
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


# ---------------------------------------------------------------------------------------- git history


def _git(repo: Path, *args: str) -> bytes:
    return subprocess.run(["git", "-C", str(repo), *args], capture_output=True, check=True).stdout


@dataclass(frozen=True, slots=True)
class GitBlob:
    source: str
    size: int
    mtime_ns: int
    repo: str
    blob: str  # the git object id of this version

    def read(self) -> bytes:
        try:
            return _git(Path(self.repo), "cat-file", "blob", self.blob)
        except subprocess.CalledProcessError as exc:  # reported like any unreadable file
            raise OSError(f"git cannot read blob {self.blob}: {exc.stderr.decode(errors='replace')}") from exc


def _is_article_path(path: str) -> bool:
    *folders, name = path.split("/")
    return _is_article_name(name) and not any(f.startswith(".") for f in folders)


def _nul_separated(stream: IO[bytes]) -> Iterator[str]:
    """The NUL-separated fields of `git -z` output, streamed, without their leading newline."""
    rest = b""
    for block in iter(lambda: stream.read(1 << 16), b""):
        *fields, rest = (rest + block).split(b"\0")
        for field in fields:
            yield field.decode("utf-8", "surrogateescape").lstrip("\n")
    yield rest.decode("utf-8", "surrogateescape").lstrip("\n")


class GitHistorySource:
    """Every version of every article file reachable from `rev`, oldest commit first."""

    def __repr__(self) -> str:
        return f"GitHistorySource({str(self.repo)!r}, name={self.name!r})"

    def __init__(self, repo: str | os.PathLike[str], name: str | None = None, rev: str = "HEAD") -> None:
        self.repo = Path(repo).resolve()
        try:
            _git(self.repo, "rev-parse", "--verify", rev)
        except (OSError, subprocess.CalledProcessError) as exc:
            raise SourceError(f"SOURCE {str(repo)!r} is not a git repository with {rev}") from exc
        self.name = name or self.repo.name
        self.rev = rev

    def _versions(self) -> Iterator[tuple[str, int, str, str]]:
        """(commit, commit time, path, blob) of every added or modified file, streamed from `git log`."""
        cmd = ["git", "-C", str(self.repo), "-c", "core.quotepath=off", "log", "--reverse", "--raw",
               "--no-abbrev", "--no-renames", "-z", "--format=%x00%H %ct", self.rev]
        with subprocess.Popen(cmd, stdout=subprocess.PIPE) as proc:
            assert proc.stdout is not None
            commit, when, change = "", 0, ""
            for token in _nul_separated(proc.stdout):
                if not token:
                    continue
                if change:  # the path that follows a raw diff line `:mode mode old new status`
                    _, _, _, blob, status = change.split()
                    change = ""
                    if status[0] in "AMT" and _is_article_path(token):
                        yield commit, when, token, blob
                elif token.startswith(":"):
                    change = token
                else:
                    commit, stamp = token.split()
                    when = int(stamp)

    def files(self) -> Iterator[GitBlob]:
        with subprocess.Popen(["git", "-C", str(self.repo), "cat-file", "--batch-check"], text=True,
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE) as sizes:
            assert sizes.stdin is not None and sizes.stdout is not None
            for commit, when, path, blob in self._versions():
                sizes.stdin.write(blob + "\n")
                sizes.stdin.flush()
                size = int(sizes.stdout.readline().split()[2])
                yield GitBlob(f"{self.name}/{path}@{commit[:12]}", size, when * 10**9, str(self.repo), blob)
            sizes.stdin.close()

    def count(self) -> int:
        return sum(1 for _ in self._versions())

    def get(self, source: str) -> GitBlob | None:
        prefix = self.name + "/"
        if not source.startswith(prefix) or "@" not in source:
            return None
        path, commit = source[len(prefix):].rsplit("@", 1)
        try:
            blob = _git(self.repo, "rev-parse", "--verify", f"{commit}:{path}").decode().strip()
            when = int(_git(self.repo, "show", "-s", "--format=%ct", commit).decode())
            size = int(_git(self.repo, "cat-file", "-s", blob).decode())
        except (subprocess.CalledProcessError, ValueError):
            return None
        return GitBlob(source, size, when * 10**9, str(self.repo), blob)

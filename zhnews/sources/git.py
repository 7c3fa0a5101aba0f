"""`GitHistorySource`: every version of every article file in a git repository's history."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from zhnews.sources.base import SourceError, is_article_name


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
    return is_article_name(name) and not any(f.startswith(".") for f in folders)


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

"""`GitHistorySource`: every version of every article file in a git repository's history.

The archiver overwrote file names, so most articles live only in history: each version a commit wrote is a
record, `source` = `NAME/path@<commit12>`, `mtime_ns` = the commit time, `size` = the blob size. A version
never changes, so the build's (size, mtime) check is exact.

Listing: `git rev-list` lists the commits, `git log --raw` their versions (streamed, one process per window
of commits: git's memory grows with what it has parsed); one `git cat-file --batch-check` answers their
sizes, in pipelined chunks. Reading their bytes: zhnews.sources.git_objects.

Incremental by commit: the state saved after a build is the commit(s) read up to. The next scan lists only
the commits since then (`git rev-list NEW ^OLD`); when the old commit is no longer in the new history (a
force-push rewrote it) or the scope changed (`--rev`, `--paths`, the default rules), it rescans the whole
history, and the build removes the versions that are gone: the same database as a fresh build. Files
deleted by a later commit stay: their versions are still in history.

Damage is data: a blob missing from the clone (damaged pack, shallow or partial clone) and a path that is
not valid UTF-8 become `build_errors` rows; only an unusable repository or revision is fatal.
"""

from __future__ import annotations

import json
import os
import subprocess
import tempfile
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO

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
from zhnews.sources.git_objects import GIT, GIT_ENV, MISSING, CatFile, GitBlob, close_reader, run_git
from zhnews.sources.scope import PathScope, is_candidate, is_hidden_path

SIZE_CHUNK = 256  # ids written to --batch-check before reading the answers: no round trip per version
# The versions of a listed set of commits, in the order given (`--no-walk=unsorted`): the same output as
# `git log --reverse --raw RANGE`, a window of commits at a time.
LOG_ARGS = ("log", "--no-walk=unsorted", "--raw", "--root", "--no-abbrev", "--no-renames", "--no-color",
            "--no-show-signature", "-z", "--format=%x00%H %ct")
# Commits per `git log` process. git keeps every object it has parsed until it exits: one process for the
# whole 300k benchmark history (50,071 commits) grew to 206 MB resident, a window of 5,000 stays at 134 MB
# (of which 64 MB delta-base cache), at the same CPU (a new window's first trees cost ~0.1 s).
LOG_WINDOW = 5000
BLOB_MODES = ("100644", "100755")
SPECIAL_MODES = {"120000": "a symbolic link", "160000": "a submodule"}


# `git log --raw` reads two trees per commit (an archive folder's tree is megabytes, rewritten by every
# commit, stored as a chain of deltas), so its CPU is set by the delta-base cache, not the pack windows.
# Measured on the 300k benchmark repository, 1,000 commits: with fast-import's pack (each tree a delta of
# its previous version) 8 MB cost 3x more than 64 MB, and 64-512 MB cost the same (2.3 CPU-s); with the
# same history repacked as a server packs a clone (`git repack -adf`: chains based on the newest objects,
# deeper), up to 80 MB cost 18-22 CPU-s and 96 MB or more 1.8-2.7 (a cliff: the working set of tree
# bases). 128 MB stands clear of it on both packs; the log process then holds ~200 MB.
LOG_GIT = ("git", "-c", "core.packedGitWindowSize=4m", "-c", "core.packedGitLimit=16m",
           "-c", "core.deltaBaseCacheLimit=128m")


def git_dir_of(repo: Path) -> str | None:
    """The git directory of the repository whose root (work tree) or bare directory is `repo`; None when
    `repo` is no repository, or only a folder inside one."""
    try:
        found = subprocess.run(["git", "-C", str(repo), "rev-parse", "--absolute-git-dir",
                                "--is-bare-repository"], capture_output=True, check=True, text=True).stdout
        git_dir, bare = found.split("\n")[:2]
        if bare == "true":
            return git_dir if Path(git_dir).resolve() == repo.resolve() else None
        top = subprocess.run(["git", "-C", str(repo), "rev-parse", "--show-toplevel"], capture_output=True,
                             check=True, text=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError, ValueError):
        return None
    return git_dir if Path(top).resolve() == repo.resolve() else None


def _nul_separated(stream: IO[bytes]) -> Iterator[str]:
    """The NUL-separated fields of `git -z` output, streamed, without their leading newline."""
    rest = b""
    for block in iter(lambda: stream.read(1 << 16), b""):
        *fields, rest = (rest + block).split(b"\0")
        for field in fields:
            yield field.decode("utf-8", "surrogateescape").lstrip("\n")
    yield rest.decode("utf-8", "surrogateescape").lstrip("\n")


@dataclass(frozen=True, slots=True)
class _Version:
    commit: str
    when: int
    path: str
    mode: str
    blob: str


class GitHistorySource:
    """Every version of every article file reachable from `rev` (a revision or a range), oldest first."""

    kind = "git"

    def __init__(self, repo: str | os.PathLike[str], name: str | None = None, rev: str = "HEAD",
                 scope: PathScope | None = None) -> None:
        self.repo = Path(repo).resolve()
        if rev.startswith("-"):
            raise SourceError(f"--rev {rev!r}: expected a revision or a range (HEAD, main, A..B)")
        git_dir = git_dir_of(self.repo)
        if git_dir is None:
            raise SourceError(f"SOURCE {str(repo)!r} is not a git repository (its root folder, or a bare "
                              "repository): give the repository's root, and --paths to read part of it")
        self.git_dir = git_dir
        try:
            self.tips, self.excluded = self._resolve(rev)
        except (OSError, subprocess.CalledProcessError) as exc:
            raise SourceError(f"SOURCE {str(repo)!r}: {rev!r} names no commit of this repository") from exc
        self.name = name or self.repo.name.removesuffix(".git")
        if not printable_path(self.name)[1]:
            raise SourceError(f"SOURCE {str(repo)!r}: its name is not valid UTF-8 (rename the folder)")
        self.rev = rev
        self.scope = scope or PathScope()
        self._lookup: CatFile | None = None

    def __repr__(self) -> str:
        return f"GitHistorySource({str(self.repo)!r}, name={self.name!r}, rev={self.rev!r})"

    def _resolve(self, rev: str) -> tuple[list[str], list[str]]:
        """The commits `rev` includes (tips) and excludes (`^` ids of a range), tags peeled to commits."""
        tips, excluded = [], []
        for line in run_git(self.git_dir, "rev-parse", "--revs-only", rev).split():
            exclude = line.startswith("^")
            peeled = line.lstrip("^") + "^{commit}"
            commit = run_git(self.git_dir, "rev-parse", "--verify", "--quiet", peeled).strip()
            (excluded if exclude else tips).append(commit)
        if not tips:
            raise subprocess.CalledProcessError(1, "rev-parse", stderr=f"{rev} names no commit")
        return sorted(set(tips)), sorted(set(excluded))

    def _state(self) -> SourceState:
        scope = {**self.scope.describe(), "rev": self.rev, "excluded": self.excluded}
        scope_text = json.dumps(scope, ensure_ascii=False, sort_keys=True)
        return SourceState(self.kind, scope_text, " ".join(self.tips))

    def _is_ancestor(self, old: str, new: str) -> bool:
        return subprocess.run([*GIT, "--git-dir", self.git_dir, "merge-base", "--is-ancestor", old, new],
                              capture_output=True, env=GIT_ENV).returncode == 0

    def scan(self, previous: SourceState | None = None) -> Scan:
        state = self._state()
        since: list[str] = []
        note = "full scan"
        if previous is not None and (previous.kind, previous.scope) == (state.kind, state.scope):
            old = previous.commits.split()
            shown = ", ".join(c[:12] for c in old)
            if all(any(self._is_ancestor(o, t) for t in self.tips) for o in old):
                since, note = old, f"only the commits since {shown}"
            else:
                note = f"rewritten since {shown} (a force-push?): full rescan"
        elif previous is not None:
            note = "--rev, --paths or the rules changed: full rescan"
        note = f"git history of {self.rev}, {note}"
        if run_git(self.git_dir, "rev-parse", "--is-shallow-repository").strip() == "true":
            note += " (a shallow clone: versions older than its depth are not in it)"
        skipped: Counter[str] = Counter()
        commits = self._commits([*self.excluded, *since])
        note += f", {len(commits):,} commits to read"
        # No count of the versions: it would be a second walk of the whole log before the first file is
        # read (at 300k versions, a quarter of the build's time). The progress bar shows files and rate.
        return Scan(self._files(commits, skipped), lambda: None, state, complete=not since, note=note,
                    skipped=skipped)

    def _commits(self, exclude: list[str]) -> list[str]:
        """The commits the scan reads, oldest first (commits only, no trees: fast)."""
        if set(self.tips) <= set(exclude):
            return []  # nothing new: not even a `git log`
        try:
            listed = run_git(self.git_dir, "rev-list", "--reverse", *self.tips, *(f"^{c}" for c in exclude))
        except subprocess.CalledProcessError as exc:
            detail = (exc.stderr or "").strip()[:300]
            raise SourceError(f"git rev-list failed in {self.repo} (a damaged clone?): {detail}") from exc
        return listed.split()

    def _log(self, commits: list[str]) -> Iterator[_Version]:
        """Every file the commits added or modified (not hidden, `*.md`/`*.txt`), in their order."""
        for start in range(0, len(commits), LOG_WINDOW):
            yield from self._log_window(commits[start : start + LOG_WINDOW])

    def _log_window(self, commits: list[str]) -> Iterator[_Version]:
        cmd = [*LOG_GIT, "--git-dir", self.git_dir, *LOG_ARGS, *commits, "--"]
        with tempfile.TemporaryFile() as errors, \
                subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=errors, env=GIT_ENV) as proc:
            assert proc.stdout is not None
            commit, when, change = "", 0, ""
            for token in _nul_separated(proc.stdout):
                if not token:
                    continue
                if change:  # the path that follows a raw diff line `:mode mode old new status`
                    _, mode, _, blob, status = change.split()
                    change = ""
                    if status[0] in "AMT" and is_candidate(token.rsplit("/", 1)[-1]) \
                            and not is_hidden_path(token):
                        yield _Version(commit, when, token, mode, blob)
                elif token.startswith(":"):
                    change = token
                else:
                    commit, stamp = token.split()
                    when = int(stamp)
            if proc.wait() != 0:
                errors.seek(0)
                message = errors.read().decode(errors="replace").strip()[:300]
                raise SourceError(f"git log failed in {self.repo} (is the clone damaged?): {message}")

    def _articles(self, commits: list[str], skipped: Counter[str]) -> Iterator[_Version]:
        for version in self._log(commits):
            reason = self.scope.skip_reason(version.path)
            if reason is None:
                yield version
            else:
                skipped[reason] += 1

    def _files(self, commits: list[str], skipped: Counter[str]) -> Iterator[SourceFile]:
        sizes = CatFile(self.git_dir, "--batch-check")
        try:
            chunk: list[_Version] = []
            for version in self._articles(commits, skipped):
                chunk.append(version)
                if len(chunk) >= SIZE_CHUNK:
                    yield from self._records(chunk, sizes)
                    chunk = []
            yield from self._records(chunk, sizes)
        finally:
            sizes.close()

    def _records(self, chunk: list[_Version], sizes: CatFile) -> Iterator[SourceFile]:
        if not chunk:
            return
        sizes.ask([v.blob for v in chunk])
        for v in chunk:
            found = sizes.header()
            shown, valid = printable_path(v.path)
            source = f"{self.name}/{shown}@{v.commit[:12]}"
            origin = Origin(shown, v.commit, v.blob)
            if v.mode not in BLOB_MODES:
                kind = SPECIAL_MODES.get(v.mode, f"mode {v.mode}")
                yield Unreadable(source, found[2] if found else -1, v.when * 10**9, origin,
                                 f"not a regular file: {kind} in git history")
            elif found is None:
                yield Unreadable(source, -1, v.when * 10**9, origin, MISSING.format(blob=v.blob))
            elif not valid:
                yield Unreadable(source, found[2], v.when * 10**9, origin, BAD_NAME)
            else:
                yield GitBlob(source, found[2], v.when * 10**9, self.git_dir, origin)

    def get(self, source: str) -> SourceFile | None:
        """The version behind a `source` id (its commit's time and its blob), through one long-lived
        `cat-file --batch` of this process."""
        prefix = self.name + "/"
        if not source.startswith(prefix) or "@" not in source:
            return None
        path, commit = source[len(prefix):].rsplit("@", 1)
        if "\n" in path or not printable_path(path)[1]:
            return None
        if self._lookup is None:
            self._lookup = CatFile(self.git_dir)
        lookup = self._lookup
        try:
            lookup.ask([commit, f"{commit}:{path}"])
            found = lookup.header()
            text = lookup.body(found[2], 1 << 20).decode("utf-8", "replace") if found else ""
            blob = lookup.header()
            if blob is not None:
                lookup.body(blob[2], 0)  # drained: only its id and size are wanted here
        except UnreadableFile:
            self.close()
            return None
        if found is None or found[1] != "commit" or (blob is not None and blob[1] != "blob"):
            return None
        committer = next((line for line in text.splitlines() if line.startswith("committer ")), "")
        try:
            when = int(committer.rsplit(" ", 2)[1])
        except (IndexError, ValueError):
            return None
        if blob is None:  # the tree names it but the blob is gone: still the same unreadable version
            try:
                oid = run_git(self.git_dir, "rev-parse", f"{commit}:{path}").strip()
            except subprocess.CalledProcessError:
                return None  # no such path in that commit
            return Unreadable(source, -1, when * 10**9, Origin(path, found[0], oid), MISSING.format(blob=oid))
        return GitBlob(source, blob[2], when * 10**9, self.git_dir, Origin(path, found[0], blob[0]))

    def close(self) -> None:
        if self._lookup is not None:
            self._lookup.close()
            self._lookup = None
        close_reader(self.git_dir)

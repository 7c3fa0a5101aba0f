"""Real git repositories made inside a test: commits at fixed times, bare clones, force-pushes, damage."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

needs_git = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")


def git(repo: Path, *args: str, when: int | None = None) -> str:
    env = dict(os.environ)
    if when is not None:
        env |= {"GIT_AUTHOR_DATE": f"@{when} +0000", "GIT_COMMITTER_DATE": f"@{when} +0000"}
    cmd = ["git", "-C", str(repo), "-c", "user.name=zhnews", "-c", "user.email=zhnews@example.org", *args]
    return subprocess.run(cmd, check=True, env=env, capture_output=True, text=True).stdout


def init(repo: Path) -> Path:
    repo.mkdir(parents=True, exist_ok=True)
    subprocess.run(["git", "init", "-q", "-b", "main", str(repo)], check=True)
    return repo


def commit(repo: Path, files: dict[str, str | bytes | None], when: int, message: str = "") -> str:
    """Write (text or bytes), or delete (None), files; commit them at Unix time `when`; the commit id."""
    for rel, content in files.items():
        path = repo / rel
        if content is None:
            path.unlink()
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content.encode() if isinstance(content, str) else content)
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "--allow-empty", "-m", message or f"at {when}", when=when)
    return git(repo, "rev-parse", "HEAD").strip()


def move(repo: Path, old: str, new: str, when: int) -> str:
    (repo / new).parent.mkdir(parents=True, exist_ok=True)
    git(repo, "mv", old, new)
    git(repo, "commit", "-q", "-m", f"move {old}", when=when)
    return git(repo, "rev-parse", "HEAD").strip()


def bare_clone(repo: Path, target: Path) -> Path:
    subprocess.run(["git", "clone", "-q", "--bare", str(repo), str(target)], check=True)
    return target


def blob_of(repo: Path, commit_id: str, path: str) -> str:
    return git(repo, "rev-parse", f"{commit_id}:{path}").strip()


def delete_loose_object(repo: Path, oid: str) -> None:
    """Damage the clone: the object file of `oid` disappears (as in a broken or partial copy)."""
    git_dir = Path(git(repo, "rev-parse", "--absolute-git-dir").strip())
    (git_dir / "objects" / oid[:2] / oid[2:]).unlink()

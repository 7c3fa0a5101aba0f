"""FolderSource: which files are articles, how they are named, and what a no-op rebuild relies on."""

from __future__ import annotations

import os
import pickle
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.conftest import corpus_files
from zhnews.sources import FolderSource, GitHistorySource, SourceError, open_sources, source_name


def _write(path: Path, text: str = "x") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_folder_source_yields_md_and_txt_recursively_in_a_stable_order(tmp_path: Path) -> None:
    root = tmp_path / "archive"
    for rel in ("b/2.md", "a/1.md", "a/deeper/3.txt", "c.MD", "notes.json", "a/img.png"):
        _write(root / rel)
    names = [f.source for f in FolderSource(root).files()]
    assert names == ["archive/a/1.md", "archive/a/deeper/3.txt", "archive/b/2.md", "archive/c.MD"]


def test_readme_and_hidden_files_are_not_articles(tmp_path: Path) -> None:
    root = tmp_path / "archive"
    for rel in ("README.md", "rfi/readme.md", ".git/objects/x.md", "rfi/.swap.md", "rfi/1_README.md"):
        _write(root / rel)
    assert [f.source for f in FolderSource(root).files()] == ["archive/rfi/1_README.md"]


def test_a_record_carries_size_mtime_and_reads_its_bytes(tmp_path: Path) -> None:
    path = _write(tmp_path / "src" / "rfi" / "1.md", "法广测试")
    os.utime(path, ns=(1_600_000_000_123_456_789, 1_600_000_000_123_456_789))
    (record,) = FolderSource(tmp_path / "src").files()
    assert (record.size, record.mtime_ns) == (len("法广测试".encode()), 1_600_000_000_123_456_789)
    assert record.read() == "法广测试".encode()
    # Workers in other processes receive records: they must survive pickling.
    assert pickle.loads(pickle.dumps(record)).read() == record.read()


def test_get_finds_a_record_again_by_its_source_id_or_none_when_gone(tmp_path: Path) -> None:
    path = _write(tmp_path / "src" / "dw" / "1.md")
    source = FolderSource(tmp_path / "src")
    (record,) = source.files()
    assert source.get(record.source) == record
    path.unlink()
    assert source.get(record.source) is None
    assert source.get("other/dw/1.md") is None


def test_source_ids_do_not_depend_on_where_the_folder_lives(tmp_path: Path) -> None:
    _write(tmp_path / "one" / "news" / "a.md")
    _write(tmp_path / "two" / "news" / "a.md")
    ids = [[f.source for f in FolderSource(tmp_path / d / "news").files()] for d in ("one", "two")]
    assert ids[0] == ids[1] == ["news/a.md"]
    assert source_name(ids[0][0]) == "news"


def test_count_matches_the_files_yielded(tmp_path: Path) -> None:
    for i in range(7):
        _write(tmp_path / "s" / f"d{i % 3}" / f"{i}.md")
    source = FolderSource(tmp_path / "s")
    assert source.count() == len(list(source.files())) == 7


def test_missing_folders_and_duplicate_names_are_fatal(tmp_path: Path) -> None:
    with pytest.raises(SourceError, match="not a folder"):
        open_sources([tmp_path / "nope"])
    with pytest.raises(SourceError, match="no SOURCE"):
        open_sources([])
    (tmp_path / "a" / "news").mkdir(parents=True)
    (tmp_path / "b" / "news").mkdir(parents=True)
    with pytest.raises(SourceError, match="share the name 'news'"):
        open_sources([tmp_path / "a" / "news", tmp_path / "b" / "news"])


def test_the_real_corpus_yields_every_article_file(corpus: Path) -> None:
    expected = [f"corpus/{p.relative_to(corpus).as_posix()}" for p in corpus_files(corpus)]
    assert sorted(f.source for f in FolderSource(corpus).files()) == sorted(expected)


# --------------------------------------------------------------------------- git history

needs_git = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")


def commit(repo: Path, files: dict[str, str | None], when: int) -> None:
    """Write (or delete, for None) files and commit them at Unix time `when`."""
    for rel, text in files.items():
        if text is None:
            (repo / rel).unlink()
        else:
            _write(repo / rel, text)
    env = {**os.environ, "GIT_AUTHOR_DATE": f"@{when} +0000", "GIT_COMMITTER_DATE": f"@{when} +0000"}
    git = ["git", "-C", str(repo), "-c", "user.name=zhnews", "-c", "user.email=zhnews@example.org"]
    subprocess.run([*git, "add", "-A"], check=True, env=env)
    subprocess.run([*git, "commit", "-q", "-m", f"at {when}"], check=True, env=env)


@needs_git
def test_git_history_yields_every_version_of_every_article_file(tmp_path: Path) -> None:
    repo = tmp_path / "news"
    repo.mkdir()
    subprocess.run(["git", "init", "-q", str(repo)], check=True)
    commit(repo, {"articles/rfi/1.md": "第一版", "README.md": "说明"}, 1_600_000_000)
    commit(repo, {"articles/rfi/1.md": "第二版（覆盖）", "articles/dw/2.md": "另一篇"}, 1_600_000_600)
    commit(repo, {"articles/dw/2.md": None}, 1_600_001_200)
    source = GitHistorySource(repo)
    records = list(source.files())
    assert [(r.source.split("@")[0], r.read().decode(), r.mtime_ns // 10**9) for r in records] == [
        ("news/articles/rfi/1.md", "第一版", 1_600_000_000),
        ("news/articles/dw/2.md", "另一篇", 1_600_000_600),
        ("news/articles/rfi/1.md", "第二版（覆盖）", 1_600_000_600),
    ]
    assert len({r.source for r in records}) == 3 == source.count()
    assert [r.size for r in records] == [len(r.read()) for r in records]
    assert all(source.get(r.source) == r for r in records)
    assert pickle.loads(pickle.dumps(records[0])).read() == "第一版".encode()


def test_a_folder_that_is_no_git_repository_is_a_source_error(tmp_path: Path) -> None:
    with pytest.raises(SourceError, match="not a git repository"):
        GitHistorySource(tmp_path)

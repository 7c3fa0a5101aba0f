"""FolderSource: which files are articles, how they are named, and what a no-op rebuild relies on."""

from __future__ import annotations

import os
import pickle
from collections import Counter
from pathlib import Path

import pytest

from tests.conftest import corpus_files
from tests.git_repos import bare_clone, blob_of, commit, delete_loose_object, git, init, needs_git
from zhnews.sources import (
    FolderSource,
    GitHistorySource,
    Origin,
    PathScope,
    SourceError,
    SourceState,
    UnreadableFile,
    git_objects,
    open_sources,
    prefetch,
    source_name,
)
from zhnews.sources.scope import DOCS, INDEX_LIST, LOG, MACHINERY, OUTSIDE_PATHS, SITE_PAGE


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
    assert record.read(100) == "法广测试".encode()
    # Workers in other processes receive records: they must survive pickling.
    assert pickle.loads(pickle.dumps(record)).read(100) == record.read(100)


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


# --------------------------------------------------------------------------- which files are articles


def test_default_rules_skip_what_is_clearly_no_article_and_say_why(tmp_path: Path) -> None:
    root = tmp_path / "archive"
    articles = ["articles/rfi/1048026.md", "articles/BBC/1048027_标题.md", "_posts/2020-07-22-标题.md",
                "archived/2020-07-17/2020-07-17-index of things.md"]
    others = {"README.md": DOCS, "articles/LICENSE.txt": DOCS, "lists/BBC.md": INDEX_LIST,
              "_includes/head.md": MACHINERY, "_layouts/post.md": MACHINERY, "index.md": SITE_PAGE,
              "404.md": SITE_PAGE, "docs/about.md": SITE_PAGE, "logs/2020-07-17.txt": LOG, "errors.txt": LOG,
              "scrape.log.txt": LOG}
    for rel in [*articles, *others, "feed.xml", "img/a.png", ".github/notes.md"]:
        _write(root / rel)
    scan = FolderSource(root).scan()
    assert sorted(f.source for f in scan.files) == sorted(f"archive/{a}" for a in articles)
    assert scan.skipped == Counter(others.values())


def test_paths_globs_select_exactly_the_article_files(tmp_path: Path) -> None:
    root = tmp_path / "news"
    for rel in ("articles/rfi/1.md", "articles/dw/2.md", "lists/rfi.md", "README.md", "other/3.md"):
        _write(root / rel)
    for globs, expected in [(("articles/",), ["articles/dw/2.md", "articles/rfi/1.md"]),
                            (("articles/rfi/*.md", "lists"), ["articles/rfi/1.md", "lists/rfi.md"]),
                            (("*.md",), ["README.md", "articles/dw/2.md", "articles/rfi/1.md", "lists/rfi.md",
                                         "other/3.md"])]:
        scan = FolderSource(root, scope=PathScope(globs)).scan()
        assert [f.source.removeprefix("news/") for f in scan.files] == expected
        assert scan.skipped == Counter({OUTSIDE_PATHS: 5 - len(expected)})


# --------------------------------------------------------------------------- git history


def versions(source: GitHistorySource, previous: SourceState | None = None) -> list[tuple[str, str, int]]:
    """(source id without the commit, text, commit time) of every version a scan yields."""
    return [(r.source.split("@")[0], r.read(1000).decode(), r.mtime_ns // 10**9)
            for r in source.scan(previous).files]


@needs_git
def test_git_history_yields_every_version_of_every_article_file(tmp_path: Path) -> None:
    repo = init(tmp_path / "news")
    c1 = commit(repo, {"articles/rfi/1.md": "第一版", "README.md": "说明", "lists/rfi.md": "列表"},
                1_600_000_000)
    commit(repo, {"articles/rfi/1.md": "第二版（覆盖）", "articles/dw/2.md": "另一篇"}, 1_600_000_600)
    commit(repo, {"articles/dw/2.md": None}, 1_600_001_200)
    source = GitHistorySource(repo)
    scan = source.scan(None)
    records = list(scan.files)
    assert [(r.source.split("@")[0], r.read(100).decode(), r.mtime_ns // 10**9) for r in records] == [
        ("news/articles/rfi/1.md", "第一版", 1_600_000_000),
        ("news/articles/dw/2.md", "另一篇", 1_600_000_600),
        ("news/articles/rfi/1.md", "第二版（覆盖）", 1_600_000_600),
    ]
    assert scan.complete and scan.skipped == Counter({DOCS: 1, INDEX_LIST: 1})
    assert len({r.source for r in records}) == 3
    assert scan.count() is None, "counting the versions first would walk the whole log twice"
    assert scan.note.endswith("3 commits to read")
    assert records[0].source == f"news/articles/rfi/1.md@{c1[:12]}"
    assert records[0].origin == Origin("articles/rfi/1.md", c1, blob_of(repo, c1, "articles/rfi/1.md"))
    assert [r.size for r in records] == [len(r.read(100)) for r in records]
    assert all(source.get(r.source) == r for r in records)
    assert pickle.loads(pickle.dumps(records[0])).read(100) == "第一版".encode()
    source.close()


@needs_git
def test_a_bare_clone_yields_the_same_versions_under_its_own_name(tmp_path: Path) -> None:
    repo = init(tmp_path / "work")
    commit(repo, {"a/1.md": "一"}, 1_600_000_000)
    commit(repo, {"a/1.md": "二", "a/名字 有 空格.md": "三"}, 1_600_000_600)
    clone = GitHistorySource(bare_clone(repo, tmp_path / "news.git"))
    assert clone.name == "news"
    assert [v[1:] for v in versions(clone)] == [v[1:] for v in versions(GitHistorySource(repo))]
    records = list(clone.scan(None).files)
    assert [clone.get(r.source) for r in records] == records
    assert clone.get(records[0].source.replace("1.md", "2.md")) is None


@needs_git
def test_rev_reads_part_of_a_history(tmp_path: Path) -> None:
    repo = init(tmp_path / "news")
    first = commit(repo, {"a/1.md": "一"}, 1_600_000_000)
    commit(repo, {"a/2.md": "二"}, 1_600_000_600)
    git(repo, "tag", "v2")
    commit(repo, {"a/3.md": "三"}, 1_600_001_200)
    assert [v[1] for v in versions(GitHistorySource(repo, rev=f"{first}..v2"))] == ["二"]
    assert [v[1] for v in versions(GitHistorySource(repo, rev="v2"))] == ["一", "二"]
    for bad in ("nope", "--output=x", "HEAD^{tree}"):
        with pytest.raises(SourceError):
            GitHistorySource(repo, rev=bad)


@needs_git
def test_a_rescan_lists_only_the_commits_since_the_last_one_unless_history_was_rewritten(
        tmp_path: Path) -> None:
    repo = init(tmp_path / "news")
    commit(repo, {"a/1.md": "一"}, 1_600_000_000)
    before = GitHistorySource(repo).scan(None).state
    second = commit(repo, {"a/2.md": "二"}, 1_600_000_600)
    source = GitHistorySource(repo)
    scan = source.scan(before)
    assert (scan.complete, [r.read(10).decode() for r in scan.files]) == (False, ["二"])
    assert scan.state.commits == second
    assert list(GitHistorySource(repo).scan(scan.state).files) == []
    git(repo, "reset", "-q", "--hard", "HEAD~1")  # rewrite: a force-push replaced the last commit
    commit(repo, {"a/3.md": "三"}, 1_600_001_200)
    rewritten = GitHistorySource(repo).scan(scan.state)
    assert (rewritten.complete, [r.read(10).decode() for r in rewritten.files]) == (True, ["一", "三"])
    assert "rewritten" in rewritten.note
    narrower = GitHistorySource(repo, scope=PathScope(("b/",))).scan(rewritten.state)
    assert narrower.complete and "changed" in narrower.note


@needs_git
def test_a_missing_blob_or_a_path_that_is_not_utf8_is_an_unreadable_version(tmp_path: Path) -> None:
    repo = init(tmp_path / "news")
    c1 = commit(repo, {"a/1.md": "一", "a/2.md": "二"}, 1_600_000_000)
    (repo / os.fsdecode(b"a/bad\xff name.md")).write_bytes("三".encode())  # a name cut mid-character
    c2 = commit(repo, {}, 1_600_000_600)
    delete_loose_object(repo, blob_of(repo, c1, "a/1.md"))
    records = {r.source: r for r in GitHistorySource(repo).scan(None).files}
    missing = records[f"news/a/1.md@{c1[:12]}"]
    with pytest.raises(UnreadableFile, match="git object missing"):
        missing.read(100)
    assert missing.size == -1
    assert records[f"news/a/2.md@{c1[:12]}"].read(100) == "二".encode()
    bad = records[f"news/a/bad\\xff name.md@{c2[:12]}"]
    with pytest.raises(UnreadableFile, match="not valid UTF-8"):
        bad.read(100)


@needs_git
def test_a_chunk_of_versions_is_read_in_one_request_to_git(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    repo = init(tmp_path / "news")
    c1 = commit(repo, {f"a/{i}.md": f"第{i}篇" for i in range(5)}, 1_600_000_000)
    delete_loose_object(repo, blob_of(repo, c1, "a/3.md"))
    source = GitHistorySource(repo)
    records = sorted(source.scan(None).files, key=lambda r: r.source)
    requests: list[list[str]] = []
    real_ask = git_objects.CatFile.ask
    monkeypatch.setattr(git_objects.CatFile, "ask", lambda self, names: (requests.append(names),
                                                                         real_ask(self, names))[1])
    loaded = prefetch(records, 1000)
    source.close()  # the bytes travel with the records: a worker reading them needs no git process
    texts = [r.read(1000).decode() for r in loaded if r.size >= 0]
    assert texts == ["第0篇", "第1篇", "第2篇", "第4篇"] and len(requests) == 1
    assert [type(r).__name__ for r in loaded] == ["Loaded", "Loaded", "Loaded", "Unreadable", "Loaded"]
    with pytest.raises(UnreadableFile, match="git object missing"):
        loaded[3].read(1000)


def test_a_folder_that_is_no_git_repository_is_a_source_error(tmp_path: Path) -> None:
    with pytest.raises(SourceError, match="not a git repository"):
        GitHistorySource(tmp_path)


@needs_git
def test_a_folder_inside_a_repository_is_not_read_as_its_history(tmp_path: Path) -> None:
    repo = init(tmp_path / "project")
    commit(repo, {"sample/a.md": "一"}, 1_600_000_000)
    with pytest.raises(SourceError, match="root"):
        GitHistorySource(repo / "sample")
    sources = open_sources([repo / "sample", repo], git_history=True)
    assert [type(s).__name__ for s in sources] == ["FolderSource", "GitHistorySource"]

"""The whole archive from its git history: every version a capture, damage is data, incremental by commit.

Repositories are made in each test from our own fixture articles (tests/fixtures/): real git, real builds.
"""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

import pytest

from tests.conftest import FIXTURES
from tests.git_repos import (
    bare_clone,
    blob_of,
    commit,
    delete_loose_object,
    git,
    init,
    move,
    needs_git,
)
from tests.test_build import cli, rows, snapshot
from zhnews.build.run import BuildReport, build
from zhnews.sources import FolderSource, GitHistorySource, PathScope, Source, git_objects
from zhnews.sources import git as git_source

pytestmark = needs_git

T0 = 1_700_000_000  # commit times: one archiver run an hour
HOUR = 3600


def fixture(name: str) -> str:
    return (FIXTURES / name).read_text(encoding="utf-8")


def title_of(name: str) -> str:
    return fixture(name).split("](", 1)[0].rsplit("[", 1)[1]


@pytest.fixture
def blob_reads(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every blob read in this process (the build reads contents in its own process), in order."""
    reads: list[str] = []
    real = git_objects.read_blobs

    def counting(git_dir: str, blobs: list[str], limit: int) -> list[bytes | None]:
        reads.extend(blobs)
        return real(git_dir, blobs, limit)

    monkeypatch.setattr(git_objects, "read_blobs", counting)
    return reads


def history_build(*sources: Source | Path, db: Path, workers: int = 1) -> BuildReport:
    return build([GitHistorySource(s) if isinstance(s, Path) else s for s in sources], db, workers=workers)


def test_every_version_is_a_capture_and_a_rerun_reads_only_the_new_commits(
        tmp_path: Path, blob_reads: list[str]) -> None:
    repo, db = init(tmp_path / "news"), tmp_path / "news.db"
    commit(repo, {"articles/rfi/1.md": fixture("rfi-2023.md")}, T0)
    commit(repo, {"articles/rfi/1.md": fixture("rfi-2022.md"), "articles/dw/2.md": fixture("dw-2020.md")},
           T0 + HOUR)
    first = history_build(repo, db=db)
    assert (first.seen, first.captures, first.articles, first.errors) == (3, 3, 3, 0)
    assert len(blob_reads) == 3

    blob_reads.clear()
    new = commit(repo, {"articles/voa/3.md": fixture("voa.md"), "lists/voa.md": "美国之音\n------\n"},
                 T0 + 2 * HOUR)
    second = history_build(repo, db=db)
    assert blob_reads == [blob_of(repo, new, "articles/voa/3.md")], "only the new commit's article is read"
    assert (second.seen, second.new, second.parsed, second.articles) == (1, 1, 1, 4)
    assert rows(db, "SELECT git_commits FROM sources") == [(new,)]

    blob_reads.clear()
    third = history_build(repo, db=db)
    assert blob_reads == [] and (third.seen, third.parsed, third.written) == (0, 0, False)
    by_cli = cli(str(repo), "--db", str(db), "--git-history", cwd=tmp_path)
    assert by_cli.returncode == 0 and "files seen 0" in by_cli.stdout
    assert "only the commits since" in by_cli.stdout and "nothing changed" in by_cli.stdout


def test_a_file_overwritten_three_times_is_three_articles_each_capture_saying_where_it_came_from(
        tmp_path: Path) -> None:
    repo, db = init(tmp_path / "news"), tmp_path / "news.db"
    commits = [commit(repo, {"articles/rfi/1000000.md": fixture(name)}, T0 + i * HOUR)
               for i, name in enumerate(("rfi-2023.md", "rfi-2022.md", "rfi-2020-wire.md"))]
    report = history_build(repo, db=db)
    assert (report.articles, report.captures) == (3, 3)
    assert rows(db, "SELECT source, path, git_commit, git_blob, committed_at, mtime_ns FROM captures "
                    "ORDER BY committed_at") == [
        (f"news/articles/rfi/1000000.md@{c[:12]}", "articles/rfi/1000000.md", c,
         blob_of(repo, c, "articles/rfi/1000000.md"), when, (T0 + i * HOUR) * 10**9)
        for i, (c, when) in enumerate(zip(commits, ["2023-11-14T22:13:20Z", "2023-11-14T23:13:20Z",
                                                     "2023-11-15T00:13:20Z"], strict=True))]
    assert {t for (t,) in rows(db, "SELECT title_raw FROM articles")} == {
        title_of("rfi-2023.md"), title_of("rfi-2022.md"), title_of("rfi-2020-wire.md")}


def test_a_history_read_a_few_commits_per_git_process_builds_the_same_database(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """git's memory grows with the commits one process has read, so the log is read in windows of commits:
    the windows' seams lose and repeat nothing."""
    repo = init(tmp_path / "news")
    names = ("rfi-2023.md", "rfi-2022.md", "dw-2020.md", "voa.md", "bbc-2024.md")
    for i, name in enumerate(names):
        commit(repo, {f"articles/a/{i % 2}.md": fixture(name), "lists/a.md": f"列表 {i}\n"}, T0 + i * HOUR)
    history_build(repo, db=tmp_path / "one.db")
    monkeypatch.setattr(git_source, "LOG_WINDOW", 2)
    windowed = history_build(repo, db=tmp_path / "windows.db")
    assert (windowed.seen, windowed.captures) == (5, 5)
    captures = "SELECT source, git_commit, git_blob, committed_at FROM captures ORDER BY 1"
    assert rows(tmp_path / "windows.db", captures) == rows(tmp_path / "one.db", captures)


def test_renames_deletions_and_the_same_article_under_two_paths(tmp_path: Path) -> None:
    """A rename is a new version of the same article (same URL): one article, two captures; a deletion
    takes nothing away, the version is still in history."""
    repo, db = init(tmp_path / "news"), tmp_path / "news.db"
    commit(repo, {"articles/dw/1.md": fixture("dw-2020.md"), "articles/bbc/2.md": fixture("bbc-2024.md")}, T0)
    move(repo, "articles/dw/1.md", "articles/dw/1_renamed.md", T0 + HOUR)
    commit(repo, {"articles/bbc/2.md": None, "articles/bbc/copy.md": fixture("bbc-2024.md")}, T0 + 2 * HOUR)
    commit(repo, {"articles/dw/1_renamed.md": None}, T0 + 3 * HOUR)
    report = history_build(repo, db=db)
    assert (report.seen, report.articles, report.captures, report.errors) == (4, 2, 4, 0)
    assert rows(db, "SELECT title_raw, captures FROM articles ORDER BY 1") == sorted(
        [(title_of("dw-2020.md"), 2), (title_of("bbc-2024.md"), 2)])
    assert rows(db, "SELECT count(DISTINCT git_blob) FROM captures") == [(2,)]


def test_a_missing_blob_is_one_build_error_and_every_other_version_is_built(tmp_path: Path) -> None:
    repo, db = init(tmp_path / "news"), tmp_path / "news.db"
    names = ["rfi-2023.md", "dw-2020.md", "voa.md", "nyt-2024.md", "bbc-2020.md", "cdt-2025.md"]
    commits = [commit(repo, {f"articles/x/{i}.md": fixture(n)}, T0 + i * HOUR) for i, n in enumerate(names)]
    lost = blob_of(repo, commits[2], "articles/x/2.md")
    delete_loose_object(repo, lost)
    report = history_build(repo, db=db, workers=2)  # the bytes travel to the workers with their chunks
    assert (report.seen, report.articles, report.errors) == (6, 5, 1)
    assert rows(db, "SELECT source, error, git_commit, git_blob FROM build_errors") == [
        (f"news/articles/x/2.md@{commits[2][:12]}",
         f"git object missing: blob {lost} is not in the repository (a damaged, shallow or partial clone)",
         commits[2], lost)]
    assert report.error_reasons == {"git object missing": 1}

    (repo / "restore.md").write_text(fixture("voa.md"), encoding="utf-8")
    assert git(repo, "hash-object", "-w", "restore.md").strip() == lost  # the object is back
    repaired = history_build(repo, db=db)
    assert (repaired.seen, repaired.parsed, repaired.articles, repaired.errors_total) == (1, 1, 6, 0)


def test_a_bare_clone_builds_the_same_database(tmp_path: Path) -> None:
    repo = init(tmp_path / "work" / "news")
    commit(repo, {"articles/rfi/1.md": fixture("rfi-2023.md")}, T0)
    commit(repo, {"articles/rfi/1.md": fixture("rfi-2022.md"), "README.md": "说明\n"}, T0 + HOUR)
    history_build(repo, db=tmp_path / "work.db")
    report = history_build(bare_clone(repo, tmp_path / "mirror" / "news.git"), db=tmp_path / "bare.db")
    assert report.articles == 2
    assert snapshot(tmp_path / "work.db") == snapshot(tmp_path / "bare.db")


def test_a_force_pushed_history_gives_the_same_database_as_a_fresh_build(tmp_path: Path) -> None:
    repo, db, fresh = init(tmp_path / "news"), tmp_path / "news.db", tmp_path / "fresh" / "news.db"
    commit(repo, {"articles/a/1.md": fixture("rfi-2023.md")}, T0)
    commit(repo, {"articles/a/1.md": fixture("dw-2020.md"), "articles/a/2.md": fixture("voa.md")}, T0 + HOUR)
    commit(repo, {"articles/a/3.md": fixture("nyt-2024.md")}, T0 + 2 * HOUR)
    history_build(repo, db=db)
    git(repo, "reset", "-q", "--hard", "HEAD~2")  # the upstream rewrote its last two commits
    commit(repo, {"articles/a/2.md": fixture("bbc-2024.md")}, T0 + 3 * HOUR)
    rebuilt = history_build(repo, db=db)
    assert "rewritten" in rebuilt.sources["news"] and rebuilt.removed == 3
    fresh.parent.mkdir()
    history_build(repo, db=fresh)
    assert snapshot(db) == snapshot(fresh)
    assert rows(db, "SELECT * FROM sources") == rows(fresh, "SELECT * FROM sources")


def test_folders_and_histories_mix_in_one_database(tmp_path: Path) -> None:
    folder, repo, db = tmp_path / "sample", init(tmp_path / "news"), tmp_path / "news.db"
    folder.mkdir()
    (folder / "1.md").write_text(fixture("ft.md"), encoding="utf-8")
    commit(repo, {"articles/a/1.md": fixture("rfi-2023.md"), "lists/a.md": "列表\n"}, T0)
    result = cli(str(folder), str(repo), "--db", str(db), "--git-history", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "sample: folder" in result.stdout and "news: git history of HEAD, full scan" in result.stdout
    assert "skipped 1 files that are not articles: index list (lists/<outlet>.md) 1" in result.stdout
    assert rows(db, "SELECT source, path, git_commit IS NULL FROM captures ORDER BY source") == [
        (f"news/articles/a/1.md@{git(repo, 'rev-parse', 'HEAD')[:12]}", "articles/a/1.md", 0),
        ("sample/1.md", "1.md", 1)]
    commit(repo, {"articles/a/2.md": fixture("voa.md")}, T0 + HOUR)
    again = build([FolderSource(folder), GitHistorySource(repo)], db, workers=1)
    assert (again.seen, again.new, again.unchanged, again.articles) == (2, 1, 1, 3)


def test_paths_restrict_a_history_and_rev_builds_part_of_it(tmp_path: Path) -> None:
    repo, db = init(tmp_path / "news"), tmp_path / "news.db"
    first = commit(repo, {"articles/a/1.md": fixture("rfi-2023.md"), "other/2.md": fixture("voa.md")}, T0)
    commit(repo, {"articles/a/3.md": fixture("dw-2020.md")}, T0 + HOUR)
    result = cli(str(repo), "--db", str(db), "--git-history", "--paths", "articles/",
                 "--rev", f"{first}..HEAD", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert rows(db, "SELECT path FROM captures") == [("articles/a/3.md",)]
    result = cli(str(repo), "--db", str(db), "--git-history", "--paths", "articles/", cwd=tmp_path)
    assert "--rev, --paths or the rules changed: full rescan" in result.stdout
    assert "outside --paths 1" in result.stdout
    assert rows(db, "SELECT path FROM captures ORDER BY path") == [("articles/a/1.md",), ("articles/a/3.md",)]


def test_a_path_that_is_not_utf8_in_history_is_one_build_error(tmp_path: Path) -> None:
    repo, db = init(tmp_path / "news"), tmp_path / "news.db"
    (repo / os.fsdecode(b"articles/\xe6\xb3 cut.md")).parent.mkdir(parents=True)
    (repo / os.fsdecode(b"articles/\xe6\xb3 cut.md")).write_text(fixture("voa.md"), encoding="utf-8")
    c = commit(repo, {"articles/ok.md": fixture("dw-2020.md")}, T0)
    report = history_build(repo, db=db)
    assert (report.articles, report.errors) == (1, 1)
    (source, error), = rows(db, "SELECT source, error FROM build_errors")
    assert source == f"news/articles/\\xe6\\xb3 cut.md@{c[:12]}"
    assert error.startswith("file name is not valid UTF-8")


def test_a_clone_too_damaged_to_list_its_history_is_a_clear_fatal_error(tmp_path: Path) -> None:
    repo, db = init(tmp_path / "news"), tmp_path / "news.db"
    c = commit(repo, {"articles/a/1.md": fixture("voa.md")}, T0)
    commit(repo, {"articles/a/2.md": fixture("dw-2020.md")}, T0 + HOUR)
    delete_loose_object(repo, git(repo, "rev-parse", f"{c}^{{tree}}").strip())
    result = cli(str(repo), "--db", str(db), "--git-history", cwd=tmp_path)
    assert result.returncode == 1 and "git log failed" in result.stderr and "Traceback" not in result.stderr
    assert not db.exists()


def test_a_scope_change_reads_no_blob_it_already_has(tmp_path: Path, blob_reads: list[str]) -> None:
    repo, db = init(tmp_path / "news"), tmp_path / "news.db"
    commit(repo, {"articles/a/1.md": fixture("rfi-2023.md"), "extra/2.md": fixture("voa.md")}, T0)
    history_build(repo, db=db)
    blob_reads.clear()
    narrowed = build([GitHistorySource(repo, scope=PathScope(("articles/",)))], db, workers=1)
    assert blob_reads == [] and (narrowed.removed, narrowed.articles) == (1, 1)
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT scope FROM sources").fetchone()[0].startswith('{"excluded": []')

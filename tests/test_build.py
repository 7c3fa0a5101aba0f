"""The database build: schema contract, nothing lost, incremental = full, atomic replacement, CLI."""

from __future__ import annotations

import fcntl
import hashlib
import multiprocessing
import os
import pty
import random
import re
import shutil
import sqlite3
import subprocess
import sys
import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import ROOT, corpus_files
from zhnews.build.run import BuildError, BuildReport, article_id, build
from zhnews.search import keys
from zhnews.search.index import search_index_bytes
from zhnews.search.text import fts_query
from zhnews.sources import FolderSource, Origin
from zhnews.text import to_simplified

# --------------------------------------------------------------------------- helpers


def run_build(*folders: Path, db: Path, workers: int = 1, full: bool = False) -> BuildReport:
    return build([FolderSource(f) for f in folders], db, workers=workers, full=full)


def rows(db: Path, sql: str, *params: object) -> list[tuple]:
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        return conn.execute(sql, params).fetchall()
    finally:
        conn.close()


def snapshot(db: Path) -> dict[str, list[tuple]]:
    """Everything a user can see in the four contract tables, but articles.search_rowid: the search index's
    key is numbered in the order articles arrived, so a --full rebuild renumbers (see search_consistent)."""
    columns = ", ".join(r[1] for r in rows(db, "PRAGMA table_info(articles)") if r[1] != "search_rowid")
    return {"articles": rows(db, f"SELECT {columns} FROM articles ORDER BY 1"),
            **{t: rows(db, f"SELECT * FROM {t} ORDER BY 1") for t in ("outlets", "captures", "build_errors")}}


def search_bytes(db: Path) -> int:
    conn = sqlite3.connect(db)
    try:
        return search_index_bytes(conn)
    finally:
        conn.close()


def assert_search_index_matches_articles(db: Path) -> None:
    """Exactly one index entry per article, under its search_rowid, and FTS5's own integrity check."""
    assert rows(db, "SELECT search_rowid FROM articles ORDER BY 1") == rows(
        db, "SELECT id FROM articles_fts_docsize ORDER BY 1")
    conn = sqlite3.connect(db)
    try:
        conn.execute("INSERT INTO articles_fts(articles_fts, rank) VALUES ('integrity-check', 0)")
    finally:
        conn.close()


def file_digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def article_file(url: str, title: str, lead: str, paragraphs: list[str], day: int = 17,
                 month: int = 7) -> str:
    """An article in the archiver's format (RFI markup, published `day` `month` (July) 2020, 10:00 Paris
    time), text written for these tests."""
    stamp_ms = int(datetime(2020, month, day, 8, 5, tzinfo=UTC).timestamp() * 1000)
    body = "".join(f"<p>{p}</p>" for p in paragraphs)
    return (f"<!--{stamp_ms}-->\n[{title}]({url})\n------\n\n"
            f"<div>{day:02d}/{month:02d}/2020 - 10:00</div><p><strong>{lead}</strong></p><div>{body}</div>\n")


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


PARAS = [
    "巴黎市政府周五宣布，塞纳河沿岸将新增十二公里自行车道，工程预计明年春季完工。",
    "市政官员表示，新车道将连接东西两岸的主要通勤线路，并在桥头设置安全隔离带。",
    "部分商户担心施工期间客流减少，市政府承诺为受影响店铺提供临时补贴。",
    "环保团体对计划表示欢迎，但呼吁同时扩大公共交通的夜间服务。",
]
URL = "https://www.rfi.fr/cn/法国/20200717-巴黎新增自行车道"
TITLE = "巴黎新增自行车道"
LEAD = "导语：巴黎扩建车道。"


# --------------------------------------------------------------------------- the corpus build


@dataclass
class CorpusBuild:
    db: Path
    report: BuildReport
    files: list[Path]
    corpus: Path


@pytest.fixture(scope="session")
def corpus_build(corpus: Path, tmp_path_factory: pytest.TempPathFactory) -> CorpusBuild:
    """../shared/corpus built once per session with two workers (the slow part of this module)."""
    db = tmp_path_factory.mktemp("corpus-db") / "news.db"
    report = run_build(corpus, db=db, workers=2)
    return CorpusBuild(db, report, corpus_files(corpus), corpus)


def test_every_input_file_ends_in_exactly_one_of_captures_or_build_errors(corpus_build: CorpusBuild) -> None:
    expected = {f"corpus/{p.relative_to(corpus_build.corpus).as_posix()}" for p in corpus_build.files}
    captured = [s for (s,) in rows(corpus_build.db, "SELECT source FROM captures")]
    failed = [s for (s,) in rows(corpus_build.db, "SELECT source FROM build_errors")]
    assert len(captured) + len(failed) == len(corpus_build.files)
    assert set(captured) | set(failed) == expected
    assert not set(captured) & set(failed)
    assert all(e for (e,) in rows(corpus_build.db, "SELECT error FROM build_errors")), "each has a reason"


def test_the_report_counts_add_up(corpus_build: CorpusBuild) -> None:
    r, n = corpus_build.report, len(corpus_build.files)
    assert (r.seen, r.new, r.parsed, r.changed, r.unchanged, r.removed) == (n, n, n, 0, 0, 0)
    assert r.written and r.mode.startswith("full")
    assert r.articles == rows(corpus_build.db, "SELECT count(*) FROM articles")[0][0]
    assert r.captures + r.errors_total == n and r.errors == r.errors_total
    assert sum(r.per_outlet.values()) == r.articles
    by_outlet = rows(corpus_build.db, "SELECT outlet, count(*) FROM articles GROUP BY outlet")
    assert r.per_outlet == dict(by_outlet)


def test_a_second_run_parses_nothing_and_leaves_the_file_alone(corpus_build: CorpusBuild) -> None:
    before = (file_digest(corpus_build.db), corpus_build.db.stat().st_ino)
    again = run_build(corpus_build.corpus, db=corpus_build.db, workers=2)
    assert (again.parsed, again.new, again.changed, again.removed) == (0, 0, 0, 0)
    assert again.unchanged == again.seen == len(corpus_build.files)
    assert not again.written
    assert again.articles == corpus_build.report.articles
    assert (file_digest(corpus_build.db), corpus_build.db.stat().st_ino) == before


def test_schema_is_the_public_contract(corpus_build: CorpusBuild) -> None:
    db = corpus_build.db
    columns = {t: [r[1] for r in rows(db, f"PRAGMA table_info({t})")] for t in
               ("articles", "outlets", "captures", "build_errors")}
    assert columns["articles"] == [
        "id", "url", "title", "title_raw", "outlet", "section", "author", "published", "published_from",
        "fed_at", "published_month", "dateline", "published_local", "lead", "body_text", "body_html",
        "image_url", "images", "language", "char_count", "captures", "search_rowid"]
    assert columns["outlets"] == ["id", "name", "name_en", "homepage", "articles", "slot"]
    assert columns["captures"][:4] == ["source", "article_id", "content_hash", "published"]
    assert columns["build_errors"][:2] == ["source", "error"]
    fks = {(t, r[3], r[2], r[4]) for t in ("articles", "captures")
           for r in rows(db, f"PRAGMA foreign_key_list({t})")}
    assert fks == {("articles", "outlet", "outlets", "id"), ("captures", "article_id", "articles", "id")}
    leading = {rows(db, f"PRAGMA index_info({name})")[0][2]
               for (name,) in rows(db, "SELECT name FROM pragma_index_list('articles')")}
    assert {"published", "outlet", "section", "author", "published_month", "language", "url"} <= leading
    assert rows(db, "PRAGMA integrity_check") == [("ok",)]
    assert rows(db, "PRAGMA foreign_key_check") == []


def test_search_keys_say_the_month_and_outlet_of_their_article(corpus_build: CorpusBuild) -> None:
    """zhnews.search.keys: the search index's rowid holds the article's month and its outlet's slot, so a
    search can count matches per month and outlet from the index alone."""
    db = corpus_build.db
    slots = dict(rows(db, "SELECT id, slot FROM outlets"))
    assert len(set(slots.values())) == len(slots)
    serials: dict[int, set[int]] = {}
    for search_rowid, month, outlet in rows(db, "SELECT search_rowid, published_month, outlet FROM articles"):
        key = keys.decode(search_rowid)
        assert (key.month, key.slot) == (keys.month_number(month), slots[outlet])
        assert key.serial not in serials.setdefault(key.block, set())
        serials[key.block].add(key.serial)


def test_coverage_counts_the_articles_of_each_outlet_and_month(corpus_build: CorpusBuild) -> None:
    db = corpus_build.db
    assert rows(db, "SELECT outlet, month, articles FROM coverage ORDER BY 1, 2") == rows(
        db, "SELECT outlet, published_month, count(*) FROM articles WHERE published_month IS NOT NULL "
            "GROUP BY 1, 2 ORDER BY 1, 2")


def test_article_ids_are_the_stable_hash_of_the_canonical_url(corpus_build: CorpusBuild) -> None:
    for aid, url in rows(corpus_build.db, "SELECT id, url FROM articles"):
        assert aid == int.from_bytes(hashlib.sha256(url.encode()).digest()[:8], "big") & (2**53 - 1)
        assert 0 <= aid < 2**53
    assert article_id("https://www.rfi.fr/cn/a") == article_id("https://www.rfi.fr/cn/a")


def test_each_article_is_its_most_complete_capture(corpus_build: CorpusBuild) -> None:
    db = corpus_build.db
    assert rows(db, "SELECT count(*) FROM articles a WHERE captures != "
                    "(SELECT count(*) FROM captures c WHERE c.article_id = a.id)") == [(0,)]
    assert rows(db, "SELECT count(*) FROM articles a WHERE 1 != "
                    "(SELECT sum(chosen) FROM captures c WHERE c.article_id = a.id)") == [(0,)]
    # The chosen capture has the most text; ties go to the latest published.
    for aid, captures in rows(db, "SELECT id, captures FROM articles WHERE captures > 1"):
        ranked = rows(db, "SELECT chosen, char_count, published FROM captures WHERE article_id = ? "
                          "ORDER BY char_count DESC, published DESC NULLS LAST, source", aid)
        assert len(ranked) == captures and ranked[0][0] == 1
        assert rows(db, "SELECT char_count FROM articles WHERE id = ?", aid) == [(ranked[0][1],)]
    # The archive is known to carry the same articles in several files (see corpus README).
    assert rows(db, "SELECT count(*) FROM articles WHERE captures > 1")[0][0] >= 1


def test_outlets_table_names_and_counts_every_outlet(corpus_build: CorpusBuild) -> None:
    db = corpus_build.db
    counts = dict(rows(db, "SELECT outlet, count(*) FROM articles GROUP BY outlet"))
    outlets = {r[0]: r for r in rows(db, "SELECT id, name, name_en, homepage, articles FROM outlets")}
    assert set(counts) <= set(outlets)
    assert all(outlets[code][4] == n for code, n in counts.items())
    assert outlets["rfi"][1] == "法国国际广播电台 RFI" and outlets["rfi"][3].startswith("https://")


def test_published_month_is_the_month_of_published(corpus_build: CorpusBuild) -> None:
    assert rows(corpus_build.db, "SELECT count(*) FROM articles WHERE published_month IS NOT "
                                 "substr(published, 1, 7)") == [(0,)]


# --------------------------------------------------------------------------- incremental on small folders


@pytest.fixture
def subset(corpus: Path, tmp_path: Path) -> Path:
    """A writable copy of 45 real files from three outlets (inside tmp, never committed)."""
    root = tmp_path / "archive"
    for outlet in ("法广", "德国之声", "中国数字时代"):
        (root / outlet).mkdir(parents=True)
        for path in sorted((corpus / "oped2-2020" / "articles" / outlet).glob("*.md"))[:15]:
            shutil.copy2(path, root / outlet / path.name)
    return root


def test_edits_additions_and_deletions_are_followed_exactly(subset: Path, tmp_path: Path) -> None:
    db = tmp_path / "news.db"
    first = run_build(subset, db=db)
    assert first.seen == first.new == 45

    files = sorted(subset.rglob("*.md"))
    edited, deleted, touched = files[0], files[1], files[2]
    marker = "这是测试加入的补充句子"
    text = edited.read_text(encoding="utf-8")
    assert "。</p>" in text
    edited.write_text(text.replace("。</p>", f"。{marker}。</p>", 1), encoding="utf-8")
    deleted_id = rows(db, "SELECT article_id FROM captures WHERE source = ?",
                      f"archive/{deleted.relative_to(subset).as_posix()}")[0][0]
    deleted.unlink()
    os.utime(touched, ns=(touched.stat().st_atime_ns, touched.stat().st_mtime_ns + 10**9))
    added = write(subset / "新来源" / "1.md", article_file(URL, TITLE, LEAD, PARAS))

    second = run_build(subset, db=db)
    assert (second.seen, second.new, second.changed, second.removed) == (45, 1, 1, 1)
    assert (second.parsed, second.touched, second.unchanged) == (2, 1, 43)
    assert rows(db, "SELECT count(*) FROM articles WHERE id = ?", deleted_id) == [(0,)]
    assert rows(db, "SELECT count(*) FROM articles WHERE lead || body_text LIKE ?", f"%{marker}%") == [(1,)]
    assert rows(db, "SELECT title FROM articles WHERE id = ?", article_id(rows(
        db, "SELECT url FROM articles a JOIN captures c ON c.article_id = a.id WHERE c.source = ?",
        f"archive/{added.relative_to(subset).as_posix()}")[0][0])) == [("巴黎新增自行车道",)]

    # The incremental result is exactly what a full build of the same files gives.
    full_db = tmp_path / "full.db"
    run_build(subset, db=full_db, full=True)
    assert snapshot(db) == snapshot(full_db)
    assert rows(db, "PRAGMA integrity_check") == [("ok",)]
    assert_search_index_matches_articles(db)
    assert search(db, marker) == search(full_db, marker) == {
        aid for (aid,) in rows(db, "SELECT id FROM articles WHERE lead || body_text LIKE ?", f"%{marker}%")}


def test_the_same_url_in_several_files_is_one_article_with_the_most_complete_text(tmp_path: Path) -> None:
    src, db = tmp_path / "archive", tmp_path / "news.db"
    short = write(src / "rfi" / "1.md", article_file(URL, TITLE, LEAD, PARAS[:2]))
    write(src / "rfi" / "2.md", article_file(URL, TITLE, LEAD, PARAS))
    run_build(src, db=db)
    ((captures, body),) = rows(db, "SELECT captures, body_text FROM articles")
    assert captures == 2 and PARAS[3] in body
    assert rows(db, "SELECT source FROM captures WHERE chosen") == [("archive/rfi/2.md",)]

    # The complete capture vanishes: the article is re-chosen from the remaining one.
    (src / "rfi" / "2.md").unlink()
    report = run_build(src, db=db)
    assert (report.removed, report.parsed, report.rechosen) == (1, 0, 1)
    ((captures, body),) = rows(db, "SELECT captures, body_text FROM articles")
    assert captures == 1 and PARAS[1] in body and PARAS[3] not in body

    # A tie in text length goes to the latest published capture.
    later = article_file(URL, "巴黎新增自行车道（更新）", LEAD, PARAS[:2], day=18)
    write(src / "rfi" / "3.md", later)
    run_build(src, db=db)
    assert rows(db, "SELECT title, captures FROM articles") == [("巴黎新增自行车道（更新）", 2)]
    short.unlink()
    (src / "rfi" / "3.md").unlink()
    report = run_build(src, db=db)
    assert report.removed == 2 and rows(db, "SELECT count(*) FROM articles") == [(0,)]
    assert rows(db, "SELECT count(*) FROM captures") == [(0,)]


def test_an_edit_that_shortens_the_chosen_capture_hands_the_article_to_the_next_best(tmp_path: Path) -> None:
    src, db = tmp_path / "archive", tmp_path / "news.db"
    write(src / "rfi" / "a.md", article_file(URL, "完整版", LEAD, PARAS))
    write(src / "rfi" / "b.md", article_file(URL, "较短版", LEAD, PARAS[:2]))
    run_build(src, db=db)
    assert rows(db, "SELECT title, captures FROM articles") == [("完整版", 2)]
    write(src / "rfi" / "a.md", article_file(URL, "删节版", LEAD, PARAS[:1]))
    report = run_build(src, db=db)
    assert (report.changed, report.rechosen) == (1, 1)
    assert rows(db, "SELECT title, captures FROM articles") == [("较短版", 2)]
    assert rows(db, "SELECT source FROM captures WHERE chosen") == [("archive/rfi/b.md",)]
    # A new URL in an edited file moves its capture to another article.
    write(src / "rfi" / "b.md", article_file(URL + "-新", "较短版", LEAD, PARAS[:2]))
    run_build(src, db=db)
    assert rows(db, "SELECT title, captures FROM articles ORDER BY title") == [("删节版", 1), ("较短版", 1)]


def test_incremental_builds_equal_full_builds_through_random_edits(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Files sharing URLs are edited, added, deleted and touched at random; after every round the
    incrementally updated database equals a database built from scratch, searches included."""
    monkeypatch.setattr("zhnews.build.run.CHUNK", 3)  # many small batches: captures change across batches
    rng = random.Random(20200717)
    src, db = tmp_path / "archive", tmp_path / "news.db"
    urls = [f"{URL}-{i}" for i in range(5)]

    def random_article() -> str:
        n = rng.randint(1, 4)
        return article_file(rng.choice(urls), f"报道{rng.randint(0, 99)}", LEAD, rng.sample(PARAS, n),
                            day=rng.randint(10, 20))

    for i in range(12):
        write(src / "rfi" / f"{i}.md", random_article())
    run_build(src, db=db)
    rechosen = 0
    for round_ in range(6):
        files = sorted((src / "rfi").glob("*.md"))
        for path in rng.sample(files, 3):
            path.unlink()
        for path in rng.sample(sorted(set(files) - {p for p in files if not p.exists()}), 3):
            path.write_text(random_article(), encoding="utf-8")
        for i in range(3):
            write(src / "rfi" / f"r{round_}-{i}.md", random_article())
        rechosen += run_build(src, db=db).rechosen
        full_db = tmp_path / f"full{round_}.db"
        run_build(src, db=full_db, full=True)
        assert snapshot(db) == snapshot(full_db), f"round {round_}"
        for word in ("巴黎", "商户", "夜间服务", "报道"):
            assert search(db, word) == search(full_db, word)
        assert rows(db, "PRAGMA integrity_check") == [("ok",)]
        assert_search_index_matches_articles(db)
    assert rechosen > 0, "the rounds exercised re-choosing an article from a capture not parsed this run"


def test_a_file_that_is_no_article_is_recorded_with_its_reason_and_the_build_goes_on(tmp_path: Path) -> None:
    src, db = tmp_path / "archive", tmp_path / "news.db"
    write(src / "rfi" / "1.md", article_file(URL, TITLE, "导语。", PARAS))
    write(src / "rfi" / "2.md", "这只是一段随手记下的笔记，没有标题行也没有链接。\n")
    report = run_build(src, db=db)
    assert (report.errors, report.articles) == (1, 1)
    ((source, error),) = rows(db, "SELECT source, error FROM build_errors")
    assert source == "archive/rfi/2.md" and error
    # Fixing the file moves it from build_errors to captures.
    write(src / "rfi" / "2.md", article_file(URL + "-2", "第二篇", "导语。", PARAS[:1]))
    report = run_build(src, db=db)
    assert (report.changed, report.errors, report.errors_total, report.articles) == (1, 0, 0, 2)


def test_a_source_left_out_of_the_run_is_removed_from_the_database(tmp_path: Path) -> None:
    one, two, db = tmp_path / "one", tmp_path / "two", tmp_path / "news.db"
    write(one / "1.md", article_file(URL, "甲", "导语。", PARAS))
    write(two / "1.md", article_file(URL + "-b", "乙", "导语。", PARAS))
    assert run_build(one, two, db=db).articles == 2
    report = run_build(one, db=db)
    assert (report.removed, report.articles) == (1, 1)


def key(db: Path, title: str) -> keys.Key:
    return keys.decode(rows(db, "SELECT search_rowid FROM articles WHERE title = ?", title)[0][0])


def test_search_keys_are_month_outlet_and_arrival_kept_while_month_and_outlet_stay(tmp_path: Path) -> None:
    src, db = tmp_path / "archive", tmp_path / "news.db"
    for i, day in enumerate((18, 17, 17)):
        write(src / "rfi" / f"{i}.md", article_file(f"{URL}-{i}", f"报道{i}", LEAD, PARAS[i:i + 1], day=day))
    run_build(src, db=db)
    july = keys.month_number("2020-07")
    rfi = rows(db, "SELECT slot FROM outlets WHERE id = 'rfi'")[0][0]
    assert {key(db, f"报道{i}") for i in range(3)} == {keys.Key(july, rfi, serial) for serial in range(3)}

    # An edited article keeps its key and is found by its new text only.
    before = dict(rows(db, "SELECT title, search_rowid FROM articles"))
    write(src / "rfi" / "1.md", article_file(f"{URL}-1", "报道1", LEAD, [PARAS[3]], day=17))
    run_build(src, db=db)
    assert dict(rows(db, "SELECT title, search_rowid FROM articles")) == before
    assert search(db, "夜间服务") == {i for (i,) in rows(db, "SELECT id FROM articles WHERE title = '报道1'")}
    assert search(db, "通勤线路") == set()

    # An article whose date moves to another month moves to that month's block, searchable as before.
    write(src / "rfi" / "2.md", article_file(f"{URL}-2", "报道2", LEAD, PARAS[2:3], day=17, month=6))
    run_build(src, db=db)
    assert key(db, "报道2") == keys.Key(keys.month_number("2020-06"), rfi, 0)
    assert search(db, "临时补贴") == {i for (i,) in rows(db, "SELECT id FROM articles WHERE title = '报道2'")}

    # A removed article's serial is not given again: a newcomer of the block takes the next one.
    (src / "rfi" / "1.md").unlink()
    write(src / "rfi" / "new.md", article_file(f"{URL}-new", "新报道", LEAD, PARAS[:2], day=3))
    run_build(src, db=db)
    assert key(db, "新报道") == keys.Key(july, rfi, 3)
    assert_search_index_matches_articles(db)


def test_articles_of_one_outlet_and_month_are_numbered_as_they_arrive(tmp_path: Path) -> None:
    src, db = tmp_path / "archive", tmp_path / "news.db"
    for i in range(30):
        write(src / "rfi" / f"{i:02d}.md", article_file(f"{URL}-{i}", f"报道{i}", LEAD, PARAS[:1], day=17))
    run_build(src, db=db)
    assert sorted(key(db, f"报道{i}").serial for i in range(30)) == list(range(30))
    # the next build's newcomer of the same block goes after them
    write(src / "rfi" / "new.md", article_file(f"{URL}-new", "新报道", LEAD, PARAS[:1], day=1))
    run_build(src, db=db)
    assert key(db, "新报道").serial == 30


def test_a_full_build_leaves_fts5s_default_merging_for_the_next_builds(
        subset: Path, tmp_path: Path) -> None:
    """A full build fills the index with merging held back (search_index.BULK_MERGE), then optimizes it; the
    database it leaves must merge normally again, or every incremental build would add a segment for good."""
    db = tmp_path / "news.db"
    run_build(subset, db=db)
    config = dict(rows(db, "SELECT k, v FROM articles_fts_config WHERE k IN ('automerge', 'crisismerge')"))
    assert config == {"automerge": 4, "crisismerge": 16}


def test_an_incremental_build_that_changes_many_articles_leaves_an_optimized_index(
        subset: Path, tmp_path: Path) -> None:
    """Re-indexing leaves the old entries in the index until a merge: an incremental build that changed
    every article would double it (measured in zhnews.search.index) unless the build optimizes it."""
    db, full_db = tmp_path / "news.db", tmp_path / "full.db"
    run_build(subset, db=db)
    for path in sorted(subset.rglob("*.md")):
        text = path.read_text(encoding="utf-8")
        path.write_text(text.replace("。</p>", "。补充一句。</p>", 1), encoding="utf-8")
    assert run_build(subset, db=db).changed >= 40  # the files holding a `。</p>`
    run_build(subset, db=full_db, full=True)
    assert search_bytes(db) <= 1.05 * search_bytes(full_db)
    assert_search_index_matches_articles(db)


@dataclass(frozen=True)
class DiesInWorker:
    """A file whose read() kills the parsing process that reads it: stands for a parser crash or an
    out-of-memory kill (it reads normally in the main process)."""

    source: str
    size: int
    mtime_ns: int
    path: str
    origin: Origin

    def read(self, limit: int) -> bytes:
        if multiprocessing.parent_process() is not None:
            os._exit(70)
        return Path(self.path).read_bytes()[: limit + 1]


class SourceWithDeadlyFiles(FolderSource):
    def files(self, skipped: Any = None) -> Iterator[Any]:
        for f in super().files(skipped):
            yield DiesInWorker(f.source, f.size, f.mtime_ns, f.path, f.origin) if "deadly" in f.source else f


def test_a_file_that_kills_its_parsing_process_is_an_error_and_the_build_goes_on(tmp_path: Path) -> None:
    src, db = tmp_path / "archive", tmp_path / "news.db"
    for i in range(40):
        write(src / "dw" / f"{i:02d}.md", article_file(f"{URL}-{i}", f"报道{i}", LEAD, PARAS))
    for name in ("05-deadly.md", "33-deadly.md"):
        write(src / "dw" / name, article_file(f"{URL}-{name}", "致命", LEAD, PARAS))
    report = build([SourceWithDeadlyFiles(src)], db, workers=2)
    assert (report.seen, report.articles, report.errors) == (42, 40, 2)
    assert rows(db, "SELECT source, error FROM build_errors ORDER BY source") == [
        (f"archive/dw/{name}", "parser process died on this file (crash or killed)")
        for name in ("05-deadly.md", "33-deadly.md")]
    # Not held against the file for ever: the next run tries it again.
    assert build([FolderSource(src)], db, workers=1).articles == 42


# --------------------------------------------------------------------------- atomic replacement


def test_a_reader_of_the_old_file_keeps_its_view_while_the_database_is_replaced(tmp_path: Path) -> None:
    src, db = tmp_path / "archive", tmp_path / "news.db"
    write(src / "1.md", article_file(URL, "甲", "导语。", PARAS))
    run_build(src, db=db)
    reader = sqlite3.connect(f"file:{db}?immutable=1", uri=True)  # as `datasette -i` opens it
    try:
        assert reader.execute("SELECT count(*) FROM articles").fetchone() == (1,)
        old_inode = db.stat().st_ino
        write(src / "2.md", article_file(URL + "-2", "乙", "导语。", PARAS))
        run_build(src, db=db)
        assert db.stat().st_ino != old_inode, "a new file replaced the old one; it never changed in place"
        assert reader.execute("SELECT count(*) FROM articles").fetchone() == (1,)
        assert reader.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    finally:
        reader.close()
    assert rows(db, "SELECT count(*) FROM articles") == [(2,)]


def test_temporary_files_of_a_killed_run_are_cleaned_up(tmp_path: Path) -> None:
    src, db = tmp_path / "archive", tmp_path / "news.db"
    write(src / "1.md", article_file(URL, "甲", "导语。", PARAS))
    for leftover in ("news.db.tmp", "news.db.tmp-journal"):
        (tmp_path / leftover).write_bytes(b"half-written garbage")
    run_build(src, db=db)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["archive", "news.db", "news.db.tmp.lock"]


def test_a_second_build_of_the_same_database_at_once_is_refused(tmp_path: Path) -> None:
    src, db = tmp_path / "archive", tmp_path / "news.db"
    write(src / "1.md", article_file(URL, "甲", "导语。", PARAS))
    with open(tmp_path / "news.db.tmp.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        with pytest.raises(BuildError, match="another build"):
            run_build(src, db=db)
    assert not db.exists()


def test_a_file_that_is_not_a_zhnews_database_is_never_overwritten(tmp_path: Path) -> None:
    src, db = tmp_path / "archive", tmp_path / "other.db"
    write(src / "1.md", article_file(URL, "甲", "导语。", PARAS))
    conn = sqlite3.connect(db)
    conn.execute("CREATE TABLE precious (x)")
    conn.commit()
    conn.close()
    with pytest.raises(BuildError, match="not a zhnews database"):
        run_build(src, db=db)
    assert rows(db, "SELECT name FROM sqlite_master") == [("precious",)]


# --------------------------------------------------------------------------- command line


def cli(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, str(ROOT / "build_db.py"), *args], cwd=cwd,
                          capture_output=True, text=True, timeout=120)


@pytest.fixture
def small_source(tmp_path: Path) -> Iterator[Path]:
    src = tmp_path / "archive"
    write(src / "rfi" / "1.md", article_file(URL, TITLE, "导语。", PARAS))
    write(src / "rfi" / "2.md", "不是文章\n")
    yield src


def test_cli_builds_and_reports_and_a_bad_file_does_not_change_the_exit_code(
        small_source: Path, tmp_path: Path) -> None:
    result = cli(str(small_source), "--db", "out.db", "--workers", "2", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "files seen 2: new 2" in result.stdout and "errors 1 this run" in result.stdout
    assert "rfi 1" in result.stdout and "files/s" in result.stdout
    assert result.stderr == "", "no progress bar when stderr is not a terminal"
    assert rows(tmp_path / "out.db", "SELECT count(*) FROM articles") == [(1,)]


def test_cli_quiet_prints_nothing(small_source: Path, tmp_path: Path) -> None:
    result = cli(str(small_source), "--db", "out.db", "--quiet", cwd=tmp_path)
    assert (result.returncode, result.stdout, result.stderr) == (0, "", "")


def test_cli_fatal_problems_give_a_clear_message_and_a_nonzero_exit(
        small_source: Path, tmp_path: Path) -> None:
    no_source = cli("--db", "out.db", cwd=tmp_path)
    assert no_source.returncode != 0 and "no SOURCE" in no_source.stderr
    missing = cli(str(tmp_path / "missing"), cwd=tmp_path)
    assert missing.returncode != 0 and "missing" in missing.stderr
    unwritable = cli(str(small_source), "--db", str(tmp_path / "no-such-folder" / "x.db"), cwd=tmp_path)
    assert unwritable.returncode == 1 and "does not exist" in unwritable.stderr
    (tmp_path / "adir.db").mkdir()
    a_folder = cli(str(small_source), "--db", str(tmp_path / "adir.db"), cwd=tmp_path)
    assert a_folder.returncode != 0 and "adir.db" in a_folder.stderr


# --------------------------------------------------------------------------- Chinese search, built corpus


def search(db: Path, query: str) -> set[int]:
    """Article ids the FTS index returns for what a user typed, through the shared query rewrite."""
    sql = ("SELECT a.id FROM articles_fts f JOIN articles a ON a.search_rowid = f.rowid "
           "WHERE articles_fts MATCH ?")
    return {i for (i,) in rows(db, sql, fts_query(query))}


def containing(db: Path, predicate: Callable[[str], bool]) -> set[int]:
    """Ground truth without the index: articles whose normalised title, lead or body satisfies `predicate`."""
    def norm(text: str | None) -> str:
        return to_simplified(unicodedata.normalize("NFKC", text or "")).casefold()
    return {aid for aid, *texts in rows(db, "SELECT id, title, lead, body_text FROM articles")
            if any(predicate(norm(t)) for t in texts)}


@pytest.mark.parametrize("term", ["疫", "美", "台湾", "病毒", "香港国安法", "世界卫生组织", "刘建超", "费纳"])
def test_search_finds_every_article_containing_a_chinese_term(corpus_build: CorpusBuild, term: str) -> None:
    expected = containing(corpus_build.db, lambda text: term in text)
    assert expected, f"the corpus has articles with {term}"
    assert search(corpus_build.db, term) == expected


def test_traditional_and_simplified_find_each_other(corpus_build: CorpusBuild) -> None:
    db = corpus_build.db
    simplified = search(db, "台湾")
    assert search(db, "臺灣") == search(db, "台灣") == simplified
    raw = dict(rows(db, "SELECT id, title || lead || body_text FROM articles"))
    assert any("台灣" in raw[a] for a in simplified) and any("台湾" in raw[a] for a in simplified)


def test_search_finds_english_words_names_and_numbers(corpus_build: CorpusBuild) -> None:
    db = corpus_build.db
    # Letter runs and digit runs are words of their own (COVID19 is found by covid and by 19).
    for query, pattern in (("Jon Finer", "(?<![a-z])jon finer(?![a-z])"),
                           ("Finer", "(?<![a-z])finer(?![a-z])"), ("covid", "(?<![a-z])covid(?![a-z])"),
                           ("2024", "(?<![0-9])2024(?![0-9])"), ("2020", "(?<![0-9])2020(?![0-9])")):
        expected = containing(db, lambda text, p=pattern: re.search(p, text) is not None)
        assert expected, query
        assert search(db, query) == expected, query


def test_full_width_digits_are_searched_as_ascii(corpus_build: CorpusBuild) -> None:
    db = corpus_build.db
    assert search(db, "２０２０") == search(db, "2020")
    written_full_width = {aid for aid, text in rows(db, "SELECT id, title || lead || body_text FROM articles")
                          if re.search("(?<![０-９0-9])３０(?![０-９0-9])", text)}
    assert written_full_width, "the corpus writes some numbers in full-width digits"
    assert written_full_width <= search(db, "30")


def test_a_multi_term_query_finds_the_articles_with_every_term(corpus_build: CorpusBuild) -> None:
    db = corpus_build.db
    for terms in (("台湾", "疫情"), ("香港", "国安法", "美国"), ("Finer", "刘建超")):
        both = set.intersection(*(search(db, t) for t in terms))
        assert search(db, " ".join(terms)) == both
        # each term anywhere in the article: title, lead or body
        each = [containing(db, lambda text, t=t: t.casefold() in text) for t in terms]
        assert both == set.intersection(*each)
    assert search(db, "台湾 疫情"), "a common pair co-occurs"


def test_cli_on_a_terminal_shows_a_progress_bar_with_files_per_second_and_eta(
        small_source: Path, tmp_path: Path) -> None:
    controller, terminal = pty.openpty()
    proc = subprocess.Popen([sys.executable, str(ROOT / "build_db.py"), str(small_source), "--db", "out.db"],
                            cwd=tmp_path, stdin=terminal, stdout=terminal, stderr=terminal,
                            env={**os.environ, "COLUMNS": "160", "TERM": "xterm"})
    os.close(terminal)
    output = b""
    while True:
        try:
            chunk = os.read(controller, 4096)
        except OSError:  # the terminal closes when the build exits
            break
        if not chunk:
            break
        output += chunk
    os.close(controller)
    assert proc.wait(timeout=120) == 0
    text = output.decode("utf-8", "replace")
    assert "building" in text and "files/s" in text and "ETA" in text and "2/2" in text
    assert "files seen 2: new 2" in text

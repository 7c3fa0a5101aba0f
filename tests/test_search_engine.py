"""The search page's engine (zhnews.search.engine) against an independent oracle on real databases.

The oracle reads every article row: a term matches where its normalised form occurs in the normalised
title, lead or body (tests.appkit.term_matches); filters are plain comparisons on the row. The engine
must agree exactly: totals, per-outlet and per-month counts, and pages that visit every match once.
"""

from __future__ import annotations

import sqlite3
from collections import Counter
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from tests.appkit import rows, term_matches
from zhnews.search import engine
from zhnews.search.catalog import Catalog, load_catalog
from zhnews.search.engine import Search

TERMS = ["台湾", "法", "刘建超", "Finer", "美国 香港", "臺灣 -中国"]


def connect(db: Path) -> sqlite3.Connection:
    return sqlite3.connect(f"file:{db}?mode=ro", uri=True)


def oracle(db: Path, search: Search) -> list[dict[str, Any]]:
    """The articles a search must find, by reading every row (no index)."""
    since = search.since.isoformat() if search.since else None
    until = search.until.isoformat() if search.until else None
    found = []
    for article in rows(db, "select * from articles"):
        words = search.query.split()
        if not all(term_matches(w, article) for w in words if not w.startswith("-")):
            continue
        if any(term_matches(w[1:], article) for w in words if w.startswith("-")):
            continue
        if search.outlets and article["outlet"] not in search.outlets:
            continue
        if search.sections and article["section"] not in search.sections:
            continue
        if search.languages and article["language"] not in search.languages:
            continue
        if search.authors and not set(search.authors) & set((article["author"] or "").split(", ")):
            continue
        published = article["published"]
        if since and not (published and published[:10] >= since):
            continue
        if until and not (published and published[:10] <= until):
            continue
        found.append(article)
    return found


def engine_counts(db: Path, search: Search, parts: int = 1) -> tuple[engine.Counts, Catalog]:
    with connect(db) as conn:
        catalog = load_catalog(conn)
        plan = engine.plan(conn, search, catalog)
        counts = engine.Counts()
        for low, high in engine.partitions(plan, parts):
            counts.add(engine.count(conn, plan, low, high))
        return counts, catalog


def assert_counts_agree(db: Path, search: Search, parts: int = 1) -> engine.Counts:
    expected = oracle(db, search)
    counts, catalog = engine_counts(db, search, parts)
    assert counts.total == len(expected), search
    assert Counter(counts.by_outlet(catalog)) == Counter(a["outlet"] for a in expected), search
    assert Counter(counts.by_month()) == Counter(a["published_month"] or "" for a in expected), search
    return counts


@pytest.mark.parametrize("term", TERMS)
def test_counts_per_outlet_and_month_equal_the_oracle(corpus_db: Path, term: str) -> None:
    counts = assert_counts_agree(corpus_db, Search(term))
    assert counts.total > 0, term


def test_the_counting_pass_split_in_parts_adds_up_to_the_whole(corpus_db: Path) -> None:
    for parts in (2, 3, 7):
        assert_counts_agree(corpus_db, Search("中国"), parts)


def test_filters_narrow_the_counts_exactly(corpus_db: Path) -> None:
    def most_common(column: str) -> list[str]:
        return [r["v"] for r in rows(corpus_db, f"select {column} v from articles where {column} is not null "
                                                f"group by 1 order by count(*) desc")]

    languages, sections, authors = most_common("language"), most_common("section"), most_common("author")
    searches = [
        Search("中国", outlets=("rfi", "dw")),
        Search("中国", outlets=("no-such-outlet",)),
        Search("中国", since=date(2020, 6, 10), until=date(2020, 7, 3)),  # cuts inside two months
        Search("中国", since=date(2020, 7, 1)),
        Search("中国", until=date(2020, 6, 30)),
        Search("中国", since=date(2020, 7, 3), until=date(2020, 7, 3)),
        Search("中国", since=date(2020, 7, 3), until=date(2020, 7, 2)),  # empty range
        Search("台湾", sections=(sections[0], sections[1])),
        Search("台湾", authors=(authors[0],)),
        Search("the", languages=("en",)),
        Search("中国", languages=tuple(languages[1:])),
    ]
    found = [assert_counts_agree(corpus_db, search, parts=2).total for search in searches]
    assert sum(n > 0 for n in found) >= len(searches) - 2  # only the unknown outlet and the empty range


def test_a_query_with_nothing_searchable_finds_nothing(corpus_db: Path) -> None:
    for query in ("", "  ", '"', "AND", "-中国"):
        assert engine_counts(corpus_db, Search(query))[0].total == 0


def walk(db: Path, search: Search, sort: str, size: int) -> list[int]:
    """search_rowids of every page, following the cursors to the end."""
    seen: list[int] = []
    after = None
    with connect(db) as conn:
        plan = engine.plan(conn, search, load_catalog(conn))
        for _ in range(10_000):
            if sort == "relevance":
                page = engine.ranked_page(conn, plan, after=after, size=size)
            else:
                page = engine.time_page(conn, plan, newest=sort == "newest", after=after, size=size)
            assert len(page.rowids) <= size
            seen += page.rowids
            if page.next_cursor is None:
                return seen
            assert len(page.rowids) == size
            after = page.next_cursor
    raise AssertionError("no last page")


@pytest.mark.parametrize("sort", ["newest", "oldest", "relevance"])
def test_paging_visits_every_match_exactly_once_in_order(corpus_db: Path, sort: str) -> None:
    published = {r["search_rowid"]: r["published"] for r in rows(
        corpus_db, "select search_rowid, published from articles")}
    for search, size in ((Search("台湾"), 37), (Search("中国", since=date(2020, 6, 10)), 100),
                         (Search("刘建超"), 1)):
        expected = {a["search_rowid"] for a in oracle(corpus_db, search)}
        seen = walk(corpus_db, search, sort, size)
        assert len(seen) == len(set(seen)) and set(seen) == expected, (search, sort)
        if sort != "relevance":
            dated = [published[r] for r in seen if published[r]]
            assert dated == sorted(dated, reverse=sort == "newest")
            assert all(published[r] for r in seen[:len(dated)])  # the undated come last


def test_ranked_pages_are_best_first(corpus_db: Path) -> None:
    with connect(corpus_db) as conn:
        plan = engine.plan(conn, Search("台湾"), load_catalog(conn))
        first = engine.ranked_page(conn, plan, size=50)
        second = engine.ranked_page(conn, plan, after=first.next_cursor, size=50)
    scores = [first.scores[r] for r in first.rowids] + [second.scores[r] for r in second.rowids]
    assert scores == sorted(scores)
    assert first.ranked_since == ""  # fewer matches than the window: all of them ranked


def test_very_common_terms_rank_the_newest_months_holding_the_window(
        corpus_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(engine, "RANK_WINDOW", 40)
    matches = sorted(oracle(corpus_db, Search("中国")), key=lambda a: a["search_rowid"], reverse=True)
    boundary_month = matches[40]["published_month"]
    with connect(corpus_db) as conn:
        plan = engine.plan(conn, Search("中国"), load_catalog(conn))
        page = engine.ranked_page(conn, plan, size=1000)
    assert page.ranked_since == boundary_month
    assert {r for r in page.rowids} == {a["search_rowid"] for a in matches
                                        if (a["published_month"] or "") >= boundary_month}

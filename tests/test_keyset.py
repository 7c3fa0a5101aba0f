"""Pages of a sorted table: every row exactly once, in the order asked, chosen on the index alone.

Datasette 0.65.5 orders a sorted table's first page by the sort column only and its later pages by (sort
column, key): rows tied across the first page's end came twice or never (zhnews.app.keyset).
"""

from __future__ import annotations

import csv
import io
import shutil
import sqlite3
from pathlib import Path

import pytest
from datasette.app import Datasette

from tests.appkit import ROOT, get, load_metadata, serve_settings
from zhnews.app.keyset import by_rowid

PAGE = 5


@pytest.fixture(scope="module")
def tied(db: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample archive with publication times rounded to the month: most articles share one."""
    copy = tmp_path_factory.mktemp("tied") / "news.db"
    shutil.copy(db, copy)
    with sqlite3.connect(copy) as conn:
        conn.execute("UPDATE articles SET published = substr(published, 1, 7) || '-01T00:00:00Z' "
                     "WHERE published IS NOT NULL")
    return copy


@pytest.fixture(scope="module")
def small_pages(tied: Path) -> Datasette:
    """`make serve`'s app over that archive, with pages of 5 rows (streams fetch 5 rows per query)."""
    return Datasette(immutables=[str(tied)], metadata=load_metadata(), plugins_dir=str(ROOT / "plugins"),
                     template_dir=str(ROOT / "templates"),
                     settings={**serve_settings(), "max_returned_rows": PAGE, "default_page_size": PAGE})


def expected(tied: Path, order: str) -> list[int]:
    with sqlite3.connect(tied) as conn:
        return [i for (i,) in conn.execute(f"SELECT id FROM articles ORDER BY {order}, id")]


ORDERS = [("", "published DESC"), ("_sort_desc=published", "published DESC"),
          ("_sort=published", "published"), ("_sort=outlet", "outlet"),
          ("_sort_desc=language", "language DESC")]


@pytest.mark.parametrize(("query", "order"), ORDERS)
async def test_paging_a_sorted_table_gives_every_row_once_in_order(
        small_pages: Datasette, tied: Path, query: str, order: str) -> None:
    ids: list[int] = []
    url: str | None = f"/news/articles.json?_shape=objects&_col=id&_size={PAGE}&{query}"
    while url:
        page = (await get(small_pages, url)).json()
        ids += [row["id"] for row in page["rows"]]
        url = page["next_url"] and page["next_url"].split("localhost", 1)[-1]
    assert ids == expected(tied, order)


@pytest.mark.parametrize(("query", "order"), ORDERS)
async def test_a_streamed_csv_of_a_sorted_table_holds_every_row_once(
        small_pages: Datasette, tied: Path, query: str, order: str) -> None:
    text = (await get(small_pages, f"/news/articles.csv?_stream=on&_col=id&{query}")).text
    assert [int(row["id"]) for row in csv.DictReader(io.StringIO(text))] == expected(tied, order)


def test_a_page_deep_in_a_sorted_table_is_chosen_on_the_index_and_keeps_its_rows(tied: Path) -> None:
    """Datasette's query for a later page, selecting every column, was planned as a union of index ranges
    sorted whole (page 2 of 500k articles: over 3 s); by rowid it walks the index and stops."""
    with sqlite3.connect(tied) as conn:
        value, key = conn.execute("SELECT published, id FROM articles ORDER BY published DESC, id "
                                  "LIMIT 1 OFFSET 6").fetchone()
        datasette_sql = ("select id, url, title, published from articles where (published < :p1 or "
                         "published is null or (published = :p1 and ((id > :p0)))) "
                         "order by published desc, id limit 6")
        rewritten = by_rowid(datasette_sql, "articles", "id")
        params = {"p0": key, "p1": value}
        assert conn.execute(rewritten, params).fetchall() == conn.execute(datasette_sql, params).fetchall()
        plan = " / ".join(row[-1] for row in conn.execute(f"EXPLAIN QUERY PLAN {rewritten}", params))
    assert "MULTI-INDEX OR" not in plan and "COVERING INDEX articles_published" in plan, plan


def test_only_page_queries_are_rewritten() -> None:
    for sql in ("select count(*) from articles where outlet = :p0",
                "select outlet as value, count(*) as count from (select id from articles where x = 1) "
                "group by outlet order by count desc limit 31",
                "select id from articles where id in (1, 2)"):
        assert by_rowid(sql, "articles", "id") == sql
    first = by_rowid("select id, title from articles order by published desc limit 101", "articles", "id")
    assert first == ("select id, title from articles where rowid in (select rowid from articles order by "
                     "published desc, id limit 101) order by published desc, id")


@pytest.mark.parametrize(("sort", "filters", "where"),
                         [("_sort=outlet", "", ""),
                          ("_sort=outlet", "&language=zh-Hans", "WHERE language = 'zh-Hans'"),
                          # a column with empty values: pages that start among them (first ascending,
                          # last descending) have their own forms of the page-start condition
                          ("_sort=author", "", ""), ("_sort_desc=author", "", "")])
async def test_every_page_shows_the_facets_of_all_the_rows_it_pages_through(
        small_pages: Datasette, tied: Path, sort: str, filters: str, where: str) -> None:
    """Datasette counted a later page's facets over the rows after its start only (and slowly)."""
    facets = "_facet=outlet&_facet=author&_facet_date=published"
    url: str | None = f"/news/articles.json?_size={PAGE}&{sort}&{facets}{filters}"
    pages = []
    while url:
        page = (await get(small_pages, url)).json()
        pages.append({name: [(v["value"], v["count"]) for v in facet["results"]]
                      for name, facet in page["facet_results"].items()})
        links = [v["toggle_url"] for facet in page["facet_results"].values() for v in facet["results"]]
        assert links and not any("_next=" in link for link in links), "a facet's list starts at its start"
        url = page["next_url"] and page["next_url"].split("localhost", 1)[-1]
    assert len(pages) > 2 and all(page == pages[0] for page in pages)
    with sqlite3.connect(tied) as conn:
        everywhere = dict(conn.execute(f"SELECT outlet, count(*) FROM articles {where} GROUP BY outlet"))
    assert pages[0]["outlet"] and all(everywhere[outlet] == n for outlet, n in pages[0]["outlet"])


def test_every_column_the_articles_table_sorts_by_leads_an_index(db: Path) -> None:
    """A sort without an index reads every row: at 500k articles, char_count took over the 3 s limit."""
    sortable = load_metadata()["databases"]["news"]["tables"]["articles"]["sortable_columns"]
    with sqlite3.connect(db) as conn:
        leading = {conn.execute(f"SELECT name FROM pragma_index_info('{name}') WHERE seqno = 0").fetchone()[0]
                   for (name,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'index' "
                                               "AND tbl_name = 'articles'")}
    assert {"published", "char_count", "author"} <= set(sortable)
    assert set(sortable) - {"id"} <= leading, set(sortable) - {"id"} - leading


FACETS = ("outlet", "section", "published_month", "language", "author")


@pytest.mark.parametrize("column", FACETS)
def test_a_list_filtered_by_a_facet_counts_its_facets_and_pages_newest_first_on_an_index(
        db: Path, column: str) -> None:
    """At 500k articles, single-column indexes made ?outlet=voa read 51k article rows per facet (1.4 s),
    and ?language=zh-Hans sort 450k rows for its first page: each filter column leads a covering index."""
    assert set(FACETS) == set(load_metadata()["databases"]["news"]["tables"]["articles"]["plugins"]
                              ["zhnews_search"]["facets"])
    with sqlite3.connect(db) as conn:
        value = conn.execute(f"SELECT {column} FROM articles WHERE {column} IS NOT NULL "
                             f"GROUP BY 1 ORDER BY count(*) DESC").fetchone()[0]

        def plan(sql: str) -> str:
            return " / ".join(row[-1] for row in conn.execute(f"EXPLAIN QUERY PLAN {sql}", [value]))

        for facet in FACETS:  # the facet query as Datasette 0.65 writes it
            sql = (f"select {facet} as value, count(*) as count from (select * from articles "
                   f"where {column} = ?) where {facet} is not null group by {facet} "
                   "order by count desc, value limit 11")
            assert "COVERING INDEX" in plan(sql), (facet, plan(sql))
        page = plan(f"select rowid from articles where {column} = ? order by published desc, id limit 31")
    assert "INDEX" in page and "TEMP B-TREE FOR ORDER BY" not in page, page

"""The Datasette app (issue 4), tested against a real Datasette instance over real databases.

The databases are built by the real `build_db.py` from `sample/` (always) and from `../shared/corpus`
(when present), once per test session. Datasette gets exactly the flags `make serve` uses
(`make serve-flags`).
Expected values come from the database itself (plain sqlite3) and from an independent oracle for search:
a term is found in an article when its normalised form occurs in the article's normalised text.
"""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit
from xml.etree import ElementTree

import pytest
import yaml
from datasette.app import Datasette
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.appkit import (
    ROOT,
    all_search_ids,
    build_database,
    collapse,
    expected_ids,
    get,
    make_datasette,
    rows,
    run_sync,
    serve_settings,
    soup,
    term_matches,
)

ODD_QUERIES = ["", " ", '"', '""', "AND", "OR", "NOT", "*", "NEAR(", "NEAR(台湾", ":", "title:台湾", "^", "-",
               "(", ")", "台湾 AND", "🙂", "😀台湾😀", "a" * 2000, "台" * 2000, "'; drop table articles; --",
               "\x00", "%", "\\", "{}", "<script>alert(1)</script>"]
SEARCH_TERMS = ["台湾", "臺灣", "法", "刘建超", "Finer"]


# ------------------------------------------------------------------------------------------- home page

async def test_home_page_introduces_the_archive_with_outlet_counts_date_ranges_and_a_ranked_search_box(
        ds: Datasette, db: Path) -> None:
    page = soup((await get(ds, "/")).text)
    form = page.select_one("form.zh-search")
    assert form is not None and form["action"] == "/news/search"
    assert form.select_one("input[name=q]") is not None
    assert "duty-machine/news" in page.get_text()
    outlets = rows(db, """select o.id, o.name, count(*) n, min(a.published) first,
                          max(a.published) last from articles a join outlets o on o.id = a.outlet
                          group by o.id""")
    table = page.select_one("table.zh-outlets")
    assert table is not None
    lines = {collapse(tr.get_text(" ")) for tr in table.select("tbody tr")}
    for o in outlets:
        line = next(text for text in lines if text.startswith(o["name"]))
        assert f" {o['n']:,} " in f" {line} "
        if o["first"]:
            assert f"{o['first'][:10]} — {o['last'][:10]}" in line
        assert table.select_one(f'a[href="/news/articles?outlet={quote(o["id"])}"]') is not None


async def test_home_page_links_every_month_to_the_articles_of_that_month(
        ds: Datasette, db: Path) -> None:
    page = soup((await get(ds, "/")).text)
    months = rows(db, """select published_month m, count(*) n from articles
                                where published_month is not null group by 1""")
    assert months
    for month in months:
        link = page.select_one(f'a[href="/news/articles?published_month={month["m"]}"]')
        assert link is not None, month
        assert link.select_one(".zh-count").get_text() == str(month["n"])


# ------------------------------------------------------------------------------------------- table pages

async def test_articles_table_is_sorted_by_published_descending(ds: Datasette, db: Path) -> None:
    data = (await get(ds, "/news/articles.json?_shape=array&_col=published&_size=max")).json()
    published = [r["published"] for r in data if r["published"]]
    assert published == sorted(published, reverse=True)
    assert len(data) == rows(db, "select count(*) n from articles")[0]["n"]


async def test_default_facets_count_what_the_database_holds(ds: Datasette, db: Path) -> None:
    data = (await get(ds, "/news/articles.json?_facet_size=max")).json()
    facets = data["facet_results"]
    for column in ("outlet", "section", "published_month", "language", "author"):
        counts = {str(r["v"]): r["n"] for r in rows(
            db, f"select {column} v, count(*) n from articles where {column} is not null group by 1")}
        shown = {str(r["value"]): r["count"] for r in facets[column]["results"]}
        assert shown == counts, column


async def test_clicking_an_outlet_facet_filters_the_table(ds: Datasette, db: Path) -> None:
    page = soup((await get(ds, "/news/articles")).text)
    link = page.select_one('.facet-results a[href*="outlet=rfi"]')
    assert link is not None
    href = urlsplit(link["href"])  # Datasette writes facet links as absolute URLs
    filtered = (await get(ds, f"{href.path}.json?{href.query}")).json()
    expected = rows(db, "select count(*) n from articles where outlet = 'rfi'")[0]["n"]
    assert filtered["filtered_table_rows_count"] == expected > 0


async def test_table_cells_are_short_excerpts_never_whole_articles(ds: Datasette, db: Path) -> None:
    longest = rows(db, "select body_text from articles order by length(body_text) desc limit 1")[0]
    assert len(longest["body_text"]) > 500  # sample/ has articles of realistic length
    for path in ("/news/articles?_grid=on&_size=max", "/news/articles?_size=max"):
        html = (await get(ds, path)).text
        page = soup(html)
        for cell in page.select("td.col-body_text, td.col-body_html, td.col-lead, .zh-snippet"):
            assert len(cell.get_text().strip()) <= 160, cell.get_text()[:200]
        assert collapse(longest["body_text"])[:300] not in collapse(page.get_text())


async def test_grid_titles_link_to_the_reader_view_and_outlets_show_their_names(
        ds: Datasette, db: Path) -> None:
    page = soup((await get(ds, "/news/articles?_grid=on&_size=max")).text)
    names = {r["id"]: r["name"] for r in rows(db, "select id, name from outlets")}
    articles = {r["id"]: r for r in rows(db, "select id, title, outlet from articles")}
    table_rows = page.select("table.rows-and-columns tbody tr")
    assert len(table_rows) == len(articles)
    for tr in table_rows:
        link = tr.select_one("td.col-title a")
        article_id = int(link["href"].rsplit("/", 1)[1])
        assert link["href"] == f"/news/articles/{article_id}"
        assert names[articles[article_id]["outlet"]] in tr.select_one("td.col-outlet").get_text()


async def test_hero_images_are_lazy_referrerless_thumbnails(ds: Datasette, db: Path) -> None:
    with_image = rows(db, "select count(*) n from articles where image_url is not null")[0]["n"]
    assert with_image > 0
    for path in ("/news/articles?_grid=on&_size=max", "/news/articles?_size=max"):
        images = soup((await get(ds, path)).text).select("img.zh-thumb")
        assert len(images) == with_image
        for img in images:
            assert img["referrerpolicy"] == "no-referrer" and img["loading"] == "lazy"
            assert img["src"].startswith("https://")


async def test_articles_are_shown_as_cards_by_default(ds: Datasette, db: Path) -> None:
    page = soup((await get(ds, "/news/articles?_size=max")).text)
    total = rows(db, "select count(*) n from articles")[0]["n"]
    cards = page.select("li.zh-card")
    assert len(cards) == total
    assert all(card.select_one("h2 a[href^='/news/articles/']") for card in cards)
    assert page.select_one('a[href*="_grid=on"]') is not None


async def test_every_table_page_renders(ds: Datasette) -> None:
    for table in ("articles", "outlets", "captures", "build_errors"):
        await get(ds, f"/news/{table}")
    await get(ds, "/news")
    await get(ds, "/news/outlets/rfi")


# ------------------------------------------------------------------------------------------- reader view

async def test_reader_view_shows_every_paragraph_with_its_metadata(ds: Datasette, db: Path) -> None:
    articles = rows(db, "select a.*, o.name outlet_name from articles a join outlets o on o.id = outlet")
    for article in articles:
        page = soup((await get(ds, f"/news/articles/{article['id']}")).text)
        reader = page.select_one("article.zh-reader")
        assert reader is not None
        assert reader.select_one("h1.zh-headline").get_text() == article["title"]
        assert article["outlet_name"] in reader.select_one(".zh-kicker").get_text()
        if article["author"]:
            assert article["author"] in reader.select_one(".zh-byline").get_text()
        text = collapse(reader.get_text())  # no separator: inline links must not split a sentence
        for paragraph in filter(None, article["body_text"].split("\n\n")):
            assert collapse(paragraph) in text, (article["id"], paragraph[:60])
        original = reader.select_one(".zh-original a")
        assert original["href"] == article["url"] and "noreferrer" in original["rel"]


async def test_reader_view_lists_captures_neighbours_of_the_same_outlet_and_raw_columns(
        ds: Datasette, db: Path) -> None:
    for article in rows(db, "select id, outlet from articles"):
        page = soup((await get(ds, f"/news/articles/{article['id']}")).text)
        sources = {c["source"] for c in rows(db, "select source from captures where article_id = ?",
                                             (article["id"],))}
        shown = {code.get_text() for code in page.select(".zh-captures code")}
        assert shown == sources
        for link in page.select(".zh-prevnext a"):
            other = int(link["href"].rsplit("/", 1)[1])
            assert rows(db, "select outlet from articles where id = ?", (other,))[0]["outlet"] == \
                article["outlet"]
        raw = page.select_one("details.zh-raw")
        assert raw is not None and raw.select_one(f'a[href="/news/articles/{article["id"]}.json"]')


async def test_reader_view_uses_reading_typography(ds: Datasette) -> None:
    css = (await get(ds, "/static/zhnews.css")).text
    reader = re.search(r"\.zh-reader \{([^}]*)\}", css).group(1)
    assert "max-width: 38em" in reader and "line-height: 1.8" in reader
    assert "Noto Sans CJK SC" in css and "@media" in css
    html = (await get(ds, "/news/articles")).text
    assert '<link rel="stylesheet" href="/static/zhnews.css">' in html
    assert 'name="viewport"' in html


async def test_hostile_article_renders_harmlessly_everywhere(ds: Datasette, hostile: dict[str, Any]) -> None:
    pages = [f"/news/articles/{hostile['id']}", "/news/articles?_size=max",
             "/news/articles?_grid=on&_size=max", f"/news/search?q={quote('代码')}",
             f"/news/articles?_search={quote('代码')}&char_count__gt=0", "/"]
    for path in pages:
        page = soup((await get(ds, path)).text)
        content = page.select_one("section.content")
        for chart in content.select("svg.zh-chart, svg.zh-coverage-strip"):  # our charts: shapes, links
            assert not chart.select("script, foreignObject, style, use, image"), path
            chart.decompose()
        assert not content.select("script, iframe, svg, object, embed, style"), path
        for element in content.find_all(True):
            for name, value in element.attrs.items():
                assert not name.lower().startswith("on"), (path, element.name, name)
                if name in {"href", "src"}:
                    assert not str(value).strip().lower().startswith(("javascript:", "data:")), (path, value)
    page = soup((await get(ds, f"/news/articles/{hostile['id']}")).text)
    assert page.select_one("article.zh-reader h1").get_text() == hostile["title"]  # shown as text, not run


# ------------------------------------------------------------------------------------------- search

@pytest.mark.parametrize("term", SEARCH_TERMS)
async def test_search_box_finds_exactly_the_articles_containing_the_term(
        ds: Datasette, db: Path, term: str) -> None:
    assert await all_search_ids(ds, term) == expected_ids(db, term)


async def test_traditional_and_simplified_queries_find_the_same_articles(ds: Datasette) -> None:
    found = await all_search_ids(ds, "台湾")
    assert found and found == await all_search_ids(ds, "臺灣")


async def test_a_table_search_with_other_filters_stays_on_the_table_with_facets(
        ds: Datasette, db: Path) -> None:
    """The table's search box leads to the search page (test_search_page.py), unless the table URL holds a
    filter the search page cannot express: then the stock table search answers, facets and all."""
    html = (await get(ds, f"/news/articles?_search={quote('台湾')}&char_count__gt=0")).text
    count = len(expected_ids(db, "台湾"))
    heading = collapse(soup(html).select_one("section.content h3").get_text())
    assert heading.startswith(f'{count} row{"s" if count != 1 else ""} where search matches "台湾"')
    assert soup(html).select(".facet-results")
    assert "/news/search?q=%E5%8F%B0%E6%B9%BE" in html  # the link to the search page of the same query


async def test_search_can_be_limited_to_titles(ds: Datasette, db: Path) -> None:
    response = await get(ds, f"/news/articles.csv?_search_title={quote('台湾')}&_stream=on&_col=title")
    found = {int(r["id"]) for r in csv.DictReader(io.StringIO(response.text))}
    titles = rows(db, "select id, title from articles")
    assert found and found == {a["id"] for a in titles if term_matches("台湾", {"title": a["title"]})}


async def test_empty_search_shows_every_article(ds: Datasette, db: Path) -> None:
    total = rows(db, "select count(*) n from articles")[0]["n"]
    for path in ("/news/articles.json?_search=", "/news/articles.json?_search=%20%20"):
        assert (await get(ds, path)).json()["filtered_table_rows_count"] == total


@pytest.mark.parametrize("query", ODD_QUERIES, ids=lambda q: repr(q[:12]))
async def test_odd_search_input_gives_a_normal_page(ds: Datasette, query: str) -> None:
    for path in (f"/news/articles?_search={quote(query)}&char_count__gt=0",
                 f"/news/articles.json?_search={quote(query)}", f"/news/search?q={quote(query)}",
                 f"/news/search.json?q={quote(query)}", f"/news/articles.json?_search_title={quote(query)}"):
        await get(ds, path)


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(query=st.text(max_size=60))
def test_fuzzed_search_input_never_fails(ds: Datasette, query: str) -> None:
    async def statuses() -> list[int]:
        paths = [f"/news/articles.json?_search={quote(query)}", f"/news/search.json?q={quote(query)}",
                 f"/news/search?q={quote(query)}&outlet={quote(query[:5])}&since={quote(query[:3])}"]
        return [(await ds.client.get(p)).status_code for p in paths]

    found = run_sync(statuses())
    # a malformed filter (here: `since` made of random text) is a 400 with a reason, never a failure
    assert found[:2] == [200, 200] and found[2] in (200, 400)


async def test_table_page_links_to_the_search_page(ds: Datasette) -> None:
    page = soup((await get(ds, "/news/articles")).text)
    assert page.select_one('a[href="/news/search"]') is not None


# ------------------------------------------------------------------------------------------- exports

async def test_json_exports_keep_chinese_and_every_row(ds: Datasette, db: Path) -> None:
    titles = {r["id"]: r["title"] for r in rows(db, "select id, title from articles")}
    array = (await get(ds, "/news/articles.json?_shape=array&_size=max")).json()
    assert {r["id"]: r["title"] for r in array} == titles
    default = (await get(ds, "/news/articles.json")).json()
    assert default["filtered_table_rows_count"] == len(titles)
    assert len(default["rows"]) == min(30, len(titles))  # metadata: size 30


async def test_csv_exports_keep_chinese_and_stream_every_filtered_row(ds: Datasette, db: Path) -> None:
    titles = {str(r["id"]): r["title"] for r in rows(db, "select id, title from articles")}
    for path in ("/news/articles.csv?_size=max", "/news/articles.csv?_stream=on"):
        body = (await get(ds, path)).content
        assert not body.startswith(b"\xef\xbb\xbf")
        parsed = list(csv.DictReader(io.StringIO(body.decode("utf-8"))))
        assert {r["id"]: r["title"] for r in parsed} == titles
    searched = (await get(ds, f"/news/articles.csv?_stream=on&_search={quote('台湾')}")).text
    assert len(list(csv.DictReader(io.StringIO(searched)))) == len(expected_ids(db, "台湾"))


async def test_excel_csv_export_is_utf8_with_bom_and_linked_next_to_csv(
        ds: Datasette, db: Path) -> None:
    plain = (await get(ds, f"/news/articles.csv?_stream=on&_search={quote('台湾')}")).content
    bom = await get(ds, f"/news/articles.csvbom?_search={quote('台湾')}")
    assert bom.content == b"\xef\xbb\xbf" + plain
    assert bom.headers["content-type"].startswith("text/csv")
    assert "attachment" in bom.headers["content-disposition"]
    total = rows(db, "select count(*) n from articles")[0]["n"]
    everything = (await get(ds, "/news/articles.csvbom")).content.decode("utf-8-sig")
    assert len(list(csv.DictReader(io.StringIO(everything)))) == total  # all rows, not one page
    export_links = soup((await get(ds, "/news/articles")).text).select_one(".export-links")
    hrefs = [a["href"] for a in export_links.select("a")]
    assert any(".csvbom" in h for h in hrefs) and any(".csv?" in h for h in hrefs)


async def test_the_feed_of_an_archive_without_a_dated_article_says_so_instead_of_failing(
        tmp_path: Path) -> None:
    archive = tmp_path / "archive"
    archive.mkdir()
    (archive / "not-an-article.md").write_text("没有标题行的文件\n", encoding="utf-8")
    empty = make_datasette(build_database([archive], tmp_path))
    response = await get(empty, "/news/feed.atom")
    assert response.status_code == 200
    entries = ElementTree.fromstring(response.content).findall("{http://www.w3.org/2005/Atom}entry")
    assert [e.find("{http://www.w3.org/2005/Atom}title").text for e in entries] == [
        "尚无注明日期的文章 · No dated article yet"]


async def test_atom_feed_lists_the_latest_articles_per_outlet_and_is_never_empty(
        ds: Datasette, db: Path) -> None:
    atom = "{http://www.w3.org/2005/Atom}"
    latest = rows(db, """select url, outlet from articles where published is not null
                         order by published desc, id desc""")
    rfi = [a for a in latest if a["outlet"] == "rfi"]
    cases = (("", latest[:50]), ("?outlet=rfi", rfi[:50]), ("?outlet=no-such-outlet", latest[:50]))
    for query, expected in cases:
        feed = ElementTree.fromstring((await get(ds, f"/news/feed.atom{query}")).content)
        entries = feed.findall(f"{atom}entry")
        assert [e.find(f"{atom}id").text for e in entries] == [a["url"] for a in expected], query
        for entry in entries:
            content = soup(entry.find(f"{atom}content").text or "")
            assert not content.select("script, iframe, figure"), query
    home = soup((await get(ds, "/")).text)
    assert home.select_one('link[rel=alternate][type="application/atom+xml"]')["href"] == "/news/feed.atom"


# ------------------------------------------------------------------------------------------- metadata

async def test_metadata_describes_every_table_and_column_and_hides_the_search_tables(
        ds: Datasette, db: Path) -> None:
    metadata = yaml.safe_load((ROOT / "metadata.yml").read_text(encoding="utf-8"))
    for key in ("title", "description_html", "license", "source", "source_url"):
        assert metadata[key], key
    tables = metadata["databases"]["news"]["tables"]
    names = [r["name"] for r in rows(db, """select name from sqlite_master where type = 'table'
                                                 and name not like 'sqlite_%' and name not like '%fts_%'""")]
    for name in names:
        assert tables[name].get("description") or tables[name].get("description_html"), name
        columns = [r["name"] for r in rows(db, f"pragma table_info([{name}])")]
        assert set(tables[name]["columns"]) == set(columns), name
    database = (await get(ds, "/news.json")).json()
    hidden = {t["name"] for t in database["tables"] if t["hidden"]}
    visible = {t["name"] for t in database["tables"] if not t["hidden"]}
    assert visible == {"articles", "outlets", "captures", "build_errors", "coverage", "sources"}
    assert "articles_fts" in hidden


async def test_settings_are_the_public_ones_of_make_serve(ds: Datasette) -> None:
    assert ds.setting("allow_download") is False
    assert ds.setting("suggest_facets") is False
    assert ds.setting("sql_time_limit_ms") <= 5000
    response = await ds.client.get("/news.db")
    assert response.status_code in {403, 404}


# ------------------------------------------------------------------------------------------- real corpus

@pytest.mark.corpus
@pytest.mark.slow
@pytest.mark.parametrize("term", SEARCH_TERMS)
async def test_corpus_search_finds_exactly_the_articles_containing_the_term(
        corpus_ds: Datasette, corpus_db: Path, term: str) -> None:
    expected = expected_ids(corpus_db, term)
    assert expected, term
    assert await all_search_ids(corpus_ds, term) == expected
    page = (await get(corpus_ds, f"/news/search.json?q={quote(term)}&size=50&_shape=array")).json()
    assert len(page) == min(50, len(expected))
    assert {r["id"] for r in page} <= expected


@pytest.mark.corpus
@pytest.mark.slow
async def test_corpus_facets_and_exports_count_what_the_database_holds(
        corpus_ds: Datasette, corpus_db: Path) -> None:
    data = (await get(corpus_ds, "/news/articles.json?_facet_size=max")).json()
    counts = {r["v"]: r["n"] for r in rows(corpus_db, "select outlet v, count(*) n from articles group by 1")}
    assert {r["value"]: r["count"] for r in data["facet_results"]["outlet"]["results"]} == counts
    total = sum(counts.values())
    streamed = (await get(corpus_ds, "/news/articles.csv?_stream=on&_col=title")).text
    assert len(list(csv.DictReader(io.StringIO(streamed)))) == total
    searched = (await get(corpus_ds, f"/news/articles.csvbom?_search={quote('台湾')}&_col=title")).content
    assert len(list(csv.DictReader(io.StringIO(searched.decode("utf-8-sig"))))) == \
        len(expected_ids(corpus_db, "台湾"))


@pytest.mark.corpus
@pytest.mark.slow
async def test_corpus_pages_render_and_stay_small(corpus_ds: Datasette, corpus_db: Path) -> None:
    for path in ("/", "/news", "/news/articles", "/news/articles?_grid=on", "/news/outlets",
                 "/news/captures", "/news/build_errors", f"/news/search?q={quote('台湾')}",
                 f"/news/search?q={quote('法')}"):
        response = await get(corpus_ds, path)
        assert len(response.content) < 600_000, (path, len(response.content))
    sample = rows(corpus_db, "select id, title, body_text from articles order by id % 97, id limit 40")
    for article in sample:
        page = soup((await get(corpus_ds, f"/news/articles/{article['id']}")).text)
        reader = page.select_one("article.zh-reader")
        text = collapse(reader.get_text())  # no separator: inline links must not split a sentence
        for paragraph in filter(None, article["body_text"].split("\n\n")):
            assert collapse(paragraph) in text, (article["id"], paragraph[:60])


@pytest.mark.corpus
@pytest.mark.slow
async def test_corpus_json_keeps_ids_exact_and_chinese_intact(corpus_ds: Datasette, corpus_db: Path) -> None:
    expected = {r["id"]: r["title"] for r in rows(corpus_db, "select id, title from articles")}
    body = (await get(corpus_ds, "/news/articles.json?_shape=array&_col=title&_size=max")).text
    assert len(json.loads(body)) == min(len(expected), serve_settings()["max_returned_rows"])
    for row in json.loads(body):
        assert expected[row["id"]] == row["title"]

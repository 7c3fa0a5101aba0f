"""The Datasette app (issue 4), tested against a real Datasette instance over real databases.

The databases are built by the real `build_db.py` from `sample/` (always) and from `../shared/corpus`
(when present), once per test session. Datasette gets exactly the flags `make serve` uses
(`make serve-flags`).
Expected values come from the database itself (plain sqlite3) and from an independent oracle for search:
a term is found in an article when its normalised form occurs in the article's normalised text.
"""

from __future__ import annotations

import asyncio
import csv
import io
import json
import re
import sqlite3
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit
from xml.etree import ElementTree

import pytest
import yaml
from bs4 import BeautifulSoup
from datasette.app import Datasette
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from benchmarks import latency
from zhnews.search.text import normalise
from zhnews.text import clean_line

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "sample"
ODD_QUERIES = ["", " ", '"', '""', "AND", "OR", "NOT", "*", "NEAR(", "NEAR(台湾", ":", "title:台湾", "^", "-",
               "(", ")", "台湾 AND", "🙂", "😀台湾😀", "a" * 2000, "台" * 2000, "'; drop table articles; --",
               "\x00", "%", "\\", "{}", "<script>alert(1)</script>"]
SEARCH_TERMS = ["台湾", "臺灣", "法", "刘建超", "Finer"]


# ------------------------------------------------------------------------------------------- helpers

def build_database(sources: list[Path], folder: Path) -> Path:
    """`python build_db.py SOURCE... --db <folder>/news.db`, the real command line."""
    db = folder / "news.db"
    result = subprocess.run(
        [sys.executable, str(ROOT / "build_db.py"), *map(str, sources), "--db", str(db), "--quiet"],
        cwd=ROOT, capture_output=True, text=True, timeout=900,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    return db


def serve_flags() -> list[str]:
    """The Datasette flags of `make serve`, from the Makefile itself (one place for both)."""
    return latency.serve_flags(ROOT)


def serve_settings() -> dict[str, Any]:
    flags = serve_flags()
    found: dict[str, Any] = {}
    for i, flag in enumerate(flags):
        if flag == "--setting":
            name, value = flags[i + 1], flags[i + 2]
            found[name] = {"on": True, "off": False}.get(value, int(value) if value.isdigit() else value)
    return found


def load_metadata() -> dict[str, Any]:
    return yaml.safe_load((ROOT / "metadata.yml").read_text(encoding="utf-8"))


def make_datasette(db: Path, metadata: dict[str, Any] | None = None) -> Datasette:
    return Datasette(
        immutables=[str(db)],
        metadata=metadata or load_metadata(),
        plugins_dir=str(ROOT / "plugins"),
        template_dir=str(ROOT / "templates"),
        static_mounts=[("static", str(ROOT / "static"))],
        settings=serve_settings(),
    )


def rows(db: Path, sql: str, params: tuple[Any, ...] = ()) -> list[dict[str, Any]]:
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    conn.row_factory = sqlite3.Row
    try:
        return [dict(r) for r in conn.execute(sql, params)]
    finally:
        conn.close()


def term_matches(term: str, article: dict[str, Any]) -> bool:
    """The oracle: does the article contain the term (as the search is specified, not as it is built)?

    Han terms: substring of the normalised text (Traditional = Simplified, full-width = ASCII). Latin words:
    a whole word, case-insensitive. Fields are searched separately (a hit never spans title and body).
    """
    needle = normalise(term)
    for field in ("title", "lead", "body_text"):
        text = normalise(article.get(field) or "")
        if needle.isascii():
            if re.search(rf"(?<![a-z]){re.escape(needle)}(?![a-z])", text):
                return True
        elif needle in text:
            return True
    return False


def expected_ids(db: Path, term: str) -> set[int]:
    articles = rows(db, "select id, title, lead, body_text from articles")
    return {a["id"] for a in articles if term_matches(term, a)}


def run_sync(coroutine: Any) -> Any:
    """Run a coroutine on a fresh event loop in another thread (hypothesis drives sync functions)."""
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coroutine).result()


def soup(html: str) -> BeautifulSoup:
    return BeautifulSoup(html, "lxml")


def collapse(text: str) -> str:
    """One line, whitespace collapsed, invisible characters gone (body_html may keep a U+200B that
    body_text, cleaned by zhnews.text.clean_line, does not)."""
    return clean_line(text)


async def get(ds: Datasette, path: str) -> Any:
    response = await ds.client.get(path)
    assert response.status_code == 200, (path, response.status_code, response.text[:500])
    return response


async def all_search_ids(ds: Datasette, term: str) -> set[int]:
    """Every article the table's search box finds (streamed CSV: not limited to max_returned_rows)."""
    response = await get(ds, f"/news/articles.csv?_search={quote(term)}&_stream=on&_col=title")
    return {int(r["id"]) for r in csv.DictReader(io.StringIO(response.text))}


# ------------------------------------------------------------------------------------------- fixtures

@pytest.fixture(scope="session")
def db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_database([SAMPLE], tmp_path_factory.mktemp("sample"))


@pytest.fixture(scope="session")
def ds(db: Path) -> Datasette:
    return make_datasette(db)


@pytest.fixture(scope="session")
def hostile(db: Path) -> dict[str, Any]:
    """The sample article written to attack the reader view (script tags, onerror, javascript: links)."""
    found = [a for a in rows(db, "select * from articles") if "script" in (a["title"] or "").lower()]
    assert len(found) == 1, "sample/ must contain exactly one hostile article (its title holds <script>)"
    return found[0]


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
             f"/news/articles?_search={quote('代码')}", "/"]
    for path in pages:
        page = soup((await get(ds, path)).text)
        content = page.select_one("section.content")
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


async def test_search_page_says_what_it_searched_and_keeps_facets(ds: Datasette, db: Path) -> None:
    html = (await get(ds, f"/news/articles?_search={quote('台湾')}")).text
    count = len(expected_ids(db, "台湾"))
    heading = collapse(soup(html).select_one("section.content h3").get_text())
    assert heading.startswith(f'{count} row{"s" if count != 1 else ""} where search matches "台湾"')
    assert soup(html).select(".facet-results")
    assert "/news/search?q=%E5%8F%B0%E6%B9%BE" in html  # the link to the ranked view of the same query


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
    for path in (f"/news/articles?_search={quote(query)}", f"/news/articles.json?_search={quote(query)}",
                 f"/news/search?q={quote(query)}", f"/news/search.json?q={quote(query)}",
                 f"/news/articles?_search_title={quote(query)}"):
        await get(ds, path)


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(query=st.text(max_size=60))
def test_fuzzed_search_input_never_fails(ds: Datasette, query: str) -> None:
    async def statuses() -> list[int]:
        paths = [f"/news/articles.json?_search={quote(query)}", f"/news/search.json?q={quote(query)}",
                 f"/news/search?q={quote(query)}&outlet={quote(query[:5])}&since={quote(query[:3])}"]
        return [(await ds.client.get(p)).status_code for p in paths]

    assert run_sync(statuses()) == [200, 200, 200]


# ------------------------------------------------------------------------------------------- ranked search

async def test_ranked_search_finds_the_same_articles_best_first_with_clean_snippets(
        ds: Datasette, db: Path) -> None:
    for term in SEARCH_TERMS:
        results = (await get(ds, f"/news/search.json?q={quote(term)}&_shape=array")).json()
        assert {r["id"] for r in results} == expected_ids(db, term), term
        texts = {a["id"]: a for a in rows(db, "select id, lead, body_text from articles")}
        for result in results:
            snippet = result["snippet"]
            plain = re.sub(r"</?mark>", "", snippet)
            assert "<" not in plain.replace("&lt;", "")  # only <mark> tags, everything else escaped
            original = collapse(texts[result["id"]]["lead"] + "\n" + texts[result["id"]]["body_text"])
            unescaped = plain.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
            unescaped = unescaped.replace("&quot;", '"').replace("&#x27;", "'")
            assert unescaped.strip("…") in original  # CJK-clean: no spaces inserted between characters
    ranked = (await get(ds, f"/news/search.json?q={quote('台湾')}&_shape=array")).json()
    in_title = [term_matches("台湾", {"title": r["title"]}) for r in ranked]
    assert in_title == sorted(in_title, reverse=True)  # title hits (weighted 10x) come first


async def test_ranked_search_marks_hits_and_filters_by_outlet_and_dates(
        ds: Datasette, db: Path) -> None:
    everything = (await get(ds, f"/news/search.json?q={quote('台湾')}&_shape=array")).json()
    assert any("<mark>" in r["snippet"] for r in everything)
    outlet = everything[0]["outlet"]
    only = (await get(ds, f"/news/search.json?q={quote('台湾')}&outlet={outlet}&_shape=array")).json()
    assert only and {r["outlet"] for r in only} == {outlet}
    assert len(only) == sum(r["outlet"] == outlet for r in everything)
    day = sorted(r["published"][:10] for r in everything if r["published"])[len(everything) // 2]
    since = (await get(ds, f"/news/search.json?q={quote('台湾')}&since={day}&_shape=array")).json()
    until = (await get(ds, f"/news/search.json?q={quote('台湾')}&until={day}&_shape=array")).json()
    assert all(r["published"][:10] >= day for r in since)
    assert all(r["published"][:10] <= day for r in until)
    dated = {r["id"] for r in everything if r["published"]}
    assert {r["id"] for r in since} | {r["id"] for r in until} >= dated


async def test_ranked_search_page_shows_cards_with_highlighted_snippets(ds: Datasette, db: Path) -> None:
    page = soup((await get(ds, f"/news/search?q={quote('台湾')}")).text)
    cards = page.select("li.zh-card")
    assert cards
    assert all(card.select_one("h2 a[href^='/news/articles/']") for card in cards)
    assert page.select(".zh-snippet mark")
    assert page.select_one("input[name=q]")["value"] == "台湾"
    menu = page.select("select[name=outlet] option")
    assert len(menu) == 1 + len(rows(db, "select id from outlets where articles > 0"))


async def test_a_very_common_term_ranks_only_its_newest_matches_and_says_so(corpus_db: Path) -> None:
    """The ranked search scores only the newest N matches (after the outlet and date filters): N is 20,000
    in metadata.yml, shrunk here to 40 so that the corpus has more matches than that."""
    metadata = load_metadata()
    search = metadata["databases"]["news"]["queries"]["search"]
    assert "cut(size) as (select 20000)" in search["sql"]
    search["sql"] = search["sql"].replace("(select 20000)", "(select 40)")
    ds = make_datasette(corpus_db, metadata)
    articles = rows(corpus_db, "select id, title, lead, body_text, outlet, published, search_rowid "
                               "from articles")
    for outlet in ("", "rfi"):
        matches = [a for a in articles if term_matches("中国", a) and outlet in ("", a["outlet"])]
        assert len(matches) > 40
        newest = sorted(matches, key=lambda a: a["search_rowid"])[-40:]
        results = (await get(ds, f"/news/search.json?q={quote('中国')}&outlet={outlet}&_shape=array")).json()
        assert {r["id"] for r in results} == {a["id"] for a in newest}
        assert all(r["newest_only"] == 1 and r["ranked_newest"] == 40 for r in results)
        # newest by publication: search_rowid is the minute of publication
        cut = min(a["published"][:16] for a in newest)
        assert all(a["published"][:16] <= cut for a in matches if a not in newest)
    page = soup((await get(ds, f"/news/search?q={quote('中国')}")).text)
    assert "the newest 40 are ranked" in page.select_one(".zh-window").get_text()
    rare = (await get(ds, f"/news/search.json?q={quote('刘建超')}&_shape=array")).json()
    assert rare and all(r["newest_only"] == 0 for r in rare)
    assert soup((await get(ds, f"/news/search?q={quote('刘建超')}")).text).select_one(".zh-window") is None


async def test_table_page_links_to_the_ranked_search(ds: Datasette) -> None:
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
    ranked = (await get(ds, f"/news/search.csvbom?q={quote('台湾')}")).content
    assert ranked.startswith(b"\xef\xbb\xbf") and "台湾".encode() in ranked
    export_links = soup((await get(ds, "/news/articles")).text).select_one(".export-links")
    hrefs = [a["href"] for a in export_links.select("a")]
    assert any(".csvbom" in h for h in hrefs) and any(".csv?" in h for h in hrefs)


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
    assert visible == {"articles", "outlets", "captures", "build_errors"}
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
    ranked = (await get(corpus_ds, f"/news/search.json?q={quote(term)}&_shape=array")).json()
    assert len(ranked) == min(50, len(expected))
    assert {r["id"] for r in ranked} <= expected


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
                 f"/news/articles?_search={quote('法')}"):
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

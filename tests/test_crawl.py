"""robots.txt lets crawlers read article pages and nothing else; the sitemap lists every article page, as
an index of files of at most 50,000 URLs (the sitemap protocol's limit)."""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path
from urllib.parse import urlsplit
from xml.etree import ElementTree

from datasette.app import Datasette

from tests.appkit import get, make_datasette, rows
from zhnews.build import schema

SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


def allowed(robots: str, path: str) -> bool:
    """Google's reading of robots.txt: among the rules matching the path (`*` any run, `$` the end), the
    longest wins; Allow wins a tie; no match means allowed."""
    best: tuple[int, bool] = (-1, True)
    for line in robots.splitlines():
        field, _, value = line.partition(":")
        field, value = field.strip().lower(), value.strip()
        if field not in ("allow", "disallow") or not value:
            continue
        pattern = "".join(".*" if c == "*" else "$" if c == "$" else re.escape(c) for c in value)
        if re.match(pattern, path):
            candidate = (len(value), field == "allow")
            best = max(best, candidate)
    return best[1]


async def test_robots_lets_crawlers_read_articles_only(ds: Datasette, db: Path) -> None:
    robots = (await get(ds, "/robots.txt")).text
    article = rows(db, "select id from articles limit 1")[0]["id"]
    for path in ("/", f"/news/articles/{article}", "/static/zhnews.css"):
        assert allowed(robots, path), path
    for path in ("/news", "/news/articles", "/news/articles?outlet=rfi", "/news/search?q=%E5%8F%B0",
                 "/news/search/all.csv?q=x", f"/news/articles/{article}.json", "/news.json?sql=select+1",
                 "/news/feed.atom", "/news/captures", f"/news/articles/{article}?_x=1"):
        assert not allowed(robots, path), path
    sitemap = re.search(r"^Sitemap: (\S+)$", robots, re.MULTILINE)
    assert sitemap and sitemap.group(1).endswith("/sitemap.xml")


async def sitemap_urls(ds: Datasette) -> list[str]:
    index = ElementTree.fromstring((await get(ds, "/sitemap.xml")).content)
    assert index.tag == f"{SITEMAP}sitemapindex"
    found = []
    for entry in index.findall(f"{SITEMAP}sitemap"):
        location = urlsplit(entry.find(f"{SITEMAP}loc").text).path
        page = ElementTree.fromstring((await get(ds, location)).content)
        assert page.tag == f"{SITEMAP}urlset"
        urls = [u.find(f"{SITEMAP}loc").text for u in page.findall(f"{SITEMAP}url")]
        assert 0 < len(urls) <= 50_000
        found += urls
    return found


async def test_the_sitemap_lists_every_article_page_once(ds: Datasette, db: Path) -> None:
    urls = await sitemap_urls(ds)
    assert sorted(urls) == sorted(f"http://localhost/news/articles/{r['id']}" for r in
                                  rows(db, "select id from articles"))
    assert (await ds.client.get("/sitemap-news-99.xml")).status_code == 404


async def test_past_fifty_thousand_articles_the_sitemap_has_several_files(tmp_path: Path) -> None:
    """A database of 50,001 minimal article rows (the sitemap reads ids and dates only)."""
    path = tmp_path / "news.db"
    conn = sqlite3.connect(path)
    schema.create(conn)
    conn.execute("insert into outlets (id, name, name_en, homepage, slot) values ('x', 'X', 'X', '', 0)")
    conn.executemany(
        "insert into articles (id, url, title, title_raw, outlet, published, lead, body_text, body_html,"
        " images, char_count, captures, search_rowid) values (?, ?, 't', 't', 'x', '2024-01-02T03:04:05Z',"
        " '', '', '', '[]', 0, 1, ?)", ((i, f"https://example.com/{i}", i) for i in range(1, 50_002)))
    conn.commit()
    conn.close()
    ds = make_datasette(path)
    index = ElementTree.fromstring((await get(ds, "/sitemap.xml")).content)
    assert len(index.findall(f"{SITEMAP}sitemap")) == 2
    urls = await sitemap_urls(ds)
    assert len(urls) == len(set(urls)) == 50_001

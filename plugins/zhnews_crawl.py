"""What search engines may crawl: `/robots.txt` and a sitemap of every article page.

Article pages (the reader view) are what a search engine should index; table, query, search and export
pages are endless parameter combinations (and costly), so robots.txt keeps crawlers off them. The sitemap
is an index (`/sitemap.xml`) of pages of at most 50,000 URLs each (`/sitemap-<n>.xml`, the protocol's
limit), so it holds an archive of any size.
"""

from __future__ import annotations

from typing import Any
from xml.sax.saxutils import escape

from datasette import hookimpl
from datasette.utils.asgi import NotFound, Response

SITEMAP_URLS = 50_000  # the sitemap protocol's limit per file
XML = "application/xml; charset=utf-8"


async def _article_databases(datasette: Any) -> list[Any]:
    return [db for name, db in datasette.databases.items()
            if not name.startswith("_") and await db.table_exists("articles")]


def _page_size(datasette: Any) -> int:
    config = datasette.plugin_config("zhnews_crawl") or {}
    return int(config.get("sitemap_urls", SITEMAP_URLS))


async def robots_txt(datasette: Any, request: Any) -> Response:
    lines = ["User-agent: *", "Allow: /$", "Allow: /static/", "Allow: /-/static/"]
    for db in await _article_databases(datasette):
        rows = datasette.urls.table(db.name, "articles")
        lines += [f"Allow: {rows}/", f"Disallow: {rows}/*.json", f"Disallow: {rows}/*.csv",
                  f"Disallow: {rows}/*.csvbom", f"Disallow: {rows}/*?"]
    lines += ["Disallow: /", "", f"Sitemap: {datasette.absolute_url(request, '/sitemap.xml')}", ""]
    return Response.text("\n".join(lines))


async def sitemap_index(datasette: Any, request: Any) -> Response:
    size = _page_size(datasette)
    entries = []
    for db in await _article_databases(datasette):
        total, latest = (await db.execute("select count(*), max(published) from articles")).rows[0]
        for page in range(1, max(1, -(-total // size)) + 1):
            url = datasette.absolute_url(request, f"/sitemap-{db.name}-{page}.xml")
            lastmod = f"<lastmod>{escape(latest[:10])}</lastmod>" if latest else ""
            entries.append(f"<sitemap><loc>{escape(url)}</loc>{lastmod}</sitemap>")
    body = ('<?xml version="1.0" encoding="UTF-8"?>\n'
            '<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
            + "".join(entries) + "</sitemapindex>\n")
    return Response(body, content_type=XML)


async def sitemap_page(datasette: Any, request: Any) -> Response:
    name, page = request.url_vars["database"], int(request.url_vars["page"])
    try:
        db = datasette.get_database(name)
    except KeyError:
        raise NotFound("no such sitemap") from None
    size = _page_size(datasette)
    if page < 1 or not await db.table_exists("articles"):
        raise NotFound("no such sitemap")
    rows = (await db.execute("select id, published from articles order by id limit :size offset :offset",
                             {"size": size, "offset": (page - 1) * size})).rows
    if not rows and page > 1:
        raise NotFound("no such sitemap page")
    urls = []
    for article_id, published in rows:
        loc = datasette.absolute_url(request, datasette.urls.row(name, "articles", str(article_id)))
        lastmod = f"<lastmod>{escape(published[:10])}</lastmod>" if published else ""
        urls.append(f"<url><loc>{escape(loc)}</loc>{lastmod}</url>")
    body = ('<?xml version="1.0" encoding="UTF-8"?>\n'
            '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">' + "".join(urls) + "</urlset>\n")
    return Response(body, content_type=XML)


@hookimpl
def register_routes() -> list[tuple[str, Any]]:
    return [
        (r"^/robots\.txt$", robots_txt),
        (r"^/sitemap\.xml$", sitemap_index),
        (r"^/sitemap-(?P<database>[^/]+)-(?P<page>\d{1,7})\.xml$", sitemap_page),
    ]

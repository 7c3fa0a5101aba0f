"""The search page, `/<db>/search`: every match, sorted and counted, coverage over time, exports.

Routes (a plugin route wins over Datasette's own, so this is the page every search box reaches):
    /news/search                  HTML: results, counts by outlet and year, the monthly timeline
    /news/search.json             the same as data (`_shape=array`: the page's results only)
    /news/search/all.csv          every match (also all.csvbom for Excel, all.json), streamed
    /news/search/timeline.csv     the timeline's series
    /news/search/feed.atom        the 50 newest matches as an Atom feed (datasette-atom)
Parameters: zhnews.app.search_request. The work: zhnews.search.engine (index only, see there). The
counting pass runs split over two SQLite connections at once (Datasette's SQL threads): SQLite releases
Python's lock while it works, so a page uses both cores; the ranked page runs beside them.
"""

from __future__ import annotations

import asyncio
import calendar
import sqlite3
import threading
from collections import OrderedDict
from collections.abc import AsyncIterator, Callable
from datetime import date
from typing import Any
from urllib.parse import parse_qs

import datasette_atom
from datasette import hookimpl
from datasette.database import QueryInterrupted
from datasette.utils import sqlite_timelimit
from datasette.utils.asgi import NotFound, Response

from zhnews.app import exports
from zhnews.app.feed import FEED_ENTRY_CHARS, xml_text
from zhnews.app.limits import bounded_snippet
from zhnews.app.search_request import BadRequest, SearchRequest, parse_request
from zhnews.app.streaming import stream
from zhnews.app.timeline import build_timeline, chart
from zhnews.search import engine
from zhnews.search.catalog import Catalog, catalog_for
from zhnews.search.explain import AlsoSearched, also_searched
from zhnews.search.index import FTS_TABLE

PARTS = 2  # the counting pass is split in this many rowid ranges, counted at once
COUNT_CACHE = 256  # counts of recent searches, per process (pages 2, 3... of a search reuse them)
FEED_SIZE = 50
TOO_LONG = "这次检索超时，请缩小日期范围或增加条件。The search took too long: narrow the dates or add a term."
_counts_cache: OrderedDict[tuple[object, ...], engine.Counts] = OrderedDict()
_cache_lock = threading.Lock()


class Failure(Exception):
    """What the page shows instead of results: a bad parameter (400) or a search that took too long."""

    def __init__(self, message: str, status: int) -> None:
        super().__init__(message)
        self.status = status


async def _database(datasette: Any, name: str) -> Any:
    try:
        db = datasette.get_database(name)
    except KeyError:
        raise NotFound(f"database {name} not found") from None
    if not await db.table_exists(FTS_TABLE):
        raise NotFound(f"database {name} has no search index")
    return db


def _time_limit_ms(datasette: Any) -> int:
    return int(datasette.setting("sql_time_limit_ms") or 1000)


async def _run(datasette: Any, db: Any, fn: Callable[[Any], Any]) -> Any:
    """fn(connection) in one of Datasette's SQL threads, within the SQL time limit."""
    limit = _time_limit_ms(datasette)

    def bounded(conn: Any) -> Any:
        with sqlite_timelimit(conn, limit):
            return fn(conn)

    try:
        return await db.execute_fn(bounded)
    except QueryInterrupted:
        raise Failure(TOO_LONG, 503) from None
    except sqlite3.OperationalError as exc:  # execute_fn hands SQLite's "interrupted" on unwrapped
        if "interrupted" in str(exc):
            raise Failure(TOO_LONG, 503) from None
        raise


async def _counts(datasette: Any, db: Any, plan: engine.Plan, catalog: Catalog, *,
                  cache: bool) -> engine.Counts:
    """The plan's counts per (month, outlet), from the cache or from one pass split over PARTS threads."""
    key = (db.path, id(catalog), plan.expression, plan.low, plan.high, plan.slots, plan.excluded)
    if cache:
        with _cache_lock:
            if key in _counts_cache:
                _counts_cache.move_to_end(key)
                return _counts_cache[key]
    parts = engine.partitions(plan, PARTS)
    results = await asyncio.gather(*(
        _run(datasette, db, lambda conn, low=low, high=high: engine.count(conn, plan, low, high))
        for low, high in parts))
    counts = engine.Counts()
    for part in results:
        counts.add(part)
    with _cache_lock:
        _counts_cache[key] = counts
        while len(_counts_cache) > COUNT_CACHE:
            _counts_cache.popitem(last=False)
    return counts


def _page(conn: Any, plan: engine.Plan, request: SearchRequest) -> tuple[str, engine.Page]:
    """The sort used and one page of results. Without a sort asked for: best first when a ranking covers
    every match (at most engine.RANK_WINDOW), else newest first (the page says so; relevance is a click)."""
    sort = request.sort or ("newest" if engine.many_matches(conn, plan) else "relevance")
    if sort == "relevance":
        return sort, engine.ranked_page(conn, plan, after=request.after, size=request.size)
    return sort, engine.time_page(conn, plan, newest=sort == "newest", after=request.after,
                                  size=request.size)


def _articles(conn: Any, rowids: list[int], query: str) -> list[dict[str, Any]]:
    """The listed articles in page order, with highlighted title and snippet (HTML, escaped by snippets)."""
    if not rowids:
        return []
    cursor = conn.execute(
        "select a.id, a.search_rowid, a.title, a.url, a.outlet, o.name as outlet_name, a.section, a.author, "
        "a.published, a.language, a.image_url, a.lead, a.body_text from articles a "
        f"left join outlets o on o.id = a.outlet where a.search_rowid in ({', '.join(map(str, rowids))})")
    names = [d[0] for d in cursor.description]
    found = {row[1]: dict(zip(names, row, strict=True)) for row in cursor}
    articles = []
    for rowid in rowids:
        article = found.get(rowid)
        if article is None:
            continue
        text = (article.pop("lead") or "") + "\n" + (article.pop("body_text") or "")
        article["title_html"] = bounded_snippet(article["title"], query, 200)
        article["snippet"] = bounded_snippet(text, query, 120)
        articles.append(article)
    return articles


def _month_href(request: SearchRequest, path: str) -> Callable[[str], str]:
    def href(month: str) -> str:
        year, number = int(month[:4]), int(month[5:7])
        last = calendar.monthrange(year, number)[1]
        return request.url(path, since=date(year, number, 1).isoformat(),
                           until=date(year, number, last).isoformat())
    return href


async def search_data(datasette: Any, db: Any, request: SearchRequest, *, path: str,
                      cache: bool = True, counted: bool = True) -> dict[str, Any]:
    """Everything the page (and its JSON) shows for a request; `counted=False`: the results only."""
    catalog: Catalog = await _run(datasette, db, lambda conn: catalog_for(conn, db.path))
    data: dict[str, Any] = {"search": request, "catalog": catalog, "path": path}
    if not request.queries:
        return data
    searches = request.searches()
    plans = await _run(datasette, db, lambda conn: [engine.plan(conn, s, catalog) for s in searches])
    page_task = asyncio.ensure_future(_run(datasette, db, lambda conn: _page(conn, plans[0], request)))
    counts = [await _counts(datasette, db, plan, catalog, cache=cache) for plan in plans] if counted else []
    sort, page = await page_task
    articles = await _run(datasette, db, lambda conn: _articles(conn, page.rowids, request.query))
    used = request.sorted_by(sort)
    next_url = used.url(path, after=page.next_cursor) if page.next_cursor else None
    data.update(page=page, articles=articles, next_url=next_url, sort=sort, auto_sort=not request.sort,
                rank_window=engine.RANK_WINDOW)
    if not counted:
        return data
    first = request.since.strftime("%Y-%m") if request.since else ""
    last = request.until.strftime("%Y-%m") if request.until else ""
    timeline = build_timeline(counts, request.queries, catalog, request.outlets, first, last,
                              request.per_thousand)
    data.update(
        counts=counts,
        total=counts[0].total,
        by_outlet=counts[0].by_outlet(catalog),
        by_year=counts[0].by_year(),
        timeline=timeline,
        chart=chart(timeline, _month_href(request, path)),
    )
    return data


def _args(request: Any) -> dict[str, list[str]]:
    return parse_qs(request.query_string, keep_blank_values=True)


def _json_article(article: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in article.items() if k != "search_rowid"}


def _json(data: dict[str, Any], request: SearchRequest, shape: str) -> Response:
    articles = [_json_article(a) for a in data.get("articles", [])]
    if shape == "array":
        return Response.json(articles)
    catalog: Catalog = data["catalog"]
    body: dict[str, Any] = {"queries": list(request.queries), "sort": data.get("sort", request.sort),
                            "results": articles}
    if request.queries:
        body.update(
            totals={q: c.total for q, c in zip(request.queries, data["counts"], strict=True)},
            total=data["total"],
            by_outlet=data["by_outlet"],
            outlet_names={code: o.name for code, o in catalog.outlets.items()},
            by_year=data["by_year"],
            by_month=data["counts"][0].by_month(),
            timeline=data["timeline"].rows(),
            ranked_since=data["page"].ranked_since if data["sort"] == "relevance" else None,
            next=data["next_url"],
        )
    return Response.json(body)


async def search_view(datasette: Any, request: Any) -> Response:
    database = request.url_vars["database"]
    db = await _database(datasette, database)
    fmt = request.url_vars.get("format") or ""
    path = datasette.urls.database(database) + "/search"
    try:
        search = parse_request(_args(request))
        results_only = fmt == ".json" and request.args.get("_shape") == "array"
        data = await search_data(datasette, db, search, path=path, counted=not results_only,
                                 cache=request.args.get("_nocache") != "1")
    except BadRequest as exc:
        return await _failure(datasette, request, fmt, str(exc), 400, path)
    except Failure as exc:
        return await _failure(datasette, request, fmt, str(exc), exc.status, path)
    if fmt == ".json":
        return _json(data, search, request.args.get("_shape", ""))
    html = await datasette.render_template(
        "zh-search.html", {**data, "database": database, "exports": _export_links(search, path),
                           "zh_also_searched": _also_searched(search, path)},
        request=request, view_name="search")
    return Response.html(html)


def _also_searched(request: SearchRequest, path: str) -> list[AlsoSearched]:
    """What vocabulary variants added to each query (特朗普: 川普, Trump), each with the page that searches
    the term exactly (templates/_also-searched.html)."""
    found: list[AlsoSearched] = []
    for i, query in enumerate(request.queries):
        def exact(q: str, i: int = i) -> str:
            return request.url(path, q=(*request.queries[:i], q, *request.queries[i + 1:]))
        found += also_searched(query, exact)
    return found


async def _failure(datasette: Any, request: Any, fmt: str, message: str, status: int, path: str) -> Response:
    """A 400 (bad parameter) or 503 (too slow) as JSON, or as the search page with the message."""
    if fmt == ".json" or request.path.endswith((".csv", ".csvbom", ".json", ".atom")):
        return Response.json({"ok": False, "error": message, "status": status}, status=status)
    context = {"search": SearchRequest(()), "catalog": Catalog({}, {}), "path": path, "error": message,
               "database": request.url_vars["database"], "exports": []}
    html = await datasette.render_template("zh-search.html", context, request=request, view_name="search")
    return Response.html(html, status=status)


def _export_links(request: SearchRequest, path: str) -> list[tuple[str, str]]:
    plain = request.url("", size=None)
    return [(label, f"{path}/{name}{plain}") for label, name in (
        ("CSV", "all.csv"), ("Excel CSV", "all.csvbom"), ("JSON", "all.json"),
        ("时间线 Timeline CSV", "timeline.csv"), ("Atom", "feed.atom"))]


# ------------------------------------------------------------------------------------------------- exports


async def export_view(datasette: Any, request: Any, send: Any, receive: Any) -> Response | None:
    database = request.url_vars["database"]
    db = await _database(datasette, database)
    name = request.url_vars["export"]
    path = datasette.urls.database(database) + "/search"
    try:
        search = parse_request(_args(request))
        if not search.queries:
            raise BadRequest("q is required: what should be exported?")
        if name == "timeline.csv":
            data = await search_data(datasette, db, search, path=path)
            rows = data["timeline"].rows()
            columns = list(rows[0]) if rows else ["month"]
            body = exports.csv_chunk(rows, columns, header=True, excel=False)
            return Response(body, content_type="text/csv; charset=utf-8",
                            headers={"content-disposition": 'attachment; filename="timeline.csv"'})
        if name == "feed.atom":
            return await _feed(datasette, db, request, search)
        catalog = await _run(datasette, db, lambda conn: catalog_for(conn, db.path))
        plan = await _run(datasette, db, lambda conn: engine.plan(conn, search.searches()[0], catalog))
    except BadRequest as exc:
        return await _failure(datasette, request, ".json", str(exc), 400, path)
    except Failure as exc:
        return await _failure(datasette, request, ".json", str(exc), exc.status, path)
    text = request.args.get("text") == "1"
    chunks = _export_chunks(datasette, db, plan, search, name, text)
    content_type = "application/json; charset=utf-8" if name == "all.json" else "text/csv; charset=utf-8"
    filename = "search.json" if name == "all.json" else "search.csv"
    await stream(send, receive, chunks, content_type=content_type,
                 headers={"content-disposition": f'attachment; filename="{filename}"'})
    return None


async def _export_chunks(datasette: Any, db: Any, plan: engine.Plan, search: SearchRequest, name: str,
                         text: bool) -> AsyncIterator[bytes]:
    """The export, a month of matches at a time (a header or `[` first, `]` last)."""
    newest = search.sort != "oldest"
    columns = [*exports.COLUMNS, exports.TEXT_COLUMN] if text else list(exports.COLUMNS)
    as_json = name == "all.json"
    yield (b"[" if as_json else (exports.BOM if name == "all.csvbom" else "").encode()
           + exports.csv_chunk([], columns, header=True, excel=False).encode())
    written = False
    for low, high in exports.month_ranges(plan, newest=newest):
        rows = await _run(datasette, db, lambda conn, low=low, high=high: exports.month_rows(
            conn, plan, low, high, newest=newest, text=text))
        if not rows:
            continue
        if as_json:
            yield (("," if written else "") + exports.json_rows(rows)).encode()
        else:
            yield exports.csv_chunk(rows, columns, header=False, excel=name == "all.csvbom").encode()
        written = True
    if as_json:
        yield b"]"


async def _feed(datasette: Any, db: Any, request: Any, search: SearchRequest) -> Response:
    catalog = await _run(datasette, db, lambda conn: catalog_for(conn, db.path))

    def newest(conn: Any) -> list[dict[str, Any]]:
        plan = engine.plan(conn, search.searches()[0], catalog)
        page = engine.time_page(conn, plan, newest=True, size=FEED_SIZE)
        return _articles(conn, page.rowids, search.query)

    articles = await _run(datasette, db, newest)
    rows = [{  # xml_text: a character XML cannot carry (U+FFFF) would make the whole feed a 500
        "atom_id": xml_text(a["url"]),
        "atom_updated": a["published"] or "1970-01-01T00:00:00Z",
        "atom_title": xml_text(a["title"]),
        "atom_link": xml_text(a["url"]),
        "atom_author_name": xml_text(a["outlet_name"] or a["outlet"]),
        # datasette-atom's allowlist has no <mark>: the hits are bold in feed readers
        "atom_content_html": xml_text(
            f"<p>{a['snippet'].replace('<mark>', '<b>').replace('</mark>', '</b>')}</p>", FEED_ENTRY_CHARS),
    } for a in articles]
    title = f"zhnews · {' / '.join(search.queries)}"
    columns = ["atom_id", "atom_updated", "atom_title", "atom_link", "atom_author_name", "atom_content_html"]
    if not rows:
        rows = [{"atom_id": request.url, "atom_updated": "1970-01-01T00:00:00Z",
                 "atom_title": "没有匹配的文章 · No matching article", "atom_link": request.url,
                 "atom_author_name": "zhnews", "atom_content_html": ""}]
    return datasette_atom.render_atom(datasette, request, title, columns, rows, db.name, None, None,
                                      "search", {})


@hookimpl
def register_routes() -> list[tuple[str, Any]]:
    return [
        (r"^/(?P<database>[^/]+)/search(?P<format>\.json)?$", search_view),
        (r"^/(?P<database>[^/]+)/search/(?P<export>all\.csv|all\.csvbom|all\.json|timeline\.csv|feed\.atom)$",
         export_view),
    ]

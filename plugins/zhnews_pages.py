"""Data for the app's own pages: the home page (templates/index.html) and the reader view of an article
(templates/row-news-articles.html). Queries live here, presentation in the templates.
"""

from __future__ import annotations

import sqlite3
from typing import Any
from urllib.parse import urlsplit

import markupsafe
from datasette import hookimpl
from datasette.database import QueryInterrupted
from datasette.utils import tilde_decode

from zhnews.sanitise import sanitise_html
from zhnews.search_text import fts_query, normalise
from zhnews.text import HAN_RE
from zhnews.urls import absolute_url

RELATED_LIMIT = 5
RELATED_TERMS = 12  # title bigrams/words OR-ed together for "related articles"
TIME_LIMIT_MS = 1000  # these extras must never make the page itself time out


async def articles_database(datasette: Any) -> Any | None:
    """The first attached database that holds an `articles` table (normally `news`)."""
    for name, db in datasette.databases.items():
        if name.startswith("_"):
            continue
        if await db.table_exists("articles"):
            return db
    return None


async def _rows(db: Any, sql: str, params: dict[str, Any] | None = None) -> list[dict[str, Any]]:
    result = await db.execute(sql, params or {}, custom_time_limit=TIME_LIMIT_MS)
    return [dict(row) for row in result.rows]


async def home_vars(datasette: Any) -> dict[str, Any]:
    db = await articles_database(datasette)
    if db is None:
        return {}
    outlets = await _rows(
        db,
        """select o.id, o.name, o.name_en, o.homepage, count(a.id) as n,
                  min(a.published) as first, max(a.published) as last
           from outlets o join articles a on a.outlet = o.id
           group by o.id order by n desc, o.id""",
    )
    months = await _rows(
        db,
        """select published_month as month, count(*) as n from articles
           where published_month is not null and published_month != ''
           group by published_month order by published_month desc""",
    )
    totals = (await _rows(
        db,
        """select count(*) as articles, min(published) as first, max(published) as last,
                  (select count(*) from captures) as captures,
                  (select count(*) from build_errors) as errors
           from articles""",
    ))[0]
    years: dict[str, list[dict[str, Any]]] = {}
    for month in months:
        years.setdefault(month["month"][:4], []).append(month)
    return {"zh_home": {"database": db.name, "outlets": outlets, "years": years, "totals": totals}}


def _pk(request: Any) -> int | None:
    try:
        return int(tilde_decode(request.url_vars["pks"]))
    except (KeyError, ValueError, TypeError):
        return None


def _body(article: dict[str, Any]) -> markupsafe.Markup:
    """The body as safe HTML: sanitised AGAIN here (defence in depth), or paragraphs of the plain text."""
    html = article.get("body_html") or ""
    if html.strip():
        return markupsafe.Markup(sanitise_html(html, article.get("url") or ""))
    paragraphs = [p.strip() for p in (article.get("body_text") or "").split("\n\n") if p.strip()]
    return markupsafe.Markup("").join(markupsafe.Markup("<p>{}</p>").format(p) for p in paragraphs)


def _related_query(title: str) -> str:
    """An FTS5 expression: any of the title's Han bigrams or Latin words, each through the shared rewrite.

    Ranked by bm25, articles sharing the most (and rarest) of these come first.
    """
    text = normalise(title)
    terms: list[str] = []
    run = ""
    for char in [*text, " "]:
        if HAN_RE.match(char):
            run += char
            continue
        terms.extend(run[i:i + 2] for i in range(max(len(run) - 1, 0)))
        run = ""
    terms.extend(word for word in text.split() if word.isascii() and len(word) > 3 and word.isalnum())
    seen: list[str] = []
    for term in terms:
        expression = fts_query(term)
        if expression and expression not in seen:
            seen.append(expression)
    return " OR ".join(f"({e})" for e in seen[:RELATED_TERMS])


async def article_vars(datasette: Any, database: str, request: Any) -> dict[str, Any]:
    article_id = _pk(request)
    if article_id is None:
        return {}
    db = datasette.get_database(database)
    found = await _rows(db, "select * from articles where id = :id", {"id": article_id})
    if not found:
        return {}
    article = found[0]
    outlet = (await _rows(db, "select * from outlets where id = :id", {"id": article["outlet"]}) or [{}])[0]
    captures = await _rows(
        db, "select * from captures where article_id = :id order by published, source", {"id": article_id}
    )
    neighbour = """select id, title, published from articles
                   where outlet = :outlet and id != :id and published is not null
                     and (published {op} :published or (published = :published and id {op} :id))
                   order by published {order}, id {order} limit 1"""
    params = {"outlet": article["outlet"], "id": article_id, "published": article["published"]}
    previous = following = []
    if article["published"]:  # an undated article has no place in the outlet's timeline
        previous = await _rows(db, neighbour.format(op="<", order="desc"), params)
        following = await _rows(db, neighbour.format(op=">", order="asc"), params)
    related: list[dict[str, Any]] = []
    fts_table = datasette.table_metadata(database, "articles").get("fts_table")
    expression = _related_query(article["title"] or "")
    if fts_table and expression:
        try:
            related = await _rows(
                db,
                f"""select a.id, a.title, a.outlet, o.name as outlet_name, a.published from [{fts_table}] f
                    join articles a on a.id = f.rowid left join outlets o on o.id = a.outlet
                    where [{fts_table}] match :expression and a.id != :id
                    order by f.rank limit {RELATED_LIMIT}""",
                {"expression": expression, "id": article_id},
            )
        except (sqlite3.DatabaseError, QueryInterrupted):  # a slow or odd title must not break the page
            related = []
    hero = absolute_url(article.get("image_url") or "", "")
    body = _body(article)
    return {
        "zh_article": {
            "article": article,
            "outlet": outlet,
            "body": body,
            # the hero image once: not again above the body when the body shows it as a figure
            "hero": hero if hero and str(markupsafe.escape(hero)) not in body and hero not in body else "",
            "url": absolute_url(article.get("url") or "", ""),
            "host": urlsplit(article.get("url") or "").hostname or "",
            "captures": captures,
            "previous": previous[0] if previous else None,
            "next": following[0] if following else None,
            "related": related,
            "lang": article["language"] if article.get("language") in {"zh-Hans", "zh-Hant", "en"} else "zh",
        }
    }


@hookimpl
def extra_template_vars(template: str, view_name: str, table: str | None, database: str | None,
                        request: Any, datasette: Any) -> Any:
    async def inner() -> dict[str, Any]:
        if view_name == "index":
            try:
                return await home_vars(datasette)
            except QueryInterrupted:  # a huge archive on a slow machine: Datasette's own home page
                return {}
        if view_name == "row" and table == "articles" and database:
            return await article_vars(datasette, database, request)
        if (template or "").startswith("query") and database:  # the search form's outlet menu
            return {"zh_outlets": await _outlet_names(datasette, database)}
        return {}

    return inner


async def _outlet_names(datasette: Any, database: str) -> list[dict[str, Any]]:
    """Outlet codes and names for the search form's outlet menu."""
    db = datasette.get_database(database)
    if not await db.table_exists("outlets"):
        return []
    return await _rows(db, "select id, name from outlets where articles > 0 order by articles desc")

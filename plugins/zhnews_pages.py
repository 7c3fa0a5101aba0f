"""Data for the app's own pages: the home page (templates/index.html) and the reader view of an article
(templates/row-news-articles.html). Queries live here, presentation in the templates.
"""

from __future__ import annotations

import math
import os
import sqlite3
from collections import Counter
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

import markupsafe
from datasette import hookimpl
from datasette.database import QueryInterrupted
from datasette.utils import tilde_decode

from zhnews.app.limits import cut_html
from zhnews.app.timeline import coverage_strip
from zhnews.extract.sanitise import sanitise_html
from zhnews.extract.urls import absolute_url
from zhnews.search import keys
from zhnews.search.catalog import catalog_for
from zhnews.search.index import FTS_TABLE
from zhnews.search.text import MATCH_NOTHING, fts_query, normalise
from zhnews.text import HAN_RE

RELATED_LIMIT = 5
RELATED_TERMS = 8  # the title's rarest recurring bigrams/words, OR-ed together for "related articles"
# Related articles come from the articles of the same month and the months either side (a rowid range of
# the index: zhnews.search.keys) whose TITLE shares one of its rarest terms: a bounded slice of the index,
# whatever the archive's size. Ranking all matches with FTS5's bm25 cost 170 ms at 60k articles (bm25 scans
# each phrase's whole document list for its IDF), so candidates are ranked here, by shared title terms.
RELATED_MONTHS = 1  # months either side of the article's own
RELATED_CANDIDATES = 200
TERM_SAMPLE = 2000  # latest titles whose term frequencies tell rare title terms from common ones (中国)
_term_frequencies: dict[tuple[object, ...], tuple[Counter[str], int]] = {}
TIME_LIMIT_MS = 1000  # these extras must never make the page itself time out
# The reader view shows at most this much of an article's body (HTML characters) and says when it cut: a
# 19 MB article made a 19 MB page (issue 13). The longest body_html of ../shared/corpus has 25,255.
READER_BODY_CHARS = 100_000
TITLE_TERMS_CHARS = 500  # "related articles" read the title's terms from this much of it


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
        db, "select month, sum(articles) as n from coverage group by month order by month desc")
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
    catalog = await db.execute_fn(lambda conn: catalog_for(conn, db.path))
    return {"zh_home": {"database": db.name, "outlets": outlets, "years": years, "totals": totals,
                        "coverage": coverage_strip(catalog)}}


def _pk(request: Any) -> int | None:
    try:
        return int(tilde_decode(request.url_vars["pks"]))
    except (KeyError, ValueError, TypeError):
        return None


def _body(article: dict[str, Any]) -> tuple[markupsafe.Markup, bool]:
    """The body as safe HTML: sanitised AGAIN here (defence in depth), or paragraphs of the plain text; at
    most READER_BODY_CHARS of it (True when cut)."""
    html = article.get("body_html") or ""
    url = article.get("url") or ""
    if html.strip():
        cut = cut_html(html, READER_BODY_CHARS, url)
        return markupsafe.Markup(sanitise_html(html, url) if cut is None else cut), cut is not None
    text = article.get("body_text") or ""
    shown = text[:READER_BODY_CHARS]
    paragraphs = [p.strip() for p in shown.split("\n\n") if p.strip()]
    body = markupsafe.Markup("").join(markupsafe.Markup("<p>{}</p>").format(p) for p in paragraphs)
    return body, len(shown) < len(text)


def _title_terms(title: str, *, normalised: bool = False) -> list[str]:
    """The title's normalised Han bigrams and Latin words (longer than 3 letters), distinct, in order."""
    text = title if normalised else normalise(title)
    terms: list[str] = []
    run = ""
    for char in [*text, " "]:
        if HAN_RE.match(char):
            run += char
            continue
        terms.extend(run[i:i + 2] for i in range(max(len(run) - 1, 0)))
        run = ""
    terms.extend(word for word in text.split() if word.isascii() and len(word) > 3 and word.isalnum())
    return list(dict.fromkeys(terms))


def _titles_terms(titles: list[str]) -> list[list[str]]:
    """`_title_terms` of many titles with one normalise call (OpenCC's per-call cost dominates short text)."""
    flat = normalise("\n".join(" ".join(t.split()) for t in titles)).split("\n")
    if len(flat) != len(titles):  # cannot happen (titles hold no line breaks now); stay exact if it does
        return [_title_terms(t) for t in titles]
    return [_title_terms(t, normalised=True) for t in flat]


async def _term_frequency(db: Any, key: str) -> tuple[Counter[str], int]:
    """In how many of the latest TERM_SAMPLE titles each title term occurs, and the lowest index key of the
    sample (an article at or above it counted its own terms); once per database file."""
    try:
        stat = os.stat(db.path)
        version: tuple[object, ...] = (db.name, db.path, stat.st_mtime_ns, stat.st_size)
    except (TypeError, OSError):
        version = (db.name, id(db))
    frequency = _term_frequencies.get(version)
    if frequency is None:
        rows = await _rows(db, f"select {key}, title from articles order by {key} desc limit {TERM_SAMPLE}")
        counts = Counter(t for terms in _titles_terms([r["title"] or "" for r in rows]) for t in terms)
        frequency = _term_frequencies[version] = (counts, rows[-1][key] if rows else 0)
    return frequency


def _related_query(terms: list[str]) -> str:
    """An FTS5 expression: any of the terms in the title column, each through the shared rewrite."""
    expressions = list(dict.fromkeys(e for e in map(fts_query, terms) if e and e != MATCH_NOTHING))
    if not expressions:
        return ""
    return "{title} : (" + " OR ".join(f"({e})" for e in expressions) + ")"


def _seconds(published: str | None) -> float:
    """A stored `published` (UTC ISO 8601) as a Unix time; 0 for none."""
    try:
        return datetime.fromisoformat((published or "").replace("Z", "+00:00")).timestamp()
    except ValueError:
        return 0.0


def _rank_related(terms: list[str], candidates: list[dict[str, Any]],
                  published: str | None) -> list[dict[str, Any]]:
    """The candidates sharing the most distinctive title terms first (a term shared by many candidates counts
    little: inverse frequency among the candidates); then the nearest in time."""
    own = _seconds(published)
    wanted = set(terms)
    shared = [wanted.intersection(t) for t in _titles_terms([c["title"] or "" for c in candidates])]
    frequency = Counter(term for found in shared for term in found)
    weight = {t: math.log((len(candidates) + 1) / (n + 0.5)) for t, n in frequency.items()}
    scored = [
        (-sum(weight[t] for t in found), abs(_seconds(c["published"]) - own), i)
        for i, (c, found) in enumerate(zip(candidates, shared, strict=True))
        if found
    ]
    return [candidates[i] for *_, i in sorted(scored)[:RELATED_LIMIT]]


async def related_articles(db: Any, article: dict[str, Any]) -> list[dict[str, Any]]:
    """A few articles related to this one (see RELATED_MONTHS); bounded work on any archive size."""
    if not await db.table_exists(FTS_TABLE):
        return []
    key = "search_rowid"
    all_terms = _title_terms((article["title"] or "")[:TITLE_TERMS_CHARS])
    frequency, sample_start = await _term_frequency(db, key)
    # Rarest first among the terms seen in OTHER sampled titles (real words); a term in no other sampled title
    # is as often a bigram across two words (国南 of 中国南方, finds nothing) as a rare name: those come last.
    # Looked at on ../shared/corpus: 三峡大坝, 赵立坚, 马云, 哈佛 articles find their stories.
    in_sample = 1 if article[key] >= sample_start else 0
    seen = [frequency[term] - in_sample for term in all_terms]
    chosen = sorted(range(len(all_terms)), key=lambda i: (seen[i] < 1, seen[i], i))[:RELATED_TERMS]
    terms = [all_terms[i] for i in sorted(chosen)]
    expression = _related_query(terms)
    if not expression:
        return []
    month = keys.decode(article[key]).month
    low, high = keys.month_range(max(month - RELATED_MONTHS, 0), min(month + RELATED_MONTHS, keys.MAX_MONTH))
    candidates = await _rows(
        db,
        f"""select f.rowid as fts_rowid, a.id, a.title, a.outlet, o.name as outlet_name, a.published
            from [{FTS_TABLE}] f join articles a on a.{key} = f.rowid left join outlets o on o.id = a.outlet
            where [{FTS_TABLE}] match :expression and f.rowid between :low and :high and a.id != :id
            limit {RELATED_CANDIDATES}""",
        {
            "expression": expression,
            "id": article["id"],
            "low": low,
            "high": high,
        },
    )
    return _rank_related(terms, candidates, article["published"])


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
    try:
        related = await related_articles(db, article)
    except (sqlite3.DatabaseError, QueryInterrupted):  # a slow or odd title must not break the page
        related = []
    hero = absolute_url(article.get("image_url") or "", "")
    body, truncated = _body(article)
    return {
        "zh_article": {
            "article": article,
            "outlet": outlet,
            "body": body,
            "truncated": truncated,
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
        return {}

    return inner

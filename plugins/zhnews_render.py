"""How article cells look in Datasette tables and query results: readable, short, and safe.

`render_cell` output bypasses Datasette's `truncate_cells_html`, so every long text is cut HERE; whole bodies
on a table page would make it megabytes long. Everything is escaped by markupsafe, except HTML that went
through nh3 (the snippet's <mark> tags, the body through zhnews.extract.sanitise at render time).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from urllib.parse import unquote, urlsplit

import markupsafe
import nh3
from datasette import hookimpl

from zhnews.app.limits import bounded_snippet
from zhnews.extract.urls import absolute_url

EXCERPT_CHARS = 90  # about two lines of Chinese in a table cell
TITLE_CHARS = 120
ARTICLE_COLUMNS = frozenset({"id", "title", "outlet", "published"})
EXCERPT_HTML_CHARS = 20_000  # of body_html, to find the text of an excerpt


def excerpt(text: str | None, limit: int = EXCERPT_CHARS) -> str:
    """The first `limit` characters of `text` on one line, with an ellipsis when cut.

    Only the head of the text is read: splitting a 19 MB body to show 90 characters of it cost every table
    page that listed it (issue 13)."""
    text = text or ""
    window = text[: limit * 8 + 64]
    flat = " ".join(window.split())
    if len(flat) <= limit and len(window) == len(text):
        return flat
    return flat[:limit].rstrip() + "…"


def marks_only(html: str | None) -> markupsafe.Markup:
    """HTML reduced to text and <mark> tags: safe to show even if a custom SQL query forged the column."""
    return markupsafe.Markup(nh3.clean(html or "", tags={"mark"}, attributes={}, strip_comments=True))


def parse_time(value: str | None) -> datetime | None:
    """An ISO 8601 timestamp as stored in the database (`…Z` or with an offset), else None."""
    if not value or not isinstance(value, str):
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None


def readable_time(value: str | None, *, utc_label: bool = True) -> str:
    """`2024-01-11T12:42:00Z` -> `2024-01-11 12:42 UTC`; the local form keeps its own offset (UTC+01:00)."""
    moment = parse_time(value)
    if moment is None:
        return value or ""
    text = moment.strftime("%Y-%m-%d %H:%M")
    offset = moment.utcoffset()
    if offset is None or not utc_label:
        return text
    if not offset:
        return text + " UTC"
    return text + " UTC" + moment.strftime("%z")[:3] + ":" + moment.strftime("%z")[3:]


def chinese_date(value: str | None) -> str:
    """`2024-01-11T13:42:00+01:00` -> `2024年1月11日 13:42` (the reader view's dateline).

    Midnight exactly means a date line without a time (BBC: `2024年 6月 3日`): no invented 00:00.
    """
    moment = parse_time(value)
    if moment is None:
        return value or ""
    day = f"{moment.year}年{moment.month}月{moment.day}日"
    return day if (moment.hour, moment.minute, moment.second) == (0, 0, 0) else f"{day} {moment:%H:%M}"


def time_tag(value: str) -> markupsafe.Markup:
    return markupsafe.Markup('<time datetime="{}" title="{}">{}</time>').format(
        value, value, readable_time(value)
    )


def thumbnail(url: str, *, css_class: str = "zh-thumb") -> markupsafe.Markup:
    """A lazy, referrer-less image: outlets' CDNs often refuse hot-linking with a foreign Referer."""
    src = absolute_url(url, "")
    if not src:
        return markupsafe.Markup("")
    return markupsafe.Markup(
        '<img class="{}" src="{}" alt="" loading="lazy" referrerpolicy="no-referrer" decoding="async">'
    ).format(css_class, src)


def readable_link(url: str) -> markupsafe.Markup:
    """A link that shows its address decoded and short (percent-encoded Chinese paths are unreadable)."""
    href = absolute_url(url, "")
    if not href:
        return markupsafe.Markup("{}").format(url)
    parts = urlsplit(href)
    shown = excerpt(parts.hostname + unquote(parts.path), 48)
    return markupsafe.Markup('<a href="{}" rel="noopener noreferrer nofollow">{}</a>').format(href, shown)


def article_link(datasette: Any, database: str, article_id: Any, label: Any) -> markupsafe.Markup:
    href = datasette.urls.row(database, "articles", str(article_id))
    return markupsafe.Markup('<a class="zh-title" href="{}">{}</a>').format(href, label)


def _keys(row: Any) -> set[str]:
    try:
        return set(row.keys())
    except AttributeError:
        return set()


def _render_article_column(column: str, value: Any, row: Any, database: str, datasette: Any) -> Any:
    """Cells of the `articles` table (table page and row page)."""
    if value in (None, ""):
        return None
    keys = _keys(row)
    if column == "title" and "id" in keys:
        return article_link(datasette, database, row["id"], excerpt(str(value), TITLE_CHARS))
    if column in {"body_text", "lead", "title_raw", "dateline"}:
        return markupsafe.Markup('<span class="zh-excerpt">{}</span>').format(excerpt(str(value)))
    if column == "body_html":
        # text only, then cut: never half a tag; the head of the HTML is enough for an excerpt
        text = nh3.clean(str(value)[:EXCERPT_HTML_CHARS], tags=set(), attributes={})
        return markupsafe.Markup('<span class="zh-excerpt">{}</span>').format(
            excerpt(markupsafe.Markup(text).unescape())
        )
    if column == "images":
        return markupsafe.Markup('<span class="zh-excerpt">{}</span>').format(excerpt(str(value), 60))
    if column == "image_url":
        return thumbnail(str(value))
    if column == "url":
        return readable_link(str(value))
    if column in {"published", "fed_at", "published_local"}:
        return time_tag(str(value))
    return None


@hookimpl
def render_cell(row: Any, value: Any, column: str, table: str | None, database: str, datasette: Any) -> Any:
    if table == "articles":
        return _render_article_column(column, value, row, database, datasette)
    if table is None:  # query results: the `search` canned query, or any SQL over articles
        keys = _keys(row)
        if column in {"snippet", "title_html"}:
            return marks_only(value) if isinstance(value, str) else None
        if column in {"body_html", "atom_content_html"} and isinstance(value, str):  # text, not markup
            return _render_article_column("body_html", value, row, database, datasette)
        if keys >= ARTICLE_COLUMNS and column in {"title", "image_url", "published"}:
            return _render_article_column(column, value, row, database, datasette)
    return None


@hookimpl
def prepare_jinja2_environment(env: Any) -> None:
    env.filters["zh_marks"] = marks_only
    env.filters["zh_time"] = readable_time
    env.filters["zh_date"] = chinese_date
    env.filters["zh_excerpt"] = excerpt
    env.filters["zh_thumb"] = thumbnail
    env.filters["zh_snippet"] = lambda text, query: marks_only(bounded_snippet(text, query))


@hookimpl
def extra_css_urls(datasette: Any) -> list[str]:
    """The app's stylesheet, mounted by `--static static:static` (Makefile) / `static_mounts` (tests)."""
    return [datasette.urls.path("/static/zhnews.css")]

"""What one source file becomes: read, hashed and parsed into an `articles` row, or an error.

Pure and self-contained because it runs inside the worker processes: no database, no shared state, and
it never raises, so one bad file can only ever cost its own row.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any

from zhnews.article import Article, ParseError
from zhnews.build import schema
from zhnews.extract.parser import MAX_FILE_BYTES, parse
from zhnews.search import index as search_index
from zhnews.search import tags
from zhnews.sources import Origin, SourceFile, UnreadableFile
from zhnews.text import xml_safe

MAX_ID = 2**53 - 1


def article_id(url: str) -> int:
    """Stable id of a canonical URL: the first 8 bytes of its sha256, masked below 2^53 (exact in JSON)."""
    return int.from_bytes(hashlib.sha256(url.encode("utf-8")).digest()[:8], "big") & MAX_ID


# What one article may store. Far above any real article (the largest of the 2,618 real files is 89 KB,
# about 30,000 characters of text), low enough that one article cannot stall a page, a search or the feed
# (a 19 MB article made feed.atom 70 MB). Larger is an error with the sizes, never a silent truncation:
# the file stays listed in build_errors and nothing of it is half-stored.
MAX_TEXT_CHARS = 500_000  # lead + body_text
MAX_CHARS = {"body_html": 2_000_000, "images": 500_000, "url": 8_000, "image_url": 8_000,
             "title": 2_000, "title_raw": 2_000, "author": 2_000, "section": 2_000, "dateline": 2_000}


def too_big(row: dict[str, Any]) -> str | None:
    """Why an `articles` row is more than one article may store, or None."""
    text = len(row["lead"]) + len(row["body_text"])
    if text > MAX_TEXT_CHARS:
        return (f"article too large: its text has {text:,} characters (the limit is {MAX_TEXT_CHARS:,}; "
                "the longest real articles have tens of thousands)")
    for column, limit in MAX_CHARS.items():
        if row[column] and len(row[column]) > limit:
            size = len(row[column])
            return f"article too large: its {column} has {size:,} characters (the limit is {limit:,})"
    return None


def article_row(article: Article) -> dict[str, Any]:
    """The `articles` row of a parsed article (its `captures` count is filled in by the build). Every text
    is XML-safe: any of it may end up in the Atom feed."""
    row: dict[str, Any] = {
        "url": article.url,
        "title": article.title,
        "title_raw": article.title_raw,
        "outlet": article.outlet,
        "section": article.section,
        "author": article.author,
        "published": article.published,
        "published_from": article.published_from,
        "fed_at": article.fed_at,
        "published_month": article.published[:7] if article.published else None,
        "dateline": article.dateline,
        "published_local": article.published_local,
        "lead": article.lead,
        "body_text": article.body_text,
        "body_html": article.body_html,
        "image_url": article.image_url,
        "images": json.dumps(article.images, ensure_ascii=False),
        "language": article.language,
        "char_count": article.char_count,
        "captures": 0,
    }
    for column, value in row.items():
        if isinstance(value, str):
            row[column] = xml_safe(value)
    for column in schema.NULLABLE_TEXT:
        row[column] = row[column] or None
    return {"id": article_id(row["url"]), **row}


@dataclass(slots=True)
class Outcome:
    """What a worker made of one file: kind is "same" (content hash unchanged), "ok" or "error"."""

    source: str
    size: int
    mtime_ns: int
    kind: str
    origin: Origin
    content_hash: str = ""
    known: bool = False  # the file had a row (capture or error) before this run
    row: dict[str, Any] | None = None
    segmented: tuple[str, str, str, str] | None = None  # title, lead, body, tags as indexed (CPU work)
    error: str = ""


def too_large(size: int, more: bool = False) -> str:
    return (f"file too large: {'more than ' if more else ''}{size:,} bytes (the limit is {MAX_FILE_BYTES:,}: "
            "no archived article comes near it)")


def parse_file(sf: SourceFile, old_hash: str | None) -> Outcome:
    """Read, hash and (unless the hash is unchanged) parse one file. Never raises: per-file problems are data.

    `old_hash` is the content hash recorded for this file, None for a file new to the database.
    """
    out = Outcome(sf.source, sf.size, sf.mtime_ns, "error", sf.origin, known=old_hash is not None)
    if sf.size > MAX_FILE_BYTES:  # known from the listing: not even opened
        out.error = too_large(sf.size)
        return out
    try:
        data = sf.read(MAX_FILE_BYTES)
    except UnreadableFile as exc:  # a known condition, with its reason written for the error row
        out.error = str(exc)
        return out
    except OSError as exc:
        out.size = -1  # the next run retries the file even if its size and mtime stay the same
        out.error = f"unreadable: {exc.strerror or exc}"
        return out
    if len(data) > MAX_FILE_BYTES:  # grew since it was listed
        out.error = too_large(len(data), more=True)
        return out
    out.content_hash = hashlib.sha256(data).hexdigest()
    if out.content_hash == old_hash:
        out.kind = "same"
        return out
    try:
        article = parse(data, sf.source)
        if not article.url:
            raise ParseError("no article URL")
        row = article_row(article)
        if (oversized := too_big(row)) is not None:
            raise ParseError(oversized)
        out.row = row
        out.segmented = search_index.segment_article(row["title"], row["lead"], row["body_text"],
                                                     tags.tags_of(row))
        out.kind = "ok"
    except ParseError as exc:
        out.error = str(exc) or "unparseable"
    except Exception as exc:  # a parser bug must not stop the build: record it, keep going
        out.error = f"internal error: {type(exc).__name__}: {exc}"
    return out

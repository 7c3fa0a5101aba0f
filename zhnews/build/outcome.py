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
from zhnews.extract.parser import parse
from zhnews.search import index as search_index
from zhnews.search import tags
from zhnews.sources import SourceFile

MAX_ID = 2**53 - 1


def article_id(url: str) -> int:
    """Stable id of a canonical URL: the first 8 bytes of its sha256, masked below 2^53 (exact in JSON)."""
    return int.from_bytes(hashlib.sha256(url.encode("utf-8")).digest()[:8], "big") & MAX_ID


def article_row(article: Article) -> dict[str, Any]:
    """The `articles` row of a parsed article (its `captures` count is filled in by the build)."""
    row: dict[str, Any] = {
        "id": article_id(article.url),
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
    for column in schema.NULLABLE_TEXT:
        row[column] = row[column] or None
    return row


@dataclass(slots=True)
class Outcome:
    """What a worker made of one file: kind is "same" (content hash unchanged), "ok" or "error"."""

    source: str
    size: int
    mtime_ns: int
    kind: str
    content_hash: str = ""
    known: bool = False  # the file had a row (capture or error) before this run
    row: dict[str, Any] | None = None
    segmented: tuple[str, str, str, str] | None = None  # title, lead, body, tags as indexed (CPU work)
    error: str = ""


def parse_file(sf: SourceFile, old_hash: str | None) -> Outcome:
    """Read, hash and (unless the hash is unchanged) parse one file. Never raises: per-file problems are data.

    `old_hash` is the content hash recorded for this file, None for a file new to the database.
    """
    out = Outcome(sf.source, sf.size, sf.mtime_ns, "error", known=old_hash is not None)
    try:
        data = sf.read()
    except OSError as exc:
        out.size = -1  # the next run retries the file even if its size and mtime stay the same
        out.error = f"unreadable: {exc.strerror or exc}"
        return out
    out.content_hash = hashlib.sha256(data).hexdigest()
    if out.content_hash == old_hash:
        out.kind = "same"
        return out
    try:
        article = parse(data, sf.source)
        if not article.url:
            raise ParseError("no article URL")
        out.row = article_row(article)
        out.segmented = search_index.segment_article(article.title, article.lead, out.row["body_text"],
                                                     tags.tags_of(out.row))
        out.kind = "ok"
    except ParseError as exc:
        out.error = str(exc) or "unparseable"
    except Exception as exc:  # a parser bug must not stop the build: record it, keep going
        out.error = f"internal error: {type(exc).__name__}: {exc}"
    return out

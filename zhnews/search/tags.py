"""Filter tags: an article's section, authors and language as tokens in its search index row.

Why in the full-text index: the search page filters matches by these, and reading each match's article
row to test them costs ~1-3 us a match (a common term matches most of the archive). As tokens, "matches
of q in section S" is one FTS5 AND (`q AND tag`), evaluated inside FTS5. (Outlet and month need no tag:
they are in the row key itself, zhnews.search.keys.)

A tag token is `|<kind>|<12 hex digits of sha1(kind, value)>`: `|` is a token character of the index's
tokenizer (zhnews.search.text.FTS5_TOKENIZE) and `segment()` only ever emits it alone, so no article text
and no user query can produce a tag. Hashing keeps any value (spaces, punctuation, long names) one token.
The tags live in their own column (`tags`), weighted 0 in bm25.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from functools import lru_cache
from typing import Any

SECTION, AUTHOR, LANGUAGE = "s", "a", "l"
AUTHOR_SEPARATOR = ", "  # zhnews.extract.bylines.clean_author joins several names with it


@lru_cache(maxsize=65536)
def tag(kind: str, value: str) -> str:
    """The token for one filter value, e.g. tag(LANGUAGE, "zh-Hant")."""
    digest = hashlib.sha1(f"{kind}\x00{value}".encode()).hexdigest()[:12]
    return f"|{kind}|{digest}"


def authors(author: str | None) -> list[str]:
    """The names in an `author` column value (several are joined by AUTHOR_SEPARATOR)."""
    return [name.strip() for name in (author or "").split(AUTHOR_SEPARATOR) if name.strip()]


def article_tags(section: str | None, author: str | None, language: str | None) -> str:
    """The `tags` column of one article's index row: its filter tokens separated by spaces."""
    tokens: list[str] = []
    for kind, values in ((SECTION, [section]), (LANGUAGE, [language]), (AUTHOR, authors(author))):
        tokens.extend(tag(kind, value) for value in values if value)
    return " ".join(tokens)


def any_of(kind: str, values: Iterable[str]) -> str:
    """An FTS5 expression matching articles tagged with any of the values ("" for none)."""
    tokens = [f'"{tag(kind, value)}"' for value in dict.fromkeys(values) if value]
    if not tokens:
        return ""
    return tokens[0] if len(tokens) == 1 else "(" + " OR ".join(tokens) + ")"


TAGGED_COLUMNS = ("section", "author", "language")


def tags_of(row: Mapping[str, Any]) -> str:
    """`article_tags` of an `articles` row (a dict or sqlite3.Row holding TAGGED_COLUMNS)."""
    return article_tags(*(row[column] for column in TAGGED_COLUMNS))

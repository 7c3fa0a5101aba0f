"""The search page's URL parameters, read and checked in one place: anything malformed is a `BadRequest`
(a 400 with a message saying which parameter and why), never a server error.

    q        the query, as typed; repeat it (2-4 times) to compare queries on one timeline
    sort     relevance | newest | oldest; absent: relevance when at most engine.RANK_WINDOW articles match,
             else newest (a term in most of the archive is ranked within its newest months only)
    outlet   outlet code(s), repeatable          section, author, language: repeatable too
    since    YYYY-MM-DD (UTC day, inclusive)     until: YYYY-MM-DD (inclusive)
    in       title: search titles only
    after    the cursor of the next page (from the previous page's `next` link)
    size     results per page (1-100, default 20)
    norm     1: the timeline per 1,000 archived articles of the month
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date
from urllib.parse import urlencode

from zhnews.search.engine import PAGE_SIZE, Search

SORTS = ("relevance", "newest", "oldest")
AUTO = ""  # no sort asked for: the engine picks (plugins/zhnews_searchpage.py)
MAX_QUERIES = 4
MAX_QUERY_CHARS = 2000
MAX_VALUE_CHARS = 500  # of a filter value
MAX_VALUES = 50  # of one filter parameter
MAX_SIZE = 100
_CURSOR = {"relevance": re.compile(r"-?\d+(?:\.\d+)?(?:e[-+]?\d+)?:\d+"), "newest": re.compile(r"\d+"),
           "oldest": re.compile(r"\d+")}


class BadRequest(ValueError):
    """A parameter the page cannot use; the message is shown to the reader."""


@dataclass(frozen=True)
class SearchRequest:
    queries: tuple[str, ...]
    sort: str = AUTO
    outlets: tuple[str, ...] = ()
    sections: tuple[str, ...] = ()
    authors: tuple[str, ...] = ()
    languages: tuple[str, ...] = ()
    since: date | None = None
    until: date | None = None
    titles_only: bool = False
    after: str | None = None
    size: int = PAGE_SIZE
    per_thousand: bool = False

    def sorted_by(self, sort: str) -> SearchRequest:
        """The same request with the sort the page used (its next-page links carry it)."""
        return replace(self, sort=sort)

    @property
    def query(self) -> str:
        """The first query: the one whose results are listed."""
        return self.queries[0] if self.queries else ""

    @property
    def compare(self) -> bool:
        return len(self.queries) > 1

    def searches(self) -> list[Search]:
        """One engine Search per query, with the shared filters."""
        return [
            Search(q, self.outlets, self.sections, self.authors, self.languages, self.since, self.until,
                   titles_only=self.titles_only)
            for q in self.queries
        ]

    def params(self, **changes: object) -> list[tuple[str, str]]:
        """This request as URL parameters, with some changed (None removes one; a tuple repeats it)."""
        values: dict[str, object] = {
            "q": self.queries, "sort": self.sort or None,
            "outlet": self.outlets, "section": self.sections, "author": self.authors,
            "language": self.languages, "since": self.since.isoformat() if self.since else None,
            "until": self.until.isoformat() if self.until else None,
            "in": "title" if self.titles_only else None, "after": self.after,
            "size": self.size if self.size != PAGE_SIZE else None, "norm": "1" if self.per_thousand else None,
        }
        values.update(changes)
        pairs: list[tuple[str, str]] = []
        for key, value in values.items():
            if value is None or value == ():
                continue
            for item in value if isinstance(value, tuple | list) else (value,):
                pairs.append((key, str(item)))
        return pairs

    def url(self, path: str, **changes: object) -> str:
        """The page of this request with some parameters changed (always back to its first page)."""
        query = urlencode(self.params(**{"after": None, **changes}))
        return f"{path}?{query}" if query else path

    def led_by(self, path: str, query: str) -> str:
        """The same comparison with `query` first (its results are the ones listed)."""
        return self.url(path, q=(query, *(q for q in self.queries if q != query)))

    def toggle_outlet(self, path: str, code: str) -> str:
        """Narrowed to this outlet too, or widened back when it is already chosen."""
        chosen = tuple(o for o in self.outlets if o != code)
        return self.url(path, outlet=chosen if code in self.outlets else (*self.outlets, code))

    def unfiltered(self, path: str) -> str:
        """The same queries without any filter."""
        return self.url(path, outlet=(), section=(), author=(), language=(), since=None, until=None,
                        **{"in": None})

    @property
    def filtered(self) -> bool:
        return bool(self.outlets or self.sections or self.authors or self.languages or self.since
                    or self.until or self.titles_only)


def _values(args: Mapping[str, Sequence[str]], name: str) -> list[str]:
    values = [v.strip() for v in args.get(name, []) if v.strip()]
    if len(values) > MAX_VALUES:
        raise BadRequest(f"too many {name} values (at most {MAX_VALUES})")
    for value in values:
        if name == "q":  # what a reader typed: control characters are spaces to the query rewrite
            if len(value) > MAX_QUERY_CHARS:
                raise BadRequest(f"q is longer than {MAX_QUERY_CHARS} characters")
        elif "\x00" in value:
            raise BadRequest(f"{name} contains a NUL character")
        elif len(value) > MAX_VALUE_CHARS:
            raise BadRequest(f"{name} is longer than {MAX_VALUE_CHARS} characters")
    return values


def _one(args: Mapping[str, Sequence[str]], name: str) -> str:
    values = _values(args, name)
    if len(values) > 1:
        raise BadRequest(f"{name} is given {len(values)} times; once please")
    return values[0] if values else ""


def _day(args: Mapping[str, Sequence[str]], name: str) -> date | None:
    text = _one(args, name)
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise BadRequest(f"{name} must be a date like 2024-01-31, not {text[:40]!r}") from None


def parse_request(args: Mapping[str, Sequence[str]]) -> SearchRequest:
    """A SearchRequest from the query string's values (name -> list of values, as parse_qs gives)."""
    queries = _values(args, "q")
    if len(queries) > MAX_QUERIES:
        raise BadRequest(f"compare at most {MAX_QUERIES} queries at once")
    sort = _one(args, "sort")
    if sort and sort not in SORTS:
        raise BadRequest(f"sort must be one of {', '.join(SORTS)}, not {sort[:40]!r}")
    since, until = _day(args, "since"), _day(args, "until")
    where = _one(args, "in")
    if where not in ("", "title"):
        raise BadRequest(f"in must be 'title' (titles only) or absent, not {where[:40]!r}")
    after = _one(args, "after") or None
    if after is not None and not sort:
        raise BadRequest("after needs the sort of the page it continues (sort=relevance, newest or oldest)")
    if after is not None and not _CURSOR[sort].fullmatch(after):
        raise BadRequest(f"after is not a cursor of a {sort}-sorted page: {after[:40]!r}")
    size_text = _one(args, "size")
    try:
        size = int(size_text) if size_text else PAGE_SIZE
    except ValueError:
        raise BadRequest(f"size must be a number, not {size_text[:40]!r}") from None
    if not 1 <= size <= MAX_SIZE:
        raise BadRequest(f"size must be between 1 and {MAX_SIZE}")
    norm = _one(args, "norm")
    if norm not in ("", "0", "1"):
        raise BadRequest(f"norm must be 1 or 0, not {norm[:40]!r}")
    return SearchRequest(
        queries=tuple(queries), sort=sort, outlets=tuple(_values(args, "outlet")),
        sections=tuple(_values(args, "section")), authors=tuple(_values(args, "author")),
        languages=tuple(_values(args, "language")), since=since, until=until, titles_only=where == "title",
        after=after, size=size, per_thousand=norm == "1",
    )


# The articles table's own search box submits `?_search=` to the table page, whose stock search reads every
# match's row (3.6 s for a common term at 500k articles, benchmarks/RESULTS.md). Its HTML page is sent to the
# search page instead, with the table filters the search page understands; a table URL with any other
# filter stays where it is (its results would differ), and .json/.csv exports of the table are untouched.
_TABLE_FILTERS = {"outlet": "outlet", "section": "section", "author": "author", "language": "language"}
_TABLE_DISPLAY = {"_facet", "_facet_size", "_size", "_next", "_searchmode", "_grid", "_col", "_nocol",
                  "_sort", "_sort_desc", "_labels", "_nofacet", "_nocount"}


def search_page_params(pairs: Sequence[tuple[str, str]]) -> list[tuple[str, str]] | None:
    """The search page's parameters for an articles table URL with a search, or None to stay on the table."""
    query = title = ""
    params: list[tuple[str, str]] = []
    for key, value in pairs:
        name, _, operator = key.partition("__")
        if key == "_search":
            query = value.strip()
        elif key == "_search_title":
            title = value.strip()
        elif name in _TABLE_FILTERS and operator in ("", "exact"):
            params.append((_TABLE_FILTERS[name], value))
        elif name in _TABLE_FILTERS and operator == "in":
            params += [(_TABLE_FILTERS[name], v) for v in value.split(",") if v]
        elif key == "published_month" and re.fullmatch(r"\d{4}-\d{2}", value):
            year, month = int(value[:4]), int(value[5:])
            if not 1 <= month <= 12:
                return None
            params += [("since", f"{value}-01"), ("until", f"{value}-{_month_days(year, month):02d}")]
        elif key == "_sort" and value == "published":
            params.append(("sort", "oldest"))
        elif key == "_sort_desc" and value == "published":
            params.append(("sort", "newest"))
        elif key.startswith("_search_") or key not in _TABLE_DISPLAY:
            return None
    if not (query or title) or (query and title):
        return None
    return [("q", query or title), *(() if query else (("in", "title"),)), *params]


def _month_days(year: int, month: int) -> int:
    following = date(year + month // 12, month % 12 + 1, 1)
    return (following - date(year, month, 1)).days

"""The search page's questions, answered from the full-text index: which articles match, how many, where
and when, and one page of them in the order asked for.

Everything leans on the index's keys (zhnews.search.keys): a match's rowid says its month and outlet, so
- counts per (month, outlet) are ONE pass over the matches: `group by rowid >> SLOT_SHIFT` (the groups
  arrive in order; no article row is read), `Counts` derives the total, the outlet facet and the timeline;
- months and date ranges are rowid ranges, outlets a test on the rowid's bits;
- section, author and language filters are tag tokens ANDed into the MATCH (zhnews.search.tags).
Only two things read article rows, through the covering index articles_search_filter (search_rowid,
outlet, published): the few matches in the first and last month of a date range that falls inside a
month, and the matches of the months a time-sorted page shows (a month's rowids are in outlet order).

Ranked order uses FTS5's bm25 (title hits 10x, lead 5x). bm25 costs ~2 us a match plus one scan of each
phrase's matches, so when more than RANK_WINDOW articles match, the matches of the newest months holding
at least RANK_WINDOW of them are ranked (the page says since when); newest/oldest pages reach every match.
"""

from __future__ import annotations

import json
import sqlite3
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from datetime import date, timedelta

from zhnews.search import keys, tags
from zhnews.search.catalog import Catalog
from zhnews.search.index import FTS_TABLE, RANK
from zhnews.search.text import MATCH_NOTHING, fts_query

RANK_WINDOW = 20_000
PAGE_SIZE = 20
MAX_PAGE_SIZE = 1000
SCORE = RANK.replace("bm25(", f"bm25({FTS_TABLE}, ", 1)  # the index's own rank function, as an expression
_BLOCK = f"rowid >> {keys.SLOT_SHIFT}"
_SLOT = f"((rowid >> {keys.SLOT_SHIFT}) & {keys.MAX_SLOT})"


@dataclass(frozen=True)
class Search:
    """What a reader asked: a query (as typed) and filters. Dates are UTC days, `until` inclusive."""

    query: str
    outlets: tuple[str, ...] = ()
    sections: tuple[str, ...] = ()
    authors: tuple[str, ...] = ()
    languages: tuple[str, ...] = ()
    since: date | None = None
    until: date | None = None
    titles_only: bool = False

    def with_query(self, query: str) -> Search:
        return replace(self, query=query)

    def expression(self) -> str:
        """The FTS5 MATCH expression: the query (zhnews.search.text) AND the filter tags."""
        text = fts_query(self.query)
        if text == MATCH_NOTHING:
            return MATCH_NOTHING
        parts = [f"{{title}} : ({text})" if self.titles_only else f"({text})"]
        for kind, values in ((tags.SECTION, self.sections), (tags.AUTHOR, self.authors),
                             (tags.LANGUAGE, self.languages)):
            if expression := tags.any_of(kind, values):
                parts.append(expression)
        return " AND ".join(parts)


@dataclass(frozen=True)
class Plan:
    """A Search made concrete for one database: the MATCH, the rowid range, the outlet slots and the
    matches inside the range that fall outside the dates (edge months cut by `since`/`until`)."""

    expression: str
    low: int
    high: int
    slots: tuple[int, ...] | None = None  # None: every outlet
    excluded: tuple[int, ...] = ()
    nothing: bool = False  # no article can match (empty query, unknown outlet, empty date range)
    # (month number, archived articles of the plan's outlets) of every month in range holding any, oldest
    # first: where matches can be at all, and how much reading a month costs at most
    months: tuple[tuple[int, int], ...] = ()
    undated: int = 0  # archived articles without a date in range (only without a date filter)

    def where(self, low: int | None = None, high: int | None = None) -> tuple[str, list[object]]:
        """The WHERE clause (over articles_fts) and its parameters, optionally narrowed to [low, high]."""
        sql = f"{FTS_TABLE} match ? and rowid between ? and ?"
        params: list[object] = [self.expression, max(self.low, low if low is not None else self.low),
                                min(self.high, high if high is not None else self.high)]
        if self.slots is not None:
            sql += f" and {_SLOT} in ({', '.join(map(str, self.slots))})"
        if self.excluded:
            sql += " and rowid not in (select value from json_each(?))"
            params.append(json.dumps(self.excluded))
        return sql, params


def _published_bounds(search: Search) -> tuple[str, str]:
    since = search.since.isoformat() if search.since else ""
    until = (search.until + timedelta(days=1)).isoformat() if search.until else "9999"
    return since, until


def plan(conn: sqlite3.Connection, search: Search, catalog: Catalog) -> Plan:
    """Turn a Search into a Plan (reads the matches of the edge months of a date range, if any)."""
    expression = search.expression()
    slots: tuple[int, ...] | None = None
    if search.outlets:
        slots = tuple(sorted({s for code in search.outlets if (s := catalog.slot_of(code)) is not None}))
    first_month, last_month = catalog.month_numbers()  # the archive's dated months
    if search.since:
        first_month = max(first_month, keys.month_number(search.since.strftime("%Y-%m")) or 1)
    if search.until:
        last_month = min(last_month, keys.month_number(search.until.strftime("%Y-%m")))
    dated = first_month >= 1 and first_month <= last_month
    # without a date range the undated (month 0) are included
    low = keys.month_range(first_month, first_month)[0] if search.since or search.until else 0
    high = keys.month_range(last_month, last_month)[1] if dated else keys.month_range(0, 0)[1]
    nothing = expression == MATCH_NOTHING or slots == () or (bool(search.since or search.until) and not dated)
    codes = tuple(catalog.by_slot[s].code for s in slots or () if s in catalog.by_slot)
    per_month = catalog.month_articles(codes)
    months = tuple(sorted((number, n) for month, n in per_month.items()
                          if first_month <= (number := keys.month_number(month)) <= last_month and n))
    undated = 0 if low > 0 else sum(n for code, n in catalog.undated.items() if not codes or code in codes)
    result = Plan(expression, low, high, slots, (), nothing, months, undated)
    if nothing or not (search.since or search.until):
        return result
    edges = set()
    if search.since and search.since.day != 1:
        edges.add(keys.month_number(search.since.strftime("%Y-%m")))
    if search.until and (search.until + timedelta(days=1)).day != 1:
        edges.add(keys.month_number(search.until.strftime("%Y-%m")))
    since, until = _published_bounds(search)
    excluded: list[int] = []
    for month in sorted(edges):
        month_low, month_high = keys.month_range(month, month)
        where, params = result.where(month_low, month_high)
        excluded += [rowid for rowid, published in conn.execute(
            f"select rowid, (select published from articles indexed by articles_search_filter "
            f"where search_rowid = {FTS_TABLE}.rowid) from {FTS_TABLE} where {where}", params)
            if not (published and since <= published < until)]
    return replace(result, excluded=tuple(excluded))


# ------------------------------------------------------------------------------------------------ counts


@dataclass
class Counts:
    """Matches per index block ((month, outlet) pairs): every count the page shows comes from here."""

    blocks: dict[int, int] = field(default_factory=dict)

    def add(self, other: Counts) -> Counts:
        for block, n in other.blocks.items():
            self.blocks[block] = self.blocks.get(block, 0) + n
        return self

    @property
    def total(self) -> int:
        return sum(self.blocks.values())

    def by_outlet(self, catalog: Catalog) -> dict[str, int]:
        """Outlet code -> matches, most first."""
        by_slot: dict[int, int] = defaultdict(int)
        for block, n in self.blocks.items():
            by_slot[keys.block_parts(block)[1]] += n
        names = catalog.by_slot
        found = {names[slot].code if slot in names else f"slot{slot}": n for slot, n in by_slot.items()}
        return dict(sorted(found.items(), key=lambda item: (-item[1], item[0])))

    def by_month(self) -> dict[str, int]:
        """YYYY-MM -> matches, oldest first; undated matches under ""."""
        months: dict[str, int] = defaultdict(int)
        for block, n in self.blocks.items():
            months[keys.month_label(keys.block_parts(block)[0])] += n
        return dict(sorted(months.items()))

    def by_month_and_outlet(self, catalog: Catalog) -> dict[tuple[str, str], int]:
        names = catalog.by_slot
        cells: dict[tuple[str, str], int] = {}
        for block, n in self.blocks.items():
            month, slot = keys.block_parts(block)
            code = names[slot].code if slot in names else f"slot{slot}"
            cells[(keys.month_label(month), code)] = n
        return cells

    def by_year(self) -> dict[str, int]:
        years: dict[str, int] = defaultdict(int)
        for month, n in self.by_month().items():
            years[month[:4]] += n
        return dict(sorted(years.items()))


def count(conn: sqlite3.Connection, plan: Plan, low: int | None = None, high: int | None = None) -> Counts:
    """The plan's matches per block, in one pass over them (optionally only those in [low, high])."""
    if plan.nothing:
        return Counts()
    where, params = plan.where(low, high)
    rows = conn.execute(f"select {_BLOCK}, count(*) from {FTS_TABLE} where {where} group by 1", params)
    return Counts(dict(rows))


def partitions(plan: Plan, parts: int) -> list[tuple[int, int]]:
    """Up to `parts` rowid ranges covering the plan, holding about as many archived articles each: the
    counting pass split for several threads (SQLite runs them on several cores)."""
    if plan.nothing or parts <= 1 or not plan.months:
        return [(plan.low, plan.high)]
    total = sum(n for _, n in plan.months)
    cuts: list[int] = []
    running = 0
    for month, n in plan.months[:-1]:
        running += n
        if running >= total * (len(cuts) + 1) / parts and len(cuts) < parts - 1:
            cuts.append(keys.month_range(month, month)[1])
    ranges, start = [], plan.low
    for cut in cuts:
        ranges.append((start, cut))
        start = cut + 1
    ranges.append((start, plan.high))
    return ranges


# ------------------------------------------------------------------------------------------------- pages


@dataclass(frozen=True)
class Page:
    """One page of matches: their search_rowids in order, and the cursor of the next page (None: last)."""

    rowids: list[int]
    scores: dict[int, float] = field(default_factory=dict)
    next_cursor: str | None = None
    ranked_since: str | None = None  # relevance: only matches from this month on were ranked ("" = all)


def _published(conn: sqlite3.Connection, rowids: list[int]) -> dict[int, str | None]:
    found: dict[int, str | None] = {}
    for start in range(0, len(rowids), 500):
        chunk = rowids[start:start + 500]
        found.update(conn.execute(
            f"select search_rowid, published from articles indexed by articles_search_filter "
            f"where search_rowid in ({', '.join(map(str, chunk))})"))
    return found


WINDOW_ARTICLES = 2_000  # a time-sorted page first reads months holding this many archived articles


def month_windows(plan: Plan, *, newest: bool, start: int | None = None) -> Iterator[tuple[int, int]]:
    """Rowid ranges of whole months in time order (from month `start` on), each holding about twice as many
    archived articles as the one before (WINDOW_ARTICLES first): a page of a common term reads one small
    window, a rare term's page a few growing ones, never the whole archive for twenty rows."""
    months = [m for m in plan.months if start is None or (m[0] <= start if newest else m[0] >= start)]
    if newest:
        months.reverse()
    target, window, held = WINDOW_ARTICLES, [], 0
    for month, articles in months:
        window.append(month)
        held += articles
        if held >= target:
            yield keys.month_range(min(window), max(window))
            target, window, held = target * 2, [], 0
    if window:
        yield keys.month_range(min(window), max(window))


def time_page(conn: sqlite3.Connection, plan: Plan, *, newest: bool, after: str | None = None,
              size: int = PAGE_SIZE) -> Page:
    """Matches by publication time (newest or oldest first; undated ones last), `size` at a time.

    `after` is the previous page's cursor (a search_rowid). Months are read in windows (month_windows)
    until the page is full: a month's rowids are in outlet order, so its matches are sorted by `published`.
    """
    if plan.nothing:
        return Page([])
    cursor: tuple[str | None, int] | None = None  # (published, rowid) of the last row shown
    if after is not None:
        cursor = (_published(conn, [int(after)]).get(int(after)), int(after))
    found: list[tuple[str | None, int]] = []

    def follows(row: tuple[str | None, int]) -> bool:
        """The row comes after the cursor in this order (dated ones first, then the undated)."""
        if cursor is None:
            return True
        (published, rowid), (cursor_published, cursor_rowid) = row, cursor
        if cursor_published is None:
            return published is None and (rowid < cursor_rowid if newest else rowid > cursor_rowid)
        if published is None:
            return True
        return (published, rowid) < cursor if newest else (published, rowid) > cursor  # type: ignore[operator]

    def take(low: int, high: int) -> None:
        where, params = plan.where(low, high)
        found.extend((published, rowid) for rowid, published in conn.execute(
            f"select rowid, (select published from articles indexed by articles_search_filter "
            f"where search_rowid = {FTS_TABLE}.rowid) from {FTS_TABLE} where {where}", params))

    def short() -> bool:
        return sum(map(follows, found)) <= size

    if cursor is None or cursor[0] is not None:  # an undated cursor: every dated match came before it
        start = keys.decode(cursor[1]).month if cursor is not None else None
        for low, high in month_windows(plan, newest=newest, start=start):
            take(low, high)
            if not short():
                break
    if plan.undated and short():
        take(*keys.month_range(keys.UNDATED, keys.UNDATED))
    dated = sorted(((p, r) for p, r in found if p is not None), reverse=newest)
    undated = sorted(((p, r) for p, r in found if p is None), key=lambda row: row[1], reverse=newest)
    ordered = [rowid for published, rowid in [*dated, *undated] if follows((published, rowid))]
    page = ordered[:size]
    return Page(page, next_cursor=str(page[-1]) if len(ordered) > size else None)


def _rank_cut(conn: sqlite3.Connection, plan: Plan) -> int | None:
    """The rowid of the (RANK_WINDOW + 1)-th newest match, None when fewer match: read backwards from
    the index, so a common term answers at once."""
    where, params = plan.where()
    row = conn.execute(f"select rowid from {FTS_TABLE} where {where} order by rowid desc "
                       f"limit 1 offset {RANK_WINDOW}", params).fetchone()
    return None if row is None else row[0]


def many_matches(conn: sqlite3.Connection, plan: Plan) -> bool:
    """True when more than RANK_WINDOW articles match (a ranking would cover only the newest months)."""
    return not plan.nothing and _rank_cut(conn, plan) is not None


def ranked_window(conn: sqlite3.Connection, plan: Plan) -> int:
    """The lowest rowid whose matches are ranked: the plan's own low end when at most RANK_WINDOW
    articles match, else the first rowid of the month holding the RANK_WINDOW-th newest match."""
    cut = _rank_cut(conn, plan)
    if cut is None:
        return plan.low
    month = keys.decode(cut).month
    return max(plan.low, keys.month_range(month, month)[0])


def ranked_page(conn: sqlite3.Connection, plan: Plan, *, after: str | None = None,
                size: int = PAGE_SIZE) -> Page:
    """Matches best first (bm25; ties newest first), `size` at a time; `after` is "score:rowid"."""
    if plan.nothing:
        return Page([], ranked_since="")
    window = ranked_window(conn, plan)
    where, params = plan.where(low=window)
    score: float | None = None
    last = 0
    if after:
        text_score, _, text_rowid = after.rpartition(":")
        score, last = float(text_score), int(text_rowid)
    rows = conn.execute(
        f"with ranked as materialized (select rowid, {SCORE} as score from {FTS_TABLE} where {where}) "
        "select rowid, score from ranked where ? is null or score > ? or (score = ? and rowid < ?) "
        "order by score, rowid desc limit ?", [*params, score, score, score, last, size + 1]).fetchall()
    page = rows[:size]
    return Page(
        [r for r, _ in page],
        scores=dict(page),
        next_cursor=f"{page[-1][1]!r}:{page[-1][0]}" if len(rows) > size else None,
        ranked_since="" if window == plan.low else keys.month_label(keys.decode(window).month),
    )

"""What the search page needs to know about a database before it runs a query: its outlets' key slots and
names, and how many articles each outlet has in each month (the `coverage` table).

Read once per database file: the served file is immutable (`datasette -i`), and a rebuild replaces it
with a new file (zhnews.build.atomic), so (path, inode, size, mtime) identifies the content.
"""

from __future__ import annotations

import os
import sqlite3
import threading
from collections import defaultdict
from dataclasses import dataclass, field

from zhnews.search import keys


@dataclass(frozen=True)
class Outlet:
    code: str
    name: str
    slot: int
    articles: int


@dataclass(frozen=True)
class Catalog:
    outlets: dict[str, Outlet]  # code -> outlet, most articles first
    coverage: dict[tuple[str, str], int]  # (outlet code, YYYY-MM) -> articles
    undated: dict[str, int] = field(default_factory=dict)  # outlet code -> articles without a date

    @property
    def by_slot(self) -> dict[int, Outlet]:
        return {o.slot: o for o in self.outlets.values()}

    @property
    def months(self) -> list[str]:
        """Every month that holds an article, oldest first."""
        return sorted({month for _, month in self.coverage})

    def month_articles(self, outlets: tuple[str, ...] = ()) -> dict[str, int]:
        """Articles per month in the archive (of these outlets; all when none are given)."""
        totals: dict[str, int] = defaultdict(int)
        for (code, month), n in self.coverage.items():
            if not outlets or code in outlets:
                totals[month] += n
        return dict(totals)

    def slot_of(self, code: str) -> int | None:
        outlet = self.outlets.get(code)
        return outlet.slot if outlet else None

    def month_numbers(self) -> tuple[int, int]:
        """The first and last month number holding a dated article ((0, 0) for an archive without any)."""
        months = self.months
        if not months:
            return keys.UNDATED, keys.UNDATED
        return keys.month_number(months[0]), keys.month_number(months[-1])


def load_catalog(conn: sqlite3.Connection) -> Catalog:
    outlets = {
        code: Outlet(code, name, slot, articles)
        for code, name, slot, articles in conn.execute(
            "select id, name, slot, articles from outlets where articles > 0 order by articles desc, id")
    }
    coverage = {(o, m): n for o, m, n in conn.execute("select outlet, month, articles from coverage")}
    undated = dict(conn.execute(
        "select outlet, count(*) from articles indexed by articles_outlet_published "
        "where published is null group by outlet"))
    return Catalog(outlets, coverage, undated)


_cache: dict[tuple[object, ...], Catalog] = {}
_lock = threading.Lock()


def catalog_for(conn: sqlite3.Connection, path: str | None) -> Catalog:
    """The catalog of the database at `path` (read through `conn`), loaded once per file version."""
    try:
        stat = os.stat(path) if path else None
    except OSError:
        stat = None
    identity: tuple[object, ...] = (
        (path, stat.st_ino, stat.st_size, stat.st_mtime_ns) if stat else ("connection", id(conn)))
    with _lock:
        found = _cache.get(identity)
    if found is None:
        found = load_catalog(conn)
        with _lock:
            if len(_cache) > 16:
                _cache.clear()
            _cache[identity] = found
    return found

"""Pages of a sorted table that neither repeat nor skip rows, and stay fast deep into a large table.

Two faults of Datasette 0.65.5's keyset pages of a sorted table (`_sort`, `_sort_desc`, or the table's default
sort in metadata.yml), both measured on the articles table; every sorted page, the HTML table, its JSON and
its streamed CSV, goes through them:

1. Ties. The first page is ordered by the sort column alone, every later page by (sort column, primary key)
   after the last row's (value, key), so rows tied on the value across the first page's end come twice or
   never: a streamed CSV of 3,000 articles sorted by outlet held 2,863 rows; sorted by day-rounded
   publication time, 3,002 rows. Fixed by ordering the first page by the key too.
2. Speed. A later page (`where (published < :v or published is null or (published = :v and id > :k))
   order by published desc, id`, every column selected) is planned by SQLite (3.40 and 3.51 alike) as a
   union of three index ranges whose rows are all fetched and sorted: page 2 of the 500k-article table hit
   the 3 s SQL time limit (an error page). The same query selecting only the rowid walks the covering index
   in order and stops after the page: 3 ms. So the page query is run as
   `select COLUMNS from T where rowid in (select rowid from T <its where> order by … limit N) order by …`:
   the same rows in the same order, the page chosen on the index alone.

3. Facets of a later page. Datasette builds them from the page's WHERE, the page-start condition
   included: page 2's facets counted only the rows after page 1 (so they changed as one paged), and that
   condition made them slow (at 500k each hit the facet time limit: page 2 took 1.8 s, facets "timed out").
   `without_page_start` takes the condition out of the facet queries: every page shows the facets of all
   the rows it pages through, as fast as the first page's (page 2 at 500k: 0.14 s); and their links start
   the filtered list from its beginning, not after the page's start.

All are installed once around `TableView.data` (which table's page is being built, sorted by what) and
`Database.execute` (the rewrites of that page's queries, and of no other), for rowid tables only (not
views, virtual tables or WITHOUT ROWID tables).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from datasette.database import Database
from datasette.utils import escape_sqlite, tilde_decode
from datasette.views.table import TableView


@dataclass(frozen=True)
class _Table:
    """What the rewrite needs to know of a table."""

    escaped: str  # its name as Datasette writes it in SQL
    key: str  # its primary key's columns as Datasette orders by them, or rowid
    default_sort: str | None  # the sort column metadata.yml gives it


@dataclass(frozen=True)
class _Page:
    """The sorted page being built in this task."""

    table: _Table
    sort: str  # the sort column as Datasette writes it in SQL
    later: bool  # a page after the first: its WHERE ends with the page-start condition


_PAGE: ContextVar[_Page | None] = ContextVar("zhnews_keyset_page", default=None)


def by_rowid(sql: str, table: str, key: str) -> str:
    """Datasette's page query `select COLS from T [where …] order by … limit N`, ordered by the sort and then
    by `key` on every page (the first included), with the page chosen by rowid on the index alone; any
    other query (counts, facets, look-ups) unchanged."""
    head, found, rest = sql.partition(f" from {table} ")
    if not found or not head.startswith("select ") or "(" in head:
        return sql  # not a page: counts and facets select functions, or from a subquery
    where, ordered, order_and_limit = rest.rpartition("order by ")
    order, _, limit = order_and_limit.rpartition(" limit ")
    if not ordered or not limit.isdigit() or "(" in order or (where and not where.startswith("where ")):
        return sql
    if order != key and not order.endswith(f", {key}"):
        order = f"{order}, {key}"  # the first page: ties in the order of the next pages
    return (f"{head} from {table} where rowid in (select rowid from {table} {where}order by {order} "
            f"limit {limit}) order by {order}")


def without_page_start(sql: str, table: str, sort: str) -> str:
    """A facet query of a later page without the page-start condition Datasette appended to its WHERE:
    `… from T where [FILTERS and ](sort < :p1 or sort is null or (sort = :p1 and …)) ) …` (or `>`, or the
    `is null` forms of a null sort value); anything else unchanged."""
    inner = f" from {table} where "
    start = sql.find(inner)
    if start < 0 or sql.find(inner, start + 1) >= 0 or not sql.lstrip().startswith("select ") \
            or "from (" not in sql[:start]:
        return sql  # not a facet over the page's rows (a page, a count, a look-up)
    where = start + len(inner)
    opens = [f"({sort} < :p", f"({sort} > :p", f"({sort} is null and ", f"({sort} is not null or ("]
    # The first candidate that ends the WHERE: `(s is not null or (s is null and …))` holds a second one.
    for found in sorted(i for prefix in opens if (i := sql.find(prefix, where)) >= 0):
        if (cut := _cut_condition(sql, start, where, found, table)) is not None:
            return cut
    return sql


def _cut_condition(sql: str, start: int, where: int, found: int, table: str) -> str | None:
    """`sql` without the parenthesised condition at `found`, when it is the last one of the subquery's
    WHERE (`where`: the WHERE's first character); None when it is not."""
    depth, end = 0, found
    for end in range(found, len(sql)):  # the condition's closing parenthesis (its values are parameters)
        depth += {"(": 1, ")": -1}.get(sql[end], 0)
        if depth == 0:
            break
    if depth != 0 or not sql[end + 1:].lstrip().startswith(")"):  # it must end the subquery's WHERE
        return None
    before = sql[where:found]
    if before == "":
        return f"{sql[:start]} from {table} {sql[end + 1:].lstrip()}"
    if not before.endswith(" and "):
        return None
    return f"{sql[:where]}{before[:-len(' and ')]} {sql[end + 1:].lstrip()}"


async def _rowid_table(datasette: Any, request: Any) -> _Table | None:
    """The table of a table page when it is a rowid table (None: a view, a canned query, a virtual or
    WITHOUT ROWID table, an unknown name), looked up once per database object."""
    try:
        db = datasette.get_database(route=tilde_decode(request.url_vars["database"]))
        name = tilde_decode(request.url_vars["table"])
    except KeyError:
        return None
    known: dict[str, _Table | None] = db.__dict__.setdefault("_zhnews_keyset_tables", {})
    if name not in known:
        known[name] = await _look_up(datasette, db, name, request.actor)
    return known[name]


async def _look_up(datasette: Any, db: Database, name: str, actor: Any) -> _Table | None:
    if await datasette.get_canned_query(db.name, name, actor) is not None:
        return None
    found = await db.execute("select sql from sqlite_master where type = 'table' and name = ?", [name])
    created = " ".join(((found.first() or [""])[0] or "").upper().split())
    if not created or created.startswith("CREATE VIRTUAL") or "WITHOUT ROWID" in created:
        return None
    pks = await db.primary_keys(name)
    metadata = datasette.table_metadata(db.name, name) or {}
    return _Table(escape_sqlite(name), ", ".join(escape_sqlite(k) for k in pks) or "rowid",
                  metadata.get("sort") or metadata.get("sort_desc"))


def _facet_links_from_the_start(data: dict[str, Any]) -> None:
    """A later page's facet values link to their filtered list from its start: Datasette kept the page's
    `_next`, so choosing a value on page 2 listed the matching rows after page 1's last one only."""
    for facet in (data.get("facet_results") or {}).values():
        for value in facet.get("results", []):
            url = urlsplit(value["toggle_url"])
            query = [(k, v) for k, v in parse_qsl(url.query, keep_blank_values=True) if k != "_next"]
            value["toggle_url"] = urlunsplit(url._replace(query=urlencode(query)))


def install() -> None:
    """Wrap `TableView.data` and `Database.execute`, once per process."""
    if getattr(TableView, "_zhnews_keyset", False):
        return
    original_data: Callable[..., Awaitable[Any]] = TableView.data
    original_execute: Callable[..., Awaitable[Any]] = Database.execute

    async def data(self: Any, request: Any, *args: Any, **kwargs: Any) -> Any:
        table = await _rowid_table(self.ds, request)
        sort = request.args.get("_sort") or request.args.get("_sort_desc")
        if table is not None and not sort:
            sort = table.default_sort
        if table is None or not sort:  # pages in key order are right and fast as they are
            return await original_data(self, request, *args, **kwargs)
        given = kwargs.get("_next", args[1] if len(args) > 1 else None)  # data(request, labels, _next, …)
        later = bool(given or request.args.get("_next"))
        token = _PAGE.set(_Page(table, escape_sqlite(sort), later))
        try:
            result = await original_data(self, request, *args, **kwargs)
        finally:
            _PAGE.reset(token)
        if later:
            _facet_links_from_the_start(result[0])
        return result

    async def execute(self: Any, sql: str, *args: Any, **kwargs: Any) -> Any:
        page = _PAGE.get()
        if page is not None:
            paged = by_rowid(sql, page.table.escaped, page.table.key)
            if paged == sql and page.later:
                paged = without_page_start(sql, page.table.escaped, page.sort)
            sql = paged
        return await original_execute(self, sql, *args, **kwargs)

    TableView.data = data  # type: ignore[method-assign]
    Database.execute = execute  # type: ignore[method-assign]
    TableView._zhnews_keyset = True  # type: ignore[attr-defined]

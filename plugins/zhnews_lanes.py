"""Slow pages take turns; article pages never queue behind them.

A server worker answers all its requests on one event loop with a few SQL threads (Datasette's
`num_sql_threads`, 3). Under a crowd, every table page, search and export in a worker shared its CPU and its
SQL threads with the reader views, so a reader view waited for all of them. Here each kind of page has a
lane: in each worker at most HEAVY_AT_ONCE pages that scan many rows (tables, searches, queries, the feed)
and EXPORTS_AT_ONCE streamed exports run at once; the others wait for their turn without using the CPU.
Article pages, the home page and static files have no lane: they are short and never wait.

Measured with benchmarks/load.py (16 clients, 15 s, 2 workers, 3,000 articles; a shared 2-core machine at
load ~6, so read the ratios): reader view p50 / p95 229-248 / 636-731 ms without lanes (two runs), 123 / 291
ms with HEAVY_AT_ONCE 2, requests/s 53-54 -> 74. HEAVY_AT_ONCE 1 starved the heavy pages instead (their p50
~1 s) and lost throughput.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

from datasette import hookimpl

HEAVY_AT_ONCE = 2
EXPORTS_AT_ONCE = 1
EXPORT_EXTENSIONS = (".csv", ".csvbom")
SEARCH_PAGE = "search"  # /db/search/… (plugins/zhnews_searchpage.py): its feed and exports are not rows
SEARCH_JSON_EXPORT = "all.json"


def lane_of(path: str) -> str | None:
    """`export`, `heavy`, or None (an article page, the home page, a static file: never waits)."""
    parts = [p for p in path.split("/") if p]
    if not parts or path.startswith(("/-/static", "/static/")):
        return None
    under_search = len(parts) == 3 and parts[1] == SEARCH_PAGE
    if path.endswith(EXPORT_EXTENSIONS) or (under_search and parts[2] == SEARCH_JSON_EXPORT):
        return "export"
    row_page = len(parts) == 3 and parts[0] != "-" and not under_search  # /db/table/pk(.json)
    return None if row_page else "heavy"


@hookimpl
def asgi_wrapper() -> Callable[[Any], Any]:
    def wrap(app: Any) -> Callable[..., Awaitable[None]]:
        lanes: dict[str, asyncio.Semaphore] = {}  # created on first use, inside the worker's event loop

        async def in_lane(scope: dict[str, Any], receive: Any, send: Any) -> None:
            lane = lane_of(scope.get("path", "")) if scope.get("type") == "http" else None
            if lane is None:
                await app(scope, receive, send)
                return
            if lane not in lanes:
                lanes[lane] = asyncio.Semaphore(EXPORTS_AT_ONCE if lane == "export" else HEAVY_AT_ONCE)
            async with lanes[lane]:
                await app(scope, receive, send)

        return in_lane

    return wrap

"""What one request may ask of the server: bounded values, bounded parameters, a 400 for malformed ones.

Issue 13 found requests that froze or crashed the public app; each bound here answers one of them
(docs/security.md lists them with their tests):
- Every SQLite connection refuses values over MAX_VALUE_BYTES: `select printf('%.*c', 1500000000, 'x')`
  allocated gigabytes for 12 s. SQLite also refuses to READ a stored value over the limit, so it sits above
  the largest row a build can write (the parser refuses files over 20 MB; a row holds text and HTML).
- Parameter values are bounded in length (search queries by MAX_QUERY_CHARS, the same bound as the SQL
  functions of zhnews.search.index, so a reader gets a clear message rather than SQLite's "user-defined
  function raised exception").
- Table parameters that Datasette 0.65 turns into a 500 (an unknown `_sort`, a NUL byte in `_sort_desc`,
  `_facet` or `_where`, a malformed `_through` or `_timelimit`) are a 400 that says what is wrong.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import parse_qsl

import datasette.handle_exception as datasette_handle_exception
from datasette import hookimpl
from datasette.utils.asgi import BadRequest, Request, Response

from zhnews.search.index import MAX_QUERY_CHARS

MAX_VALUE_BYTES = 64 * 1024 * 1024  # SQLITE_LIMIT_LENGTH: a string, blob or row (3x the 20 MB file cap)
MAX_PARAM_CHARS = 10_000  # any other parameter value (`sql` included); a long `id__in` list still fits
NO_NUL_EXCEPT = ("_search",)  # search text may hold anything (the rewrite drops it); names never may


@hookimpl
def prepare_connection(conn: sqlite3.Connection) -> None:
    conn.setlimit(sqlite3.SQLITE_LIMIT_LENGTH, MAX_VALUE_BYTES)


def _is_search(name: str) -> bool:
    return name == "q" or (name.startswith("_search") and name != "_searchmode")


def parameter_problem(query_string: str) -> str | None:
    """Why this query string is refused whatever the page, or None."""
    for name, value in parse_qsl(query_string, keep_blank_values=True):
        limit = MAX_QUERY_CHARS if _is_search(name) else MAX_PARAM_CHARS
        if len(value) > limit:
            what = "search query" if _is_search(name) else f"parameter {name}"
            return f"The {what} is {len(value):,} characters long; the limit is {limit:,}."
        if len(name) > MAX_PARAM_CHARS:
            return f"A parameter name is {len(name):,} characters long; the limit is {MAX_PARAM_CHARS:,}."
    return None


async def _bad_request(datasette: Any, request: Request, message: str) -> Response:
    """A 400 as Datasette's own error page (or JSON for .json)."""
    info = {"ok": False, "error": message, "status": 400, "title": None}
    if request.path.endswith(".json"):
        return Response.json(info, status=400)
    await datasette.invoke_startup()  # a no-op after the first request; this may be the first
    html = await datasette.render_template(["400.html", "error.html"], info, request=request)
    return Response.html(html, status=400)


@hookimpl
def startup() -> None:
    """Datasette 0.65 answers every 4xx (a 404 from a bot probing /wp-admin, a malformed parameter) by first
    printing a rich traceback with every local variable when `rich` is installed (the build's progress bar
    needs it): a 400 took 0.46-0.57 s here, 5 ms without: cheap to send, costly to answer. Its handler reads
    the module global `rich` and prints nothing for a 4xx without it; a 500 is still printed (plainly)."""
    datasette_handle_exception.rich = None


@hookimpl
def asgi_wrapper(datasette: Any) -> Callable[[Any], Any]:
    def wrap(app: Any) -> Callable[..., Awaitable[None]]:
        async def bounded_parameters(scope: dict[str, Any], receive: Any, send: Any) -> None:
            if scope.get("type") == "http" and scope.get("query_string"):
                problem = parameter_problem(scope["query_string"].decode("latin-1"))
                if problem:
                    # outside Datasette's CSRF middleware: the error page has no form to protect
                    request = Request({**scope, "csrftoken": lambda: ""}, receive)
                    await (await _bad_request(datasette, request, problem)).asgi_send(send)
                    return
            await app(scope, receive, send)

        return bounded_parameters

    return wrap


async def _sortable(datasette: Any, database: str, table: str) -> set[str]:
    """The columns Datasette accepts in `_sort` for this table (its own rule, views.table)."""
    db = datasette.get_database(database)
    configured = datasette.table_metadata(database, table).get("sortable_columns")
    columns = set(configured) if configured is not None else set(await db.table_columns(table))
    if table not in await db.view_names() and not await db.primary_keys(table):
        columns.add("rowid")
    return columns


def _through_problem(value: str) -> str | None:
    try:
        through = json.loads(value)
    except ValueError:
        return "_through must be JSON: {\"table\": …, \"column\": …, \"value\": …}"
    if not isinstance(through, dict) or not all(isinstance(through.get(k), str | int) for k in
                                                 ("table", "column", "value")):
        return "_through must be a JSON object with table, column and value"
    return None


async def table_parameter_problem(request: Any, database: str, table: str, datasette: Any) -> str | None:
    """Why the table page cannot be computed from these parameters, or None (Datasette checks the rest)."""
    for name in request.args:
        nul_in_value = any("\x00" in value for value in request.args.getlist(name))
        if "\x00" in name or (nul_in_value and name.startswith("_") and not name.startswith(NO_NUL_EXCEPT)):
            return f"The parameter {name!r} contains a NUL character."
    sort, sort_desc = request.args.get("_sort"), request.args.get("_sort_desc")
    if sort and sort_desc:
        return "Use _sort or _sort_desc, not both."
    for column in filter(None, (sort, sort_desc)):
        if column not in await _sortable(datasette, database, table):
            return f"Cannot sort {table} by {column!r}: no such sortable column."
    for value in request.args.getlist("_through"):
        problem = _through_problem(value)
        if problem:
            return problem
    limit = request.args.get("_timelimit")
    if limit is not None and not limit.isdigit():
        return "_timelimit must be a whole number of milliseconds."
    return None


@hookimpl
def filters_from_request(request: Any, database: str, table: str, datasette: Any) -> Any:
    async def inner() -> None:
        problem = await table_parameter_problem(request, database, table, datasette)
        if problem:
            raise BadRequest(problem)

    return inner

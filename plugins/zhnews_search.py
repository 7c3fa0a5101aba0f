"""Chinese search for Datasette: the shared query rewrite replaces Datasette's `escape_fts`.

Datasette's stock `escape_fts` quotes whitespace-separated words, which finds nothing in an index where every
Han character is its own token. `zhnews.search.text.fts_query` rewrites a query the way the index was built
(NFKC, Traditional -> Simplified, one token per Han character, phrases) and never yields an FTS5 syntax
error.

Hooks from --plugins-dir run BEFORE Datasette's own `prepare_connection`, which would overwrite our function:
`trylast=True` makes ours run last and win (measured in ../shared/docs/chinese-search.md).

Facets of a search: Datasette runs the full-text match again inside every facet query (count, rows and 5
facets: 7 times per page). A table's facets are therefore set here, from its `plugins: zhnews_search:` block
in metadata.yml: `facets` when browsing, the shorter `search_facets` (outlet, month: what readers narrow a
search by) while a search is active; `?_facet=` still adds any other. Measured on 60k articles, loaded
machine, p50 of the page: 中国 2.5 s -> 1.3 s, 台湾 0.85 -> 0.35 s.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from contextvars import ContextVar
from typing import Any
from urllib.parse import parse_qsl, urlencode

from datasette import hookimpl

from zhnews.app.search_request import search_page_params
from zhnews.search.index import register_sql_functions


@hookimpl(trylast=True)
def prepare_connection(conn: Any) -> None:
    """escape_fts (the shared rewrite), zh_fts_query, zh_snippet(text, q[, size]) and zh_highlight."""
    register_sql_functions(conn, escape_fts=True)


PLUGIN = "zhnews_search"
_SEARCHING: ContextVar[bool] = ContextVar("zhnews_searching", default=False)  # this request searches
_READING: ContextVar[bool] = ContextVar("zhnews_reading_metadata", default=False)  # no recursion


def _facet_tables(datasette: Any) -> dict[tuple[str, str], dict[str, Any]]:
    """(database, table) -> our plugin block, for every table that configures its facets through us."""
    token = _READING.set(True)
    try:
        databases = datasette.metadata("databases") or {}
    finally:
        _READING.reset(token)
    found = {}
    for database, database_metadata in databases.items():
        for table, table_metadata in ((database_metadata or {}).get("tables") or {}).items():
            config = ((table_metadata or {}).get("plugins") or {}).get(PLUGIN)
            if isinstance(config, dict) and "facets" in config:
                found[(database, table)] = config
    return found


@hookimpl
def get_metadata(datasette: Any, key: Any, database: Any, table: Any) -> dict[str, Any]:
    """The facets of each configured table: the search ones while this request searches."""
    if _READING.get():
        return {}
    result: dict[str, Any] = {}
    for (database_name, table_name), config in _facet_tables(datasette).items():
        facets = config.get("search_facets", config["facets"]) if _SEARCHING.get() else config["facets"]
        tables = result.setdefault("databases", {}).setdefault(database_name, {}).setdefault("tables", {})
        tables[table_name] = {"facets": list(facets)}
    return result


def _is_search(query_string: bytes) -> bool:
    """True when the query string holds a non-blank `_search` or `_search_<column>`."""
    pairs = parse_qsl(query_string.decode("latin-1"), keep_blank_values=True, encoding="latin-1")
    return any(key.startswith("_search") and key != "_searchmode" and value.strip() for key, value in pairs)


def _without_blank_search(query_string: bytes) -> bytes:
    """The query string minus `_search=` / `_search_<col>=` parameters that hold only whitespace.

    An empty search box means "no search" to a reader: show every row rather than zero of them.
    """
    pairs = parse_qsl(query_string.decode("latin-1"), keep_blank_values=True, encoding="latin-1")
    kept = [
        (key, value)
        for key, value in pairs
        if not (key.startswith("_search") and key != "_searchmode" and not value.strip())
    ]
    if len(kept) == len(pairs):
        return query_string
    return urlencode(kept, encoding="latin-1").encode("latin-1")


def _search_page_location(scope: dict[str, Any]) -> str | None:
    """Where the articles table's HTML page with a search goes: the search page (see search_page_params)."""
    path = scope.get("path", "")
    parts = path.strip("/").split("/")
    if len(parts) != 2 or parts[1] != "articles":
        return None
    pairs = parse_qsl(scope["query_string"].decode("utf-8", "replace"), keep_blank_values=True)
    params = search_page_params(pairs)
    if params is None:
        return None
    return f"{scope.get('root_path', '')}/{parts[0]}/search?{urlencode(params)}"


@hookimpl
def asgi_wrapper() -> Callable[[Any], Any]:
    def wrap(app: Any) -> Callable[..., Awaitable[None]]:
        async def blank_search_means_no_search(scope: dict[str, Any], receive: Any, send: Any) -> None:
            searching = False
            if scope.get("type") == "http" and b"_search" in scope.get("query_string", b""):
                scope = {**scope, "query_string": _without_blank_search(scope["query_string"])}
                searching = _is_search(scope["query_string"])
                target = _search_page_location(scope) if searching else None
                if target is not None:
                    await send({"type": "http.response.start", "status": 302,
                                "headers": [(b"location", target.encode()), (b"content-length", b"0")]})
                    await send({"type": "http.response.body", "body": b""})
                    return
            token = _SEARCHING.set(searching)
            try:
                await app(scope, receive, send)
            finally:
                _SEARCHING.reset(token)

        return blank_search_means_no_search

    return wrap

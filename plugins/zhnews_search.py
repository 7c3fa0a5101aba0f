"""Chinese search for Datasette: the shared query rewrite replaces Datasette's `escape_fts`.

Datasette's stock `escape_fts` quotes whitespace-separated words, which finds nothing in an index where every
Han character is its own token. `zhnews.search_text.fts_query` rewrites a query the way the index was built
(NFKC, Traditional -> Simplified, one token per Han character, phrases) and never yields an FTS5 syntax
error.

Hooks from --plugins-dir run BEFORE Datasette's own `prepare_connection`, which would overwrite our function:
`trylast=True` makes ours run last and win (measured in ../shared/docs/chinese-search.md).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import parse_qsl, urlencode

from datasette import hookimpl

from zhnews.search_index import register_sql_functions


@hookimpl(trylast=True)
def prepare_connection(conn: Any) -> None:
    """escape_fts (the shared rewrite), zh_fts_query, zh_snippet(text, q[, size]) and zh_highlight."""
    register_sql_functions(conn, escape_fts=True)


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


@hookimpl
def asgi_wrapper() -> Callable[[Any], Any]:
    def wrap(app: Any) -> Callable[..., Awaitable[None]]:
        async def blank_search_means_no_search(scope: dict[str, Any], receive: Any, send: Any) -> None:
            if scope.get("type") == "http" and b"_search" in scope.get("query_string", b""):
                scope = {**scope, "query_string": _without_blank_search(scope["query_string"])}
            await app(scope, receive, send)

        return blank_search_means_no_search

    return wrap

"""CSV exports that stream: each starts at once, runs in bounded memory and stops when its client leaves.

Datasette 0.65's `.csv?_stream=on` means to fetch pages of `max_returned_rows`, but drops that page size on
the way (views/base.py: `kwargs = {}` inside its loop), so a stream fetched the table's 30 rows per query:
19,020 of 57,671 rows in 590 s where 1,000 per query sends them all in 11 s. Streams get `_size=max` here.
uvicorn's `send` is silently a no-op once the client has gone, so an abandoned stream went on reading the
whole table (two cores busy for ~19 min): `send` raises ClientGone here instead, and the request ends.

`.csvbom` is the export for Excel: UTF-8 with a byte order mark (Excel opens BOM-less UTF-8 as the local code
page: Chinese becomes mojibake). It is Datasette's own CSV stream of the same page (every row of a table, as
`_stream=on`), rewritten record by record on its way out: the BOM first, and every cell that Excel would
run as a formula (starting with = + - @ tab or CR: OWASP's "CSV injection") prefixed with a `'`. Plain
`.csv` and JSON stay exact: they are data for programs, and a program wants the text as it is.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import parse_qsl, urlencode

from datasette import hookimpl
from datasette.utils.asgi import NotFound

from zhnews.app.excel import FormulaGuard
from zhnews.app.streaming import ClientGone, Message, watched

EXTENSION = "csvbom"
BOM = "\ufeff".encode()


def _csv_name(path: str) -> str:
    name = path.rstrip("/").rsplit("/", 1)[-1].rsplit(".", 1)[0]
    return (re.sub(r"[^A-Za-z0-9_.-]+", "_", name).strip("_") or "export") + ".csv"


def stream_query_string(query_string: str, *, excel: bool = False) -> str:
    """The query string of a streamed CSV: all rows (`_stream=on`) fetched 1,000 per query (`_size=max`);
    for `.csvbom` also without `_dl` (the wrapper names the file)."""
    dropped = {"_stream", "_size", "_dl"} if excel else {"_size"}
    pairs = [(k, v) for k, v in parse_qsl(query_string, keep_blank_values=True) if k not in dropped]
    if excel:
        pairs.append(("_stream", "on"))
    return urlencode([*pairs, ("_size", "max")])


def _is_stream(query_string: str) -> bool:
    return any(k == "_stream" and v for k, v in parse_qsl(query_string, keep_blank_values=True))


def excel_send(send: Any, filename: str) -> Callable[[Message], Awaitable[None]]:
    """`send` for a `.csvbom` response: Datasette's CSV becomes an attachment with a BOM, formulas made text.
    An error page (status other than 200) passes through unchanged."""
    guard = FormulaGuard()
    state = {"rewrite": False, "first": True}

    async def rewrite(message: Message) -> None:
        if message["type"] == "http.response.start":
            state["rewrite"] = message["status"] == 200
            if state["rewrite"]:
                headers = [(k, v) for k, v in message.get("headers", [])
                           if k.lower() not in {b"content-type", b"content-length", b"content-disposition"}]
                headers += [(b"content-type", b"text/csv; charset=utf-8"),
                            (b"content-disposition", f'attachment; filename="{filename}"'.encode())]
                message = {**message, "headers": headers}
        elif message["type"] == "http.response.body" and state["rewrite"]:
            final = not message.get("more_body", False)
            body = guard.feed(message.get("body", b""), final=final)
            if state["first"]:
                body, state["first"] = BOM + body, False
            message = {**message, "body": body}
        await send(message)

    return rewrite


@hookimpl
def asgi_wrapper() -> Callable[[Any], Any]:
    def wrap(app: Any) -> Callable[..., Awaitable[None]]:
        async def streamed_exports(scope: dict[str, Any], receive: Any, send: Any) -> None:
            path = scope.get("path", "") if scope.get("type") == "http" else ""
            excel = path.endswith("." + EXTENSION)
            exported = (excel or path.endswith(".csv")) and scope.get("method") in {"GET", "HEAD"}
            # Datasette's own exports only: /db.csv (SQL) and /db/table.csv; the search page streams its own
            if not exported or path.count("/") > 2:
                await app(scope, receive, send)
                return
            query_string = scope.get("query_string", b"").decode("latin-1")
            if excel:
                csv_path = path[: -len(EXTENSION)] + "csv"
                raw_path = scope.get("raw_path")
                if raw_path and raw_path.endswith(EXTENSION.encode()):
                    raw_path = raw_path[: -len(EXTENSION)] + b"csv"
                scope = {**scope, "path": csv_path, "raw_path": raw_path,
                         "query_string": stream_query_string(query_string, excel=True).encode("latin-1")}
                send = excel_send(send, _csv_name(path))
            elif _is_stream(query_string):
                scope = {**scope, "query_string": stream_query_string(query_string).encode("latin-1")}
            receive, send, watcher = watched(receive, send)
            try:
                await app(scope, receive, send)
            except ClientGone:
                pass
            finally:
                watcher.cancel()

        return streamed_exports

    return wrap


def _served_by_the_wrapper(request: Any) -> None:
    """Every `.csvbom` request is answered by `streamed_exports` above, before Datasette routes it."""
    raise NotFound(f"{request.path}: .{EXTENSION} is served by the zhnews_export plugin's ASGI wrapper")


@hookimpl
def register_output_renderer() -> dict[str, Any]:
    # Registered so that Datasette links `.csvbom` next to CSV and JSON on every table and query page.
    return {"extension": EXTENSION, "render": _served_by_the_wrapper, "can_render": lambda: True}

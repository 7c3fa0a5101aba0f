"""`.csvbom`: the CSV export for Excel users — UTF-8 with a byte order mark.

Excel opens a BOM-less UTF-8 CSV as the local code page and shows Chinese as mojibake. Rather than write a
second CSV writer, this renderer asks Datasette for its own CSV of the same page (with `_stream=on` on tables,
so every row of the filtered or searched result comes out, within `max_csv_mb`) and prepends the BOM.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import parse_qsl, urlencode

from datasette import hookimpl
from datasette.utils.asgi import Response

EXTENSION = "csvbom"
BOM = "\ufeff".encode()


def _filename(table: str | None, query_name: str | None, database: str) -> str:
    name = table or query_name or database or "export"
    return (re.sub(r"[^A-Za-z0-9_.-]+", "_", name).strip("_") or "export") + ".csv"


async def render_csvbom(datasette: Any, request: Any, database: str, table: str | None,
                        query_name: str | None, view_name: str) -> Response:
    path = request.path
    csv_path = (path[: -len(EXTENSION)] if path.endswith(EXTENSION) else path) + "csv"
    pairs = parse_qsl(request.query_string, keep_blank_values=True)
    args = [(key, value) for key, value in pairs if key not in {"_stream", "_dl", "_size"}]
    if view_name == "table":
        args.append(("_stream", "on"))
    response = await datasette.client.get(csv_path + ("?" + urlencode(args) if args else ""))
    if response.status_code != 200:
        return Response(response.text, status=response.status_code,
                        content_type=response.headers.get("content-type", "text/plain"))
    return Response(
        BOM + response.content,
        content_type="text/csv; charset=utf-8",
        headers={"content-disposition": f'attachment; filename="{_filename(table, query_name, database)}"'},
    )


@hookimpl
def register_output_renderer() -> dict[str, Any]:
    return {"extension": EXTENSION, "render": render_csvbom, "can_render": lambda: True}

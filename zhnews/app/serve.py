"""`make serve`: the Datasette app on every core: gunicorn with uvicorn workers reading one immutable file.

Why: `datasette serve` is one process, so one core: 16 concurrent readers got 16 requests/s in all, no more
than one alone (issue 13). gunicorn (kept, pinned) forks WORKERS processes that each build the same app;
the database is opened immutable (`-i`), so they share the file and the page cache without any locking.
gunicorn also replaces a worker whose event loop stops answering for TIMEOUT seconds (a request stuck
holding the GIL would otherwise stall every reader of that worker for good).

    python -m zhnews.app.serve [--workers N] [--public] [--timeout S] DATASETTE_SERVE_FLAGS...

DATASETTE_SERVE_FLAGS are parsed by Datasette's own `serve` command (`--host` and `--port` included), so
they mean exactly what they mean to `datasette serve`: the Makefile defines them once (`make serve-flags`).
`--public` serves the public configuration: no arbitrary SQL (docs/security.md says why).
"""

from __future__ import annotations

import io
import json
import os
from typing import Any

import click
from datasette.cli import serve as datasette_serve
from datasette.utils import parse_metadata
from gunicorn.app.base import BaseApplication

WORKER_CLASS = "uvicorn_worker.UvicornWorker"


def public_metadata(metadata: dict[str, Any] | None) -> dict[str, Any]:
    """The metadata of a public deployment: arbitrary SQL (`?sql=`, `_where=`) denied to everyone; the canned
    queries, table filters, search, facets and exports keep working (they need no execute-sql permission)."""
    return {**(metadata or {}), "allow_sql": False}


def build_datasette(datasette_args: list[str], *, public: bool) -> Any:
    """A Datasette instance exactly as `datasette serve DATASETTE_ARGS` would build it."""
    context = datasette_serve.make_context("datasette serve", list(datasette_args))
    params = dict(context.params)
    if public:
        metadata = parse_metadata(params["metadata"].read()) if params.get("metadata") else None
        params["metadata"] = io.StringIO(json.dumps(public_metadata(metadata)))
    with context:
        return context.invoke(datasette_serve.callback, **params, return_instance=True)


class Gunicorn(BaseApplication):  # type: ignore[misc]
    """gunicorn configured from our options; each worker builds its own Datasette (no state crosses fork)."""

    def __init__(self, datasette_args: list[str], options: dict[str, Any], *, public: bool) -> None:
        self.datasette_args = datasette_args
        self.options = options
        self.public = public
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self) -> Any:
        return build_datasette(self.datasette_args, public=self.public).app()


@click.command(context_settings={"ignore_unknown_options": True, "allow_interspersed_args": False})
@click.option("--workers", type=click.IntRange(min=1), default=lambda: os.cpu_count() or 1,
              show_default="the number of cores", help="server processes")
@click.option("--public", is_flag=True, help="the public configuration: no arbitrary SQL")
@click.option("--timeout", type=click.IntRange(min=1), default=30, show_default=True,
              help="seconds a worker may stay unresponsive before it is replaced")
@click.argument("datasette_args", nargs=-1, type=click.UNPROCESSED)
def main(workers: int, public: bool, timeout: int, datasette_args: tuple[str, ...]) -> None:
    """Serve the zhnews Datasette app with WORKERS processes."""
    args = list(datasette_args)
    probe = build_datasette(args, public=public)  # fails here, once, on a bad flag or a missing file
    context = datasette_serve.make_context("datasette serve", list(args))
    host, port = context.params["host"], context.params["port"]
    del probe
    Gunicorn(
        args,
        {
            "bind": f"[{host}]:{port}" if ":" in host else f"{host}:{port}",
            "workers": workers,
            "worker_class": WORKER_CLASS,
            "timeout": timeout,
            "graceful_timeout": 10,
            "keepalive": 5,
            "errorlog": "-",
            "loglevel": "warning",
        },
        public=public,
    ).run()


if __name__ == "__main__":
    main()

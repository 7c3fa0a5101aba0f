"""Sorted table pages that neither repeat nor skip rows, fast deep into a large table (zhnews.app.keyset)."""

from __future__ import annotations

from typing import Any

from datasette import hookimpl

from zhnews.app.keyset import install


@hookimpl
def startup(datasette: Any) -> None:
    install()

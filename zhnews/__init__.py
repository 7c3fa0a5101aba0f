"""zhnews: parse an archive of Chinese-language news into SQLite with Chinese full-text search."""

from __future__ import annotations

from typing import Any

from zhnews.article import Article, Image, ParseError

__all__ = ["Article", "Image", "ParseError", "parse"]


def __getattr__(name: str) -> Any:
    # parse() pulls in bs4/lxml/nh3/opencc: load it on first use so `import zhnews.text` stays light.
    if name == "parse":
        from zhnews.extract.parser import parse

        return parse
    raise AttributeError(f"module 'zhnews' has no attribute {name!r}")

"""What every source of article files provides: the record and collection protocols, the one fatal error,
and which file names are articles at all. See zhnews.sources for the contract."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Protocol

SUFFIXES = (".md", ".txt")


class SourceError(Exception):
    """A SOURCE that cannot be used at all (missing, not a folder, two with the same name): fatal."""


class SourceFile(Protocol):
    """One input file (or one version of it). Picklable: parallel workers receive it and call read()."""

    @property
    def source(self) -> str: ...
    @property
    def size(self) -> int: ...
    @property
    def mtime_ns(self) -> int: ...
    def read(self) -> bytes: ...


class Source(Protocol):
    """A named collection of article files."""

    @property
    def name(self) -> str: ...

    def files(self) -> Iterator[SourceFile]:
        """Every file, streamed (never a list: an archive has hundreds of thousands)."""
        ...

    def count(self) -> int:
        """How many files `files()` will yield, cheaply (for the progress bar's total)."""
        ...

    def get(self, source: str) -> SourceFile | None:
        """The current record for a `source` id yielded earlier, or None when it is gone."""
        ...


def is_article_name(name: str) -> bool:
    return (
        not name.startswith(".")
        and name.lower().endswith(SUFFIXES)
        and name.casefold() != "readme.md"
    )


def source_name(source: str) -> str:
    """The SOURCE name part of a `source` id."""
    return source.split("/", 1)[0]

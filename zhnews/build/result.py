"""What a build gives back: its report, its one fatal error type, and the progress it drives.

In a module of their own because every part of the build (lock, writer, orchestration) uses them, and
none of those parts should import zhnews.build.run, which imports them all.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol


class BuildError(Exception):
    """A fatal problem (no sources, unwritable database, another build running): the build stops."""


class Progress(Protocol):
    def start(self, total: int | None) -> None: ...
    def advance(self, n: int) -> None: ...


@dataclass
class BuildReport:
    mode: str = "incremental"  # or why the build was full
    seen: int = 0
    new: int = 0
    changed: int = 0
    unchanged: int = 0
    touched: int = 0  # unchanged content, new size/mtime (counted in unchanged)
    removed: int = 0
    parsed: int = 0
    errors: int = 0  # files of this run that ended in build_errors
    errors_total: int = 0
    rechosen: int = 0  # captures re-parsed to re-choose an article
    articles: int = 0
    captures: int = 0
    per_outlet: dict[str, int] = field(default_factory=dict)
    written: bool = False  # False when nothing changed and the database file was left alone
    elapsed: float = 0.0
    error_reasons: dict[str, int] = field(default_factory=dict)
    skipped: dict[str, int] = field(default_factory=dict)  # files that are clearly not articles, by reason
    sources: dict[str, str] = field(default_factory=dict)  # SOURCE name -> how it was read this time

    @property
    def files_per_s(self) -> float:
        return self.seen / self.elapsed if self.elapsed else 0.0

    @property
    def parsed_per_s(self) -> float:
        return self.parsed / self.elapsed if self.elapsed else 0.0

"""Shared test fixtures: where the real corpus lives, and skipping cleanly when it is absent."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent
CORPUS = (ROOT / ".." / "shared" / "corpus").resolve()
FIXTURES = ROOT / "tests" / "fixtures"
SAMPLE = ROOT / "sample"


@pytest.fixture(scope="session")
def corpus() -> Path:
    """The real archive sample (../shared/corpus); CI has it, a laptop may not."""
    if not (CORPUS / "README.md").exists():
        pytest.skip(f"real corpus not found at {CORPUS}")
    return CORPUS


def corpus_files(root: Path) -> list[Path]:
    """Every article file of an archive folder, in a stable order."""
    return sorted(p for p in root.rglob("*") if p.suffix in {".md", ".txt"} and p.name != "README.md")


@pytest.fixture(scope="session")
def corpus_db(corpus: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """../shared/corpus built by the real build_db.py, once per session (several test files use it)."""
    from test_app import build_database

    return build_database([corpus], tmp_path_factory.mktemp("corpus"))


@pytest.fixture(scope="session")
def corpus_ds(corpus_db: Path) -> Any:
    """A Datasette instance on corpus_db, configured as `make serve` configures it."""
    from test_app import make_datasette

    return make_datasette(corpus_db)

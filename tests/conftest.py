"""Shared test fixtures: where the real corpus lives (skipping cleanly when it is absent), and the app's
databases built from sample/ and from the corpus, once per test session."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from datasette.app import Datasette

from tests.appkit import build_database, make_datasette, rows

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


# ------------------------------------------------------- the app's databases (built once per session)

@pytest.fixture(scope="session")
def db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_database([SAMPLE], tmp_path_factory.mktemp("sample"))


@pytest.fixture(scope="session")
def ds(db: Path) -> Datasette:
    return make_datasette(db)


@pytest.fixture(scope="session")
def corpus_db(corpus: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_database([corpus], tmp_path_factory.mktemp("corpus"))


@pytest.fixture(scope="session")
def corpus_ds(corpus_db: Path) -> Datasette:
    return make_datasette(corpus_db)


@pytest.fixture(scope="session")
def hostile(db: Path) -> dict[str, Any]:
    """The sample article written to attack the reader view (script tags, onerror, javascript: links)."""
    found = [a for a in rows(db, "select * from articles") if "script" in (a["title"] or "").lower()]
    assert len(found) == 1, "sample/ must contain exactly one hostile article (its title holds <script>)"
    return found[0]

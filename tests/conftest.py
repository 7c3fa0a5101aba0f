"""Shared test fixtures: where the real corpus lives, and skipping cleanly when it is absent."""

from __future__ import annotations

from pathlib import Path

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

"""Facets of the articles table: the five defaults when browsing, outlet and month when a search is active.

Why: Datasette re-runs the full-text match inside every facet query, so each facet of a search costs a whole
search (measured in plugins/zhnews_search.py). `?_facet=` still adds any other facet.
"""

from __future__ import annotations

import asyncio
import subprocess
import sys
from pathlib import Path
from urllib.parse import quote

import pytest
import yaml
from datasette.app import Datasette

ROOT = Path(__file__).resolve().parent.parent
BROWSE_FACETS = {"outlet", "section", "published_month", "language", "author"}
SEARCH_FACETS = {"outlet", "published_month"}


@pytest.fixture(scope="module")
def ds(tmp_path_factory: pytest.TempPathFactory) -> Datasette:
    db = tmp_path_factory.mktemp("facets") / "news.db"
    command = [sys.executable, str(ROOT / "build_db.py"), str(ROOT / "sample"), "--db", str(db), "--quiet"]
    subprocess.run(command, cwd=ROOT, check=True, capture_output=True, timeout=600)
    return Datasette(
        immutables=[str(db)],
        metadata=yaml.safe_load((ROOT / "metadata.yml").read_text(encoding="utf-8")),
        plugins_dir=str(ROOT / "plugins"),
        template_dir=str(ROOT / "templates"),
    )


async def facets(ds: Datasette, query: str) -> set[str]:
    response = await ds.client.get(f"/news/articles.json{query}")
    assert response.status_code == 200
    return set(response.json()["facet_results"])


async def test_browsing_the_articles_shows_the_five_default_facets(ds: Datasette) -> None:
    assert await facets(ds, "") == BROWSE_FACETS


async def test_a_search_shows_the_outlet_and_month_facets_only(ds: Datasette) -> None:
    assert await facets(ds, f"?_search={quote('台湾')}") == SEARCH_FACETS
    assert await facets(ds, f"?_search_title={quote('台湾')}") == SEARCH_FACETS


async def test_a_blank_search_is_browsing(ds: Datasette) -> None:
    assert await facets(ds, "?_search=%20") == BROWSE_FACETS


async def test_a_search_can_still_ask_for_any_facet(ds: Datasette) -> None:
    assert await facets(ds, f"?_search={quote('台湾')}&_facet=author") == SEARCH_FACETS | {"author"}


async def test_concurrent_requests_each_get_their_own_facets(ds: Datasette) -> None:
    search = f"?_search={quote('台湾')}"
    results = await asyncio.gather(*(facets(ds, search if i % 2 else "") for i in range(8)))
    assert results == [SEARCH_FACETS if i % 2 else BROWSE_FACETS for i in range(8)]

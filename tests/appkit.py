"""Shared by the app's tests: databases built by the real build_db.py, Datasette with the flags of
`make serve`, and the independent search oracle (a term is found where its normalised form occurs in the
normalised text)."""

from __future__ import annotations

import asyncio
import csv
import io
import re
import sqlite3
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any
from urllib.parse import quote

import yaml
from bs4 import BeautifulSoup
from datasette.app import Datasette

from benchmarks import latency
from zhnews.search.text import normalise
from zhnews.text import clean_line

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "sample"


def build_database(sources: list[Path], folder: Path) -> Path:
    """`python build_db.py SOURCE... --db <folder>/news.db`, the real command line."""
    db = folder / "news.db"
    result = subprocess.run(
        [sys.executable, str(ROOT / "build_db.py"), *map(str, sources), "--db", str(db), "--quiet"],
        cwd=ROOT, capture_output=True, text=True, timeout=900,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    return db


def serve_flags() -> list[str]:
    """The Datasette flags of `make serve`, from the Makefile itself (one place for both)."""
    return latency.serve_flags(ROOT)


def serve_settings() -> dict[str, Any]:
    flags = serve_flags()
    found: dict[str, Any] = {}
    for i, flag in enumerate(flags):
        if flag == "--setting":
            name, value = flags[i + 1], flags[i + 2]
            found[name] = {"on": True, "off": False}.get(value, int(value) if value.isdigit() else value)
    return found


def load_metadata() -> dict[str, Any]:
    return yaml.safe_load((ROOT / "metadata.yml").read_text(encoding="utf-8"))


def make_datasette(db: Path, metadata: dict[str, Any] | None = None) -> Datasette:
    return Datasette(
        immutables=[str(db)],
        metadata=metadata or load_metadata(),
        plugins_dir=str(ROOT / "plugins"),
        template_dir=str(ROOT / "templates"),
        static_mounts=[("static", str(ROOT / "static"))],
        settings=serve_settings(),
    )


def rows(db: Path, sql: str, params: tuple[Any, ...] = ()) -> list[dict[str, Any]]:
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    conn.row_factory = sqlite3.Row
    try:
        return [dict(r) for r in conn.execute(sql, params)]
    finally:
        conn.close()


def term_matches(term: str, article: dict[str, Any]) -> bool:
    """The oracle: does the article contain the term (as the search is specified, not as it is built)?

    Han terms: substring of the normalised text (Traditional = Simplified, full-width = ASCII). Latin words:
    a whole word, case-insensitive. Fields are searched separately (a hit never spans title and body).
    """
    needle = normalise(term)
    for field in ("title", "lead", "body_text"):
        text = normalise(article.get(field) or "")
        if needle.isascii():
            if re.search(rf"(?<![a-z]){re.escape(needle)}(?![a-z])", text):
                return True
        elif needle in text:
            return True
    return False


def expected_ids(db: Path, term: str) -> set[int]:
    articles = rows(db, "select id, title, lead, body_text from articles")
    return {a["id"] for a in articles if term_matches(term, a)}


def run_sync(coroutine: Any) -> Any:
    """Run a coroutine on a fresh event loop in another thread (hypothesis drives sync functions)."""
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coroutine).result()


def soup(html: str) -> BeautifulSoup:
    return BeautifulSoup(html, "lxml")


def collapse(text: str) -> str:
    """One line, whitespace collapsed, invisible characters gone (body_html may keep a U+200B that
    body_text, cleaned by zhnews.text.clean_line, does not)."""
    return clean_line(text)


async def get(ds: Datasette, path: str) -> Any:
    response = await ds.client.get(path)
    assert response.status_code == 200, (path, response.status_code, response.text[:500])
    return response


async def all_search_ids(ds: Datasette, term: str) -> set[int]:
    """Every article the table's search box finds (streamed CSV: not limited to max_returned_rows)."""
    response = await get(ds, f"/news/articles.csv?_search={quote(term)}&_stream=on&_col=title")
    return {int(r["id"]) for r in csv.DictReader(io.StringIO(response.text))}

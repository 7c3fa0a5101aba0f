"""Experiment: the same FTS5 index keyed by the articles' hashed ids vs by dense rowids (1..N).

Why: FTS5 stores each term's document list as rowid DELTAS (varints). Article ids are hashes spread over
2^53, so consecutive documents of a term are ~2^53/df apart: 6-8 bytes per (term, document) entry instead
of 1-2 with dense rowids. This script measures what that costs in bytes and query time on a built
database, by indexing the same segmented text (zhnews.search_index.segment_article, same tokenizer and
columns) both ways in a scratch copy. The database itself is never modified. Since commit "search_rowid: …"
the build itself keys articles_fts by the dense `articles.search_rowid`; this experiment keeps measuring both
keyings from the same text (hashed = `articles.id`, dense = 1..N in `published` order).

    python -m benchmarks.fts_rowids benchmarks/work/n60000/news.db
"""

from __future__ import annotations

import json
import shutil
import sqlite3
import tempfile
import time
from pathlib import Path

import click

from benchmarks.latency import QUERIES, percentile
from zhnews import search_index
from zhnews.search_index import COLUMNS, RANK, segment_article
from zhnews.search_text import FTS5_TOKENIZE, fts_query


def _index(conn: sqlite3.Connection, name: str, rows: list[tuple[int, str, str, str]]) -> float:
    """The table exactly as search_index creates it (its stored column order); rows in COLUMNS order."""
    stored = ", ".join(getattr(search_index, "STORED_COLUMNS", COLUMNS))
    columns = ", ".join(COLUMNS)
    conn.execute(
        f"create virtual table {name} using fts5({stored}, content='', tokenize=\"{FTS5_TOKENIZE}\")"
    )
    conn.execute(f"insert into {name}({name}, rank) values ('rank', ?)", [RANK])
    started = time.perf_counter()
    conn.executemany(f"insert into {name}(rowid, {columns}) values (?, ?, ?, ?)", rows)
    conn.execute(f"insert into {name}({name}) values ('optimize')")
    conn.commit()
    return time.perf_counter() - started


def _bytes(conn: sqlite3.Connection, name: str) -> int:
    return conn.execute("select sum(pgsize) from dbstat where name like ?", (name + "%",)).fetchone()[0]


def _query_ms(conn: sqlite3.Connection, name: str, reps: int) -> dict[str, float]:
    """Ranked top-100 rowids per query (the FTS part of the `search` canned query), p95 of reps runs."""
    result = {}
    sql = f"select rowid from {name} where {name} match ? order by rank limit 100"
    for _, query in QUERIES:
        times = []
        for _ in range(reps):
            started = time.perf_counter()
            conn.execute(sql, (fts_query(query),)).fetchall()
            times.append((time.perf_counter() - started) * 1000)
        result[query] = percentile(times, 95)
    return result


def compare(db: Path, reps: int) -> dict[str, object]:
    """Index the articles of db both ways in a scratch copy; sizes, index time and query p95."""
    with tempfile.TemporaryDirectory(dir=db.parent) as tmp:
        scratch = Path(tmp) / "scratch.db"
        shutil.copyfile(db, scratch)
        conn = sqlite3.connect(scratch)
        articles = conn.execute(
            "select id, title, lead, body_text from articles order by published, id"
        ).fetchall()
        body = conn.execute("select sum(length(cast(body_text as blob))) from articles").fetchone()[0]
        segmented = [(aid, *segment_article(t, lead, b)) for aid, t, lead, b in articles]
        hashed_seconds = _index(conn, "x_hashed", segmented)
        dense_rows = [(i, *row[1:]) for i, row in enumerate(segmented, start=1)]
        dense_seconds = _index(conn, "x_dense", dense_rows)
        result = {
            "articles": len(articles),
            "body_text_bytes": body,
            "hashed": {
                "bytes": _bytes(conn, "x_hashed"),
                "index_seconds": hashed_seconds,
                "p95_ms": _query_ms(conn, "x_hashed", reps),
            },
            "dense": {
                "bytes": _bytes(conn, "x_dense"),
                "index_seconds": dense_seconds,
                "p95_ms": _query_ms(conn, "x_dense", reps),
            },
        }
        conn.close()
    for key in ("hashed", "dense"):
        result[key]["over_body_text"] = result[key]["bytes"] / body
    return result


@click.command()
@click.argument("db", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--reps", type=int, default=10, show_default=True)
@click.option("--save", type=click.Path(path_type=Path), default=None, help="write the figures as JSON")
def main(db: Path, reps: int, save: Path | None) -> None:
    """Compare hashed-id and dense-rowid FTS indexes of DB's articles (a scratch copy; DB is untouched)."""
    result = compare(db, reps)
    if save:
        save.write_text(json.dumps(result, ensure_ascii=False, indent=1))
    for key in ("hashed", "dense"):
        item = result[key]
        click.echo(
            f"{key:6} {item['bytes'] / 1e6:8.1f} MB = {item['over_body_text']:.2f}x body_text; "
            f"indexed in {item['index_seconds']:.1f} s; p95 ms "
            + ", ".join(f"{q} {ms:.1f}" for q, ms in item["p95_ms"].items())
        )


if __name__ == "__main__":
    main()

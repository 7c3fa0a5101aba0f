"""Experiment: the same FTS5 index keyed three ways: hashed ids, dense rowids (1..N), minute of publication.

Why: FTS5 stores each term's document list as rowid DELTAS (varints). Article ids are hashes spread over
2^53, so consecutive documents of a term are ~2^53/df apart: 6-8 bytes per (term, document) entry instead
of 1-2 with dense rowids. The build keys articles_fts by `articles.search_rowid`, the minute of publication
made unique (zhnews.search.index.search_rowid_for): nearly as compact as 1..N, and in time order, which
lets the ranked search take "the newest N matches" cheaply. This script measures bytes, index time and
query time of each keying on a built database, by indexing the same segmented text
(zhnews.search.index.segment_article, same tokenizer and columns) in a scratch copy; the database itself
is never modified.

    python -m benchmarks.fts_rowids benchmarks/work/n60000/news.db [--keying minutes ...]
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
from zhnews.search import index as search_index
from zhnews.search.index import COLUMNS, RANK, search_rowid_for, segment_article
from zhnews.search.text import FTS5_TOKENIZE, fts_query

# hashed: rowid = articles.id; dense: 1..N in publication order; minutes: the minute of publication made
# unique, inserted in the build's arrival order in sorted batches of BATCH (what the writer does)
KEYINGS = ("hashed", "dense", "minutes")
BATCH = 256


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


Segmented = tuple[int, str, str, str]


def _unique_minutes(pairs: list[tuple[str | None, Segmented]]) -> list[Segmented]:
    """rowid = the minute of publication (as the writer gives it), bumped to the next free integer."""
    taken: set[int] = set()
    out = []
    for published, row in pairs:
        rowid = search_rowid_for(published)
        while rowid in taken:
            rowid += 1
        taken.add(rowid)
        out.append((rowid, *row[1:]))
    return out


def _in_batches(rows: list[Segmented], size: int) -> list[Segmented]:
    """Arrival order (the build's), each batch sorted by rowid as the writer inserts it."""
    return [row for start in range(0, len(rows), size) for row in sorted(rows[start:start + size])]


def compare(db: Path, reps: int, keyings: tuple[str, ...] = KEYINGS) -> dict[str, object]:
    """Index the articles of db each way in a scratch copy; sizes, index time and query p95."""
    with tempfile.TemporaryDirectory(dir=db.parent) as tmp:
        scratch = Path(tmp) / "scratch.db"
        shutil.copyfile(db, scratch)
        conn = sqlite3.connect(scratch)
        # arrival order: the order the build met the articles (search_rowid at the time of writing)
        articles = conn.execute(
            "select id, title, lead, body_text, published from articles order by search_rowid"
        ).fetchall()
        body = conn.execute("select sum(length(cast(body_text as blob))) from articles").fetchone()[0]
        segmented = [(aid, *segment_article(t, lead, b)) for aid, t, lead, b, _ in articles]
        by_time = sorted(range(len(articles)), key=lambda i: (articles[i][4] or "", articles[i][0]))
        rows = {
            "hashed": lambda: segmented,
            "dense": lambda: [(n, *segmented[i][1:]) for n, i in enumerate(by_time, start=1)],
            "minutes": lambda: _in_batches(
                _unique_minutes([(a[4], row) for a, row in zip(articles, segmented, strict=True)]), BATCH),
        }
        result: dict[str, object] = {"articles": len(articles), "body_text_bytes": body}
        for key in keyings:
            seconds = _index(conn, f"x_{key}", rows[key]())
            size = _bytes(conn, f"x_{key}")
            result[key] = {"bytes": size, "over_body_text": size / body, "index_seconds": seconds,
                           "p95_ms": _query_ms(conn, f"x_{key}", reps)}
        conn.close()
    return result


@click.command()
@click.argument("db", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--reps", type=int, default=10, show_default=True)
@click.option("--keying", "keyings", multiple=True, type=click.Choice(KEYINGS), default=KEYINGS,
              show_default=True, help="which keyings to build (repeatable)")
@click.option("--save", type=click.Path(path_type=Path), default=None, help="write the figures as JSON")
def main(db: Path, reps: int, keyings: tuple[str, ...], save: Path | None) -> None:
    """Compare FTS indexes of DB's articles keyed each way (a scratch copy; DB is untouched)."""
    result = compare(db, reps, keyings)
    if save:
        save.write_text(json.dumps(result, ensure_ascii=False, indent=1))
    for key in keyings:
        item = result[key]
        click.echo(
            f"{key:6} {item['bytes'] / 1e6:8.1f} MB = {item['over_body_text']:.2f}x body_text; "
            f"indexed in {item['index_seconds']:.1f} s; p95 ms "
            + ", ".join(f"{q} {ms:.1f}" for q, ms in item["p95_ms"].items())
        )


if __name__ == "__main__":
    main()

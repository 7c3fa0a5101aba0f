"""Experiment: vocabulary variants at query time (OR groups, chosen) vs at index time (one form per group).

Query time (what the app does): the index holds the articles' own words; a term with variants becomes an OR
of phrases (特朗普 -> "特 朗 普" OR "川 普" OR "trump"). Index time (the alternative): every variant in the
indexed text is replaced by its group's first member, and so is every query term, so a search is one
phrase. Index time cannot express one-way groups (视频 > 影片) and needs a rebuild whenever the data change
(the index fingerprint would have to include them); its snippets still need the expansion to mark what each
article says.

On one built database, this script builds the index-time index in a scratch database next to it (the
database itself is only read), then measures, per query and for both ways plus the unexpanded query, what
a search costs in SQLite (single thread, no HTTP):
- count: the search page's counting pass (zhnews.search.engine.count: matches per month and outlet);
- ranked: the search page's first page by relevance (engine.ranked_page, 20 results) with their snippets;
- table: what the articles table's `?_search=` runs (count, 31 rows newest first with their card
  snippets, the outlet and month facets);
wall and CPU milliseconds over `--reps` runs after one warm-up, and the size of each index (dbstat).

    python -m benchmarks.variants benchmarks/work/variants/n60000/news.db [--reps 10] [--save out.json]
"""

from __future__ import annotations

import dataclasses
import json
import os
import sqlite3
import time
from collections.abc import Callable
from pathlib import Path

import click

from benchmarks.latency import percentile
from benchmarks.machine import describe, load_average
from zhnews.app.limits import bounded_snippet
from zhnews.search import engine
from zhnews.search.catalog import load_catalog
from zhnews.search.index import (
    COLUMNS,
    FTS5_TOKENIZE,
    FTS_TABLE,
    RANK,
    STORED_COLUMNS,
    register_sql_functions,
    search_index_bytes,
    segment_article,
)
from zhnews.search.tags import article_tags
from zhnews.search.text import Phrase, Query, fts_query, match_expression, parse_query, variant_table

ROOT = Path(__file__).resolve().parent.parent
# (label, query): groups of every size, a member inside a longer word, several groups, a one-way group,
# and terms without variants as controls (their three rows must be equal but for noise).
QUERIES: tuple[tuple[str, str], ...] = (
    ("person, large group", "特朗普"),
    ("Taiwan form", "川普"),
    ("inside a longer word", "特朗普政府"),
    ("English", "Trump"),
    ("term", "网络"),
    ("place", "悉尼"),
    ("very common group", "中共"),
    ("two groups", "美国 新冠肺炎"),
    ("one-way group", "视频"),
    ("control: no group", "台湾"),
    ("control: very common", "中国"),
)
MODES = ("unexpanded", "query-time", "index-time")
PAGES = ("count", "ranked", "table")
HITS = "select rowid from articles_search where articles_search match escape_fts(:q)"
TABLE_STATEMENTS = (
    "select count(*) from articles where rowid in ({hits})",
    "select id, zh_snippet(lead || char(10) || body_text, :q) from articles where rowid in ({hits}) "
    "order by published desc, rowid desc limit 31",
    "select outlet, count(*) n from articles where rowid in ({hits}) "
    "group by outlet order by n desc limit 11",
    "select published_month, count(*) n from articles where rowid in ({hits}) "
    "group by published_month order by n desc limit 11",
)


# ------------------------------------------------------------------------------------------ index time

def canonical_forms() -> dict[Phrase, Phrase]:
    """Every member of a two-way group -> the group's first member (one-way edges cannot be indexed)."""
    return {member: group[0] for group in variant_table().groups() for member in group[1:]}


def canonicalise(tokens: tuple[str, ...], forms: dict[Phrase, Phrase]) -> tuple[str, ...]:
    """Tokens with every variant replaced by its canonical form (members matched as the query matches them:
    longest first, left to right)."""
    out: list[str] = []
    start = 0
    for position, member in variant_table().matches(tokens):
        out.extend(tokens[start:position])
        out.extend(forms.get(member, member))
        start = position + len(member)
    out.extend(tokens[start:])
    return tuple(out)


def canonical_text(segmented: str, forms: dict[Phrase, Phrase]) -> str:
    return " ".join(canonicalise(tuple(segmented.split(" ")), forms)) if segmented else ""


def canonical_query(user_query: str, forms: dict[Phrase, Phrase]) -> str:
    """The index-time rewrite: the typed phrases, canonicalised; no OR groups."""
    query = parse_query(user_query, expand=False)

    def rewrite(alternatives: tuple) -> tuple:
        return tuple(tuple((canonicalise(v[0], forms),) for v in a) for a in alternatives)

    return match_expression(Query(tuple(rewrite(g) for g in query.groups), rewrite(query.excluded)))


def build_canonical_index(db: Path, scratch: Path, batch: int = 2000) -> dict[str, float]:
    """articles_fts with canonicalised text (tags as built), in a scratch database, in search_rowid order
    (batches: memory stays flat at any N); seconds spent segmenting, canonicalising and indexing."""
    forms = canonical_forms()
    scratch.unlink(missing_ok=True)
    conn = sqlite3.connect(scratch)
    conn.execute(f"create virtual table {FTS_TABLE} using fts5({', '.join(STORED_COLUMNS)}, content='', "
                 f"tokenize=\"{FTS5_TOKENIZE}\")")
    conn.execute(f"insert into {FTS_TABLE}({FTS_TABLE}, rank) values ('rank', ?)", [RANK])
    marks = ", ".join("?" * (len(COLUMNS) + 1))
    insert = f"insert into {FTS_TABLE}(rowid, {', '.join(COLUMNS)}) values ({marks})"
    seconds = {"segment_seconds": 0.0, "canonicalise_seconds": 0.0, "index_seconds": 0.0}
    source = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    cursor = source.execute("select search_rowid, title, lead, body_text, section, author, language "
                            "from articles order by search_rowid")
    articles = 0
    while rows := cursor.fetchmany(batch):
        started = time.perf_counter()
        plain = [(r[0], *segment_article(r[1], r[2], r[3], article_tags(r[4], r[5], r[6]))) for r in rows]
        segmented = time.perf_counter()
        canonical = [(rowid, *(canonical_text(text, forms) for text in (title, lead, body)), tags)
                     for rowid, title, lead, body, tags in plain]
        canonicalised = time.perf_counter()
        conn.executemany(insert, canonical)
        seconds["segment_seconds"] += segmented - started
        seconds["canonicalise_seconds"] += canonicalised - segmented
        seconds["index_seconds"] += time.perf_counter() - canonicalised
        articles += len(rows)
    source.close()
    started = time.perf_counter()
    conn.execute(f"insert into {FTS_TABLE}({FTS_TABLE}) values ('optimize')")
    conn.commit()
    seconds["index_seconds"] += time.perf_counter() - started
    conn.close()
    return {**seconds, "articles": articles}


# ------------------------------------------------------------------------------------------ measuring

def connect(mode: str, db: Path, scratch: Path) -> tuple[sqlite3.Connection, Callable[[str], str]]:
    """A connection on which the app's SQL runs over the index of `mode`, and that mode's rewrite (also
    `escape_fts` there, for the table's SQL)."""
    if mode == "index-time":
        conn = sqlite3.connect(scratch)
        conn.execute("attach database ? as archive", [f"file:{db}?mode=ro"])
        conn.execute(  # the app's view, over the canonical index (temp: it spans two databases)
            f"create temp view articles_search as select a.id as rowid, f.{FTS_TABLE} as articles_search, "
            f"f.rank as rank from main.{FTS_TABLE} f join archive.articles a on a.search_rowid = f.rowid")
    else:
        conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    register_sql_functions(conn)  # zh_snippet marks every variant in all three modes
    forms = canonical_forms()
    rewrite: Callable[[str], str] = {
        "unexpanded": lambda q: fts_query(q, expand=False),
        "query-time": fts_query,
        "index-time": lambda q: canonical_query(q, forms),
    }[mode]
    conn.create_function("escape_fts", 1, rewrite, deterministic=True)
    return conn, rewrite


def ranked_with_snippets(conn: sqlite3.Connection, plan: engine.Plan, query: str) -> None:
    """The search page's first page by relevance, with the title and text snippets it shows."""
    rowids = engine.ranked_page(conn, plan).rowids
    if rowids:
        listed = ", ".join(map(str, rowids))
        for title, lead, body in conn.execute(
                f"select title, lead, body_text from articles where search_rowid in ({listed})"):
            bounded_snippet(title, query, 200)
            bounded_snippet((lead or "") + "\n" + (body or ""), query, 120)


def page_runs(conn: sqlite3.Connection, plan: engine.Plan, query: str) -> dict[str, Callable[[], object]]:
    """What each measured page runs for one query (see the module docstring)."""
    table = [sql.format(hits=HITS) for sql in TABLE_STATEMENTS]
    return {
        "count": lambda: engine.count(conn, plan),
        "ranked": lambda: ranked_with_snippets(conn, plan, query),
        "table": lambda: [conn.execute(sql, {"q": query}).fetchall() for sql in table],
    }


def timed(run: Callable[[], object], reps: int) -> dict:
    """run() once to warm up, then `reps` times: wall and CPU milliseconds. CPU time is what to compare on
    a shared machine: other processes stretch wall time only."""
    wall, cpu = [], []
    for rep in range(reps + 1):
        started, started_cpu = time.perf_counter(), time.process_time()
        run()
        if rep:
            wall.append((time.perf_counter() - started) * 1000)
            cpu.append((time.process_time() - started_cpu) * 1000)
    return {"p50": percentile(wall, 50), "p95": percentile(wall, 95), "ms": wall,
            "cpu_p50": percentile(cpu, 50), "cpu_p95": percentile(cpu, 95), "cpu_ms": cpu}


def measure(db: Path, reps: int, reuse_index: bool = False) -> dict[str, object]:
    scratch = db.with_name("variants-index-time.db")
    result: dict[str, object] = {"machine": describe(ROOT), "db": str(db)}
    build_file = scratch.with_suffix(".json")
    if reuse_index and scratch.exists() and build_file.exists():
        result["build"] = json.loads(build_file.read_text())
    else:
        result["build"] = build_canonical_index(db, scratch)
        build_file.write_text(json.dumps(result["build"]))
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as conn:
        body = conn.execute("select sum(length(cast(body_text as blob))) from articles").fetchone()[0]
        sizes = {"query-time": search_index_bytes(conn), "body_text": body}
    with sqlite3.connect(scratch) as conn:
        sizes["index-time"] = search_index_bytes(conn)
    result["bytes"] = sizes
    connections = {mode: connect(mode, db, scratch) for mode in MODES}
    runs = {}
    for mode, (conn, rewrite) in connections.items():
        catalog = load_catalog(conn)
        for _, query in QUERIES:
            plan = dataclasses.replace(engine.plan(conn, engine.Search(query), catalog),
                                       expression=f"({rewrite(query)})")
            matches = engine.count(conn, plan).total
            runs[query, mode] = (matches, plan.expression, page_runs(conn, plan, query))
    for *_, pages in runs.values():  # every page once before any timing: no mode pays for a cold cache
        for run in pages.values():
            run()
    per_query: dict[str, dict[str, object]] = {}
    for label, query in QUERIES:  # the modes side by side, query by query: load changes hit them alike
        per_query[query] = {"label": label}
        for mode in MODES:
            matches, expression, pages = runs[query, mode]
            per_query[query][mode] = {"matches": matches, "expression": expression,
                                      **{page: timed(run, reps) for page, run in pages.items()}}
    for conn, _ in connections.values():
        conn.close()
    result["queries"] = per_query
    result["load_at_end"] = load_average()
    return result


def report(result: dict) -> str:
    machine, build, sizes = result["machine"], result["build"], result["bytes"]

    def size(mode: str) -> str:
        return f"{sizes[mode] / 1e6:.1f} MB ({sizes[mode] / sizes['body_text']:.3f}× body_text)"

    lines = [
        f"{machine['date']} · commit {machine['commit']} · load {machine['load_at_start']} → "
        f"{result['load_at_end']} · {build['articles']:,} articles",
        f"index: query-time {size('query-time')}, index-time {size('index-time')}",
        f"index-time build: canonicalise {build['canonicalise_seconds']:.1f} s more "
        f"(segmenting {build['segment_seconds']:.1f} s, indexing {build['index_seconds']:.1f} s)",
        "",
        "Milliseconds, unexpanded / query-time / index-time: CPU p50 (what contention disturbs least), and "
        "wall p95 of the ranked page.",
        "",
        "| query | matches | count CPU | ranked CPU | table CPU | ranked wall p95 |",
        "|---|---|---|---|---|---|",
    ]
    for query, item in result["queries"].items():
        cells = [" / ".join(f"{item[m]['matches']:,}" for m in MODES)]
        cells += [" / ".join(f"{item[m][page]['cpu_p50']:.0f}" for m in MODES) for page in PAGES]
        cells.append(" / ".join(f"{item[m]['ranked']['p95']:.0f}" for m in MODES))
        lines.append(f"| {query} ({item['label']}) | " + " | ".join(cells) + " |")
    return "\n".join(lines)


@click.command()
@click.argument("db", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--reps", type=int, default=10, show_default=True)
@click.option("--save", type=click.Path(path_type=Path), default=None, help="write every figure as JSON")
@click.option("--reuse-index", is_flag=True, help="reuse the scratch index of a run on the same DB and data")
def main(db: Path, reps: int, save: Path | None, reuse_index: bool) -> None:
    """Compare query-time and index-time variants on DB (read only; a scratch index is built next to it)."""
    result = measure(db, reps, reuse_index)
    if save:
        save.write_text(json.dumps(result, ensure_ascii=False, indent=1))
    click.echo(report(result))
    click.echo(f"(cores: {os.cpu_count()})")


if __name__ == "__main__":
    main()

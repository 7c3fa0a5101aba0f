"""The full-text index of articles and its maintenance: one contentless FTS5 table, `articles_fts`.

Why contentless (content=''): the index stores only what search needs (token positions and column sizes for
bm25); the segmented search text itself is never stored. Snippets come from `snippets.snippet` on
the original `body_text`, which also shows the text as written (臺灣 stays 臺灣).

Why rowid = `articles.search_rowid`, not `articles.id`: FTS5 stores each term's document list as rowid
DELTAS; ids are hashes spread over 2^53, so every (term, document) entry paid 6-8 bytes of delta instead
of 1-2. search_rowid packs the article's month, its outlet and a serial number (zhnews.search.keys), so
the index alone answers "how many matches per month and outlet" and a month is a rowid range; serials are
dense, so the deltas stay small.

Measured 2026-11-28 on ../shared/corpus (2,618 files -> 2,606 articles, body_text 9.55 MB; bytes from
`dbstat` via search_index_bytes; SQLite 3.40.1), as built by build_db.py, optimized:
    rowid = articles.id (hash)             12.74 MB = 1.33x body_text
    rowid = 1..N in arrival order           7.21 MB = 0.75x body_text; the same article sets for
                                            台湾 臺灣 法 刘建超 Finer 2024 中国 美国, the same top 50 for 台湾
At 60k synthetic articles (benchmarks/fts_rowids.py, in benchmarks/RESULTS.md): hashed 1.36x, 1..N 0.78x,
minute of publication 0.82x (schema 3), (month, outlet, serial) keys: see benchmarks/RESULTS.md;
indexing 75 s / 11 s / 13-14 s (the writer inserts each batch in rowid order: FTS5 flushes its pending
terms whenever a rowid goes down).
Earlier choices, same corpus: the stored column order (body, lead, title) saves 12% (see STORED_COLUMNS);
punctuation boundaries cost 5% but stop false phrase matches across punctuation (国美 10 -> 78 articles
without them); a regular FTS5 table storing the segmented text would be 2.4x the contentless one.

Maintenance (`tidy_search_index`, after incremental builds): a contentless index forgets a document through
delete markers in a new segment, while its old entries stay in the big segment until a merge reaches it.
Re-indexing 1% of the corpus per build, 20 builds, ratio to body_text after each build (same corpus):
    nothing (FTS5 automerge only)     0.77 -> 0.92, growing steadily; every article changed once: 1.74x
    'merge', 500 pages per build      0.77 -> 0.92 (merges only levels with >= 4 segments: no help)
    'merge', -500 pages per build     up to 2.52x while the big segment is being merged (the old and the
                                      half-built new segment coexist for several builds), then 0.77
    'optimize' every build            0.75-0.76; 0.08 s per build here, a full index rewrite at any scale
    'optimize' once the articles unindexed since the last one exceed 5% (chosen)
                                      0.75-0.81, one optimize every 6 builds; every article changed: 0.76x
So the bloat stays within ~8% and the rewrite cost is paid once per 5% of churn, whatever the archive size.

The price of contentless on SQLite 3.40 (no `contentless_delete`): removing or changing an article needs the
text it was indexed with. The builder recomputes it from the stored `articles` row, which is exact as long as
segmentation has not changed since; `create_search_index` records a fingerprint of everything segmentation
depends on (our version, Python's Unicode data, OpenCC) and reports when the index must be rebuilt.

Contract with the builder (zhnews/build/writer.py), inside the caller's transaction (nothing here commits):
    if create_search_index(db):                 # True: the index is new and empty
        set_merge_policy(db, bulk=True)         # fewer merges while the new index is filled
        index_articles(db, all_article_rows)    # rows are (search_rowid, title, lead, body_text, tags)
        optimize_search_index(db)               # one b-tree segment (smaller, faster)
        set_merge_policy(db, bulk=False)        # before committing: incremental builds need merging
    ...
    unindex_articles(db, [old_row])             # BEFORE the articles row changes or is deleted
    index_articles(db, [new_row])               # under its key (a new one if its month or outlet changed)
    tidy_search_index(db, unindexed, total)     # after an incremental build
Keys are given by the writer (zhnews.search.keys); `tags` is zhnews.search.tags.tags_of(row).
Parsing workers may call `segment_article` and hand the result to `index_segmented`/`unindex_segmented`.

Query side: join `articles.search_rowid = articles_fts.rowid`. The view `articles_search` is the same index
keyed by articles.id (rowid = articles.id, plus title/lead/body, rank, and a column named like the view for
`articles_search match q`): the articles table's `fts_table` in metadata.yml, because Datasette 0.65's
`?_search_<column>=` filters `rowid in (...)` whatever fts_pk says. SQLite flattens the view, so MATCH
reaches FTS5 (plan: SCAN f VIRTUAL TABLE, then the unique search_rowid index).
`register_sql_functions(conn)` adds zh_fts_query(q), zh_snippet(text, q[, size]) and zh_highlight(text, q);
with `escape_fts=True` it also replaces Datasette's `escape_fts` so the stock `?_search=` box uses the
rewrite (call it from a prepare_connection hook marked trylast=True).
"""

from __future__ import annotations

import html
import sqlite3
import unicodedata
from collections.abc import Iterable
from importlib.metadata import version

import sqlite_utils

from zhnews.search.snippets import highlight, snippet
from zhnews.search.text import FTS5_TOKENIZE, fts_query, segment

FTS_TABLE = "articles_fts"
# The index keyed by articles.id, for Datasette's table search (see the module docstring); hide it too.
SEARCH_VIEW = "articles_search"
META_TABLE = "articles_fts_meta"  # key/value: the fingerprint; hide it in metadata.yml like the FTS tables
COLUMNS = ("title", "lead", "body", "tags")  # the order of every row tuple here; always named in SQL
# The table's own column order puts `body` FIRST: FTS5 marks every (term, document) entry outside column 0
# with two extra bytes, and almost every entry is a body one. Measured on ../shared/corpus: index 1.52x
# body_text bytes with (title, lead, body), 1.33x with (body, lead, title); same queries, same results.
STORED_COLUMNS = ("body", "lead", "title", "tags")
# bm25 weights, in STORED_COLUMNS order: a hit in the title counts 10x one in the body, in the lead 5x; the
# facet tags (zhnews.search.tags) are filters, not relevance.
RANK = "bm25(1.0, 5.0, 10.0, 0.0)"
SEGMENTER_VERSION = "3"  # 3: the tags column
# tidy_search_index: 'optimize' once the articles unindexed (changed or removed) since the last optimize
# exceed this share of all articles (measurements in the module docstring).
OPTIMIZE_SHARE = 0.05  # bump whenever zhnews.search.text changes what segment() returns

Row = tuple[int, str | None, str | None, str | None, str]  # (search_rowid, title, lead, body_text, tags)
SegmentedRow = tuple[int, str, str, str, str]
Db = sqlite_utils.Database | sqlite3.Connection  # the builder works on a bare connection, tests on either


def _conn(db: Db) -> sqlite3.Connection:
    return db.conn if isinstance(db, sqlite_utils.Database) else db


def fingerprint() -> str:
    """Everything the segmented text depends on: if any of it changes, old deletes would be wrong."""
    return (
        f"segmenter {SEGMENTER_VERSION}; unicode {unicodedata.unidata_version}; "
        f"opencc {version('opencc')}; tokenize {FTS5_TOKENIZE}"
    )


def _exists(db: Db, name: str) -> bool:
    return _conn(db).execute("select 1 from sqlite_master where name = ?", [name]).fetchone() is not None


def search_index_is_current(db: Db) -> bool:
    """True when the index exists and was built by the same segmentation as now."""
    if not (_exists(db, FTS_TABLE) and _exists(db, META_TABLE)):
        return False
    row = _conn(db).execute(f"select value from {META_TABLE} where key = 'fingerprint'").fetchone()
    return row is not None and row[0] == fingerprint()


def create_search_index(db: Db, *, replace: bool = False) -> bool:
    """Create `articles_fts` (rowid = articles.search_rowid) unless a current one exists.

    Returns True when the index was (re)created and is therefore EMPTY: the caller must index every article.
    A stale index (different segmentation fingerprint) is dropped and recreated: its deletes could not be
    computed any more.
    """
    if not replace and search_index_is_current(db):
        return False
    conn = _conn(db)
    conn.execute(f"drop view if exists {SEARCH_VIEW}")
    conn.execute(f"drop table if exists {FTS_TABLE}")
    conn.execute(f"drop table if exists {META_TABLE}")
    tokenize = FTS5_TOKENIZE.replace('"', '""')
    conn.execute(
        f"create virtual table {FTS_TABLE} using fts5({', '.join(STORED_COLUMNS)}, "
        f"content='', tokenize=\"{tokenize}\")"
    )
    conn.execute(f"insert into {FTS_TABLE}({FTS_TABLE}, rank) values ('rank', ?)", [RANK])
    # `rowid` is the article's id; the column named like the view is the FTS table's own hidden column, so
    # `articles_search match q` and `title match q` both reach the FTS index (SQLite flattens the view);
    # `rank` is the FTS5 rank (bm25 with our weights) for `order by rank`.
    conn.execute(
        f"create view {SEARCH_VIEW} as select a.id as rowid, f.{FTS_TABLE} as {SEARCH_VIEW}, "
        + ", ".join(f"f.{c}" for c in COLUMNS)
        + f", f.rank as rank from {FTS_TABLE} f join articles a on a.search_rowid = f.rowid"
    )
    conn.execute(f"create table {META_TABLE} (key text primary key, value text)")
    conn.execute(f"insert into {META_TABLE} (key, value) values ('fingerprint', ?)", [fingerprint()])
    return True


def segment_article(title: str | None, lead: str | None, body_text: str | None,
                    tags: str = "") -> tuple[str, str, str, str]:
    """The indexed columns of one article (CPU work: parsing workers can do it); `tags` is
    zhnews.search.tags.article_tags of its facet values, indexed as it is."""
    return segment(title or ""), segment(lead or ""), segment(body_text or ""), tags


def _segmented(rows: Iterable[Row]) -> Iterable[SegmentedRow]:
    for search_rowid, title, lead, body, tags in rows:
        yield (search_rowid, *segment_article(title, lead, body, tags))


def _indexed(conn: sqlite3.Connection, search_rowid: int) -> bool:
    sql = f"select 1 from {FTS_TABLE}_docsize where id = ?"
    return conn.execute(sql, [search_rowid]).fetchone() is not None


def index_segmented(db: Db, rows: Iterable[SegmentedRow]) -> int:
    """Add already segmented articles. Raises ValueError for a search_rowid that is already indexed: in a
    contentless table a second insert would silently keep the old tokens (unindex the old text first)."""
    conn = _conn(db)
    sql = f"insert into {FTS_TABLE} (rowid, {', '.join(COLUMNS)}) values (?, ?, ?, ?, ?)"
    count = 0
    for row in rows:
        if _indexed(conn, row[0]):
            raise ValueError(f"search_rowid {row[0]} is already in {FTS_TABLE}: unindex its old text first")
        conn.execute(sql, row)
        count += 1
    return count


def unindex_segmented(db: Db, rows: Iterable[SegmentedRow]) -> int:
    """Remove already segmented articles; the values must be exactly those that were indexed."""
    conn = _conn(db)
    sql = (f"insert into {FTS_TABLE} ({FTS_TABLE}, rowid, {', '.join(COLUMNS)}) "
           "values ('delete', ?, ?, ?, ?, ?)")
    count = 0
    for row in rows:
        if not _indexed(conn, row[0]):
            raise ValueError(f"search_rowid {row[0]} is not in {FTS_TABLE}: nothing to unindex")
        conn.execute(sql, row)
        count += 1
    return count


def index_articles(db: Db, rows: Iterable[Row]) -> int:
    """Index articles given as (search_rowid, title, lead, body_text, tags); returns how many.
    See `index_segmented`."""
    return index_segmented(db, _segmented(rows))


def unindex_articles(db: Db, rows: Iterable[Row]) -> int:
    """Remove articles from the index, given the (search_rowid, title, lead, body_text, tags) they were
    INDEXED with (the stored articles row before it changes). Wrong old text would leave stale tokens."""
    return unindex_segmented(db, _segmented(rows))


def _meta_int(db: Db, key: str) -> int:
    row = _conn(db).execute(f"select value from {META_TABLE} where key = ?", [key]).fetchone()
    return int(row[0]) if row else 0


def _set_meta(db: Db, key: str, value: int) -> None:
    _conn(db).execute(
        f"insert into {META_TABLE} (key, value) values (?, ?) "
        "on conflict(key) do update set value = excluded.value", [key, str(value)])


# FTS5's merge settings while a new index is filled in one go (`optimize` follows), and its defaults, which
# incremental builds need (a segment per build would otherwise pile up). Measured at 60k articles (CPU seconds
# to index and optimize, same 180.4 MB result): defaults 14.6 s; automerge 0 11.5 s; automerge 0 with
# crisismerge 64 (chosen) 10.6 s. Fewer, wider merges: each entry is rewritten fewer times before `optimize`.
BULK_MERGE = {"automerge": 0, "crisismerge": 64}
STEADY_MERGE = {"automerge": 4, "crisismerge": 16}


def set_merge_policy(db: Db, *, bulk: bool) -> None:
    """BULK_MERGE while a new index is filled and optimized in the same build, else STEADY_MERGE."""
    for key, value in (BULK_MERGE if bulk else STEADY_MERGE).items():
        _conn(db).execute(f"insert into {FTS_TABLE}({FTS_TABLE}, rank) values (?, ?)", [key, value])


def optimize_search_index(db: Db) -> None:
    """Merge the index's b-tree segments into one: smaller, faster. Worth it after a big batch."""
    _conn(db).execute(f"insert into {FTS_TABLE}({FTS_TABLE}) values ('optimize')")
    _set_meta(db, "unindexed_since_optimize", 0)


def tidy_search_index(db: Db, unindexed: int, total: int) -> bool:
    """After an incremental build that unindexed `unindexed` articles (changed or removed) of `total`:
    'optimize' once those since the last optimize exceed OPTIMIZE_SHARE of `total`. Returns True if it ran.

    Why: a contentless index forgets a document through delete markers in a NEW segment; its old entries
    stay in the older segments until a merge reaches them, so churn grows the index (module docstring).
    """
    pending = _meta_int(db, "unindexed_since_optimize") + unindexed
    if pending > OPTIMIZE_SHARE * total:
        optimize_search_index(db)
        return True
    _set_meta(db, "unindexed_since_optimize", pending)
    return False


def search_index_bytes(db: Db) -> int:
    """Bytes used by the FTS table and its shadow tables (needs SQLite's dbstat)."""
    sql = "select coalesce(sum(pgsize), 0) from dbstat where name = ? or name like ? escape '\\'"
    return _conn(db).execute(sql, [FTS_TABLE, FTS_TABLE.replace("_", "\\_") + "\\_%"]).fetchone()[0]


# Bounds of the SQL functions. They run Python inside a query, where SQLite's time limit cannot interrupt them
# and the GIL is held for long stretches: unbounded input froze every reader of the server (issue 13:
# zh_snippet of a 50 MB string held it 19.6 s). Each call is bounded instead; measured on this machine, a
# call at the limits costs < 0.2 s, an article-sized one ~1 ms.
MAX_QUERY_CHARS = 2_000  # a search query; longer ones are refused (readers type a few words)
SNIPPET_TEXT_CHARS = 100_000  # a snippet looks for hits in this much of the text (an article: ~5,000)
MAX_TEXT_CHARS = 200_000  # zh_highlight marks the whole text: longer texts are refused


class InputTooLong(ValueError):
    """A zhnews SQL function was given more than it may process (see MAX_QUERY_CHARS, MAX_TEXT_CHARS)."""


def _bounded(value: object, limit: int, what: str) -> str | None:
    if value is None:
        return None
    text = str(value)
    if len(text) > limit:
        raise InputTooLong(f"{what} is {len(text):,} characters long; the limit is {limit:,}")
    return text


def _query(value: object) -> str:
    return _bounded(value, MAX_QUERY_CHARS, "search query") or ""


def _snippet(text: object, query: object, size: object = 80) -> str | None:
    if text is None:
        return None
    try:
        width = min(max(int(size), 10), 1_000)  # type: ignore[call-overload]
    except (TypeError, ValueError):
        width = 80
    q = _query(query)
    # str(text)[:n] would copy the whole value first: a snippet only ever looks at the start
    window = text[:SNIPPET_TEXT_CHARS] if isinstance(text, str) else str(text)[:SNIPPET_TEXT_CHARS]
    try:
        return snippet(window, q, width)
    except Exception:  # a snippet bug must cost the highlighting, never the search page
        return html.escape(window[: max(width, 10)])


def _highlight(text: object, query: object) -> str | None:
    bounded = _bounded(text, MAX_TEXT_CHARS, "text to highlight")
    if bounded is None:
        return None
    q = _query(query)
    try:
        return highlight(bounded, q)
    except Exception:  # as in _snippet
        return html.escape(bounded)


def _fts_query(query: object) -> str:
    return fts_query(_query(query))


def register_sql_functions(conn: sqlite3.Connection, *, escape_fts: bool = False) -> None:
    """Register zh_fts_query(q), zh_snippet(text, q[, size]) and zh_highlight(text, q) on a connection.

    Every function bounds its input (MAX_QUERY_CHARS, SNIPPET_TEXT_CHARS, MAX_TEXT_CHARS): over a limit it
    raises InputTooLong, which SQLite reports as "user-defined function raised exception".

    With escape_fts=True, Datasette's own `escape_fts(q)` is replaced by the rewrite too, which is what
    makes the stock `?_search=` box search Chinese. Datasette registers its escape_fts in its own
    prepare_connection, so the plugin hook doing this must be `@hookimpl(trylast=True)`.
    """
    conn.create_function("zh_fts_query", 1, _fts_query, deterministic=True)
    conn.create_function("zh_snippet", 2, _snippet, deterministic=True)
    conn.create_function("zh_snippet", 3, _snippet, deterministic=True)
    conn.create_function("zh_highlight", 2, _highlight, deterministic=True)
    if escape_fts:
        conn.create_function("escape_fts", 1, _fts_query, deterministic=True)

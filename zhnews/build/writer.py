"""All writes of one build: captures, errors, the choice of each article's best capture, the search index.

The database keeps one row per file (`captures` or `build_errors`) and one article per canonical URL. An
article is the parse of its best capture (most text, then latest `published`, then smallest `source`);
`captures.chosen` marks it. When the captures of an article change, the best one is re-chosen: from the
files parsed in the same batch, else by re-parsing the file of the best remaining capture. So any order
of incremental runs ends in the same database a `--full` build would produce, but for the serial part
of `articles.search_rowid` (the search index's key, zhnews.search.keys: month, outlet, and the order in
which articles of that month and outlet arrived).
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterable
from typing import Any

from zhnews.build import schema
from zhnews.build.outcome import Outcome, parse_file
from zhnews.build.result import BuildError, BuildReport
from zhnews.extract.outlets import ALL_OUTLETS, outlet_info
from zhnews.search import index as search_index
from zhnews.search import keys, tags
from zhnews.sources import Source, SourceState, source_name

_COLUMNS = (*schema.ARTICLE_COLUMNS, "search_rowid")
# An article that exists keeps its id and captures count; its search_rowid is set apart (see resolve).
_INSERT_ARTICLE = (
    f"INSERT INTO articles ({', '.join(_COLUMNS)}) "
    f"VALUES ({', '.join(':' + c for c in _COLUMNS)}) "
    "ON CONFLICT(id) DO UPDATE SET "
    + ", ".join(f"{c} = excluded.{c}" for c in _COLUMNS if c not in ("id", "captures", "search_rowid"))
)


_ORIGIN = ", ".join(schema.ORIGIN_COLUMNS)


def origin_values(out: Outcome) -> tuple[str, str | None, str | None, str | None]:
    """The `path, git_commit, git_blob, committed_at` of a capture or error (a git version's mtime is
    its commit time)."""
    o = out.origin
    committed = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(out.mtime_ns // 10**9)) if o.commit else None
    return o.path, o.commit, o.blob, committed


# What an article was indexed with: unindexing needs exactly those values (the index is contentless).
_INDEXED_ROW = (
    "SELECT search_rowid, title, lead, body_text, published_month, outlet, "
    + ", ".join(tags.TAGGED_COLUMNS) + " FROM articles WHERE id = ?"
)


def _index_row(old: sqlite3.Row) -> search_index.Row:
    return (old["search_rowid"], old["title"], old["lead"], old["body_text"], tags.tags_of(old))


class Writer:
    """All writes of one build, into the temporary copy, inside one transaction."""

    def __init__(self, conn: sqlite3.Connection, sources: dict[str, Source], report: BuildReport,
                 fresh: bool) -> None:
        self.conn = conn
        self.sources = sources
        self.report = report
        if fresh:
            schema.create(conn)
            search_index.create_search_index(conn)
            search_index.set_merge_policy(conn, bulk=True)  # finish() optimizes and restores the defaults
        conn.execute("BEGIN")
        self.next_serial: dict[int, int] = {}  # block -> the serial its next new article gets
        self.unindexed = 0  # changed or removed articles: their stale index entries decide finish()'s tidying
        self.outlets: dict[str, int] = dict(conn.execute("SELECT id, slot FROM outlets"))  # code -> slot
        if fresh:
            for outlet in ALL_OUTLETS:
                self._add_outlet(outlet.code)

    def _add_outlet(self, code: str) -> None:
        """Register an outlet, with the next free slot of the search index's keys (zhnews.search.keys)."""
        info = outlet_info(code)
        slot = self.conn.execute("SELECT coalesce(max(slot) + 1, 0) FROM outlets").fetchone()[0]
        slot = self.outlets.get(code, slot)
        if slot > keys.MAX_SLOT:
            raise BuildError(f"more than {keys.MAX_SLOT + 1} outlets: no search index key for {code!r}")
        self.conn.execute(
            "INSERT OR IGNORE INTO outlets (id, name, name_en, homepage, articles, slot) "
            "VALUES (?, ?, ?, ?, 0, ?)",
            (info.code, info.name, info.name_en, info.homepage, slot),
        )
        self.outlets[code] = slot

    def old_hash(self, source: str) -> str | None:
        row = self.conn.execute(
            "SELECT content_hash FROM captures WHERE source = ? "
            "UNION ALL SELECT content_hash FROM build_errors WHERE source = ?", (source, source)
        ).fetchone()
        return row[0] if row else None

    def _detach(self, source: str, dirty: set[int]) -> None:
        """Forget what a file yielded before (its capture or its error)."""
        for (aid,) in self.conn.execute("DELETE FROM captures WHERE source = ? RETURNING article_id",
                                        (source,)).fetchall():
            dirty.add(aid)
        self.conn.execute("DELETE FROM build_errors WHERE source = ?", (source,))

    def _record_error(self, out: Outcome, error: str) -> None:
        self.conn.execute(
            f"INSERT INTO build_errors (source, error, content_hash, size, mtime_ns, {_ORIGIN}) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (out.source, error, out.content_hash, out.size, out.mtime_ns, *origin_values(out)),
        )
        self.report.errors += 1
        reason = error.split(":", 1)[0][:80]
        if reason not in self.report.error_reasons and len(self.report.error_reasons) >= 100:
            reason = "other"  # bounded memory, whatever the parser's messages look like
        self.report.error_reasons[reason] = self.report.error_reasons.get(reason, 0) + 1

    def apply(self, outcomes: Iterable[Outcome]) -> None:
        """Store a batch of worker outcomes."""
        dirty: set[int] = set()
        batch: dict[str, Outcome] = {}
        pending_urls: dict[int, str] = {}
        for out in outcomes:
            if out.kind == "same":
                for table in ("captures", "build_errors"):
                    self.conn.execute(f"UPDATE {table} SET size = ?, mtime_ns = ? WHERE source = ?",
                                      (out.size, out.mtime_ns, out.source))
                self.report.unchanged += 1
                self.report.touched += 1
                continue
            self.report.parsed += 1
            if out.known:
                self.report.changed += 1
                self._detach(out.source, dirty)
            else:
                self.report.new += 1
            if out.kind == "error" or out.row is None:
                self._record_error(out, out.error)
                continue
            row = out.row
            aid, url = row["id"], row["url"]
            existing = pending_urls.get(aid) or self._article_url(aid)
            if existing is not None and existing != url:
                self._record_error(out, f"article id collision: {url} and {existing}")
                continue
            pending_urls[aid] = url
            self.conn.execute(
                "INSERT INTO captures (source, article_id, content_hash, published, char_count, chosen, "
                f"size, mtime_ns, {_ORIGIN}) VALUES (?, ?, ?, ?, ?, 0, ?, ?, ?, ?, ?, ?)",
                (out.source, aid, out.content_hash, row["published"], row["char_count"], out.size,
                 out.mtime_ns, *origin_values(out)),
            )
            batch[out.source] = out
            dirty.add(aid)
        self.resolve(dirty, batch)

    def remove(self, sources: Iterable[str]) -> None:
        """Files gone from the SOURCEs."""
        dirty: set[int] = set()
        for source in sources:
            self._detach(source, dirty)
            self.report.removed += 1
        self.resolve(dirty, {})

    def _article_url(self, aid: int) -> str | None:
        row = self.conn.execute("SELECT url FROM articles WHERE id = ?", (aid,)).fetchone()
        return row[0] if row else None

    def _reparse(self, source: str, content_hash: str) -> Outcome | None:
        """The article of a capture not parsed in this batch, or None when its file is gone or changed
        since it was recorded (then its own turn in this run re-resolves the article)."""
        src = self.sources.get(source_name(source))
        sf = src.get(source) if src else None
        if sf is None:
            return None
        out = parse_file(sf, None)
        if out.kind != "ok" or out.content_hash != content_hash:
            return None
        self.report.rechosen += 1
        return out

    def resolve(self, dirty: set[int], batch: dict[str, Outcome]) -> None:
        """Make each dirty article the parse of its best capture, or delete it when none remains."""
        unindex: list[tuple[Any, ...]] = []
        index: list[tuple[Any, ...]] = []
        for aid in sorted(dirty):
            candidates = self.conn.execute(
                "SELECT source, chosen, content_hash FROM captures WHERE article_id = ? "
                "ORDER BY char_count DESC, published DESC NULLS LAST, source", (aid,)
            ).fetchall()
            cursor = self.conn.cursor()
            cursor.row_factory = sqlite3.Row
            old = cursor.execute(_INDEXED_ROW, (aid,)).fetchone()
            if not candidates:
                if old:
                    unindex.append(_index_row(old))
                    self.conn.execute("DELETE FROM articles WHERE id = ?", (aid,))
                continue
            for source, chosen, content_hash in candidates:
                if chosen:
                    break  # the article already holds the best usable capture
                out = batch.get(source) or self._reparse(source, content_hash)
                if out is None or out.row is None or out.segmented is None:
                    continue
                row = out.row
                if row["outlet"] not in self.outlets:
                    self._add_outlet(row["outlet"])
                if old:
                    unindex.append(_index_row(old))
                # the key says month and outlet: kept while both stay, a new one when either changes
                block = self._block(row["published_month"], row["outlet"])
                same_block = old is not None and keys.decode(old["search_rowid"]).block == block
                rowid = old["search_rowid"] if same_block else self._new_search_rowid(block)
                self.conn.execute(_INSERT_ARTICLE, {**row, "search_rowid": rowid})
                if old and not same_block:
                    self.conn.execute("UPDATE articles SET search_rowid = ? WHERE id = ?", (rowid, aid))
                index.append((rowid, *out.segmented))
                self.conn.execute("UPDATE captures SET chosen = (source = ?) WHERE article_id = ?",
                                  (source, aid))
                break
            self.conn.execute(
                "UPDATE articles SET captures = (SELECT count(*) FROM captures WHERE article_id = ?) "
                "WHERE id = ?", (aid, aid))
        # In rowid order: FTS5 flushes its pending terms to a new segment whenever a rowid goes down.
        if unindex:
            self.unindexed += search_index.unindex_articles(self.conn, sorted(unindex))
        if index:
            search_index.index_segmented(self.conn, sorted(index))

    def _block(self, month: str | None, outlet: str) -> int:
        """The search index block (zhnews.search.keys) of articles of this month and outlet."""
        return keys.block(keys.month_number(month), self.outlets[outlet])

    def _new_search_rowid(self, block: int) -> int:
        """The next serial of the block: one past the highest rowid any article of the block holds."""
        serial = self.next_serial.get(block)
        if serial is None:
            (highest,) = self.conn.execute(
                "SELECT max(search_rowid) FROM articles WHERE search_rowid BETWEEN ? AND ?",
                (keys.first_rowid(block), keys.last_rowid(block))).fetchone()
            serial = 0 if highest is None else keys.decode(highest).serial + 1
        if serial > keys.MAX_SERIAL:
            raise BuildError(f"more than {keys.MAX_SERIAL + 1:,} articles of one outlet in one month")
        self.next_serial[block] = serial + 1
        return keys.first_rowid(block) | serial

    def finish(self, fingerprint: int, fresh: bool, states: dict[str, SourceState]) -> None:
        """Tidy the search index, count outlets, remember each source's state, commit."""
        self.conn.execute("DELETE FROM sources")
        self.conn.executemany(
            "INSERT INTO sources (name, kind, scope, git_commits) VALUES (?, ?, ?, ?)",
            [(name, st.kind, st.scope, st.commits or None) for name, st in sorted(states.items())])
        if fresh:
            search_index.optimize_search_index(self.conn)  # one b-tree instead of many: smaller, faster
            search_index.set_merge_policy(self.conn, bulk=False)
        else:  # optimize once enough stale entries have accumulated over incremental builds
            total = self.conn.execute("SELECT count(*) FROM articles").fetchone()[0]
            search_index.tidy_search_index(self.conn, self.unindexed, total)
        schema.refresh_coverage(self.conn)
        self.conn.execute(
            "UPDATE outlets SET articles = (SELECT count(*) FROM articles WHERE outlet = outlets.id)")
        registry = [o.code for o in ALL_OUTLETS]
        self.conn.execute(
            f"DELETE FROM outlets WHERE articles = 0 AND id NOT IN ({', '.join('?' * len(registry))})",
            registry)
        self.conn.execute("COMMIT")
        self.conn.execute(f"PRAGMA user_version = {int(fingerprint)}")
        self.conn.execute("PRAGMA optimize")


def summarise(conn: sqlite3.Connection, report: BuildReport) -> None:
    report.articles = conn.execute("SELECT count(*) FROM articles").fetchone()[0]
    report.captures = conn.execute("SELECT count(*) FROM captures").fetchone()[0]
    report.errors_total = conn.execute("SELECT count(*) FROM build_errors").fetchone()[0]
    report.per_outlet = dict(conn.execute(
        "SELECT outlet, count(*) AS n FROM articles GROUP BY outlet ORDER BY n DESC, outlet").fetchall())

"""The database schema: a public contract (exports, canned queries, templates and users depend on it).

Written as plain DDL rather than generated, because the contract is the point: column order, types,
`DEFERRABLE` foreign keys (the build writes a capture before choosing its article) and the indexes behind
every facet and sort in the app. Empty optional text (section, author, dateline, image_url, ...) is stored
as NULL so facets and `is null` filters read naturally. The search table(s) come from
zhnews.search.index.

`articles.search_rowid` keys the full-text index instead of `id`: FTS5 stores each term's document list as
rowid deltas, and `id` is a hash spread over 2^53 (6-8 bytes per entry instead of 1-2). It packs the
article's month, its outlet's `outlets.slot` and a serial number (zhnews.search.keys), so the index alone
counts a query's matches per month and outlet. `articles_search_filter` lets a search read each match's
outlet and date without touching the (large) article rows. `coverage` holds the archive's articles per
outlet and month (the home page's coverage strip, the search timeline's normalisation).

Bump SCHEMA_VERSION on any change: a database of another version is rebuilt from scratch (see build.py).
"""

from __future__ import annotations

import sqlite3

SCHEMA_VERSION = 6  # 2: articles.search_rowid; 3: search_rowid in time order, articles_search_filter;
# 4: coverage, search index tags; 5: where each capture and error came from (path, git_commit, git_blob,
# committed_at), the sources table; 6: the facet indexes, indexes for the length and captures sorts

TABLES = """
CREATE TABLE outlets (
    id TEXT PRIMARY KEY,            -- the short code (rfi, dw, ...), also articles.outlet
    name TEXT NOT NULL,             -- as the outlet names itself, e.g. 法国国际广播电台 RFI
    name_en TEXT NOT NULL,
    homepage TEXT NOT NULL,
    articles INTEGER NOT NULL DEFAULT 0,
    slot INTEGER NOT NULL UNIQUE    -- its part of the search index's keys (zhnews.search.keys)
);
CREATE TABLE articles (
    id INTEGER PRIMARY KEY,         -- zhnews.build.outcome.article_id(url): stable, < 2^53
    url TEXT NOT NULL UNIQUE,       -- canonical URL
    title TEXT NOT NULL,
    title_raw TEXT NOT NULL,
    outlet TEXT NOT NULL REFERENCES outlets(id) DEFERRABLE INITIALLY DEFERRED,
    section TEXT,
    author TEXT,
    published TEXT,                 -- UTC, YYYY-MM-DDTHH:MM:SSZ
    published_from TEXT,            -- which evidence gave `published`
    fed_at TEXT,                    -- the archiver's feed stamp, UTC
    published_month TEXT,           -- YYYY-MM of `published`, for month facets
    dateline TEXT,
    published_local TEXT,
    lead TEXT NOT NULL,
    body_text TEXT NOT NULL,        -- paragraphs joined by a blank line
    body_html TEXT NOT NULL,        -- sanitised (zhnews.extract.sanitise)
    image_url TEXT,
    images TEXT NOT NULL,           -- JSON array of {"src", "caption"}
    language TEXT,
    char_count INTEGER NOT NULL,
    captures INTEGER NOT NULL,      -- how many input files carried this article
    search_rowid INTEGER NOT NULL UNIQUE  -- the article's rowid in the search index (see below)
);
CREATE TABLE captures (
    source TEXT PRIMARY KEY,        -- SOURCE name / path within it
    article_id INTEGER NOT NULL REFERENCES articles(id) DEFERRABLE INITIALLY DEFERRED,
    content_hash TEXT NOT NULL,     -- sha256 of the file's bytes
    published TEXT,
    char_count INTEGER NOT NULL,    -- with `published`: ranks captures of one article (most complete wins)
    chosen INTEGER NOT NULL DEFAULT 0,  -- 1 for the capture whose version is in `articles`
    size INTEGER NOT NULL,          -- size + mtime_ns: the no-read check of incremental builds
    mtime_ns INTEGER NOT NULL,
    path TEXT NOT NULL,             -- the file's path within its SOURCE
    git_commit TEXT,                -- git history: the commit that wrote this version (NULL for folders)
    git_blob TEXT,                  -- git history: the object id of its bytes
    committed_at TEXT               -- git history: the commit time, UTC, YYYY-MM-DDTHH:MM:SSZ
);
CREATE TABLE coverage (
    outlet TEXT NOT NULL,           -- articles.outlet
    month TEXT NOT NULL,            -- articles.published_month (YYYY-MM, UTC)
    articles INTEGER NOT NULL,      -- how many articles the archive holds for that outlet and month
    PRIMARY KEY (outlet, month)
) WITHOUT ROWID;
CREATE TABLE build_errors (
    source TEXT PRIMARY KEY,
    error TEXT NOT NULL,            -- why the file yielded no article
    content_hash TEXT NOT NULL,
    size INTEGER NOT NULL,
    mtime_ns INTEGER NOT NULL,
    path TEXT NOT NULL,
    git_commit TEXT,
    git_blob TEXT,
    committed_at TEXT
);
CREATE TABLE sources (
    name TEXT PRIMARY KEY,          -- the SOURCE name: the first part of every `source` id
    kind TEXT NOT NULL,             -- folder or git
    scope TEXT NOT NULL,            -- which files were read (--paths, rules; git: --rev), JSON
    git_commits TEXT                -- git: the commit(s) read up to; the next build reads only newer ones
);
"""

INDEXES = """
CREATE INDEX articles_published ON articles(published);
-- One index per facet column (outlet, section, author, language, published_month): it leads with that
-- column, then publication time (a list filtered by it, newest first, walks the index), then the other
-- facet columns, so the facets of a list filtered by one value are counted from the index alone. With
-- single-column indexes, the facets of ?outlet=voa (51k of 500k articles) read 51k article rows each:
-- 1.4 s a page, several facets "timed out"; ?language=zh-Hans listed its page after sorting 450k rows.
CREATE INDEX articles_outlet_published
    ON articles(outlet, published, section, published_month, language, author);
CREATE INDEX articles_section ON articles(section, published, outlet, published_month, language, author);
CREATE INDEX articles_author ON articles(author, published, outlet, section, published_month, language);
CREATE INDEX articles_language ON articles(language, published, outlet, section, published_month, author);
CREATE INDEX articles_published_month
    ON articles(published_month, published, outlet, section, language, author);
-- Every column the articles table offers to sort by (metadata.yml sortable_columns) leads an index:
-- sorting 500k rows without one took over the 3 s time limit (a 400 instead of the longest articles).
CREATE INDEX articles_char_count ON articles(char_count);
CREATE INDEX articles_captures ON articles(captures);
CREATE INDEX articles_search_filter ON articles(search_rowid, outlet, published);
CREATE INDEX captures_article_id ON captures(article_id);
"""

ORIGIN_COLUMNS = ("path", "git_commit", "git_blob", "committed_at")  # of captures and build_errors

# Optional article text stored as NULL when empty (see module docstring).
NULLABLE_TEXT = ("section", "author", "published", "published_from", "fed_at", "dateline",
                 "published_local", "image_url", "language")

ARTICLE_COLUMNS = (
    "id", "url", "title", "title_raw", "outlet", "section", "author", "published", "published_from",
    "fed_at", "published_month", "dateline", "published_local", "lead", "body_text", "body_html",
    "image_url", "images", "language", "char_count", "captures",
)


def create(conn: sqlite3.Connection) -> None:
    """Create the tables and indexes (not the search index) in an empty database."""
    conn.executescript(TABLES + INDEXES)


def refresh_coverage(conn: sqlite3.Connection) -> None:
    """Recompute `coverage`: articles per outlet and month (dated articles only).

    Why a table: the home page's coverage strip, the search timeline's per-1,000-articles normalisation and
    the search page's choice of which (outlet, month) cells to count all need it on every view; counting
    the articles table each time costs a scan. One scan of an index (articles_published_month holds both
    columns) per build that changed something.
    """
    conn.execute("DELETE FROM coverage")
    conn.execute(
        "INSERT INTO coverage (outlet, month, articles) "
        "SELECT outlet, published_month, count(*) FROM articles INDEXED BY articles_published_month "
        "WHERE published_month IS NOT NULL GROUP BY published_month, outlet")


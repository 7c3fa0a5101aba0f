"""Where the bytes of a built database go, from SQLite's own page accounting (the dbstat table).

Why: "search structures <= 1.5x body_text" needs the FTS index, its shadow tables and any table that only
exists to feed it counted together, and measured against the bytes of the text they index.
"""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path

FTS_CONTENT = re.compile(r"content\s*=\s*['\"]?(\w+)", re.IGNORECASE)


def _search_objects(conn: sqlite3.Connection) -> dict[str, str]:
    """Every b-tree that belongs to full-text search -> the FTS table it serves."""
    schema = conn.execute("select type, name, tbl_name, coalesce(sql, '') from sqlite_master").fetchall()
    fts = {name: sql for kind, name, _, sql in schema if kind == "table" and "using fts" in sql.lower()}
    owners: dict[str, str] = {}
    for fts_name, sql in fts.items():
        owners[fts_name] = fts_name
        content = FTS_CONTENT.search(sql)
        # An external content table that is not the articles table exists only for search.
        if content and content.group(1) and content.group(1) != "articles":
            owners[content.group(1)] = fts_name
        for _, name, _, _ in schema:
            if name.startswith(fts_name + "_"):
                owners[name] = fts_name
    for kind, name, table, _ in schema:  # indexes on search-only tables are search structures too
        if kind == "index" and table in owners:
            owners[name] = owners[table]
    return owners


def breakdown(db_path: Path) -> dict[str, object]:
    """Bytes per b-tree (table, index, FTS shadow), grouped; search structures vs body_text bytes."""
    conn = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
    try:
        kinds = {
            name: (kind, table)
            for kind, name, table in conn.execute("select type, name, tbl_name from sqlite_master")
        }
        pages = conn.execute("select name, sum(pgsize) from dbstat group by name order by 2 desc").fetchall()
        search = _search_objects(conn)
        body_bytes = conn.execute(
            "select coalesce(sum(length(cast(body_text as blob))), 0) from articles"
        ).fetchone()[0]
        text_bytes = conn.execute(
            "select coalesce(sum(length(cast(coalesce(title, '') as blob)) + length(cast(coalesce(lead, '') "
            "as blob)) + length(cast(coalesce(body_text, '') as blob))), 0) from articles"
        ).fetchone()[0]
        rows = conn.execute("select count(*) from articles").fetchone()[0]
    finally:
        conn.close()
    objects = []
    for name, size in pages:
        kind, table = kinds.get(name, ("internal", name))
        if name.startswith("sqlite_autoindex"):
            kind = "index"
        group = "search" if name in search else ("index" if kind == "index" else "table")
        objects.append({"name": name, "kind": kind, "table": table, "group": group, "bytes": size})
    total = sum(o["bytes"] for o in objects)
    search_bytes = sum(o["bytes"] for o in objects if o["group"] == "search")
    return {
        "file_bytes": db_path.stat().st_size,
        "pages_bytes": total,
        "articles": rows,
        "body_text_bytes": body_bytes,
        "indexed_text_bytes": text_bytes,
        "search_bytes": search_bytes,
        "search_over_body_text": search_bytes / body_bytes if body_bytes else None,
        "table_bytes": sum(o["bytes"] for o in objects if o["group"] == "table"),
        "index_bytes": sum(o["bytes"] for o in objects if o["group"] == "index"),
        "objects": objects,
    }

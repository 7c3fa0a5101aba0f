"""The SQL functions of the `feed` canned query (metadata.yml): zh_xml_text and zh_feed_content.

Why: see zhnews.app.feed (XML-safe text, bounded entries: one character or one huge article broke the feed).
"""

from __future__ import annotations

import sqlite3

from datasette import hookimpl

from zhnews.app.feed import feed_content, xml_text


@hookimpl
def prepare_connection(conn: sqlite3.Connection) -> None:
    conn.create_function("zh_xml_text", 1, xml_text, deterministic=True)
    conn.create_function("zh_feed_content", 2, feed_content, deterministic=True)

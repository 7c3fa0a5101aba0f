"""What an Atom feed (datasette-atom) may carry: XML-safe text, bounded entries.

Why: datasette-atom writes the feed with lxml, which refuses any string holding a character XML 1.0 cannot
carry (U+FFFE, U+FFFF, C0 controls but tab and line breaks): one such character in one of the 50 latest
articles made `/news/feed.atom` a 500 for everyone (issue 13). The build drops them, but a database built
before, or edited by hand, may still hold them: every feed passes its text through `xml_text` (the `feed`
canned query as the SQL function `zh_xml_text`, plugins/zhnews_feed.py; the search page's feed directly).
And datasette-atom cleans each entry's HTML with bleach (pure Python, ~0.7 MB/s here): a 19 MB article made
a 70 MB feed that took 98 s. `zh_feed_content` bounds an entry to FEED_ENTRY_CHARS, cut after a paragraph.
"""

from __future__ import annotations

import html
import re

from zhnews.app.limits import cut_html

# HTML per entry; body_html on ../shared/corpus: median 1,313 characters, p99 9,508, longest 25,255
FEED_ENTRY_CHARS = 20_000
FEED_TEXT_CHARS = 1_000  # a title, author or URL
_NOT_XML_RE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
# datasette-atom's bleach allowlist has no figure/figcaption: it would show them as text
_FIGURE_TAGS = {"<figure>": "", "</figure>": "", "<figcaption>": "<p><i>", "</figcaption>": "</i></p>"}
_FIGURE_RE = re.compile("|".join(map(re.escape, _FIGURE_TAGS)))
TRUNCATED = '<p>……（全文过长，请阅读原文 · truncated: read the original）</p>'


def xml_text(value: object, limit: int = FEED_TEXT_CHARS) -> str | None:
    """The text without the characters XML 1.0 cannot carry, at most `limit` characters."""
    if value is None:
        return None
    text = str(value)[: limit]
    return _NOT_XML_RE.sub("", text)


def feed_content(lead: object, body_html: object) -> str:
    """An entry's HTML: the lead in bold, then the body, at most FEED_ENTRY_CHARS, XML-safe.

    A longer body is cut after its last closing paragraph within the bound (else at the bound) and sanitised
    again, which closes whatever the cut left open; a note says it was truncated.
    """
    lead_text = xml_text(lead, FEED_ENTRY_CHARS // 4) or ""
    body = str(body_html or "")
    parts = [f"<p><strong>{html.escape(lead_text)}</strong></p>"] if lead_text.strip() else []
    cut = cut_html(body, FEED_ENTRY_CHARS - len(parts[0] if parts else ""))
    if cut is not None:
        body = cut + TRUNCATED
    parts.append(_FIGURE_RE.sub(lambda m: _FIGURE_TAGS[m.group()], xml_text(body, len(body)) or ""))
    return "".join(parts)

"""How much of one article a page may carry: the bounds that keep one huge article from stalling the server.

Why: the build accepts files up to 20 MB, and a 19 MB article made the feed 70 MB (98 s) and blocked every
reader while its page rendered (issue 13). Pages show a bounded head of such an article and say so.
"""

from __future__ import annotations

from zhnews.extract.sanitise import sanitise_html
from zhnews.search.index import MAX_QUERY_CHARS, SNIPPET_TEXT_CHARS
from zhnews.search.snippets import snippet


def cut_html(html: str, limit: int, base_url: str = "") -> str | None:
    """The head of `html` within `limit` characters, sanitised, or None when it fits whole (nothing to cut).

    The cut falls after the last closing paragraph inside the bound when there is one in its second half, else
    at the bound; sanitising again closes whatever the cut left open and drops a half-written tag.
    """
    if len(html) <= limit:
        return None
    cut = html.rfind("</p>", 0, limit - 3)
    return sanitise_html(html[: cut + 4] if cut > limit // 2 else html[:limit], base_url)



def bounded_snippet(text: str | None, query: str | None, size: int = 80) -> str:
    """`snippets.snippet` of the head of the text: hits past SNIPPET_TEXT_CHARS are not looked for (the
    snippet then shows the start). A 19 MB article among search results blocked every reader for 11.7 s."""
    return snippet((text or "")[:SNIPPET_TEXT_CHARS], (query or "")[:MAX_QUERY_CHARS], size)

"""What a tag name means to the body reader: never text, or text that runs on inline.

Shared by the tree walk (walker.py) and caption reading (figures.py), which must agree on both:
a caption is read with the same eyes as the paragraphs around it.
"""

from __future__ import annotations

# Never article text: code, embedded players, forms, share widgets' web components, and <noscript>
# (its content duplicates what the page shows: BBC <picture> fallbacks, CDT lazy images).
# Not <source>: it is empty, but lxml nests what follows an unclosed `<picture><source …><img>` inside it
# (CNA's lead photos), so what it holds is the page's.
SKIP_TAGS = frozenset(
    {
        "script", "style", "noscript", "iframe", "template", "svg", "math", "video", "audio",
        "track", "object", "embed", "canvas", "map", "button", "form", "input", "select", "textarea",
        "head", "title", "meta", "link", "nav", "share-button", "share-modal",
    }
)

# Inline elements: their text runs on with the surrounding text (no paragraph break).
INLINE = frozenset(
    {
        "span", "font", "u", "small", "sup", "sub", "abbr", "acronym", "cite", "time", "label", "mark",
        "q", "s", "strike", "del", "ins", "bdi", "bdo", "big", "tt", "code", "kbd", "var", "dfn", "wbr",
        "nobr", "ruby", "rt", "rp", "data", "samp", "a", "strong", "b", "em", "i",
    }
)

# Each level of a walk costs a few Python frames; deeper nesting (never seen in real articles) is read as
# plain text so that hostile input cannot exhaust the interpreter's recursion limit.
MAX_DEPTH = 120

"""The one place where article HTML is made safe to show: nh3 (Ammonia) with a small allowlist.

The parser stores `body_html` through `sanitise_html`, and the Datasette plugin runs it again before
rendering (defence in depth: a database edited by hand must not become an XSS vector).
Links and images are made absolute https (or dropped), because the reader view is served from another
origin than the outlet and mixed-content or `javascript:` URLs must never reach a browser.
"""

from __future__ import annotations

import nh3

from zhnews.extract.urls import absolute_url

TAGS = frozenset(
    [
        "p",
        "h2",
        "h3",
        "h4",
        "blockquote",
        "ul",
        "ol",
        "li",
        "strong",
        "em",
        "b",
        "i",
        "a",
        "img",
        "figure",
        "figcaption",
        "br",
    ]
)
ATTRIBUTES = {"a": {"href"}, "img": {"src", "alt"}}
# Elements whose CONTENT goes too (not just the tag): their text is code or chrome, never article prose.
DROP_WITH_CONTENT = frozenset(
    [
        "script",
        "style",
        "noscript",
        "iframe",
        "object",
        "embed",
        "template",
        "svg",
        "math",
        "textarea",
        "select",
        "button",
    ]
)
LINK_REL = "noopener noreferrer nofollow"
_IMG_ATTRS = {"referrerpolicy": "no-referrer", "loading": "lazy"}
_IMG_TAIL = ' referrerpolicy="no-referrer" loading="lazy">'
_IMG_TAIL_SWAPPED = ' loading="lazy" referrerpolicy="no-referrer">'


def sanitise_html(html: str, base_url: str = "") -> str:
    """Allowlisted HTML: text structure, links and images only; every URL absolute https or removed."""

    def keep_url(element: str, attribute: str, value: str) -> str | None:
        if (element, attribute) in {("a", "href"), ("img", "src")}:
            return absolute_url(value, base_url) or None
        return value

    cleaned = nh3.clean(
        html,
        tags=set(TAGS),
        clean_content_tags=set(DROP_WITH_CONTENT),
        attributes={tag: set(attrs) for tag, attrs in ATTRIBUTES.items()},
        attribute_filter=keep_url,
        strip_comments=True,
        link_rel=LINK_REL,
        set_tag_attribute_values={"img": dict(_IMG_ATTRS)},
        url_schemes={"http", "https"},
    )
    # nh3 appends the two set attributes in hash-map order, which changes from call to call; stored HTML
    # must be byte-stable (content hashes, diffs), so put them in one order. The matched text ends in a
    # raw `"` + `>`, which html5ever only writes at the end of a tag (text escapes `>`, values escape `"`).
    return cleaned.replace(_IMG_TAIL_SWAPPED, _IMG_TAIL)

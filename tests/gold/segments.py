"""An article's HTML cut into numbered segments, for a person to annotate: independent of zhnews.extract.

The annotator reads these segments, not the parser's output, so the gold set does not inherit the
parser's mistakes. The cut is deliberately fine: every block element and every `<br>` starts a new
segment (an annotation joins segments with `+` where they form one paragraph), images are segments of
their own, and nothing is judged or dropped except code (`<script>`, `<style>`) and `<noscript>` copies.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import parse_qsl, urljoin, urlsplit

import lxml.html
from lxml import etree

_INLINE = frozenset(
    {
        "a", "abbr", "b", "bdi", "bdo", "big", "cite", "code", "data", "del", "dfn", "em", "font", "i", "ins",
        "kbd", "label", "mark", "nobr", "q", "rp", "rt", "ruby", "s", "samp", "small", "span", "strike",
        "strong", "sub", "sup", "time", "tt", "u", "var", "wbr",
    }
)
_SKIP = frozenset({"script", "style", "noscript", "template", "head", "title"})
_MEDIA = frozenset({"iframe", "video", "audio", "object", "embed", "svg"})
_SPACES = re.compile(r"\s+")


@dataclass
class Segment:
    number: int
    kind: str  # "text" or "image" or "media"
    path: str  # the enclosing block elements with their classes: `div.t-content__body>p`
    text: str  # the text (for an image: its alt)
    src: str = ""  # for an image: the picture's URL (lazy attributes first, proxy unwrapped, https)


def image_url(attrs: dict[str, str], base_url: str) -> str:
    """The picture behind an <img>, as a reader would download it: lazy attributes first, https,
    the archiver's weserv proxy unwrapped (written here again, apart from zhnews.extract.images)."""
    raw = ""
    for key in ("data-lazy-src", "data-src", "data-original", "src"):
        value = (attrs.get(key) or "").strip()
        if value and not value.startswith("data:") and ("/" in value or "." in value):
            raw = value
            break
    if not raw:
        return ""
    url = urljoin(base_url, raw) if not raw.startswith("//") else "https:" + raw
    parts = urlsplit(url)
    if parts.hostname in {"images.weserv.nl", "wsrv.nl"}:
        inner = dict(parse_qsl(parts.query)).get("url", "")
        inner = inner.removeprefix("ssl:")
        if inner:
            url = inner if "://" in inner else "https://" + inner.lstrip("/")
    if url.startswith("http://"):
        url = "https://" + url[7:]
    return url


def segments(html: str, base_url: str) -> list[Segment]:
    """The numbered segments of `html`, in document order."""
    if not html.strip():
        return []
    root = lxml.html.fragment_fromstring(html, create_parent="div")
    out: list[Segment] = []
    buf: list[tuple[str, bool, bool]] = []  # (text, inside a link, inside bold)
    path: list[str] = []
    in_link = [0]
    in_bold = [0]

    def add(text: str | None) -> None:
        if text:
            buf.append((text, in_link[0] > 0, in_bold[0] > 0))

    def flush() -> None:
        text = _SPACES.sub(" ", "".join(t for t, _, _ in buf)).strip()
        linked = sum(len(t.strip()) for t, link, _ in buf if link)
        bold = all(b for t, _, b in buf if t.strip())
        buf.clear()
        if text:
            marks = (f" L{round(100 * linked / len(text))}%" if linked else "") + (" BOLD" if bold else "")
            out.append(Segment(len(out) + 1, "text", ">".join(path[-3:]) + marks, text))

    def walk(el: etree._Element) -> None:
        for child in el:
            tag = child.tag if isinstance(child.tag, str) else ""
            if not tag or tag in _SKIP:
                add(child.tail)
                continue
            if tag == "br":
                flush()
            elif tag == "img":
                flush()
                src = image_url(dict(child.attrib), base_url)
                out.append(Segment(len(out) + 1, "image", ">".join(path[-2:]), child.get("alt") or "", src))
            elif tag in _MEDIA:
                flush()
                out.append(Segment(len(out) + 1, "media", ">".join(path[-2:]), f"<{tag}>"))
            elif tag in _INLINE:
                in_link[0] += tag == "a"
                in_bold[0] += tag in {"b", "strong"}
                add(child.text)
                walk(child)
                in_link[0] -= tag == "a"
                in_bold[0] -= tag in {"b", "strong"}
            else:
                flush()
                path.append(_label(child))
                add(child.text)
                walk(child)
                flush()
                path.pop()
            add(child.tail)

    add(root.text)
    walk(root)
    flush()
    return out


def _label(el: etree._Element) -> str:
    """`div.cls1.cls2[id=…]`: what a person needs to see of an element to judge it."""
    extra = "".join("." + c for c in (el.get("class") or "").split()[:3])
    for key in ("id", "role", "itemprop", "data-testid", "aria-label", "datetime"):
        if el.get(key):
            extra += f"[{key}={el.get(key)[:30]}]"
    return f"{el.tag}{extra}"

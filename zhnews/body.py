"""The article body: lead, clean paragraphs, images and reader-view HTML from the parsed page.

One walk over the tree turns it into a flat list of blocks (paragraphs, headings, list items, quotes,
figures). Chrome that is not the article (share blocks, promos, adverts, media-player fallbacks,
<noscript> copies...) is skipped during that walk by cheap tag/attribute tests; text rules (feed footer,
frozen relative times, a repeated title, `Array`...) then run on the blocks. Inline text is joined
directly — never with a separator — because a space between two Chinese characters is a corruption;
block boundaries (and <br>) separate paragraphs instead. `body_html` is rendered from the same blocks,
so the reader view shows exactly the cleaned paragraphs, and then goes through `sanitise_html`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html import escape
from urllib.parse import parse_qsl, urlsplit

from bs4 import BeautifulSoup, Comment, NavigableString, Tag
from bs4.element import Declaration, Doctype, ProcessingInstruction

from zhnews.article import Image
from zhnews.sanitise import absolute_https, sanitise_html
from zhnews.text import clean_line


@dataclass(slots=True)
class Body:
    lead: str = ""
    paragraphs: list[str] = field(default_factory=list)
    body_html: str = ""  # sanitised; the lead is NOT in it (the reader view shows `lead` above it)
    images: list[Image] = field(default_factory=list)
    image_url: str = ""  # the hero: the first real image


# --- what the walk skips -------------------------------------------------------------------------------

# Never article text: code, embedded players, forms, web components of share widgets, <noscript> copies
# of images that the page already shows (BBC <picture>, CDT lazy images).
_SKIP_TAGS = frozenset(
    [
        "script",
        "style",
        "noscript",
        "iframe",
        "template",
        "svg",
        "math",
        "video",
        "audio",
        "source",
        "track",
        "object",
        "embed",
        "canvas",
        "map",
        "button",
        "form",
        "input",
        "select",
        "textarea",
        "head",
        "title",
        "meta",
        "link",
        "nav",
        "share-button",
        "share-modal",
    ]
)
_HEADINGS = {"h1": "h2", "h2": "h2", "h3": "h3", "h4": "h4", "h5": "h4", "h6": "h4"}
_FORMAT = frozenset({"strong", "b", "em", "i"})
_BOLD = frozenset({"strong", "b"})
# Inline elements whose text runs on with the surrounding text (no paragraph break).
_INLINE = frozenset(
    [
        "span",
        "font",
        "u",
        "small",
        "sup",
        "sub",
        "abbr",
        "acronym",
        "cite",
        "time",
        "label",
        "mark",
        "q",
        "s",
        "strike",
        "del",
        "ins",
        "bdi",
        "bdo",
        "big",
        "tt",
        "code",
        "kbd",
        "var",
        "dfn",
        "wbr",
        "nobr",
        "ruby",
        "rt",
        "rp",
        "data",
        "samp",
    ]
)
# Attribute values (class, id, aria-label, data-*) that mark adverts, promos and share widgets.
_CHROME_ATTR = re.compile(
    r"(^|[\s_-])(ads?|advert\w*|advertisement|interstitial|outbrain|taboola|teads|sharing|share|"
    r"a2a_kit|addtoany|social|newsletter|selfpromo|promo|related-?posts|jp-relatedposts|sharedaddy)($|[\s_-])"
    r"|^广告",
    re.IGNORECASE,
)

# --- text rules on blocks ------------------------------------------------------------------------------

_SHARE = re.compile(r"^(分享|分享到|分享本文|share)\s*[:：]?$", re.IGNORECASE)
_FOOTER = re.compile(r"获取更多RSS|feedx\.|Feed enhanced by|Better Feed", re.IGNORECASE)
_RELATIVE_TIME = re.compile(r"^\d+\s*(秒钟?|秒鐘|分钟|分鐘|小时|小時|天|日|周|週|星期|个月|個月|年)前$")
_MEDIA_FALLBACK = re.compile(r"你的器材不支持播放多媒体材料|您的設備不支援播放|不支持播放该视频|媒体播放器")
_PLACEHOLDERS = frozenset({"Array", "undefined", "null", "None"})
# A place dateline left outside its paragraph: "新德里 — " (VOA), "华盛顿 -".
_DATELINE = re.compile(r"^(?=\w*[^\W\d_])[\w·・ ]{1,16}?\s*(—|–|－|--|-)$")
# A paragraph without a single letter, digit or Han character is a visual separator ("------", "***").
_NO_WORD = re.compile(r"^\W*$")


@dataclass(slots=True)
class _Block:
    kind: str  # p, h2, h3, h4, li, quote, figure
    text: str = ""
    html: str = ""
    group: int = 0  # which <ul>/<ol>/<blockquote> a li/quote belongs to
    list_tag: str = "ul"
    bold: bool = False  # every character of the text is inside <strong>/<b>
    image: Image | None = None


class _Walker:
    """Flattens the tree into blocks in one pass."""

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url
        self.blocks: list[_Block] = []
        self.text: list[str] = []
        self.html: list[str] = []
        self.kind = "p"
        self.group = 0
        self.list_tag = "ul"
        self.bold_depth = 0
        self.bold_chars = 0
        self.plain_chars = 0
        self.consumed: set[int] = set()  # ids of caption nodes already used for an image
        self.seen_src: set[str] = set()

    # -- output --
    def flush(self) -> None:
        if not self.text:
            self.html.clear()
            return
        text = clean_line("".join(self.text))
        if text:
            self.blocks.append(
                _Block(
                    self.kind,
                    text,
                    "".join(self.html).strip(),
                    self.group,
                    self.list_tag,
                    bold=self.plain_chars == 0 and self.bold_chars > 0,
                )
            )
        self.text.clear()
        self.html.clear()
        self.bold_chars = self.plain_chars = 0

    def add_text(self, s: str) -> None:
        self.text.append(s)
        self.html.append(escape(s, quote=False))
        n = len(s.strip())
        if self.bold_depth:
            self.bold_chars += n
        else:
            self.plain_chars += n

    def add_image(self, src: str, caption: str) -> None:
        if src in self.seen_src:
            return
        self.seen_src.add(src)
        self.flush()
        self.blocks.append(_Block("figure", image=Image(src=src, caption=caption)))

    # -- walk --
    def walk(self, node: Tag, depth: int = 0) -> None:
        for child in node.children:
            if isinstance(child, NavigableString):
                if not isinstance(child, Comment | Declaration | Doctype | ProcessingInstruction):
                    self.add_text(str(child))
            elif isinstance(child, Tag):
                if depth > 400:  # pathological nesting: keep the text, skip the structure
                    self.add_text(child.get_text())
                else:
                    self.tag(child, depth + 1)

    def tag(self, tag: Tag, depth: int) -> None:
        name = tag.name
        if name in _SKIP_TAGS or id(tag) in self.consumed or _is_chrome(tag):
            return
        if name in _INLINE:
            self.walk(tag, depth)
        elif name in _FORMAT:
            self.html.append(f"<{name}>")
            bold = name in _BOLD
            self.bold_depth += bold
            self.walk(tag, depth)
            self.bold_depth -= bold
            self.html.append(f"</{name}>")
        elif name == "a":
            href = absolute_https(tag.get("href"), self.base_url)  # type: ignore[arg-type]
            self.html.append(f'<a href="{escape(href)}">' if href else "<a>")
            self.walk(tag, depth)
            self.html.append("</a>")
        elif name == "br":
            self.flush()
        elif name == "img":
            self.image(tag, caption=_attr(tag, "alt"))
        elif name == "figure":
            self.figure(tag)
        elif name in _HEADINGS:
            self.block(tag, depth, _HEADINGS[name])
        elif name in {"ul", "ol"}:
            self.flush()
            outer = self.group, self.list_tag
            self.group += 1
            self.list_tag = name
            self.walk(tag, depth)
            self.flush()
            self.group, self.list_tag = outer
        elif name == "li":
            self.block(tag, depth, "li")
        elif name == "blockquote":
            self.flush()
            self.group += 1
            self.block(tag, depth, "quote")
        elif name == "hr":
            self.flush()
            self.blocks.append(_Block("hr"))
        else:  # p, div, section, table cells and anything unknown: a block boundary keeps text apart
            self.block(tag, depth, None)

    def block(self, tag: Tag, depth: int, kind: str | None) -> None:
        self.flush()
        outer = self.kind
        if kind:
            self.kind = kind
        self.walk(tag, depth)
        self.flush()
        self.kind = outer

    def image(self, img: Tag, caption: str) -> None:
        src = image_src(img, self.base_url)
        if not src:
            return
        following = _caption_after(img)
        if following is not None:
            self.consumed.add(id(following))
            caption = inline_text(following) or caption
        self.add_image(src, caption)

    def figure(self, fig: Tag) -> None:
        caption = ""
        imgs: list[Tag] = []
        for el in fig.find_all(["img", "figcaption"]):
            if el.name == "figcaption":
                caption = caption or inline_text(el)
            elif not any(p.name == "noscript" for p in el.parents):
                imgs.append(el)
        for img in imgs:
            src = image_src(img, self.base_url)
            if src:
                self.add_image(src, caption or _attr(img, "alt"))


# --- helpers -------------------------------------------------------------------------------------------


def _attr(tag: Tag, name: str) -> str:
    value = tag.get(name)
    if isinstance(value, list):
        value = " ".join(value)
    return clean_line(value or "")


def _is_chrome(tag: Tag) -> bool:
    attrs = tag.attrs
    if not attrs:
        return False
    for key, value in attrs.items():
        if key.startswith("data-selfpromo") or key == "data-root-share":
            return True
        if key in {"class", "id", "aria-label", "role"}:
            text = " ".join(value) if isinstance(value, list) else value
            if text and _CHROME_ATTR.search(text):
                return True
    return False


def _caption_after(img: Tag) -> Tag | None:
    """DW/VOA put the caption in `<div><small>…</small></div>` right after the image."""
    sib = img.next_sibling
    while isinstance(sib, NavigableString) and not sib.strip():
        sib = sib.next_sibling
    if isinstance(sib, Tag) and sib.name in {"div", "p", "small", "span"}:
        if sib.name == "small":
            return sib
        kids = [c for c in sib.children if not (isinstance(c, NavigableString) and not c.strip())]
        if len(kids) == 1 and isinstance(kids[0], Tag) and kids[0].name == "small":
            return sib
    return None


def inline_text(tag: Tag) -> str:
    """Text of an element with inline parts joined directly and block parts (and <br>) by a space."""
    parts: list[str] = []
    for el in tag.descendants:
        if isinstance(el, NavigableString):
            skipped = any(p.name in _SKIP_TAGS for p in el.parents if p is not tag)
            if not isinstance(el, Comment) and not skipped:
                parts.append(str(el))
        elif isinstance(el, Tag) and (el.name == "br" or el.name not in _INLINE | _FORMAT | {"a"}):
            parts.append(" ")
    return clean_line("".join(parts))


_PLACEHOLDER_SRC = re.compile(
    r"^data:|\.svg(\?|$)|/(blank|spacer|placeholder|pixel|grey)[^/]*$", re.IGNORECASE
)


def image_src(img: Tag, base_url: str) -> str:
    """The real image behind an <img>: lazy-loading attributes first, placeholders and empty src skipped."""
    for key in ("data-lazy-src", "data-src", "data-original", "src"):
        value = img.get(key)
        if isinstance(value, str) and value.strip() and not _PLACEHOLDER_SRC.search(value.strip()):
            return unwrap_proxy(absolute_https(value, base_url))
    srcset = img.get("data-lazy-srcset") or img.get("srcset")
    if isinstance(srcset, str) and srcset.strip():
        return unwrap_proxy(absolute_https(srcset.split(",")[0].split()[0], base_url))
    return ""


_PROXIES = frozenset({"images.weserv.nl", "wsrv.nl", "i0.wp.com", "i1.wp.com", "i2.wp.com"})


def unwrap_proxy(src: str) -> str:
    """`https://images.weserv.nl/?url=X` -> X as absolute https.

    The proxy was the archiver's way to make images load in China; the outlet's own URL is the image's
    identity (the same photo through two proxies is one image), every outlet here serves it over https,
    and the reader view must not depend on a third-party resizer. If the inner URL is unusable the
    proxied URL is kept, since it is itself a working https URL.
    """
    if not src:
        return src
    parts = urlsplit(src)
    if parts.hostname not in _PROXIES:
        return src
    inner = dict(parse_qsl(parts.query)).get("url", "")
    if not inner:
        return src
    if inner.startswith("ssl:"):
        inner = inner[4:]
    if "://" not in inner and not inner.startswith("//"):
        inner = "https://" + inner
    return absolute_https(inner) or src


# --- block rules ---------------------------------------------------------------------------------------


def _norm(text: str) -> str:
    return re.sub(r"\s+", "", text).casefold()


def _clean_blocks(blocks: list[_Block], title: str) -> list[_Block]:
    # The feed footer: the archiver's tail from the <hr> before `获取更多RSS…` to the end.
    for i, b in enumerate(blocks):
        if b.text and _FOOTER.search(b.text):
            cut = i
            while cut > 0 and blocks[cut - 1].kind == "hr":
                cut -= 1
            blocks = blocks[:cut]
            break
    title_key = _norm(title)
    out: list[_Block] = []
    for b in blocks:
        if b.kind == "hr":
            continue
        if b.kind != "figure":
            t = b.text
            if (
                _SHARE.match(t)
                or _RELATIVE_TIME.match(t)
                or _MEDIA_FALLBACK.search(t)
                or t in _PLACEHOLDERS
                or _NO_WORD.match(t)
                or (title_key and not out and _norm(t) == title_key)
                or (b.kind.startswith("h") and _norm(t) == title_key)
            ):
                continue
        out.append(b)
    # A place dateline standing alone joins the paragraph it introduces.
    merged: list[_Block] = []
    carry: _Block | None = None
    for b in out:
        if carry is not None and b.kind == "p":
            b.text = f"{carry.text} {b.text}"
            b.html = f"{carry.html} {b.html}"
            carry = None
        elif carry is not None:
            merged.append(carry)
            carry = None
        if b.kind == "p" and _DATELINE.match(b.text):
            carry = b
            continue
        merged.append(b)
    if carry is not None:
        merged.append(carry)
    return merged


def _split_lead(blocks: list[_Block]) -> tuple[str, list[_Block]]:
    """The standfirst: a first paragraph set entirely in bold (RFI `<p><strong>`, BBC `<p><b>`)."""
    for i, b in enumerate(blocks):
        if b.kind == "figure":
            continue
        if b.kind == "p" and b.bold and any(x.kind != "figure" for x in blocks[i + 1 :]):
            return b.text, blocks[:i] + blocks[i + 1 :]
        break
    return "", blocks


def _render(blocks: list[_Block]) -> str:
    out: list[str] = []
    open_group: tuple[str, int] | None = None
    for b in blocks:
        want = None
        if b.kind in {"li", "quote"}:
            want = (b.list_tag if b.kind == "li" else "blockquote", b.group)
        if open_group and open_group != want:
            out.append(f"</{open_group[0]}>")
            open_group = None
        if want and not open_group:
            out.append(f"<{want[0]}>")
            open_group = want
        if b.kind == "figure" and b.image:
            cap = f"<figcaption>{escape(b.image['caption'])}</figcaption>" if b.image["caption"] else ""
            out.append(
                f'<figure><img src="{escape(b.image["src"])}" alt="{escape(b.image["caption"])}">{cap}'
                "</figure>"
            )
        elif b.kind == "li":
            out.append(f"<li>{b.html}</li>")
        elif b.kind == "quote":
            out.append(f"<p>{b.html}</p>")
        else:
            out.append(f"<{b.kind}>{b.html}</{b.kind}>")
    if open_group:
        out.append(f"</{open_group[0]}>")
    return "\n".join(out)


def extract_body(soup: BeautifulSoup, *, outlet: str, url: str, title: str) -> Body:
    """Lead, paragraphs, images and sanitised HTML of the article in `soup` (header nodes already gone)."""
    walker = _Walker(url)
    root = soup.body or soup
    walker.walk(root)
    walker.flush()
    blocks = _clean_blocks(walker.blocks, title)
    lead, blocks = _split_lead(blocks)
    images = [b.image for b in blocks if b.kind == "figure" and b.image]
    paragraphs = [b.text for b in blocks if b.kind != "figure"]
    return Body(
        lead=lead,
        paragraphs=paragraphs,
        body_html=sanitise_html(_render(blocks), url),
        images=images,
        image_url=images[0]["src"] if images else "",
    )

"""The tree walk: article HTML flattened into a list of blocks (paragraphs, headings, items, quotes, figures).

One pass over the tree, so that every later rule (footer, repeated title, lead...) works on a flat list
instead of re-walking HTML. Chrome that is not the article (share blocks, promos, adverts, media players,
<noscript> copies, screen-reader text...) is skipped here by cheap tag/attribute tests.

Inline text is joined directly, never with a separator, because a space between two Chinese characters
is a corruption; block boundaries separate paragraphs instead.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from html import escape

from bs4 import NavigableString, Tag

from zhnews.article import Image
from zhnews.extract import figures
from zhnews.extract.boilerplate import NAV_LINK, NAV_PREFIXES, RELATED, is_chrome
from zhnews.extract.images import alt_caption, attr, declared_photo, image_key, image_src, real_image
from zhnews.extract.lines import BR, split_lines
from zhnews.extract.soup import body_element, make_soup
from zhnews.extract.tag_roles import INLINE, MAX_DEPTH, SKIP_TAGS

_MEDIA = frozenset({"audio", "video", "iframe", "object", "embed"})
# Media elements written unclosed make lxml nest the rest of the article inside them (`<p>A</p><embed
# src=…><p>B</p>` puts B inside the embed). An embed never has content of its own; video, audio and object
# have only a short fallback line, never paragraphs: block content inside them is the article going on.
_SWALLOWING = frozenset({"embed", "object", "video", "audio"})
_NEVER_FALLBACK = frozenset({"source", "track", "param"})
_FLOW = frozenset({
    "p", "div", "section", "article", "main", "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "blockquote",
    "figure", "table", "img", "picture",
})
# Where a banner links: the outlet's subscription shop or a promotion (zaobao `subscribe.sph.com.sg/
# promotions/…?utm_…`), a donation page.
_PROMO_HREF = re.compile(
    r"//(?:subscribe|subscription|donate|shop)\.|/(?:subscribe|subscription|promotions?|donate)(?:/|\?|$)",
    re.IGNORECASE,
)
_HEADINGS = {"h1": "h2", "h2": "h2", "h3": "h3", "h4": "h4", "h5": "h4", "h6": "h4"}
_FORMAT = frozenset({"strong", "b", "em", "i"})
_BOLD = frozenset({"strong", "b"})
# Lead (standfirst) markers in class names: BBC 2020 `story-body__introduction`, FT `story-lead`, and the
# usual names of news sites and blog themes (`dek`, `standfirst`, `blog-post__description`, `summary`).
_LEAD_CLASS = re.compile(
    r"(?:^|[\s_-])(?:introduction|intro|standfirst|lede|lead|dek|summary|description|excerpt|subtitle|subhead"
    r"|chapo|teaser|abstract)(?:$|[\s_-])",
    re.IGNORECASE,
)
# A caption's own class (`caption`, BEM `media-with-caption__caption`, `wp-caption-text`, CNA `picinfo`), not
# a container's that merely has one (`has-caption`, `media-with-caption`).
_CAPTION_CLASS = re.compile(
    r"(?:^|\s)(?:[\w-]*__caption|caption|image-caption|photo-caption|wp-caption-text|picinfo)(?:$|\s)",
    re.IGNORECASE,
)
_EMOJI_CLASS = re.compile(r"wp-smiley|emoji", re.IGNORECASE)


def read_blocks(root: Tag, base_url: str) -> list[Block]:
    """The blocks of everything under `root`, in document order; image URLs resolved against `base_url`."""
    walker = _Walker(base_url, root)
    walker.walk(root)
    walker.flush()
    if walker.repeated - walker.photos:
        return [b for b in walker.blocks if not _decoration(b, walker.repeated - walker.photos)]
    return walker.blocks


@dataclass(slots=True)
class Block:
    """One unit of the flat article, with what the later rules need to know about its element."""

    kind: str  # p, h2, h3, h4, li, quote, figure, hr, nav (a dropped link list)
    text: str = ""
    html: str = ""
    group: int = 0  # which <ul>/<ol>/<blockquote> a li/quote belongs to
    list_tag: str = "ul"
    bold: bool = False  # every character of the text is inside <strong>/<b>
    link_share: float = 0.0  # the share of the text that is link text
    lead_class: bool = False  # the element is marked as the standfirst by its class
    image: Image | None = None


class _Walker:
    """Flattens the tree into blocks in one pass: the state of the paragraph being built and its context."""

    def __init__(self, base_url: str, root: Tag) -> None:
        self.base_url = base_url
        self.root = root
        self.page_text = -1  # characters of text in the page, counted when first needed
        self.text_seen = 0  # characters of the page's text walked so far (stripped: a lower bound)
        self.suppress: Tag | None = None  # a figure wrapper already read: skip the rest of its content
        self.blocks: list[Block] = []
        self.parts: list[tuple[str, str]] = []  # (text, html) pieces of the paragraph being built
        self.pending: list[Block] = []  # figures met inside that paragraph, placed after it
        self.has_br = False
        self.kind = "p"
        self.group = 0
        self.list_tag = "ul"
        self.lead_class = False
        self.bold_depth = self.link_depth = 0
        self.bold_chars = self.plain_chars = self.link_chars = 0
        self.consumed: set[int] = set()  # ids of caption nodes already used for an image
        self.seen_src: set[str] = set()  # image_key() of every picture added: renditions of one are one
        self.exact_src: set[str] = set()
        self.repeated: set[str] = set()  # a picture met twice without caption is a border or separator…
        self.photos: set[str] = set()  # …unless its <img> declares a picture's size (placed twice)
        self.srcs: dict[int, str] = {}  # id(img) -> image_src: a figure's image is met twice (img, figure)

    # -- output --
    def flush(self) -> None:
        if not self.parts:
            if self.pending:
                self.blocks.extend(self.pending)
                self.pending = []
            return
        bold = self.plain_chars == 0 and self.bold_chars > 0
        total = self.link_chars + self.bold_chars + self.plain_chars
        link_share = self.link_chars / total if total else 0.0
        for text, html in split_lines(self.parts, self.has_br):
            self.blocks.append(
                Block(self.kind, text, html, self.group, self.list_tag, bold, link_share, self.lead_class)
            )
        self.parts = []
        self.has_br = False
        self.bold_chars = self.plain_chars = self.link_chars = 0
        if self.pending:
            self.blocks.extend(self.pending)
            self.pending = []

    def add_text(self, s: str) -> None:
        # html.escape(s, quote=False), without the call: this runs for every text node of every article
        self.parts.append((s, s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")))
        n = len(s.strip())
        self.text_seen += n
        if self.link_depth:
            self.link_chars += n
        elif self.bold_depth:
            self.bold_chars += n
        else:
            self.plain_chars += n

    def markup(self, html: str) -> None:
        self.parts.append(("", html))

    def add_image(self, src: str, caption: str) -> None:
        key = image_key(src)
        if key in self.seen_src:
            if src in self.exact_src:
                self.repeated.add(src)  # the very same file again: a border or separator
            return
        self.seen_src.add(key)
        self.exact_src.add(src)
        figure = Block("figure", image=Image(src=src, caption=figures.tidy_caption(caption)))
        if any(t.strip() for t, _ in self.parts):
            self.pending.append(figure)  # an image inside a sentence: the text stays one paragraph
        else:
            self.flush()
            self.blocks.append(figure)

    # -- walk --
    def walk(self, node: Tag, depth: int = 0) -> None:
        for child in node.contents:  # the list itself: bs4's `.children` wraps it in a generator
            if self.suppress is not None:
                return
            if type(child) is NavigableString:
                self.add_text(child)
            elif isinstance(child, Tag):
                if depth > MAX_DEPTH:  # pathological nesting: keep the text, skip the structure
                    self.add_text(child.get_text())
                else:
                    self.dispatch(child, depth + 1)
                    if self.suppress is child:  # the figure wrapper is done: the walk goes on after it
                        self.suppress = None

    def dispatch(self, tag: Tag, depth: int) -> None:
        name = tag.name
        if name == "noscript" and id(tag) not in self.consumed:
            self.noscript_images(tag)
            return
        if name in SKIP_TAGS or id(tag) in self.consumed or (tag.attrs and self.chrome(tag)):
            if name in _MEDIA:  # its `<div><small>` caption goes with it
                cap = figures.caption_after(tag)
                if cap is not None:
                    self.consumed.add(id(cap))
                if tag.contents:
                    self.swallowed(tag, depth)
            return
        if name in _FORMAT:
            self.markup(f"<{name}>")
            bold = name in _BOLD
            self.bold_depth += bold
            self.walk(tag, depth)
            self.bold_depth -= bold
            self.markup(f"</{name}>")
        elif name == "a":
            self.link(tag, depth)
        elif name in INLINE:
            if tag.get("data-testid") == "caption-paragraph":  # BBC: caption of a (dropped) media player
                self.stray_caption(tag)
            else:
                self.walk(tag, depth)
        elif name == "br":
            self.parts.append((BR, ""))
            self.has_br = True
        elif name == "img":
            self.image(tag)
        elif name == "figure":
            if any(real_image(img) for img in _images_in(tag)):
                self.figure(tag)
            else:  # a figure without a picture (pull quote, embedded post): its text is text
                self.block(tag, depth, None)
        elif name == "figcaption":
            self.stray_caption(tag)
        elif name in _HEADINGS:
            if RELATED.match(tag.get_text().strip()):
                self.skip_gallery(tag)  # DW `<h3>相关图集：…</h3>` + picture items: another story
            else:
                self.block(tag, depth, _HEADINGS[name])
        elif name in {"ul", "ol"}:
            self.list(tag, depth)
        elif name == "li":
            self.block(tag, depth, "li")
        elif name == "blockquote":
            self.flush()
            self.group += 1
            self.block(tag, depth, "quote")
        elif name == "hr":
            self.flush()
            self.blocks.append(Block("hr"))
        elif name in {"td", "th"}:  # a table row reads as one line: cells run on, a space apart
            self.walk(tag, depth)
            self.add_text(" ")
        else:  # p, div, table cells and anything unknown: a block boundary keeps texts apart
            lead = False
            if name in {"p", "div"} and "class" in tag.attrs:
                classes = attr(tag, "class")
                if _CAPTION_CLASS.search(classes):  # a caption set as a <div>/<p>: it is no paragraph
                    self.stray_caption(tag)
                    return
                lead = _LEAD_CLASS.search(classes) is not None
            self.block(tag, depth, None, lead)

    def chrome(self, tag: Tag) -> bool:
        return is_chrome(tag) and not self.main(tag)

    def main(self, tag: Tag) -> bool:
        """The element holds most of the page's text: whatever its class says, it is the article
        (WordPress writes `tag-social-media` into the class of `<article>`)."""
        if tag.name not in _FLOW or tag.name in {"img", "picture", "figure"}:
            return False
        text = len(tag.get_text())
        if text <= self.text_seen:  # the page holds at least the text walked so far and this: not most
            return False
        if self.page_text < 0:  # a whole-tree count, only when the cheap bound cannot decide
            self.page_text = len(self.root.get_text())
        return 2 * text > self.page_text

    def noscript_images(self, tag: Tag) -> None:
        """A lazy-loading page shows some pictures only in <noscript> (its script fills the visible <img>
        later): such a picture counts, unless the page already showed it (the copy of a visible image)."""
        for img in _images_in(tag):
            src = self.src(img)
            if not src or image_key(src) in self.seen_src:
                continue
            wrapper = figures.figure_wrapper(img, self.root, in_noscript=True)
            if wrapper is not None and wrapper is not tag and tag in wrapper.descendants:
                self.figure(wrapper)  # its caption and credit go with it: skip the rest of the wrapper
                self.suppress = wrapper
                return
            self.add_image(src, self.caption_of(img))

    def swallowed(self, tag: Tag, depth: int) -> None:
        """The article text lxml nested inside an unclosed media element is read; its fallback is not."""
        if tag.name == "iframe":  # lxml keeps an unclosed iframe's rest as raw text
            raw = tag.string
            if raw is not None and "</" in raw:
                self.walk(body_element(make_soup(str(raw))), depth)
            return
        for child in tag.contents:
            if isinstance(child, Tag):
                if child.name in _NEVER_FALLBACK:
                    continue
                if tag.name == "embed" or child.name in _FLOW:
                    self.dispatch(child, depth + 1)
            elif tag.name == "embed" and type(child) is NavigableString:
                self.add_text(child)

    def block(self, tag: Tag, depth: int, kind: str | None, lead: bool = False) -> None:
        self.flush()
        outer = self.kind, self.lead_class
        if kind:
            self.kind = kind
        self.lead_class = lead or self.lead_class
        self.walk(tag, depth)
        self.flush()
        self.kind, self.lead_class = outer

    def link(self, tag: Tag, depth: int) -> None:
        first = next(tag.strings, "")
        if first[:4] in NAV_PREFIXES and NAV_LINK.match(tag.get_text().strip()) and _ends_sentence(tag):
            return  # "点击查看本文英文版" and the like: navigation, not text (unless a sentence goes on)
        # The href is resolved (absolute https, or dropped) by sanitise_html, the one place that does it.
        href = tag.get("href")
        if isinstance(href, str) and _PROMO_HREF.search(href) and not tag.get_text(strip=True):
            return  # a banner: a picture linking to the subscription or promotion page
        self.markup(f'<a href="{escape(href)}">' if isinstance(href, str) and href.strip() else "<a>")
        self.link_depth += 1
        self.walk(tag, depth)
        self.link_depth -= 1
        self.markup("</a>")

    def list(self, tag: Tag, depth: int) -> None:
        self.flush()
        if _is_link_list(tag):  # related-article links (RFA, BBC): navigation, not text
            self.blocks.append(Block("nav"))
            return
        outer = self.group, self.list_tag
        self.group += 1
        self.list_tag = tag.name
        self.walk(tag, depth)
        self.flush()
        self.group, self.list_tag = outer

    def image(self, img: Tag) -> None:
        if _EMOJI_CLASS.search(attr(img, "class")) or "/emoji/" in str(img.get("src") or ""):
            alt = attr(img, "alt")
            self.add_text(alt)  # WordPress emoji: the character itself is the text
            self.text_seen -= len(alt.strip())  # (an attribute: not part of the page's text)
            return
        src = self.src(img)
        if not src:
            return
        if declared_photo(img):
            self.photos.add(src)
        wrapper = figures.figure_wrapper(img, self.root)
        if wrapper is not None:  # its text is the caption, not paragraphs: read it now, skip it after
            self.figure(wrapper)
            self.suppress = wrapper
        else:
            self.add_image(src, self.caption_of(img))

    def figure(self, fig: Tag) -> None:
        """<figure>, or any short element that wraps one image: images plus a caption, never paragraphs."""
        every = _images_in(fig)
        imgs = [el for el in every if not any(p.name == "noscript" for p in el.parents if p is not fig)]
        if not any(self.src(img) for img in imgs):  # lazy: a placeholder shown, the picture in <noscript>
            imgs = every
        caption = figures.caption_text(fig)
        following = self.take_caption_after(fig, imgs)
        for img in imgs:
            src = self.src(img)
            if src:
                self.add_image(src, following or caption or alt_caption(img))

    def src(self, img: Tag) -> str:
        """image_src of `img`, computed once per element (URL resolution is the costly part)."""
        key = id(img)
        src = self.srcs.get(key)
        if src is None:
            src = self.srcs[key] = image_src(img, self.base_url)
        return src

    def skip_gallery(self, heading: Tag) -> None:
        """Consume a related heading and the picture items right after it; the article goes on after them."""
        sib = figures.next_element(heading)
        while sib is not None and sib.name in {"div", "figure", "p"} and _images_in(sib):
            self.consumed.add(id(sib))
            sib = figures.next_element(sib)

    def caption_of(self, img: Tag) -> str:
        """A picture outside any box: the caption right after it, else its alt text."""
        return self.take_caption_after(img, [img]) or alt_caption(img)

    def take_caption_after(self, node: Tag, imgs: list[Tag]) -> str:
        """The text of the caption right after `node`, which the walk then skips: one the outlet marks as
        such, or an element that repeats the alt text of one of `imgs` (CNA writes the caption twice)."""
        alts = {alt for img in imgs if (alt := alt_caption(img))}
        cap = figures.caption_after(node) or figures.alt_repeated_after(node, alts)
        if cap is None:
            return ""
        self.consumed.add(id(cap))
        return figures.caption_text(cap)

    def stray_caption(self, tag: Tag) -> None:
        """A caption outside its figure: it belongs to the image just before it, else to nothing."""
        text = figures.caption_text(tag)
        self.flush()
        last = self.blocks[-1] if self.blocks else None
        if text and last is not None and last.kind == "figure" and last.image and not last.image["caption"]:
            last.image["caption"] = figures.tidy_caption(text)


def _ends_sentence(tag: Tag) -> bool:
    """Nothing of the sentence follows the element: the end of its block or sentence punctuation."""
    sib = tag.next_sibling
    while isinstance(sib, NavigableString) and not sib.strip():
        sib = sib.next_sibling
    if isinstance(sib, NavigableString):
        return sib.strip()[:1] in {"。", "！", "？", ".", "!", "?", "）", ")"}
    return sib is None or (isinstance(sib, Tag) and sib.name not in INLINE)


def _decoration(b: Block, repeated: set[str]) -> bool:
    """A captionless picture met twice in one article: a border or separator, not a photo."""
    image = b.image
    return b.kind == "figure" and image is not None and image["src"] in repeated and not image["caption"]


def _images_in(tag: Tag) -> list[Tag]:
    """The <img> elements under `tag`, in document order (a plain descendant scan: bs4's find_all
    matching machinery costs more than the scan itself)."""
    return [el for el in tag.descendants if type(el) is Tag and el.name == "img"]


def _is_link_list(tag: Tag) -> bool:
    """A <ul>/<ol> whose every item is just a link: a related-articles box."""
    items = [c for c in tag.contents if type(c) is Tag and c.name == "li"]  # not find_all: see _images_in
    if not items:
        return False
    for li in items:
        text = li.get_text().strip()
        link_text = "".join(a.get_text() for a in li.descendants if type(a) is Tag and a.name == "a").strip()
        if not link_text or len(link_text) < len(text) - 2:
            return False
    return True


"""The article body: lead, clean paragraphs, images and reader-view HTML from the parsed page.

One walk over the tree turns it into a flat list of blocks (paragraphs, headings, list items, quotes,
figures). Chrome that is not the article (share blocks, promos, adverts, media players, <noscript>
copies, screen-reader text...) is skipped during that walk by cheap tag/attribute tests; text rules
(feed footer, frozen relative times, a repeated title, `Array`, outlet promos...) then run on the blocks.

Inline text is joined directly, never with a separator, because a space between two Chinese characters
is a corruption; block boundaries separate paragraphs instead. `<br>` is a line break inside a
paragraph only when it is a hard wrap in the middle of a long sentence, see `_split_lines`.
`body_html` is rendered from the same blocks (so the reader view shows exactly the cleaned text) and
then goes through `sanitise_html`. The lead is not part of `body_html`: the reader shows it above.

What counts as boilerplate (and what is kept on purpose) is in zhnews.boilerplate; how an <img> becomes
an image URL (lazy attributes, placeholders, the weserv proxy) is in zhnews.images.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html import escape

from bs4 import BeautifulSoup, NavigableString, Tag
from bs4.element import Comment

from zhnews.article import Image
from zhnews.boilerplate import (
    CREDIT,
    DROP_INSIDE,
    FOOTER,
    NAV_LINK,
    NAV_PREFIXES,
    RELATED,
    drop_paragraph,
    is_chrome,
)
from zhnews.images import alt_caption, attr, image_src, real_image
from zhnews.sanitise import sanitise_html
from zhnews.text import HAN, clean_line


@dataclass(slots=True)
class Body:
    lead: str = ""
    paragraphs: list[str] = field(default_factory=list)
    body_html: str = ""  # sanitised; the lead is NOT in it (the reader view shows `lead` above it)
    images: list[Image] = field(default_factory=list)
    image_url: str = ""  # the hero: the first real image


# --- what the walk skips -------------------------------------------------------------------------------

# Never article text: code, embedded players, forms, share widgets' web components, and <noscript>
# (its content duplicates what the page shows: BBC <picture> fallbacks, CDT lazy images).
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
_MEDIA = frozenset({"audio", "video", "iframe", "object", "embed"})
_HEADINGS = {"h1": "h2", "h2": "h2", "h3": "h3", "h4": "h4", "h5": "h4", "h6": "h4"}
_FORMAT = frozenset({"strong", "b", "em", "i"})
_BOLD = frozenset({"strong", "b"})
# Inline elements: their text runs on with the surrounding text (no paragraph break).
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
        "a",
        "strong",
        "b",
        "em",
        "i",
    ]
)
# Containers that are never a figure wrapper, however short their text.
_NOT_FIGURE = frozenset({"body", "html", "main", "article", "section", "[document]", "li", "ul", "ol", "td"})
# Lead (standfirst) markers in class names: BBC 2020 `story-body__introduction`, FT `story-lead`.
_LEAD_CLASS = re.compile(r"introduction|standfirst|story-lead|\blede\b|article-lead|summary", re.IGNORECASE)
_EMOJI_CLASS = re.compile(r"wp-smiley|emoji", re.IGNORECASE)
_STYLE_CAPTION = re.compile(r"font-size|color\s*:\s*#", re.IGNORECASE)
# Lines shorter than this are lines on purpose (verse, headings, names, `【阅读警告】`), not hard wraps.
_WRAP_MIN = 25
# A line that starts a new item even after a single <br>: a label (`嘉宾：…`), a bullet or a number.
_LINE_START = re.compile(
    r"(?:[^\s，。：:]{1,8}[：:]|[•·*]|\d{1,2}[、.．)）]|[（(][一二三四五六七八九十\d]{1,3}[)）])"
)
_SENTENCE_END = re.compile(r"[。！？!?…；;：:”」』）)]\s*$")
_BR = "\x00"  # line-break marker inside the text buffer (never in real text: clean_line removes NUL)

# Each level of the walk costs a few Python frames; deeper nesting (never seen in real articles) is read as
# plain text so that hostile input cannot exhaust the interpreter's recursion limit.
_MAX_DEPTH = 120
_FIGURE_TEXT_LIMIT = 300  # a figure wrapper holds an image and a caption, not an article


@dataclass(slots=True)
class _Block:
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
    """Flattens the tree into blocks in one pass."""

    def __init__(self, base_url: str, root: Tag) -> None:
        self.base_url = base_url
        self.root = root
        self.suppress: Tag | None = None  # a figure wrapper already read: skip the rest of its content
        self.blocks: list[_Block] = []
        self.parts: list[tuple[str, str]] = []  # (text, html) pieces of the paragraph being built
        self.pending: list[_Block] = []  # figures met inside that paragraph, placed after it
        self.has_br = False
        self.kind = "p"
        self.group = 0
        self.list_tag = "ul"
        self.lead_class = False
        self.bold_depth = self.link_depth = 0
        self.bold_chars = self.plain_chars = self.link_chars = 0
        self.consumed: set[int] = set()  # ids of caption nodes already used for an image
        self.seen_src: set[str] = set()

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
        for text, html in _split_lines(self.parts, self.has_br):
            self.blocks.append(
                _Block(self.kind, text, html, self.group, self.list_tag, bold, link_share, self.lead_class)
            )
        self.parts = []
        self.has_br = False
        self.bold_chars = self.plain_chars = self.link_chars = 0
        if self.pending:
            self.blocks.extend(self.pending)
            self.pending = []

    def add_text(self, s: str) -> None:
        self.parts.append((s, escape(s, quote=False)))
        n = len(s.strip())
        if self.link_depth:
            self.link_chars += n
        elif self.bold_depth:
            self.bold_chars += n
        else:
            self.plain_chars += n

    def markup(self, html: str) -> None:
        self.parts.append(("", html))

    def add_image(self, src: str, caption: str) -> None:
        if src in self.seen_src:
            return
        self.seen_src.add(src)
        figure = _Block("figure", image=Image(src=src, caption=_tidy_caption(caption)))
        if any(t.strip() for t, _ in self.parts):
            self.pending.append(figure)  # an image inside a sentence: the text stays one paragraph
        else:
            self.flush()
            self.blocks.append(figure)

    # -- walk --
    def walk(self, node: Tag, depth: int = 0) -> None:
        for child in node.children:
            if self.suppress is not None:
                return
            if type(child) is NavigableString:
                self.add_text(child)
            elif isinstance(child, Tag):
                if depth > _MAX_DEPTH:  # pathological nesting: keep the text, skip the structure
                    self.add_text(child.get_text())
                else:
                    self.tag(child, depth + 1)

    def tag(self, tag: Tag, depth: int) -> None:
        self.dispatch(tag, depth)
        if self.suppress is tag:
            self.suppress = None

    def dispatch(self, tag: Tag, depth: int) -> None:
        name = tag.name
        if name in _SKIP_TAGS or id(tag) in self.consumed or is_chrome(tag):
            if name in _MEDIA:  # its `<div><small>` caption goes with it
                cap = _caption_after(tag)
                if cap is not None:
                    self.consumed.add(id(cap))
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
        elif name in _INLINE:
            if tag.get("data-testid") == "caption-paragraph":  # BBC: caption of a (dropped) media player
                self.stray_caption(tag)
            else:
                self.walk(tag, depth)
        elif name == "br":
            self.parts.append((_BR, ""))
            self.has_br = True
        elif name == "img":
            self.image(tag)
        elif name == "figure":
            if any(real_image(img) for img in tag.find_all("img")):
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
            self.blocks.append(_Block("hr"))
        elif name in {"td", "th"}:  # a table row reads as one line: cells run on, a space apart
            self.walk(tag, depth)
            self.add_text(" ")
        else:  # p, div, table cells and anything unknown: a block boundary keeps texts apart
            lead = name in {"p", "div"} and _LEAD_CLASS.search(attr(tag, "class")) is not None
            self.block(tag, depth, None, lead)

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
        if first[:4] in NAV_PREFIXES and NAV_LINK.match(tag.get_text().strip()):
            return  # "点击查看本文英文版" and the like: navigation, not text
        # The href is resolved (absolute https, or dropped) by sanitise_html, the one place that does it.
        href = tag.get("href")
        self.markup(f'<a href="{escape(href)}">' if isinstance(href, str) and href.strip() else "<a>")
        self.link_depth += 1
        self.walk(tag, depth)
        self.link_depth -= 1
        self.markup("</a>")

    def list(self, tag: Tag, depth: int) -> None:
        self.flush()
        if _is_link_list(tag):  # related-article links (RFA, BBC): navigation, not text
            self.blocks.append(_Block("nav"))
            return
        outer = self.group, self.list_tag
        self.group += 1
        self.list_tag = tag.name
        self.walk(tag, depth)
        self.flush()
        self.group, self.list_tag = outer

    def image(self, img: Tag) -> None:
        if _EMOJI_CLASS.search(attr(img, "class")) or "/emoji/" in str(img.get("src") or ""):
            self.add_text(attr(img, "alt"))  # WordPress emoji: the character itself is the text
            return
        src = image_src(img, self.base_url)
        if not src:
            return
        wrapper = _figure_wrapper(img, self.root)
        if wrapper is not None:  # its text is the caption, not paragraphs: read it now, skip it after
            self.figure(wrapper)
            self.suppress = wrapper
        else:
            self.add_image(src, self.caption_after(img) or alt_caption(img))

    def figure(self, fig: Tag) -> None:
        """<figure>, or any short element that wraps one image: images plus a caption, never paragraphs."""
        imgs = [
            el
            for el in fig.find_all("img")
            if not any(p.name == "noscript" for p in el.parents if p is not fig)
        ]
        caption = _caption_text(fig)
        following = self.caption_after(fig)
        for img in imgs:
            src = image_src(img, self.base_url)
            if src:
                self.add_image(src, following or caption or alt_caption(img))

    def skip_gallery(self, heading: Tag) -> None:
        """Consume a related heading and the picture items right after it; the article goes on after them."""
        sib = _next_element(heading)
        while sib is not None and sib.name in {"div", "figure", "p"} and sib.find("img") is not None:
            self.consumed.add(id(sib))
            sib = _next_element(sib)

    def caption_after(self, node: Tag) -> str:
        cap = _caption_after(node)
        if cap is None:
            return ""
        self.consumed.add(id(cap))
        return _caption_text(cap)

    def stray_caption(self, tag: Tag) -> None:
        """A caption outside its figure: it belongs to the image just before it, else to nothing."""
        text = _caption_text(tag)
        self.flush()
        last = self.blocks[-1] if self.blocks else None
        if text and last is not None and last.kind == "figure" and last.image and not last.image["caption"]:
            last.image["caption"] = _tidy_caption(text)


# --- helpers -------------------------------------------------------------------------------------------


_clean = clean_line


def _tidy_caption(text: str) -> str:
    """A caption without player fallbacks; "" when all that is left is a credit (`©EPA`)."""
    for noise in DROP_INSIDE:
        text = text.replace(noise, " ")
    text = _typeset(_clean(text))
    if text.startswith("©") or CREDIT.match(text):
        return ""
    return text


def _next_element(node: Tag) -> Tag | None:
    sib = node.next_sibling
    while isinstance(sib, NavigableString) and not sib.strip():
        sib = sib.next_sibling
    return sib if isinstance(sib, Tag) else None


def _caption_after(node: Tag) -> Tag | None:
    """The caption an outlet puts right after an image or player.

    DW/VOA `<div><small>…</small></div>`, NYT `<small>` beside the image, CDT a small-font `<span style>`.
    """
    sib = _next_element(node)
    if sib is None:
        return None
    if sib.name == "small":
        return sib
    if sib.name in {"div", "p", "span"}:
        kids = [c for c in sib.children if not (isinstance(c, NavigableString) and not c.strip())]
        if len(kids) == 1 and isinstance(kids[0], Tag) and kids[0].name == "small":
            return sib
        if sib.name == "span" and _STYLE_CAPTION.search(attr(sib, "style")):
            return sib if _short_text(sib, 200) is not None else None
    return None


def _short_text(tag: Tag, limit: int) -> int | None:
    """Length of the element's text, or None as soon as it exceeds `limit` (bounded work)."""
    n = 0
    for s in tag.descendants:
        if isinstance(s, NavigableString) and not isinstance(s, Comment):
            n += len(s.strip())
            if n > limit:
                return None
    return n


def _caption_text(tag: Tag) -> str:
    """Text of a caption element: screen-reader text, credits and noscript copies left out.

    Photo credits (`<cite>` in NYT figcaptions, BBC `图像来源，…`) are dropped: a caption says what is in
    the picture, and the agency line is the same boilerplate under every photo.
    """
    parts: list[str] = []

    def visit(node: Tag, depth: int = 0) -> None:
        if depth > _MAX_DEPTH:
            parts.append(node.get_text())
            return
        for child in node.children:
            if isinstance(child, NavigableString):
                if not isinstance(child, Comment):
                    parts.append(str(child))
            elif isinstance(child, Tag):
                if child.name in _SKIP_TAGS or child.name == "cite" or is_chrome(child):
                    continue
                if child.name in _INLINE:
                    visit(child, depth + 1)
                    continue
                parts.append(" ")
                mark = len(parts)
                visit(child, depth + 1)
                # A credit line inside the caption (BBC `<p role="text">图像来源，Getty Images</p>`).
                if CREDIT.match(_clean("".join(parts[mark:]))):
                    del parts[mark:]
                parts.append(" ")

    visit(tag)
    return _clean("".join(parts))


def _is_link_list(tag: Tag) -> bool:
    """A <ul>/<ol> whose every item is just a link: a related-articles box."""
    items = tag.find_all("li", recursive=False)
    if not items:
        return False
    for li in items:
        text = li.get_text().strip()
        link_text = "".join(a.get_text() for a in li.find_all("a")).strip()
        if not link_text or len(link_text) < len(text) - 2:
            return False
    return True


def _figure_wrapper(img: Tag, root: Tag) -> Tag | None:
    """The element that wraps this image with its caption and credit (BBC, NYT `<p><img><small>`...).

    Climb while the ancestor still holds only this image, no text before it and a short text after it;
    the highest such ancestor is the figure. Called when the walk meets the image: since nothing precedes
    the image inside the wrapper, nothing of it has been emitted yet.
    """
    best: Tag | None = None
    node = img.parent
    while node is not None and node.name not in _NOT_FIGURE and node is not root:
        if not _small_single_image(node) or (node.name == "p" and not _text_only_in_captions(node)):
            break
        best = node
        node = node.parent
    return best if best is not None and best.name not in {"a", "picture"} else None


def _text_only_in_captions(p: Tag) -> bool:
    """A <p> is a picture box only when its text sits in caption elements (NYT `<p><img><small>…`).

    Plain text after an image in the same paragraph is article text (CDT `<p><img>网友评论…</p>`).
    """
    for s in p.find_all(string=True):
        if s.strip() and type(s) is NavigableString:
            parent = s.parent
            while parent is not None and parent is not p and parent.name not in _CAPTION_TAGS:
                parent = parent.parent
            if parent is p or parent is None:
                return False
    return True


_CAPTION_TAGS = frozenset({"small", "figcaption", "cite"})


def _small_single_image(node: Tag) -> bool:
    """One image (outside <noscript>), no text before it, at most _FIGURE_TEXT_LIMIT characters after.

    A caption follows its picture; text before the image means a paragraph with an inline picture.
    One bounded pass in document order: it stops at the first sign of a real article container.
    """
    text = images = 0
    stack: list[Tag | NavigableString] = [node]
    while stack:
        el = stack.pop()
        if isinstance(el, Tag):
            if el.name == "img" and el is not node:
                if not real_image(el):
                    continue  # RFA's zoom icon beside the photo
                images += 1
                if images > 1 or text:
                    return False
            elif el.name in _BLOCKERS and el is not node:
                return False
            elif el.name != "noscript":
                stack.extend(reversed(el.contents))
        elif type(el) is NavigableString:
            text += len(el.strip())
            if text > _FIGURE_TEXT_LIMIT:
                return False
    return images == 1


_BLOCKERS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "blockquote", "table", "figure"})


# --- lines and block rules -----------------------------------------------------------------------------


def _split_lines(parts: list[tuple[str, str]], has_br: bool) -> list[tuple[str, str]]:
    """(text, html) paragraphs from one block's pieces, cut at its <br>s where they end a line of meaning.

    Two or more <br> in a row always make a new paragraph (VOA). A single <br> does too, unless it is a
    hard wrap: the line before is long (pasted text in CDT cut at ~40 characters), does not end a sentence,
    and the next line does not start an item (`嘉宾：…`, `1、…`, `•`). Wrapped lines are joined — directly
    between Chinese characters, with a space between Latin words.
    """
    if not has_br:
        texts, htmls = zip(*parts, strict=True)
        text = _typeset(_clean("".join(texts)))
        return [(text, "".join(htmls).strip())] if text else []
    # Lines: [text pieces, html pieces, number of <br> before the next line].
    lines: list[list] = [[[], [], 0]]
    for t, h in parts:
        cur = lines[-1]
        if t == _BR:
            if "".join(cur[0]).strip():
                lines.append([[], [], 0])
                cur[2] = 1
            elif len(lines) > 1:
                lines[-2][2] += 1
            continue
        if h.startswith("</") and not "".join(cur[0]).strip() and len(lines) > 1:
            lines[-2][1].append(h)  # a closing tag right after a <br> closes the previous line
            continue
        cur[0].append(t)
        cur[1].append(h)
    out: list[tuple[str, str]] = []
    prev_breaks = 0
    prev_line = ""
    for pieces, html_pieces, breaks in lines:
        text, html = _typeset(_clean("".join(pieces))), "".join(html_pieces).strip()
        if not text:
            prev_breaks = max(prev_breaks, breaks)
            continue
        wrapped = (  # a hard wrap: a long line cut mid-sentence, continued on the next line
            prev_breaks < 2
            and len(prev_line) >= _WRAP_MIN
            and not _SENTENCE_END.search(prev_line)
            and not _LINE_START.match(text)
        )
        if out and wrapped:
            last_text, last_html = out[-1]
            joiner = " " if last_text[-1].isascii() and text[0].isascii() else ""
            out[-1] = (last_text + joiner + text, f"{last_html}<br>{html}")
        else:
            out.append((text, html))
        prev_breaks, prev_line = breaks, text
    return out


# ASCII angle brackets in Chinese text are a typist's title marks (《四川省实施<妇女权益保障法>办法》): the
# nested-title marks 〈〉 say the same without looking like a leftover HTML tag; a lone `<` becomes `＜`.
_ANGLED_HAN = re.compile(f"<([^<>]*[{HAN}][^<>]*)>")


def _typeset(text: str) -> str:
    if "<" not in text:
        return text
    return _ANGLED_HAN.sub(r"〈\1〉", text).replace("<", "＜")


def _norm(text: str) -> str:
    """Letters, digits and Han only, case-folded: what two writings of one title share."""
    return _NON_WORD.sub("", text).casefold()


_NON_WORD = re.compile(r"[\W_]+")


def _same_title(text_key: str, title_key: str) -> bool:
    """The heading is the title, or the title without the feed's additions (`… [图集] (附赛程)`)."""
    shorter, longer = sorted((text_key, title_key), key=len)
    return len(shorter) >= 0.6 * len(longer) and longer.startswith(shorter)


def _cut_footer(blocks: list[_Block]) -> list[_Block]:
    """The feed footer: from the <hr> before `获取更多RSS…` / `Feed enhanced by…` to the end."""
    for i in range(max(0, len(blocks) - 12), len(blocks)):  # it is the tail: look only there
        t = blocks[i].text
        if ("RSS" in t or "feedx" in t or "Feed" in t) and FOOTER.search(t):
            cut = i
            for j in range(i - 1, max(-1, i - 6), -1):  # CDT: `<hr>© … Permalink … Post tags` first
                if blocks[j].kind == "hr":
                    cut = j
                    break
            return blocks[:cut]
    return blocks


def _clean_blocks(blocks: list[_Block], title: str, outlet: str) -> list[_Block]:
    blocks = _cut_footer(blocks)
    title_key = _norm(title)
    out: list[_Block] = []
    related = False  # after a `相关阅读：` label: the link lines that follow are navigation too
    for b in blocks:
        if b.kind in {"hr", "nav"}:
            if b.kind == "nav":
                out.append(b)  # kept as a marker for the lead rule, dropped below
            continue
        if b.kind == "figure":
            out.append(b)
            continue
        heading = b.kind in {"h2", "h3", "h4"}
        if RELATED.match(b.text):
            if heading or b.bold or len(b.text) <= 8:  # a label: `<p><strong>相关阅读：</strong></p>`
                related = True
                continue
            if b.link_share >= 0.5:  # DW `延伸阅读: <a>another story</a>`
                continue
        if related and (b.link_share >= 0.9 or b.kind == "quote"):
            continue
        related = False
        if drop_paragraph(b.text, outlet):
            continue
        first = not any(x.kind != "nav" for x in out)
        if title_key and (heading or first):
            key = _norm(b.text)
            if key == title_key or (heading and _same_title(key, title_key)):
                continue  # the title repeated as a heading or as the first line
        out.append(b)
    return _merge_datelines(out)


# A place dateline standing alone before its paragraph: "新德里 — " (VOA), "华盛顿 -".
_DATELINE = re.compile(r"^(?=\w*[^\W\d_])[\w·・ ]{1,16}?\s*(?:—|–|－|--|-)$")


def _merge_datelines(blocks: list[_Block]) -> list[_Block]:
    merged: list[_Block] = []
    carry: _Block | None = None
    for b in blocks:
        if carry is not None:
            if b.kind == "p":
                b.text = f"{carry.text} {b.text}"
                b.html = f"{carry.html} {b.html}"
            else:
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
    """The standfirst, taken out of the body.

    It is the first paragraph when it carries a lead class (BBC 2020, FT), or when it is set entirely in
    bold (RFI `<p><strong>`, BBC `<p><b>`) or directly followed by a related-links box (RFA's layout) and
    reads like a standfirst: a sentence, not an interviewer's question (`德国之声：…？`), an intro label
    ending in a colon (`以下为网友评论：`) or a credit (`采写/…`).
    """
    texts = [i for i, b in enumerate(blocks) if b.kind not in {"figure", "nav"}]
    if len(texts) >= 2:
        i = texts[0]
        b = blocks[i]
        after_nav = i + 1 < len(blocks) and blocks[i + 1].kind == "nav"
        if b.kind == "p" and (b.lead_class or ((b.bold or after_nav) and _reads_like_standfirst(b.text))):
            return b.text, blocks[:i] + blocks[i + 1 :]
    return "", blocks


# An interviewer's turn: the outlet or "问/记者" as speaker, or any speaker label on a question.
_INTERVIEWER = re.compile(
    r"^(?:德国之声|德國之聲|法广|法廣|美国之音|美國之音|自由亚洲电台|DW|RFI|VOA|记者|記者|问|問)[：:]"
)
_SPEAKER = re.compile(r"^[^\s，。：:]{1,10}[：:]")
_SENTENCE_PUNCT = re.compile(r"[，。！？；,.!?;]")


def _reads_like_standfirst(text: str) -> bool:
    return (
        _SENTENCE_PUNCT.search(text) is not None
        and not _INTERVIEWER.match(text)
        and not (_SPEAKER.match(text) and text.endswith(("？", "?")))
        and not text.endswith(("：", ":"))
    )


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
            src, cap = escape(b.image["src"]), escape(b.image["caption"])
            caption = f"<figcaption>{cap}</figcaption>" if cap else ""
            out.append(f'<figure><img src="{src}" alt="{cap}">{caption}</figure>')
        elif b.kind in {"li"}:
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
    root = soup.body or soup
    walker = _Walker(url, root)
    walker.walk(root)
    walker.flush()
    blocks = _clean_blocks(walker.blocks, title, outlet)
    lead, blocks = _split_lead(blocks)
    blocks = [b for b in blocks if b.kind != "nav"]
    images = [b.image for b in blocks if b.kind == "figure" and b.image]
    paragraphs = [b.text for b in blocks if b.kind != "figure"]
    if not paragraphs:  # a picture gallery: its captions are its text
        paragraphs = [im["caption"] for im in images if im["caption"]]
    return Body(
        lead=lead,
        paragraphs=paragraphs,
        body_html=sanitise_html(_render(blocks), url),
        images=images,
        image_url=images[0]["src"] if images else "",
    )

"""Pictures inside article markup: which element wraps an image with its caption, and the caption's text.

Every outlet boxes its photos differently (BBC nested divs, NYT `<p><img><small>`, DW/VOA a
`<div><small>` after the image, CDT a small-font `<span style>`). These questions are asked of the tree
around one image, apart from the walk, so the walk itself only needs to know "this is a figure".
"""

from __future__ import annotations

import re

from bs4 import NavigableString, Tag
from bs4.element import Comment

from zhnews.extract.boilerplate import CREDIT, DROP_INSIDE, is_chrome
from zhnews.extract.images import attr, real_image
from zhnews.extract.lines import typeset
from zhnews.extract.tag_roles import INLINE, MAX_DEPTH, SKIP_TAGS
from zhnews.text import clean_line

# Containers that are never a figure wrapper, however short their text.
# (A table cell is no stop: Nikkei boxes a photo and its caption in a two-row table.)
_NOT_FIGURE = frozenset({"body", "html", "main", "article", "section", "[document]", "li", "ul", "ol"})
# Elements that mean "this is article structure", never a picture box.
_BLOCKERS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "blockquote", "table", "figure"})
_CAPTION_TAGS = frozenset({"small", "figcaption", "cite"})
_STYLE_CAPTION = re.compile(r"font-size|color\s*:\s*#", re.IGNORECASE)
_FIGURE_TEXT_LIMIT = 300  # a figure wrapper holds an image and a caption, not an article


def tidy_caption(text: str) -> str:
    """A caption without player fallbacks; "" when all that is left is a credit (`©EPA`)."""
    for noise in DROP_INSIDE:
        text = text.replace(noise, " ")
    text = typeset(text)
    if text.startswith("©") or CREDIT.match(text):
        return ""
    return text


def next_element(node: Tag) -> Tag | None:
    """The next sibling element, past whitespace; None when text or nothing follows."""
    sib = node.next_sibling
    while isinstance(sib, NavigableString) and not sib.strip():
        sib = sib.next_sibling
    return sib if isinstance(sib, Tag) else None


def caption_after(node: Tag) -> Tag | None:
    """The caption an outlet puts right after an image or player.

    DW/VOA `<div><small>…</small></div>`, NYT `<small>` beside the image, CDT a small-font `<span style>`.
    """
    sib = next_element(node)
    while sib is not None and sib.name == "br":  # CDT `<p><img><br><span style=…>caption</span>`
        sib = next_element(sib)
    if sib is None:
        return None
    if sib.name == "small":
        return sib
    if sib.name in {"div", "p", "span"}:
        kids = [c for c in sib.contents if not (isinstance(c, NavigableString) and not c.strip())]
        if len(kids) == 1 and isinstance(kids[0], Tag) and kids[0].name == "small":
            return sib
        if sib.name == "span" and _STYLE_CAPTION.search(attr(sib, "style")):
            return sib if _short_text(sib, 200) is not None else None
    return None


def alt_repeated_after(node: Tag, alts: set[str]) -> Tag | None:
    """The element right after a picture that says exactly what its alt text says: its caption."""
    sib = next_element(node) if alts else None
    if sib is None or sib.name not in {"div", "p", "span"} or _short_text(sib, 300) is None:
        return None
    return sib if clean_line(sib.get_text()) in alts else None


def _short_text(tag: Tag, limit: int) -> int | None:
    """Length of the element's text, or None as soon as it exceeds `limit` (bounded work)."""
    n = 0
    for s in tag.descendants:
        if isinstance(s, NavigableString) and not isinstance(s, Comment):
            n += len(s.strip())
            if n > limit:
                return None
    return n


def caption_text(tag: Tag) -> str:
    """Text of a caption element: screen-reader text, credits and noscript copies left out.

    Photo credits (`<cite>` in NYT figcaptions, BBC `图像来源，…`) are dropped: a caption says what is in
    the picture, and the agency line is the same boilerplate under every photo.
    """
    parts: list[str] = []

    def visit(node: Tag, depth: int = 0) -> None:
        if depth > MAX_DEPTH:
            parts.append(node.get_text())
            return
        for child in node.contents:
            if isinstance(child, NavigableString):
                if not isinstance(child, Comment):
                    parts.append(str(child))
            elif isinstance(child, Tag):
                if child.name in SKIP_TAGS or child.name == "cite" or is_chrome(child):
                    continue
                if child.name in INLINE:
                    visit(child, depth + 1)
                    continue
                parts.append(" ")
                mark = len(parts)
                visit(child, depth + 1)
                # A credit line inside the caption (BBC `<p role="text">图像来源，Getty Images</p>`).
                if CREDIT.match(clean_line("".join(parts[mark:]))):
                    del parts[mark:]
                parts.append(" ")

    visit(tag)
    return clean_line("".join(parts))


def figure_wrapper(img: Tag, root: Tag, in_noscript: bool = False) -> Tag | None:
    """The element that wraps this image with its caption and credit (BBC, NYT `<p><img><small>`...).

    Climb while the ancestor still holds only this image, no text before it and a short text after it;
    the highest such ancestor is the figure. Called when the walk meets the image: since nothing precedes
    the image inside the wrapper, nothing of it has been emitted yet. `in_noscript`: the image is a
    lazy page's <noscript> picture, which then counts as the wrapper's image.
    """
    best: Tag | None = None
    node = img.parent
    while node is not None and node.name not in _NOT_FIGURE and node is not root:
        if not _small_single_image(node, in_noscript):
            break
        if node.name == "p" and not _text_only_in_captions(node):
            break
        if best is not None and (texts := _texts_beside(node, best)) and (
                texts > 1 or _boxed_with_caption(best)):
            break  # the picture's box sits in a short article (its caption beside it, then paragraphs)
        best = node
        node = node.parent
    return best if best is not None and best.name not in {"a", "picture"} else None


def _boxed_with_caption(box: Tag) -> bool:
    """The box holds its caption beside its image (a credit alone, BBC's `图像来源，…`, is no caption: the
    caption may then be the paragraph after the box)."""
    return caption_text(box) != ""


def _texts_beside(parent: Tag, box: Tag) -> int:
    """How many texts `parent` holds beside `box`: one may be the picture's caption (BBC's `<p>` after the
    image's box), more are the article going on."""
    return sum(1 for c in parent.children if c is not box and (
        c.get_text(strip=True) if isinstance(c, Tag) else type(c) is NavigableString and c.strip()))


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


def _small_single_image(node: Tag, in_noscript: bool = False) -> bool:
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
            elif el.name != "noscript" or in_noscript:
                stack.extend(reversed(el.contents))
        elif type(el) is NavigableString:
            text += len(el.strip())
            if text > _FIGURE_TEXT_LIMIT:
                return False
    return images == 1

"""The article body: lead, clean paragraphs, images and reader-view HTML from the parsed page.

The pipeline: the walker flattens the tree into blocks (skipping chrome), then the text rules here run
on those blocks (feed footer, related-links labels, outlet promos, a repeated title, split datelines),
the standfirst is taken out as the lead, and `body_html` is rendered from the same blocks, so the reader
view shows exactly the cleaned text, and then goes through `sanitise_html`. The lead is not part of
`body_html`: the reader shows it above.

What counts as boilerplate (and what is kept on purpose) is in boilerplate.py; how an <img> becomes
an image URL (lazy attributes, placeholders, the weserv proxy) is in images.py; how a figure and its
caption are found is in figures.py; where a `<br>` ends a paragraph is in lines.py.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html import escape

from bs4 import BeautifulSoup

from zhnews.article import Image
from zhnews.extract.boilerplate import FOOTER, RELATED, cut_tail, paragraph_filter
from zhnews.extract.sanitise import sanitise_html
from zhnews.extract.soup import body_element
from zhnews.extract.walker import Block, read_blocks


@dataclass(slots=True)
class Body:
    """What the article says, ready to store: the extractor's one result."""

    lead: str = ""
    paragraphs: list[str] = field(default_factory=list)
    body_html: str = ""  # sanitised; the lead is NOT in it (the reader view shows `lead` above it)
    images: list[Image] = field(default_factory=list)
    image_url: str = ""  # the hero: the first real image


def extract_body(soup: BeautifulSoup, *, outlet: str, url: str, title: str) -> Body:
    """Lead, paragraphs, images and sanitised HTML of the article in `soup` (header nodes already gone)."""
    root = body_element(soup)
    blocks = _clean_blocks(read_blocks(root, url), title)
    lead, blocks = _split_lead(blocks)
    blocks = [b for b in blocks if b.kind != "nav"]
    images = [b.image for b in blocks if b.kind == "figure" and b.image]
    paragraphs = [b.text for b in blocks if b.kind != "figure"]
    captioned = [im for im in images if im["caption"]]
    if 2 * len(paragraphs) < len(captioned):  # a picture gallery: its captions are its text
        paragraphs = [
            b.image["caption"] if b.kind == "figure" and b.image else b.text
            for b in blocks
            if b.kind != "figure" or (b.image and b.image["caption"])
        ]
    return Body(
        lead=lead,
        paragraphs=paragraphs,
        body_html=sanitise_html(_render(blocks), url),
        images=images,
        image_url=images[0]["src"] if images else "",
    )


def _norm(text: str) -> str:
    """Letters, digits and Han only, case-folded: what two writings of one title share."""
    return _NON_WORD.sub("", text).casefold()


_NON_WORD = re.compile(r"[\W_]+")


def _same_title(text_key: str, title_key: str) -> bool:
    """The heading is the title, or the title without the feed's additions (`… [图集] (附赛程)`)."""
    shorter, longer = sorted((text_key, title_key), key=len)
    return len(shorter) >= 0.6 * len(longer) and longer.startswith(shorter)


def _cut_footer(blocks: list[Block]) -> list[Block]:
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


def _clean_blocks(blocks: list[Block], title: str) -> list[Block]:
    """The text rules: feed footer, related-links labels and links, outlet promos, the repeated title."""
    blocks = _cut_footer(blocks)
    title_key = _norm(title)
    out: list[Block] = []
    related = False  # after a `相关阅读：` label: the link lines that follow are navigation too
    first = True  # nothing but nav markers kept so far (a kept figure counts)
    last_kept: Block | None = None  # the block kept just before this one, if none was dropped in between
    drop_paragraph = paragraph_filter()
    for b in blocks:
        previous, last_kept = last_kept, None
        if b.kind in {"hr", "nav"}:
            if b.kind == "nav":
                out.append(b)  # kept as a marker for the lead rule, dropped below
            continue
        if b.kind == "figure":
            if not related:  # a picture after a related-content label is the other story's thumbnail
                out.append(b)
                first = False
                last_kept = b
            continue
        heading = b.kind in {"h2", "h3", "h4"}
        if RELATED.match(b.text):
            # a label: `<p><strong>相关阅读：</strong></p>`, `And to dig deeper:`
            if heading or b.bold or len(b.text) <= 8 or b.text.endswith((":", "：")):
                related = True
                if previous is not None and previous.kind == "figure" and not _caption(previous):
                    out.remove(previous)  # the related box's own picture or border, just above its label
                continue
            if b.link_share >= 0.5:  # DW `延伸阅读: <a>another story</a>`
                continue
        if related and (b.link_share >= 0.9 or b.kind == "quote" or (b.kind == "li" and b.link_share > 0)):
            continue
        related = False
        if drop_paragraph(b.text) or _only_a_link(b):
            continue
        _tidy(b)
        if not b.text:
            continue
        if title_key and (heading or first):
            key = _norm(b.text)
            if key == title_key or (heading and _same_title(key, title_key)):
                continue  # the title repeated as a heading or as the first line
        out.append(b)
        first = False
        last_kept = b
    return _merge_datelines(out)


# A link standing alone as a line: another story's headline (CNA's links between items, `视频地址`).
_LINK_LINE_MAX = 60
_ENDS_SENTENCE = ("。", "！", "？", "!", "?", ".", "…", "”", "」")
_MARKDOWN_BOLD = re.compile(r"^\*\*(.+)\*\*$")


_LINK_LABEL_MAX = 12


def _only_a_link(b: Block) -> bool:
    """A line that only points elsewhere: a linked headline, a short label by a link (`视频<a>地址</a>`)."""
    if b.kind != "p" or b.link_share < 0.5 or b.text.endswith(_ENDS_SENTENCE):
        return False
    return len(b.text) <= _LINK_LABEL_MAX or (b.link_share >= 0.95 and len(b.text) <= _LINK_LINE_MAX)


def _caption(b: Block) -> str:
    return b.image["caption"] if b.image else ""


def _tidy(b: Block) -> None:
    """Leftovers around the text itself: a staff credit, `......more` or `■` glued to its end, a subheading
    written with literal markdown asterisks (`**有雄心胜于匆忙**`)."""
    text = cut_tail(b.text)
    if text != b.text:
        b.html = _cut_html(b.html, b.text[len(text) :])
        b.text = text
    if b.text.startswith("**") and (m := _MARKDOWN_BOLD.match(b.text)):
        b.text = m.group(1).strip()
        b.html = b.html.replace("**", "")


_TAG = re.compile(r"<[^>]*>")


def _cut_html(html: str, tail: str) -> str:
    """`html` without the markup of its text's last `tail` characters (closing tags kept)."""
    keep = len(html)
    remaining = len(tail.strip())
    while keep > 0 and remaining > 0:  # walk back over the text, skipping tags
        keep -= 1
        if html[keep] == ">":
            keep = html.rfind("<", 0, keep)
            continue
        if not html[keep].isspace():
            remaining -= 1
    head = html[:keep].rstrip()
    closing = [t for t in _TAG.findall(html[keep:]) if t.startswith("</")]
    still_open = [t for t in closing if head.count("<" + t[2:-1]) > head.count(t)]
    return head + "".join(still_open)


# A place dateline standing alone before its paragraph: "新德里 — " (VOA), "华盛顿 -".
_DATELINE = re.compile(r"^(?=\w*[^\W\d_])[\w·・ ]{1,16}?\s*(?:—|–|－|--|-)$")


def _merge_datelines(blocks: list[Block]) -> list[Block]:
    """A dateline alone on its line (`新德里 —`) opens the paragraph after it, as in print."""
    merged: list[Block] = []
    carry: Block | None = None
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


def _split_lead(blocks: list[Block]) -> tuple[str, list[Block]]:
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
    """A sentence, not a question put by the interviewer, an intro label or a credit."""
    return (
        _SENTENCE_PUNCT.search(text) is not None
        and not _INTERVIEWER.match(text)
        and not (_SPEAKER.match(text) and text.endswith(("？", "?")))
        and not text.endswith(("：", ":"))
    )


def _render(blocks: list[Block]) -> str:
    """Reader-view HTML of the kept blocks, list items and quotes regrouped in <ul>/<ol>/<blockquote>."""
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
        elif b.kind == "li":
            out.append(f"<li>{b.html}</li>")
        elif b.kind == "quote":
            out.append(f"<p>{b.html}</p>")
        else:
            out.append(f"<{b.kind}>{b.html}</{b.kind}>")
    if open_group:
        out.append(f"</{open_group[0]}>")
    return "\n".join(out)

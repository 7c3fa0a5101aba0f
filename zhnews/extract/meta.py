"""Header fields found inside the article HTML: date line, <time>, author.

meta.extract() reads them from the parsed soup and REMOVES the nodes it consumed, so the body extractor
never sees a date line or a credit line as article text. The steps are generic — the archiver's first
`<div>` date line, `<time>` (the publication time, not an update time), `<address>`, byline markup
(`rel="author"`, `itemprop="author"`, `.byline`, `<meta name="author">`, JSON-LD), a labelled byline line
(`作者：…`, which also takes a document card of labelled fields), a staff credit line (`记者：… 责编：…`), a
wire byline opening the text (`（中央社記者…電）`) — plus the few steps an outlet's own markup needs, named
in its registry entry (zhnews.extract.outlets). What a byline's text means is in zhnews.extract.bylines.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, tzinfo
from functools import lru_cache
from zoneinfo import ZoneInfo

from bs4 import BeautifulSoup, Comment, NavigableString, Tag

from zhnews.extract.boilerplate import is_chrome
from zhnews.extract.bylines import byline_names, clean_author, credit_reporter, wire_byline
from zhnews.extract.dates import Evidence, evidence
from zhnews.extract.outlets import rules
from zhnews.extract.soup import body_element, head_element
from zhnews.text import HAN, clean_line

_RELATIVE_TIME = re.compile(r"\d+\s*(?:秒|分钟|分鐘|小时|小時|天|日|周|週)前|\bago\b|^(?:刚刚|剛剛|昨天)")
_DATE_HINT = re.compile(r"\d")
# A staff credit line: `记者：X 责编：Y 网编：Z` or `自由亚洲电台记者X台北报道 责编…`.
_CREDIT = re.compile(r"(?:责编|責編|网编|網編)(?:\s*[：:]|\s)")
_CREDIT_MAX = 100
_CREDIT_START = re.compile(
    r"[（(]?\s*(?:[^\s（(，。]{0,8}?)(?:特约|特約)?(?:记者|記者)|[（(]?\s*(?:编写|編寫|撰稿)\s*[/／、]"
)
# A byline label: `作者：`, `撰文 |`; the other fields of a document card (CDT 档案卡: 标题/作者/日期/来源…).
# `作者：令狐卿`, `撰文 | 理强`; with only a space (Reuters' `作者 马蓉/侯向明`) when names alone follow.
_BYLINE_LABEL = re.compile(
    rf"^\s*(?:(?:作者|撰文|撰稿)\s*[：:|｜/／]|作者\s+(?=[{HAN}]{{2,4}}(?:\s*[/／、,，]\s*[{HAN}]{{2,4}}){{0,3}}\s*$))"
)
_CARD_FIELD = re.compile(
    r"^\s*(?:标题|標題|来源|來源|发表日期|發表日期|日期|版权说明|版權說明|原文链接|原文鏈接)\s*[：:]"
)
_BYLINE_MAX = 40  # a byline line names people; a longer text is a paragraph that mentions an author
_BYLINE_ITEM = 40  # an item of a byline list: a name (`纳文·辛格·卡达（Navin Singh Khadka）`), a role
# Markup that names an article's author (schema.org, microformats, WordPress themes).
_AUTHOR_CLASS = re.compile(r"(?:^|[\s_-])(?:byline|author|author-name|vcard)(?:$|[\s_-])", re.IGNORECASE)
_NOT_AUTHOR_CLASS = re.compile(r"bio|avatar|box|description|about|more|list", re.IGNORECASE)
_METADATA_CLASS = re.compile(r"(?:^|[\s_-])(?:meta|footer|header|byline)(?:$|[\s_-])", re.IGNORECASE)
_BY = re.compile(r"^(?:by|文|作者)\s*[:：]?\s+", re.IGNORECASE)
# <time> roles: the page's update stamp is not its publication date.
_UPDATED = re.compile(r"updated|modified|更新|修改|編輯於|编辑于", re.IGNORECASE)
_PUBLISHED = re.compile(r"published|pubdate|datePublished|entry-date|发布|發布|发表|發表|刊登", re.IGNORECASE)


@dataclass(slots=True)
class Meta:
    """What the page header says about the article, once its nodes are out of the soup."""

    dateline: str = ""  # the outlet's date line as shown
    dates: list[Evidence] = field(default_factory=list)  # outlet date evidence, best first
    author: str = ""
    set_aside: list[Evidence] = field(default_factory=list)  # evidence read but not trusted: an update time


@lru_cache(maxsize=64)
def _zone(name: str) -> tzinfo:
    return ZoneInfo(name) if name else UTC


def dateline_zone(outlet: str) -> tzinfo:
    """The zone an outlet's naive date line is written in (its registry entry), UTC when unknown."""
    return _zone(rules(outlet).zone)


def _first_element(root: Tag) -> Tag | None:
    for child in root.children:
        if isinstance(child, Tag):
            return child
        if isinstance(child, NavigableString) and not isinstance(child, Comment) and child.strip():
            return None
    return None


_MEDIA = frozenset({"img", "video", "iframe", "audio", "picture"})
_BLOCKS = frozenset({"img", "p", "div", "figure", "video"})


def _has_descendant(tag: Tag, names: frozenset[str]) -> bool:
    """Like tag.find(names) is not None, without bs4's filter machinery (hot path, tiny subtrees)."""
    return any(type(node) is Tag and node.name in names for node in tag.descendants)


# What is left of a post's date/byline line once its date and name are taken: labels and punctuation.
_LABELS_ONLY = re.compile(
    r"(?:发布于|發佈於|发表于|發表於|更新于|更新於|发布时间|發佈時間|更新时间|更新時間|作者|posted|published|updated|by|on|"
    r"[\W_])+",
    re.IGNORECASE,
)


def _is_blank(tag: Tag) -> bool:
    text = tag.get_text(strip=True)
    if text and not (len(text) <= 40 and _LABELS_ONLY.fullmatch(text)):
        return False
    return not _has_descendant(tag, _MEDIA)


def _take_date_line(root: Tag, outlet: str, meta: Meta) -> None:
    """The archiver's first `<div>`: `DATE`, `<i>AUTHOR<br>DATE</i>`, or empty (FT)."""
    first = _first_element(root)
    if first is None or first.name != "div" or first.attrs:
        return
    if _is_blank(first):
        first.decompose()
        return
    if _has_descendant(first, _BLOCKS):
        return
    lines = [clean_line(s) for s in first.stripped_strings]
    lines = [s for s in lines if s]
    if not lines or len(lines) > 4 or sum(map(len, lines)) > 200 or not _DATE_HINT.search(lines[-1]):
        return
    ev = evidence(lines[-1], "dateline", dateline_zone(outlet))
    if ev is None:
        return
    meta.dateline = lines[-1]
    meta.dates.append(ev)
    if len(lines) > 1:
        meta.author = clean_author(" ".join(lines[:-1]))
    first.decompose()


def _remove_with_empty_parents(tag: Tag, root: Tag) -> None:
    parent = tag.parent
    tag.decompose()
    while parent is not None and parent is not root and parent.name not in ("body", "html", "main"):
        grand = parent.parent
        if not _is_blank(parent):
            break
        parent.decompose()
        parent = grand


def _is_author_markup(tag: Tag) -> bool:
    attrs = tag.attrs
    if "rel" in attrs and "author" in attrs["rel"]:
        return True
    prop = attrs.get("itemprop")
    if isinstance(prop, str) and prop.lower() in {"author", "byline", "creator"}:
        return True
    if tag.name == "meta":
        return str(attrs.get("name", "")).lower() == "author"
    if tag.name == "script":
        return str(attrs.get("type", "")).lower() == "application/ld+json"
    value = attrs.get("class")
    if value:
        text = " ".join(value) if isinstance(value, list) else value
        return _AUTHOR_CLASS.search(text) is not None and _NOT_AUTHOR_CLASS.search(text) is None
    return False


def _author_markup(root: Tag, head: Tag | None) -> list[Tag]:
    """The elements whose markup says "author" (`rel`, `itemprop`, `.byline`, `<meta name=author>`,
    JSON-LD), in document order; lxml moves a leading <meta>/<script> of a fragment into <head>."""
    nodes = [*head.descendants] if head is not None else []
    nodes.extend(root.descendants)
    return [n for n in nodes if type(n) is Tag and n.attrs and _is_author_markup(n)]


def _decomposed(tag: Tag) -> bool:
    """Tag.decomposed without its cost: bs4 reads a missing `_decomposed` through Tag.__getattr__, which
    searches the whole subtree for a child element of that name."""
    return "_decomposed" in tag.__dict__


Step = Callable[[Tag, "Tag | None", str, "Meta"], None]  # (root, head, outlet, meta)


def _time_role(tag: Tag) -> str:
    """"updated", "published" or "" for a <time>: its attributes, then the words just before it."""
    attrs = " ".join(
        " ".join(v) if isinstance(v, list) else str(v)
        for k, v in tag.attrs.items()
        if k in {"class", "itemprop", "id", "pubdate"}
    ) + (" pubdate" if "pubdate" in tag.attrs else "")
    before = tag.previous_sibling
    words = f"{attrs} {before if isinstance(before, NavigableString) else ''}"
    if _UPDATED.search(words):
        return "updated"
    return "published" if _PUBLISHED.search(words) else ""


def _take_time(root: Tag, head: Tag | None, outlet: str, meta: Meta) -> None:
    """The page's `<time datetime=…>` (NYT 2021+, BBC, Economist, WordPress), its text often a frozen
    relative time. With several, the publication time wins: a time marked as the update is set aside."""
    times = root.find_all("time")
    if not times:
        return
    roles = [_time_role(t) for t in times[:4]]
    chosen = next((t for t, r in zip(times, roles, strict=False) if r == "published"), None)
    if chosen is None:
        chosen = next((t for t, r in zip(times, roles, strict=False) if r != "updated"), None)
    for time_tag, role in zip(times, roles, strict=False):
        if time_tag.decomposed:  # inside an update time removed above (a malformed `<time` swallows the rest)
            continue
        if role == "updated" and time_tag is not chosen:
            value = str(time_tag.get("datetime") or "").strip()
            if value and (ev := evidence(value, "updated_time", dateline_zone(outlet))) is not None:
                meta.set_aside.append(ev)
            _remove_with_empty_parents(time_tag, root)
    if chosen is None or chosen.decomposed:  # it sat inside the update time just removed
        return
    value = str(chosen.get("datetime") or chosen.get("pudate") or "").strip()
    shown = clean_line(chosen.get_text())
    ev = evidence(value, "time_element", dateline_zone(outlet)) if value else None
    if ev is None and shown and not _RELATIVE_TIME.search(shown):
        ev = evidence(shown, "time_element", dateline_zone(outlet))  # `<time>2021年7月2日</time>`
    if ev is not None:
        if ev.has_time and ev.local is not None and ev.local.time().isoformat() == "00:00:00":
            ev = Evidence(ev.when, ev.source, False, ev.local)  # a midnight stamp is a date, not a time
        meta.dates.append(ev)
        if not meta.dateline:
            # BBC froze a relative time ("43 分钟前") into the text: the attribute is the date line then.
            meta.dateline = value if not shown or _RELATIVE_TIME.search(shown) else shown
    _remove_with_empty_parents(chosen, root)


def _take_address(root: Tag, head: Tag | None, outlet: str, meta: Meta) -> None:
    """NYT 2021+: `<address>AUTHOR</address>` right before the `<time>`."""
    address = root.find("address")
    if address is None:
        return
    if not meta.author:
        meta.author = clean_author(address.get_text(" "))
    address.decompose()


def _json_ld_authors(script: Tag) -> list[str]:
    try:
        data = json.loads(script.get_text())
    except (ValueError, RecursionError):
        return []
    names: list[str] = []
    stack = [data]
    while stack and len(names) < 4:
        item = stack.pop()
        if isinstance(item, list):
            stack.extend(reversed(item[:20]))
        elif isinstance(item, dict):
            author = item.get("author")
            for a in author if isinstance(author, list) else [author]:
                if isinstance(a, dict) and isinstance(a.get("name"), str):
                    names.append(a["name"])
                elif isinstance(a, str):
                    names.append(a)
            if "@graph" in item:
                stack.append(item["@graph"])
    return names


def _take_byline_markup(root: Tag, head: Tag | None, outlet: str, meta: Meta) -> None:
    """The author as page markup names it: `rel="author"`, `itemprop="author"`, a `byline`/`author` class,
    `<meta name="author">`, JSON-LD `author`. The byline element goes; an organisation is no author."""
    for tag in _author_markup(root, head):
        if _decomposed(tag) or _inside_chrome(tag, root):
            continue
        if tag.name == "script":
            names = _json_ld_authors(tag)
            tag.decompose()
        elif tag.name == "meta":
            names = [str(tag.get("content") or "")]
            tag.decompose()
        else:
            text = clean_line(tag.get_text(" "))
            if not text or len(text) > _BYLINE_MAX:
                continue
            names = [_BY.sub("", text)]
            _remove_with_empty_parents(tag, root)
        author = clean_author(", ".join(n for n in names if n))
        if author and not meta.author:
            meta.author = author


def _inside_chrome(tag: Tag, root: Tag) -> bool:
    """An author in a media player's or a promo's own metadata is not the article's (RFI audio boxes); the
    post's own metadata block (`entry-meta`, a header or footer) is where its byline belongs."""
    node = tag.parent
    while node is not None and node is not root:
        if node.attrs and is_chrome(node) and not _METADATA_CLASS.search(" ".join(node.get("class") or ())):
            return True
        node = node.parent
    return False


def _line_of(node: NavigableString) -> Tag | None:
    """The smallest block around a text node (its inline wrappers skipped)."""
    parent = node.parent
    while parent is not None and parent.name in {"span", "strong", "b", "em", "i", "a", "font", "small"}:
        parent = parent.parent
    return parent


def _take_labelled_author(root: Tag, head: Tag | None, outlet: str, meta: Meta) -> None:
    """A byline written as a line: `作者：令狐卿`, `<span>作者：</span><a>林文晖</a>` (RFI), `撰文 | 理强`.

    The line goes. When it is one field of a document card (`标题：… 作者：… 来源：…`, CDT's 档案卡), the
    whole card is metadata and goes.
    """
    node = next((s for s in root.strings if _BYLINE_LABEL.match(s) and not isinstance(s, Comment)), None)
    line = _line_of(node) if node is not None else None
    if line is None or line is root:
        return
    card = _card_around(line, root)
    if card is not None:
        author = byline_names(_label_value(node))
        _remove_with_empty_parents(card, root)
    else:
        text = clean_line(line.get_text(" "))
        if len(text) > _BYLINE_MAX:
            return
        links = [clean_line(a.get_text()) for a in line.find_all("a")]
        value = _label_value(node)
        author = byline_names(value) if value and not links else clean_author(", ".join(links))
        if not author:
            return
        if any(isinstance(t, Tag) and t.name == "br" for t in line.descendants):
            _remove_label_line(node)  # one line of several (`原曲：…<br>作者：…<br>演唱：…`): that line only
        else:
            _remove_with_empty_parents(line, root)
    if author and not meta.author:
        meta.author = author


def _label_value(node: NavigableString) -> str:
    """The value after a label inside a card line: the text up to the next <br> or the end of the line."""
    parts: list[str] = []
    label_end = _label_element(node)
    sibling = label_end.next_sibling
    parts.append(_BYLINE_LABEL.sub("", str(node), count=1))
    while sibling is not None and not (isinstance(sibling, Tag) and sibling.name == "br"):
        parts.append(sibling.get_text(" ") if isinstance(sibling, Tag) else str(sibling))
        sibling = sibling.next_sibling
    return clean_line(" ".join(parts))


def _label_element(node: NavigableString) -> Tag | NavigableString:
    """The label's own element: its bold or span wrapper (`<strong>作者：</strong>`), else the text."""
    parent = node.parent
    return parent if parent is not None and parent.name in {"strong", "b", "span"} else node


def _remove_label_line(node: NavigableString) -> None:
    """Remove a label's text line: the label (or its bold wrapper) and what follows up to the next <br>."""
    start = _label_element(node)
    sibling = start.next_sibling
    start.extract()
    while sibling is not None:
        following = sibling.next_sibling
        sibling.extract()
        if isinstance(sibling, Tag) and sibling.name == "br":
            break
        sibling = following


def _card_around(line: Tag, root: Tag) -> Tag | None:
    """The document card a byline line belongs to: the highest ancestor holding only labelled fields."""
    best: Tag | None = None
    node: Tag | None = line
    for _ in range(4):
        if node is None or node is root:
            break
        text = node.get_text("\n")
        fields = [s for s in text.split("\n") if _CARD_FIELD.match(s)]
        if fields and len(text) <= 800 and not _has_descendant(node, frozenset({"p", "h1", "h2", "h3"})):
            best = node
        node = node.parent
    return best


def _take_credit_line(root: Tag, head: Tag | None, outlet: str, meta: Meta) -> None:
    """A closing staff credit (`记者：… 责编：… 网编：…`, RFA) is credits, not article text; its reporter
    is the author. It is the LAST text containing 责编/网编; it may share a <p> with the last sentence
    (after <br/>), or sit outside any <p> where lxml repaired broken nesting, so strings are searched."""
    node = next((t for t in reversed(list(root.strings)) if _CREDIT.search(t)), None)
    if node is None:
        return
    text = str(node)
    credit_at = _CREDIT_START.search(text) or _CREDIT.search(text)
    assert credit_at is not None
    credit = text[credit_at.start() :]
    before = text[: credit_at.start()]
    in_note = before.count("（") + before.count("(") > before.count("）") + before.count(")")
    if len(credit) > _CREDIT_MAX or "。" in credit or in_note:
        return  # a sentence that mentions an editor, or a note in parentheses (FT `（本文仅代表…，责编：…）`)
    if not meta.author:
        meta.author = credit_reporter(credit)
    parent = node.parent
    if before.strip():
        node.replace_with(before)
    else:
        node.extract()
    if isinstance(parent, Tag) and parent is not root and parent.name == "p" and _is_blank(parent):
        parent.decompose()


def _take_wire_byline(root: Tag, head: Tag | None, outlet: str, meta: Meta) -> None:
    """A reporter named in the opening wire byline (`（中央社記者林小美台北3日電）`,
    `（大纪元记者李净综合报导）`); the text itself stays: it is how the article opens."""
    if meta.author:
        return
    for p in root.find_all("p", limit=3):
        text = p.get_text()
        if text.lstrip()[:1] in {"（", "(", "【", "["}:
            meta.author = wire_byline(text)
            return


def _take_byline_list(root: Tag, head: Tag | None, outlet: str, meta: Meta) -> None:
    """A byline set as a short list before the text (BBC 2021+: `<ul><li>NAME</li><li>BBC中文</li></ul>`):
    the first list of the page, when no text comes before it and its few items are short, unlinked words."""
    ul = root.find("ul")
    if ul is None or _text_before(ul, root):
        return
    items = [clean_line(li.get_text(" ")) for li in ul.find_all("li", limit=4)]
    if not items or len(items) > 3 or any(len(i) > _BYLINE_ITEM for i in items):
        return
    if _has_descendant(ul, frozenset({"a"})) or any(i.endswith(("。", ".", "！", "？")) for i in items):
        return
    if not meta.author:
        meta.author = clean_author(items[0])
    _remove_with_empty_parents(ul, root)


def _text_before(tag: Tag, root: Tag) -> bool:
    """Some text (not a date line or a picture) comes before `tag` in the page."""
    for node in tag.find_all_previous(string=True):
        if node.strip() and not isinstance(node, Comment):
            return True
        if node is root:
            break
    return False


# Each step: (substrings the raw HTML must contain for the step to have anything to find, the function).
# Generic steps run for every article, in order.
_GENERIC_STEPS: tuple[tuple[tuple[str, ...], Step], ...] = (
    (("<address",), _take_address),
    (("<ul",), _take_byline_list),
    (("<time",), _take_time),
    (("author", "byline", "ld+json", "vcard"), _take_byline_markup),
    (("作者", "撰文", "撰稿"), _take_labelled_author),
    (("责编", "網編", "网编", "責編"), _take_credit_line),
    (("记者", "記者", "特派", "专栏作家", "專欄作家"), _take_wire_byline),
)
# Steps for one outlet's own markup, named in its registry entry (`header_steps`). None is needed today:
# every header the corpus shows has a generic reading.
OUTLET_STEPS: dict[str, tuple[tuple[str, ...], Step]] = {}


@lru_cache(maxsize=16)
def _markers(steps: tuple[tuple[tuple[str, ...], Step], ...]) -> re.Pattern[str]:
    """Every step's markers in one pattern: one findall over the HTML instead of a scan per marker."""
    words = sorted({m for markers, _ in steps for m in markers}, key=len, reverse=True)
    return re.compile("|".join(re.escape(w) for w in words))


def extract(soup: BeautifulSoup, *, outlet: str, url: str, html: str | None = None) -> Meta:
    """Read date line, time and author; remove the nodes consumed from `soup`.

    `html` is the markup the soup was parsed from: when given, steps whose markers it lacks are skipped.
    """
    meta = Meta()
    root = body_element(soup)
    _take_date_line(root, outlet, meta)
    steps = (*(OUTLET_STEPS[name] for name in rules(outlet).header_steps), *_GENERIC_STEPS)
    if html is not None:
        found = set(_markers(steps).findall(html))
        steps = tuple(step for step in steps if not found.isdisjoint(step[0]))
    head = head_element(soup) if html is None or "author" in found or "ld+json" in found else None
    for _, step in steps:
        step(root, head, outlet, meta)
    return meta

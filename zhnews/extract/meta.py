"""Header fields found inside the article HTML: date line, <time>, author, section.

Each outlet puts its date and byline in its own place (see ../shared/corpus/README.md). meta.extract()
reads them from the parsed soup and REMOVES the nodes it consumed, so the body extractor never sees a
date line or a credit line as article text. Rules are data (the steps table below) plus a generic
path: a first short `<div>` whose last line is a date, the first `<time>`, an `<address>`. What a byline's
text means is in zhnews.extract.bylines; the section comes from the URL (zhnews.extract.sections).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, tzinfo

from bs4 import BeautifulSoup, Comment, NavigableString, Tag

from zhnews.extract.bylines import clean_author, cna_reporter, rfa_reporter
from zhnews.extract.dates import PARIS, SHANGHAI, Evidence, evidence
from zhnews.extract.sections import section_from_url
from zhnews.text import clean_line

# Names other code imports from here (the byline and section rules used to live in this module).
__all__ = ["Meta", "clean_author", "cna_reporter", "extract", "rfa_reporter", "section_from_url"]

# The zone an outlet's naive date line is written in (measured against the feed stamps of the corpus:
# NYT is Beijing time, RFI Paris time, DW/Reuters/VOA UTC).
DATELINE_ZONE: dict[str, tzinfo] = {"rfi": PARIS, "nyt": SHANGHAI}

_RELATIVE_TIME = re.compile(r"\d+\s*(?:秒|分钟|分鐘|小时|小時|天|日|周|週)前|\bago\b|^(?:刚刚|剛剛|昨天)")
_AUTHOR_LABEL = re.compile(r"^\s*作者\s*[：:]\s*$")
_DATE_HINT = re.compile(r"\d")
# RFA credit line: `记者：X 责编：Y 网编：Z` or `自由亚洲电台记者X台北报道 责编…`.
_CREDIT = re.compile(r"(?:责编|网编)")
_CREDIT_START = re.compile(r"[（(]?\s*(?:自由亚洲电台)?(?:特约)?记者")


@dataclass(slots=True)
class Meta:
    """What the page header says about the article, once its nodes are out of the soup."""

    dateline: str = ""  # the outlet's date line as shown
    dates: list[Evidence] = field(default_factory=list)  # outlet date evidence, best first
    author: str = ""
    section: str = ""


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


def body_element(soup: BeautifulSoup) -> Tag:
    """The <body> lxml always creates (else the soup), found by walking two levels: `soup.body` is a
    find(), whose filter machinery costs more than a whole small page's walk."""
    for html in soup.contents:
        if type(html) is Tag and html.name == "html":
            for child in html.contents:
                if type(child) is Tag and child.name == "body":
                    return child
    return soup


def _is_blank(tag: Tag) -> bool:
    return not tag.get_text(strip=True) and not _has_descendant(tag, _MEDIA)


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
    ev = evidence(lines[-1], "dateline", DATELINE_ZONE.get(outlet, UTC))
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


class _Index:
    """The node kinds meta looks for, collected in ONE walk over the tree (a find() per rule is slow).

    No walk at all when the raw HTML shows none of them (a substring test, not a regex).
    """

    def __init__(self, root: Tag, wanted: frozenset[str]) -> None:
        self.nodes: dict[str, list[Tag]] = {name: [] for name in wanted}
        if wanted:
            for node in root.descendants:
                if type(node) is Tag and node.name in wanted:
                    self.nodes[node.name].append(node)

    def first(self, name: str) -> Tag | None:
        return next((t for t in self.nodes.get(name, ()) if not t.decomposed), None)

    def all(self, name: str) -> list[Tag]:
        return [t for t in self.nodes.get(name, ()) if not t.decomposed]


Step = Callable[[Tag, "_Index", str, "Meta"], None]


def _take_time(root: Tag, index: _Index, outlet: str, meta: Meta) -> None:
    """The first `<time datetime=…>` (NYT 2021+, BBC, Economist); its text is often a frozen relative time."""
    time_tag = index.first("time")
    if time_tag is None:
        return
    value = str(time_tag.get("datetime") or time_tag.get("pudate") or "").strip()
    ev = evidence(value, "time_element", DATELINE_ZONE.get(outlet, UTC)) if value else None
    if ev is not None:
        if ev.has_time and ev.local is not None and ev.local.time().isoformat() == "00:00:00":
            ev = Evidence(ev.when, ev.source, False, ev.local)  # a midnight stamp is a date, not a time
        meta.dates.append(ev)
        if not meta.dateline:
            shown = clean_line(time_tag.get_text())
            # BBC froze a relative time ("43 分钟前") into the text: the attribute is the date line then.
            meta.dateline = value if not shown or _RELATIVE_TIME.search(shown) else shown
    _remove_with_empty_parents(time_tag, root)


def _take_address(root: Tag, index: _Index, outlet: str, meta: Meta) -> None:
    """NYT 2021+: `<address>AUTHOR</address>` right before the `<time>`."""
    address = index.first("address")
    if address is None:
        return
    if not meta.author:
        meta.author = clean_author(address.get_text(" "))
    address.decompose()


def _take_byline_list(root: Tag, index: _Index, outlet: str, meta: Meta) -> None:
    """BBC 2021+: `<ul role="list"><li role="listitem">NAME</li><li>ROLE</li></ul>` before the body."""
    ul = next((u for u in index.all("ul") if u.get("role") == "list"), None)
    if ul is None:
        return
    items = [clean_line(li.get_text(" ")) for li in ul.find_all("li", limit=4)]
    if not items or any(len(i) > 60 for i in items) or _has_descendant(ul, frozenset({"a"})):
        return
    if not meta.author:
        meta.author = clean_author(items[0])
    _remove_with_empty_parents(ul, root)


def _take_rfi_author(root: Tag, index: _Index, outlet: str, meta: Meta) -> None:
    """RFI 2023+: `<span>作者：</span><a href="/cn/作者/…">NAME</a>` in a block after the body."""
    label = next((t for t in index.all("span") if _AUTHOR_LABEL.match(t.get_text())), None)
    if label is None or label.parent is None:
        return
    block = label.parent
    names = [clean_line(a.get_text()) for a in block.find_all("a")]
    author = clean_author(", ".join(n for n in names if n))
    if author and not meta.author:
        meta.author = author
    _remove_with_empty_parents(block, root)


def _take_cdt_card(root: Tag, index: _Index, outlet: str, meta: Meta) -> None:
    """CDT 2025: the "CDT 档案卡" box (title, author, date, source, copyright) is metadata, not text."""
    title = next((d for d in index.all("div") if "su-spoiler-title" in (d.get("class") or ())), None)
    if title is None or "档案卡" not in title.get_text():
        return
    box = title.find_parent(class_="su-spoiler") or title.parent
    content = box.find(class_="su-spoiler-content") if box is not None else None
    if content is not None:
        for strong in content.find_all("strong"):
            if clean_line(strong.get_text()).rstrip("：:") == "作者":
                sibling = strong.next_sibling
                while sibling is not None and not (isinstance(sibling, Tag) and sibling.name == "br"):
                    text = sibling.get_text() if isinstance(sibling, Tag) else str(sibling)
                    if text.strip():
                        meta.author = meta.author or clean_author(text)
                        break
                    sibling = sibling.next_sibling
    if box is not None:
        _remove_with_empty_parents(box, root)


def _take_cna_byline(root: Tag, index: _Index, outlet: str, meta: Meta) -> None:
    """CNA: the reporter from the opening of the first paragraph (the text itself stays: it is the lead)."""
    first = index.first("p")
    if first is not None and not meta.author:
        meta.author = cna_reporter(first.get_text())


def _take_rfa_credit(root: Tag, index: _Index, outlet: str, meta: Meta) -> None:
    """RFA: the closing `记者：… 责编：… 网编：…` line is credits, not article text.

    The credit is the LAST text containing 责编/网编. It may share a <p> with the last sentence (after
    <br/>), or sit outside any <p> where lxml repaired broken nesting, so strings are searched, not <p>s.
    """
    node = next((t for t in reversed(list(root.strings)) if _CREDIT.search(t)), None)
    if node is None:
        return
    text = str(node)
    credit_at = _CREDIT_START.search(text) or _CREDIT.search(text)
    assert credit_at is not None
    if not meta.author:
        meta.author = rfa_reporter(text[credit_at.start() :])
    parent = node.parent
    before = text[: credit_at.start()]
    if before.strip():
        node.replace_with(before)
    else:
        node.extract()
    if isinstance(parent, Tag) and parent is not root and parent.name == "p" and _is_blank(parent):
        parent.decompose()


# Each step: (outlets it applies to or None for all, substrings the raw HTML must contain for the step
# to have anything to find, the node names it reads, the function).
_STEPS: tuple[tuple[frozenset[str] | None, tuple[str, ...], frozenset[str], Step], ...] = (
    (None, ("<address",), frozenset({"address"}), _take_address),
    (None, ("<time",), frozenset({"time"}), _take_time),
    (frozenset({"bbc"}), ('role="list"',), frozenset({"ul"}), _take_byline_list),
    (frozenset({"rfi"}), ("作者",), frozenset({"span"}), _take_rfi_author),
    (frozenset({"cdt"}), ("su-spoiler-title",), frozenset({"div"}), _take_cdt_card),
    (frozenset({"rfa"}), ("责编", "网编"), frozenset(), _take_rfa_credit),
    (frozenset({"cna"}), ("中央社記者", "中央社特派員"), frozenset({"p"}), _take_cna_byline),
)


def extract(soup: BeautifulSoup, *, outlet: str, url: str, html: str | None = None) -> Meta:
    """Read date line, time, author and section; remove the nodes consumed from `soup`.

    `html` is the markup the soup was parsed from: when given, steps whose markers it lacks are skipped.
    """
    meta = Meta()
    root = body_element(soup)
    _take_date_line(root, outlet, meta)
    steps = [
        (names, step)
        for outlets, markers, names, step in _STEPS
        if (outlets is None or outlet in outlets) and (html is None or any(m in html for m in markers))
    ]
    index = _Index(root, frozenset().union(*(names for names, _ in steps)))
    for _, step in steps:
        step(root, index, outlet, meta)
    meta.section = section_from_url(url, outlet)
    return meta

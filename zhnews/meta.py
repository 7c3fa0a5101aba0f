"""Header fields found inside the article HTML: date line, <time>, author, section.

Each outlet puts its date and byline in its own place (see ../shared/corpus/README.md). meta.extract()
reads them from the parsed soup and REMOVES the nodes it consumed, so the body extractor never sees a
date line or a credit line as article text. Rules are data (tables below) plus a generic path:
a first short `<div>` whose last line is a date, the first `<time>`, an `<address>`.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, tzinfo
from urllib.parse import unquote, urlsplit

from bs4 import BeautifulSoup, Comment, NavigableString, Tag

from zhnews.dates import PARIS, SHANGHAI, Evidence, evidence
from zhnews.outlets import code_for_alias
from zhnews.text import clean_line

# The zone an outlet's naive date line is written in (measured against the feed stamps of the corpus:
# NYT is Beijing time, RFI Paris time, DW/Reuters/VOA UTC).
DATELINE_ZONE: dict[str, tzinfo] = {"rfi": PARIS, "nyt": SHANGHAI}

# Section words in URLs -> the readable section name. Unknown slugs are kept as written.
SECTION_NAMES: dict[str, str] = {
    # BBC / NYT / VOA English slugs
    "world": "国际", "china": "中国", "chinese-news": "中国", "business": "财经", "science": "科学",
    "uk": "英国", "usa": "美国", "us": "美国", "asia-pacific": "亚太", "opinion": "观点",
    "technology": "科技", "culture": "文化", "health": "健康", "lifestyle": "生活", "style": "风尚",
    "sports": "体育", "education": "教育", "travel": "旅游", "real-estate": "房地产",
    "film-tv": "影视", "books": "书评", "obits": "讣告", "interactive": "多媒体",
    "world-news": "国际", "simp": "", "trad": "",
    # RFA pinyin slugs
    "zhengzhi": "政治", "junshiwaijiao": "军事外交", "jingmao": "经贸", "renquanfazhi": "人权法治",
    "gangtai": "港台", "huanjing": "环境", "meiti": "媒体", "shaoshuminzu": "少数民族",
    "shehui": "社会", "wenhua": "文化", "kejiaoyu": "科教", "tebiejiemu": "特别节目",
    "guojishijiao": "国际视角", "xinwen": "新闻", "yataibaodao": "",
}

# Where each outlet writes a section in its URL path: the path prefixes (segments) after which section
# segments follow. The LAST meaningful segment before the article slug wins (RFI 专栏检索/要闻解说 ->
# 要闻解说); a BBC-style slug `world-53470961` names its section itself.
SECTION_PATHS: dict[str, tuple[tuple[str, ...], ...]] = {
    "rfi": (("cn",),),
    "bbc": (("zhongwen", "simp"), ("zhongwen", "trad")),
    "nyt": ((),),
    "rfa": (("mandarin",), ("cantonese",)),
    "economist": ((),),
}
_SLUG_SECTION = re.compile(r"^([a-z]+(?:-[a-z]+)*)-\d+$")
_NOT_SECTIONS = frozenset({"contenu", "a", "article", "story", "news", "zh", "cn", ""})

# Credits that name an organisation, not a person: never an author.
NOT_PERSONS = frozenset(
    s.casefold()
    for s in (
        "null", "ARD", "ZDF", "AFP", "AP", "dpa", "Reuters", "法新社", "美联社", "路透社", "德新社",
        "《纽约时报》", "纽约时报", "德国之声中文网", "德国之声 中文网", "BBC中文", "BBC 中文", "编辑部",
    )
)
_AUTHOR_NOISE = re.compile(
    r"^(?:null\s+)+|^(?:采访记者|记者|作者|文)\s*[：:]\s*|\s*[（(]\s*(?:摘编|综合报道|综合报导|采访记者|编译|报道)\s*[)）]"
    r"|\s+(?:综合报道|综合报导)$"
)
_RELATIVE_TIME = re.compile(r"\d+\s*(?:秒|分钟|分鐘|小时|小時|天|日|周|週)前|\bago\b|^(?:刚刚|剛剛|昨天)")
_AUTHOR_LABEL = re.compile(r"^\s*作者\s*[：:]\s*$")
_NAME_SPLIT = re.compile(r"\s*[,，、/]\s*|\s{2,}")
_DATE_HINT = re.compile(r"\d")
# RFA credit line: `记者：X 责编：Y 网编：Z` or `自由亚洲电台记者X台北报道 责编…`.
_CREDIT = re.compile(r"(?:责编|网编)")
_CREDIT_START = re.compile(r"[（(]?\s*(?:自由亚洲电台)?(?:特约)?记者")
_CREDIT_REPORTER = re.compile(r"记者\s*[：:]?\s*(.*?)\s*(?:责编|网编|$)")
_REPORTED = re.compile(r"(?:综合)?报[道导]$")
_TOKENS = re.compile(r"[\s、,，]+")
RFA_PLACES = (
    "华盛顿", "台北", "台中", "巴黎", "香港", "伦敦", "东京", "首尔", "纽约", "旧金山", "洛杉矶", "柏林",
    "悉尼", "多伦多", "温哥华", "渥太华", "布鲁塞尔", "日内瓦", "曼谷", "新德里", "达兰萨拉",
)
_PLACES_LONGEST_FIRST = sorted(RFA_PLACES, key=len, reverse=True)
CNA_PLACES = (
    "台北", "臺北", "新北", "基隆", "桃園", "新竹", "苗栗", "台中", "臺中", "彰化", "南投", "雲林", "嘉義",
    "台南", "臺南", "高雄", "屏東", "宜蘭", "花蓮", "台東", "臺東", "澎湖", "金門", "馬祖", "連江", "香港",
    "澳門", "北京", "上海", "東京", "首爾", "華盛頓", "紐約", "舊金山", "洛杉磯", "倫敦", "巴黎", "柏林",
    "布魯塞爾", "日內瓦", "雪梨", "新加坡", "曼谷", "河內", "雅加達", "馬尼拉", "吉隆坡", "莫斯科",
)
_CNA_BYLINE = re.compile(r"[（(]中央社(?:記者|特派員)(.+?)\d{1,2}日(?:專)?電[）)]")
_CNA_PLACE = re.compile("(?:" + "|".join(CNA_PLACES) + ")(?:縣|市)?$")


@dataclass(slots=True)
class Meta:
    dateline: str = ""  # the outlet's date line as shown
    dates: list[Evidence] = field(default_factory=list)  # outlet date evidence, best first
    author: str = ""
    section: str = ""


def clean_author(raw: str) -> str:
    """A byline as a person's name(s): role words and repeats removed; "" when it names an organisation."""
    text = clean_line(raw)
    for _ in range(3):
        text = _AUTHOR_NOISE.sub("", text).strip()
    names: list[str] = []
    for name in _NAME_SPLIT.split(text):
        name = name.strip(" ·|")
        if not name or name.casefold() in NOT_PERSONS or code_for_alias(name) is not None:
            continue
        if name.casefold() not in (n.casefold() for n in names):
            names.append(name)
    return ", ".join(names)


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


def _body(soup: BeautifulSoup) -> Tag:
    """The <body> lxml always creates, found by walking two levels (soup.body is a full find())."""
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


def rfa_reporter(credit: str) -> str:
    """The reporter(s) of an RFA credit line (`记者：乔龙 责编：…`, `自由亚洲电台记者柳飞华盛顿报道 …`).

    The reporter part may end with a place and 报道/报导, glued to the name or not; places come from
    RFA_PLACES (data), so an unknown place stays glued to the name rather than eating it.
    """
    m = _CREDIT_REPORTER.search(clean_line(credit))
    if not m:
        return ""
    reporters = _REPORTED.sub("", m.group(1).strip(" （）()")).strip()
    names: list[str] = []
    for token in _TOKENS.split(reporters):
        token = token.removesuffix("综合")
        for place in _PLACES_LONGEST_FIRST:
            if token == place:
                token = ""
                break
            if token.endswith(place):
                token = token[: -len(place)]
                break
        if token:
            names.append(token)
    return clean_author(", ".join(names))


def cna_reporter(text: str) -> str:
    """CNA names its reporter in the opening `（中央社記者林小美台北3日電）`; "" without a known place.

    Name and place are glued together, so the place must be one of CNA_PLACES (data): an unknown
    place gives no author rather than a wrong one.
    """
    m = _CNA_BYLINE.search(text[:80])
    if not m:
        return ""
    place = _CNA_PLACE.search(m.group(1))
    if place is None or place.start() == 0:
        return ""
    return clean_author(", ".join(_TOKENS.split(m.group(1)[: place.start()])))


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


def section_from_url(url: str, outlet: str) -> str:
    """The readable section an outlet encodes in its URL path (RFI /cn/国际/… -> 国际)."""
    prefixes = SECTION_PATHS.get(outlet)
    if prefixes is None:
        return ""
    try:
        segments = [unquote(s) for s in urlsplit(url).path.split("/") if s]
    except ValueError:
        return ""
    for prefix in prefixes:
        if tuple(segments[: len(prefix)]) != prefix:
            continue
        between = segments[len(prefix) : -1]  # the last segment is the article itself
        if not between and segments[len(prefix) :] and (m := _SLUG_SECTION.match(segments[-1])):
            between = [m.group(1)]  # BBC: /zhongwen/simp/world-53470961
        for segment in reversed(between):
            if segment.isdigit() or segment.casefold() in _NOT_SECTIONS:
                continue
            name = SECTION_NAMES.get(segment.casefold(), segment)
            if name:
                return name
        return ""
    return ""


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
    root = _body(soup)
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

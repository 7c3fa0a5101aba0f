"""The outlet registry: who published an article, and the few rules that belong to one outlet only.

Identity is DATA (hosts, folder aliases) so adding an outlet is one entry, not new code. An unknown host is
not an error: it yields a code derived from the host name, and `outlet_info` returns a usable record for
it, so the generic path works for the ~30 outlets of the full archive that have no entry yet.

Per-outlet rules are a last resort (the generic path must get an unseen outlet right) and every one of
them is named here, in the outlet's entry: `title_suffixes` (branding the generic title rules miss),
`zone` (the time zone of a naive date line), `promos` (its promo and disclaimer paragraphs) and
`header_steps` (zhnews.extract.meta steps for its own header markup). `rules(code)` is how the extractor
reads them, so `generic_only(code)` switches all of them off at once: the leave-one-outlet-out measure
(tests/test_gold.py, docs/extraction.md) parses an outlet's articles as if it were unknown.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field, replace
from functools import lru_cache
from urllib.parse import urlsplit


@dataclass(frozen=True, slots=True)
class Outlet:
    code: str  # short stable id: the `outlets.id` column and `articles.outlet`
    name: str  # as the outlet names itself in Chinese
    name_en: str
    homepage: str
    hosts: tuple[str, ...] = ()  # a URL host matches when it equals one of these or is a subdomain
    aliases: tuple[str, ...] = ()  # archive folder names / front-matter author or category values
    # Regexes (anchored at the end by the caller) for branding the outlet appends to titles.
    title_suffixes: tuple[str, ...] = ()
    zone: str = ""  # IANA zone of the outlet's naive date line (measured against the feed stamps); UTC if ""
    promos: str = ""  # regex (searched at the start of a paragraph) for its promos and disclaimers
    header_steps: tuple[str, ...] = ()  # names of zhnews.extract.meta steps for its own header markup
    known: bool = field(default=True, compare=False)  # False for codes derived from an unknown host


_DASH = r"\s*[-–—|｜]\s*"

OUTLETS: tuple[Outlet, ...] = (
    Outlet("rfi", "法国国际广播电台 RFI", "Radio France Internationale", "https://www.rfi.fr/cn/",
           ("rfi.fr",), ("法广", "rfi", "法国国际广播电台", "RFI"),
           (_DASH + r"法国国际广播电台" + _DASH + r"RFI", _DASH + r"RFI"), zone="Europe/Paris",
           # a programme link line closing 2020 articles: `其它 / <a>another story</a>`
           promos=r"其它\s*/"),
    Outlet("dw", "德国之声 DW", "Deutsche Welle", "https://www.dw.com/zh/",
           ("dw.com", "dw.de"), ("德国之声", "dw", "DW"), (_DASH + r"DW", _DASH + r"德国之声"),
           promos=r"DW中文有|订阅DW中文|欢迎订阅德国之声|德国之声致力于为您提供客观中立的新闻"
           r"|(?:摘编|摘译)自其[他它]媒体.{0,4}不代表德国之声|下载德国之声中文|德国之声中文网.{0,6}(?:推特|Twitter|Instagram|App)"),
    Outlet("voa", "美国之音 VOA", "Voice of America", "https://www.voachinese.com/",
           ("voachinese.com", "voacantonese.com", "voanews.com"), ("美国之音", "voa", "VOA"),
           (_DASH + r"美国之音",),
           promos=r".{0,40}嘉宾和观众听众发表的都是个人观点|.{0,20}YouTube播放列表[：:]|美国之音.{0,10}(?:脸书|推特|YouTube)"),
    Outlet("bbc", "BBC 中文", "BBC News Chinese", "https://www.bbc.com/zhongwen/simp",
           ("bbc.com", "bbc.co.uk", "bbci.co.uk"), ("BBC", "bbc", "BBC中文网", "BBC 中文"),
           (_DASH + r"BBC\s*News\s*中文", _DASH + r"BBC\s*中文网")),
    Outlet("nyt", "纽约时报中文网", "The New York Times Chinese", "https://cn.nytimes.com/",
           ("nytimes.com", "nytstyle.com", "nytcn.me"), ("纽约时报", "nyt", "纽约时报中文网"),
           (_DASH + r"纽约时报中文网",), zone="Asia/Shanghai",
           promos=r"[（(]?欢迎(?:点击此处)?订阅|感谢阅读今天的简报|[（(]?欢迎在Twitter"),
    Outlet("reuters", "路透中文网", "Reuters Chinese", "https://cn.reuters.com/",
           ("reuters.com",), ("路透", "reuters", "路透社", "路透中文网"), (_DASH + r"路透中文网",),
           promos=r"我们的标准：汤森路透"),
    Outlet("ft", "FT中文网", "Financial Times Chinese", "https://www.ftchinese.com/",
           ("ft.com", "ftchinese.com"), ("金融时报", "ft", "FT中文网", "英国金融时报"),
           (_DASH + r"FT中文网",)),
    Outlet("rfa", "自由亚洲电台 RFA", "Radio Free Asia", "https://www.rfa.org/mandarin/",
           ("rfa.org",), ("自由亚洲电台", "rfa", "自由亚洲", "RFA"), (_DASH + r"自由亚洲电台",)),
    Outlet("cdt", "中国数字时代 CDT", "China Digital Times", "https://chinadigitaltimes.net/chinese/",
           ("chinadigitaltimes.net",), ("中国数字时代", "cdt", "CDT"), (_DASH + r"中国数字时代",),
           # bookshop affiliate links under posts; links to CDT's own archive pages (`CDS档案 | 李文亮`)
           promos=r"请点击购买|CDS档案\s*[|｜]|相关空间词条"),
    Outlet("cna", "中央社 CNA", "Central News Agency", "https://www.cna.com.tw/",
           ("cna.com.tw",), ("(臺)中央社CNA", "中央社", "cna", "中央社CNA", "CNA"),
           (_DASH + r"中央社\s*CNA", _DASH + r"即時新聞" + _DASH + r"中央社\s*CNA")),
    Outlet("zaobao", "联合早报", "Lianhe Zaobao", "https://www.zaobao.com.sg/",
           ("zaobao.com.sg", "zaobao.com"), ("联合早报", "早报", "zaobao"), (_DASH + r"联合早报网?",)),
    Outlet("economist", "经济学人 The Economist", "The Economist", "https://www.economist.com/",
           ("economist.com",), ("经济学人en", "经济学人", "economist", "The Economist"),
           (_DASH + r"The Economist",),
           promos=r"This article appeared in the .{0,60}print edition|Letters are welcome via e-mail"),
    Outlet("rti", "RTI 中央廣播電臺", "Radio Taiwan International", "https://www.rti.org.tw/",
           ("rti.org.tw",), ("(臺)RTI", "RTI", "rti", "中央廣播電臺", "中央广播电台"),
           (_DASH + r"Rti\s*中央廣播電臺",)),
    Outlet("epochtimes", "大纪元", "The Epoch Times", "https://www.epochtimes.com/",
           ("epochtimes.com",), ("大纪元", "大紀元", "epochtimes"),
           (_DASH + r"大[纪紀]元(?:时报|時報|网|網)?",)),
    Outlet("solidot", "Solidot", "Solidot", "https://www.solidot.org/",
           ("solidot.org",), ("solidot", "Solidot"), ()),
    Outlet("neist", "Nei.st", "Nei.st", "https://nei.st/", ("nei.st",), ("Nei.st", "neist"), ()),
    Outlet("wqw", "维权网", "Chinese Human Rights Defenders Weiquanwang", "https://wqw2010.blogspot.com/",
           ("wqw2010.blogspot.com",), ("维权网", "wqw"), ()),
    Outlet("initium", "端传媒", "Initium Media", "https://theinitium.com/", ("theinitium.com",),
           ("端传媒", "initium"), (_DASH + r"端傳媒", _DASH + r"端传媒")),
    Outlet("nikkei", "日经中文网", "Nikkei Chinese", "https://cn.nikkei.com/", ("cn.nikkei.com",),
           ("日经中文网", "日经", "nikkei"), (_DASH + r"日经中文网",)),
)

_BY_CODE: dict[str, Outlet] = {o.code: o for o in OUTLETS}
_MASKED: ContextVar[frozenset[str]] = ContextVar("zhnews_generic_only", default=frozenset())
_BY_ALIAS: dict[str, str] = {a.casefold(): o.code for o in OUTLETS for a in (o.code, *o.aliases)}
ALL_OUTLETS: tuple[Outlet, ...] = OUTLETS

# Labels that are not the organisation in a host name: public suffixes and service prefixes.
_GENERIC_LABELS = frozenset((
    "www", "www2", "m", "cn", "zh", "mobile", "amp", "news", "com", "net", "org", "gov", "edu", "co",
    "ac", "or", "ne", "go", "blogspot", "wordpress", "github", "io", "info", "biz",
))
_CODE_CHARS = re.compile(r"[^a-z0-9]+")


def _host_matches(host: str, pattern: str) -> bool:
    return host == pattern or host.endswith("." + pattern)


@lru_cache(maxsize=4096)
def code_for_host(host: str) -> str | None:
    """The registered outlet code of a URL host, or None when no outlet claims it."""
    host = host.lower().strip(".")
    best: tuple[int, str] | None = None
    for outlet in OUTLETS:
        for pattern in outlet.hosts:
            if _host_matches(host, pattern) and (best is None or len(pattern) > best[0]):
                best = (len(pattern), outlet.code)
    return best[1] if best else None


def derived_code(host: str) -> str:
    """A stable code for an unknown host: its most specific non-generic label.

    www.zaobao.com.sg -> zaobao; news.example.co.uk -> example; a bare IP or empty host -> "unknown".
    """
    labels = [label for label in host.lower().strip(".").split(".") if label]
    if not labels or all(label.isdigit() for label in labels):
        return "unknown"
    # Drop the top-level label (a country or generic TLD), then generic second-level and service labels.
    core = labels[:-1] if len(labels) > 1 else labels
    while len(core) > 1 and (core[-1] in _GENERIC_LABELS or len(core[-1]) <= 2):
        core = core[:-1]
    meaningful = [label for label in core if label not in _GENERIC_LABELS] or core
    code = _CODE_CHARS.sub("-", meaningful[-1]).strip("-")
    return code or "unknown"


@lru_cache(maxsize=4096)
def host_labels(host: str) -> frozenset[str]:
    """The labels of a host that name a site, not a service or a country (`www.rfi.fr` -> {rfi})."""
    labels = [label for label in host.lower().strip(".").split(".") if label]
    core = labels[:-1] if len(labels) > 1 else labels
    return frozenset(label for label in core if label not in _GENERIC_LABELS and len(label) > 1)


def code_for_alias(value: str) -> str | None:
    """An outlet code named by a folder name, a front-matter author or a category, if registered."""
    return _BY_ALIAS.get(value.strip().casefold())


def outlet_code(
    url: str, folders: Sequence[str] = (), front_matter: Mapping[str, object] | None = None
) -> str:
    """Decide the outlet: URL host first, then folder names (innermost first), then front matter.

    Never fails: an unknown host yields a code derived from the host.
    """
    try:
        host = urlsplit(url).hostname or ""
    except ValueError:
        host = ""
    if host and (code := code_for_host(host)):
        return code
    for folder in reversed(folders):
        if code := code_for_alias(folder):
            return code
    if front_matter:
        for key in ("author", "categories", "tags"):
            value = front_matter.get(key)
            for item in value if isinstance(value, list) else [value]:
                if isinstance(item, str) and (code := code_for_alias(item)):
                    return code
    return derived_code(host)


def outlet_info(code: str) -> Outlet:
    """The registry entry of a code; for a derived code, a minimal entry named after the code."""
    if outlet := _BY_CODE.get(code):
        return outlet
    return Outlet(code, code, code, "", (), (), (), known=False)


@lru_cache(maxsize=256)
def _suffix_re(suffixes: tuple[str, ...]) -> re.Pattern[str] | None:
    return re.compile("(?:" + "|".join(suffixes) + r")\s*$", re.IGNORECASE) if suffixes else None


def strip_title_suffix(title: str, code: str) -> str:
    """Remove the outlet's branding from the end of a title (repeatedly: `… – 法国国际广播电台 - RFI`)."""
    pattern = _suffix_re(rules(code).title_suffixes)
    if pattern is None:
        return title
    while True:
        stripped = pattern.sub("", title)
        if stripped == title or not stripped.strip():
            return title
        title = stripped


@contextmanager
def generic_only(*codes: str) -> Iterator[None]:
    """Within this block the named outlets' own rules are off: their articles take the generic path.

    WHY: the honest measure of how the extractor does on outlets it has never seen (leave-one-outlet-out).
    """
    token = _MASKED.set(_MASKED.get() | frozenset(codes))
    try:
        yield
    finally:
        _MASKED.reset(token)


def rules(code: str) -> Outlet:
    """The entry whose per-outlet rules apply to `code`'s articles (rule-less inside `generic_only`)."""
    outlet = outlet_info(code)
    if code in _MASKED.get():
        return replace(outlet, title_suffixes=(), zone="", promos="", header_steps=())
    return outlet


def promos_pattern() -> re.Pattern[str] | None:
    """Every outlet's promos in one pattern: a repost carries its origin's disclaimer along (a CDT repost
    of a DW interview ends in DW's), so each outlet's boilerplate is boilerplate in any article."""
    return _promos(_MASKED.get())


@lru_cache(maxsize=64)
def _promos(masked: frozenset[str]) -> re.Pattern[str] | None:
    parts = [o.promos for o in OUTLETS if o.promos and o.code not in masked]
    return re.compile("(?:" + "|".join(parts) + ")", re.IGNORECASE) if parts else None

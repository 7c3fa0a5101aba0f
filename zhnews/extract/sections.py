"""The readable section an outlet encodes in its URL path (RFI /cn/国际/… -> 国际, BBC world-53470961).

Only the URL is needed, not the page: a module of its own so the rule and its slug table read together.
"""

from __future__ import annotations

import re
from urllib.parse import unquote, urlsplit

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

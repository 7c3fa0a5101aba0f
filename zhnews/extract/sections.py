"""The readable section a URL path names (RFI /cn/国际/… -> 国际, BBC world-53470961, /realtime/china/).

Only the URL is needed, not the page: a module of its own so the rule and its word table read together.
The rule is generic (no outlet is named): news sites put the section before the article's slug.
"""

from __future__ import annotations

import re
from urllib.parse import unquote, urlsplit

from zhnews.text import HAN

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
    "guojishijiao": "国际视角", "xinwen": "新闻", "yataibaodao": "", "kejiaowen": "科教文",
    # More English section words of news sites
    "morning-brief": "简报", "asia": "亚洲", "europe": "欧洲", "africa": "非洲", "americas": "美洲",
    "middle-east": "中东", "politics": "政治", "economy": "经济", "finance": "财经", "sport": "体育",
    "entertainment": "娱乐", "society": "社会", "taiwan": "台湾", "hongkong": "香港", "hong-kong": "香港",
    "international": "国际", "global": "国际", "tech": "科技", "environment": "环境", "military": "军事",
    "markets": "市场", "market": "市场", "finance-markets": "市场", "economics": "经济",
}
_SLUG_SECTION = re.compile(r"^([a-z]+(?:-[a-z]+)*)-\d+$")  # BBC: world-53470961
# Path words that are languages, editions, content types or archive folders, never a section.
_NOT_SECTIONS = frozenset({
    "contenu", "a", "article", "articles", "story", "news", "zh", "cn", "en", "zh-cn", "zh-tw", "zh-hans",
    "zh-hant", "hk", "tw", "chinese", "english", "zhongwen", "gb", "big5", "mandarin", "cantonese", "amp",
    "m", "www", "index", "content", "post", "posts", "p", "node", "",
})
# RFI 国际, 港澳台, 要闻解说; a longer Han segment is a title (DW `/zh/<title>/a-1`)
_HAN_WORD = re.compile(f"^[{HAN}]{{2,4}}$")
_DATE_PART = re.compile(r"^(?:19|20)\d\d(?:\d{4})?$")  # /2020/… or /20200709/


def section_from_url(url: str, translate: bool = True) -> str:
    """The readable section the URL's path names, from the generic patterns of news sites.

    Among the path segments before the article's own (the last), the innermost one that is a known section
    word (`world`, `china`, `jingmao`), a Han word of 2-4 characters (RFI `/cn/国际/`,
    `/专栏检索/要闻解说/`; DW's longer `/zh/<title>/a-1` is the title) or the word
    right before a date path (`/opinion/20200720/…`, `/the-americas/2020/10/03/…`); a BBC-style slug
    (`world-53470961`) names its own section. Words known to name a language, edition or archive folder
    never do (`/zh/`, `/chinese/`, `/contenu/`). `translate`: known English words become the Chinese section
    names (`world` -> 国际), which suits a Chinese article; an English one keeps its site's words.
    """
    try:
        segments = [unquote(s) for s in urlsplit(url).path.split("/") if s]
    except ValueError:
        return ""
    if not segments:
        return ""
    between = segments[:-1]  # the last segment is the article itself
    candidates: list[str] = []
    for i, segment in enumerate(between):
        word = segment.casefold()
        if word in _NOT_SECTIONS or SECTION_NAMES.get(word) == "" or word.isdigit():
            continue
        if _DATE_PART.match(segment):
            continue
        before_date = i + 1 < len(segments) and _DATE_PART.match(segments[i + 1]) is not None
        if word in SECTION_NAMES or _HAN_WORD.match(segment) or (before_date and word.isascii()):
            candidates.append(segment)
    if not candidates and (m := _SLUG_SECTION.match(segments[-1].casefold())) and m.group(1) in SECTION_NAMES:
        candidates.append(m.group(1))
    if not candidates:
        return ""
    word = candidates[-1]
    name = SECTION_NAMES.get(word.casefold(), word)
    return name if translate or not name else word

"""The headline as a reader sees it: the feed's title without the site's branding and labels around it.

Generic rules first, so an outlet never seen keeps clean titles: a trailing site name recognised by the
URL's own host (`… - RFI` on rfi.fr, `… | 中央社 CNA` on cna.com.tw) and the organisation names chained
before it (`– 法国国际广播电台`); a trailing programme or column label (`… - 要闻分析`), returned so that it
can stand as the section; a leading category label in brackets (`【网络民议】`, `[國際]`). The outlet's
registered title suffixes (zhnews.extract.outlets) catch branding these miss.
"""

from __future__ import annotations

import html
import re
from urllib.parse import urlsplit

from zhnews.extract.outlets import host_labels, strip_title_suffix
from zhnews.text import HAN, clean_line

_DASH_SEGMENT = re.compile(r"\s+[-–—|｜]\s+([^-–—|｜]+?)\s*$")
# Names of news organisations end like this: a chain of them before the site's own name is branding.
_ORG_NAME = re.compile(
    r"(?:电台|電臺|电视台|電視台|广播|廣播|新闻网|新聞網|中文网|中文網|网|網|日报|日報|时报|時報|通讯社|通訊社|之声|之聲|之音"
    r"|新闻|新聞|News|Radio|Times)$",
    re.IGNORECASE,
)
# A programme or column label after the headline: short, all Han (` - 要闻分析`, ` - 法国报纸摘要`).
_LABEL = re.compile(f"\\s+[-–—]\\s+([{HAN}]{{2,6}})$")
_MIN_HEAD = 6  # a label leaves a real headline in front of it
# A site's name after a spaced bar ends many titles (`… | 大纪元`, `… | Pacific Ledger`): short, no sentence
# in it, after a headline at least twice as long. A bar without spaces belongs to the headline
# (`…调查｜深度报道`), and so does a short headline after its source (`六神磊磊读金庸 | 有人企图…`).
_SITE_AFTER_BAR = re.compile(r"\s+[|｜]\s+([^|｜。！？!?，,：:]{2,16})$")
# A category label opening the title: `【独家】`, `[國際]`, `【CDT发布】`.
_CATEGORY = re.compile(r"^\s*[【\[［〖]([^】\]］〗\s]{1,8})[】\]］〗]\s*")
# A media marker closing the title (`…我無法呼吸[影]`, `（圖）`, `【組圖】`): what the page holds, not news.
_MEDIA_MARK = re.compile(
    r"\s*[\[［【（(](?:影|圖|图|組圖|组图|多圖|多图|視頻|视频|影音|音檔|音频)[\]］】）)]\s*$"
)
_LATIN_TOKEN = re.compile(r"[A-Za-z][A-Za-z0-9.]*")


def clean_title(title_raw: str, outlet: str, url: str = "") -> tuple[str, str]:
    """(title, label): entities decoded, whitespace normalised, branding and labels removed; `label` is a
    trailing programme/column label (used as the section when the URL names none), else ""."""
    title = clean_line(html.unescape(title_raw))
    title = _strip_site_name(title, url)
    title = strip_title_suffix(title, outlet)
    m = _SITE_AFTER_BAR.search(title)
    if m and len(title[: m.start()].strip()) >= max(_MIN_HEAD, 2 * len(m[1])):
        title = title[: m.start()].strip()  # `… | 大纪元`: a short name after a long headline is the site's
    label = ""
    m = _LABEL.search(title)
    # A newspaper's name after a press-review headline says whose words it quotes (` - 法国世界报`): it stays.
    if m and not m.group(1).endswith(("报", "報")) and len(title[: m.start()].strip()) >= _MIN_HEAD:
        title, label = title[: m.start()].strip(), m.group(1)
    if (c := _CATEGORY.match(title)) and len(title) - c.end() >= 4:
        title = title[c.end() :]
    if (m := _MEDIA_MARK.search(title)) and m.start() >= _MIN_HEAD:
        title = title[: m.start()]
    return title, label


def _strip_site_name(title: str, url: str) -> str:
    """Drop a trailing `<dash> <site name>` whose name the URL's host spells (RFI on rfi.fr, CNA on
    cna.com.tw), then the organisation names chained before it (`– 法国国际广播电台`)."""
    m = _DASH_SEGMENT.search(title)
    if m is None or not url:
        return title
    try:
        labels = host_labels(urlsplit(url).hostname or "")
    except ValueError:
        return title
    tokens = {t.casefold() for t in _LATIN_TOKEN.findall(m.group(1))}
    if not labels or not tokens & labels:
        return title
    head = title[: m.start()]
    while (m := _DASH_SEGMENT.search(head)) and _ORG_NAME.search(m.group(1)) and m.start() >= _MIN_HEAD:
        head = head[: m.start()]
    return head if len(head.strip()) >= _MIN_HEAD else title

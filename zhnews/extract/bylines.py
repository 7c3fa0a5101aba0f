"""Bylines as people's names: role words, organisations and repeats removed; RFA and CNA credit formats.

Text in, names out, no HTML: meta.py finds WHERE an outlet writes its byline, this module says what the
text there means. Places and organisations are data lists, so an unknown place gives no author rather
than a wrong one.
"""

from __future__ import annotations

import re

from zhnews.extract.outlets import code_for_alias
from zhnews.text import clean_line

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
_NAME_SPLIT = re.compile(r"\s*[,，、/]\s*|\s{2,}")
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

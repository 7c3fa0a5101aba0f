"""Bylines as people's names: role words, organisations and repeats removed; the byline formats of text.

Text in, names out, no HTML: meta.py and parser.py find WHERE a page writes its byline, this module says
what the text there means — a date-line name, a staff credit (`记者：… 责编：…`), a wire byline opening the
text (`（中央社記者X台北3日電）`), a byline line (`作者：X`), a column's `NAME：` standfirst. Places and
organisations are data lists, so an unknown place gives no author rather than a wrong one.
"""

from __future__ import annotations

import re

from zhnews.extract.boilerplate import CREDIT_ROLES
from zhnews.extract.outlets import code_for_alias
from zhnews.text import HAN, HAN_RE, clean_line

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
# A role before a name, a space between (`东京特约记者 楚良一`, `本台记者 王明`): the name is after it.
_SPACED_ROLE = re.compile(f"^[{HAN}]{{0,6}}(?:记者|記者|通讯员|通訊員|特派员|特派員)\\s+(?=\\S)")
_LATIN_NAME = re.compile(r"[A-Z][A-Z'.-]+(?: [A-Z][A-Z'.-]+)+$")
# The reporter, or the writer of a credit that names one person for two roles (BBC `(编写/责编：横路)`).
_CREDIT_REPORTER = re.compile(
    r"(?:记者|記者|编写|編寫|撰稿)\s*(?:[/／、]\s*(?:责编|責編|编辑|編輯)\s*)?[：:]?\s*(.*?)\s*"
    r"(?:责任编辑|責任編輯|责编|責編|网编|網編|编辑|編輯|$)"
)
_REPORTED = re.compile(r"(?:综合|綜合)?(?:报[道导]|報[導道])$")
_SEPARATORS = re.compile(r"[、,，/／]+")
# Places that wire and credit bylines glue to the reporter's name (`林小美台北3日電`, `家傲华盛顿报道`), in
# both scripts. Data, so an unknown place gives no author rather than a wrong one.
PLACES = (
    "台北", "臺北", "新北", "基隆", "桃園", "桃园", "新竹", "苗栗", "台中", "臺中", "彰化", "南投", "雲林",
    "云林", "嘉義", "嘉义", "台南", "臺南", "高雄", "屏東", "屏东", "宜蘭", "宜兰", "花蓮", "花莲", "台東",
    "臺東", "台东", "澎湖", "金門", "金门", "馬祖", "马祖", "連江", "连江", "香港", "澳門", "澳门", "北京",
    "上海", "廣州", "广州", "深圳", "東京", "东京", "首爾", "首尔", "華盛頓", "华盛顿", "紐約", "纽约",
    "舊金山", "旧金山", "洛杉磯", "洛杉矶", "倫敦", "伦敦", "巴黎", "柏林", "布魯塞爾", "布鲁塞尔",
    "日內瓦", "日内瓦", "雪梨", "悉尼", "新加坡", "曼谷", "河內", "河内", "雅加達", "雅加达", "馬尼拉",
    "马尼拉", "吉隆坡", "莫斯科", "多倫多", "多伦多", "溫哥華", "温哥华", "渥太華", "渥太华", "新德里",
    "達蘭薩拉", "达兰萨拉", "芝加哥", "波士頓", "波士顿", "休士頓", "休斯敦", "西雅圖", "西雅图",
    "法蘭克福", "法兰克福", "維也納", "维也纳", "羅馬", "罗马", "開羅", "开罗", "耶路撒冷", "伊斯坦堡",
    "伊斯坦布尔", "基輔", "基辅", "德黑蘭", "德黑兰", "聯合國", "联合国",
)
_PLACES_LONGEST_FIRST = sorted(PLACES, key=len, reverse=True)
_PLACE_SUFFIX = ("縣", "县", "市")
# A wire byline in parentheses opening the text: `（中央社記者林小美台北3日電）`,
# `（大纪元记者李净综合报导）`, `（记者王明/台北报导）`. The agency before 记者 is a source, never an author.
_WIRE_BYLINE = re.compile(
    r"[（(]\s*[^（）()]{0,12}?(?:特约|特約)?(?:记者|記者|特派员|特派員|专栏作家|專欄作家)\s*([^（）()\d]{1,30}?)\s*"
    r"(\d{1,2}日)?\s*(?:综合|綜合|采访|採訪)?(?:外电|外電)?(?:报导|报道|報導|報道|专电|專電|电|電|撰文)"
    r"\s*(?:[／/][^（）()]{1,20})?[）)]"
)
# A column's standfirst opening with its writer(s): `刘远举：…`, `程实、王宇哲：…`, `马卡罗夫：…`.
_NAME = f"(?:[{HAN}]{{2,4}}|[{HAN}]{{1,8}}[·•．][{HAN}]{{1,8}})"
_COLUMN = re.compile(f"^({_NAME}(?:、{_NAME}){{0,3}})[：:](?=.{{10}})")
# Words that end organisations or roles, not people's names (`外交部：`, `编者按：`).
_NOT_A_NAME_END = tuple("社部会會委院网網报報台局厅廳馆館处處所办辦府国國省市")
_NOT_A_NAME = frozenset(
    re.split(
        r"\s+",
        "记者 記者 编者 編者 编者按 編者按 导读 導讀 导语 導語 摘要 提要 按语 按語 问 答 原标题 原標題 "
        "标题 標題 来源 來源 原文 作者 网友 網友 读者 讀者 评论 評論 主持人 嘉宾 嘉賓 注 编按 編按 "
        "文 图 圖 撰文 文字 摄影 攝影",  # labels before a name (`文/ 温云超`)
    )
)


def clean_author(raw: str) -> str:
    """A byline as a person's name(s): role words and repeats removed; "" when it names an organisation."""
    text = clean_line(raw)
    for _ in range(3):
        text = _AUTHOR_NOISE.sub("", text).strip()
    names: list[str] = []
    for name in _NAME_SPLIT.split(text):
        name = _SPACED_ROLE.sub("", name.strip(" ·|"))
        if name.isupper() and _LATIN_NAME.match(name):  # NYT's `PETER BAKER`: the name, not its typesetting
            name = name.title()
        if not name or name in _NOT_A_NAME or name.casefold() in NOT_PERSONS or code_for_alias(name):
            continue
        if name.casefold() not in (n.casefold() for n in names):
            names.append(name)
    return ", ".join(names)


def credit_reporter(credit: str) -> str:
    """The reporter(s) of a staff credit line (`记者：乔龙 责编：…`, `自由亚洲电台记者柳飞华盛顿报道 …`)."""
    m = _CREDIT_REPORTER.search(clean_line(credit))
    if not m:
        return ""
    return _names_before_places(_REPORTED.sub("", m.group(1).strip(" （）()")).strip())


def wire_byline(text: str) -> str:
    """The reporter named by a wire byline opening the text (`（中央社記者林小美台北3日電）`), or "".

    With a day (`3日電`) a place must sit between name and day and be a known place; without one
    (`综合报导`) what follows 记者 is the name, a glued known place removed.
    """
    m = _WIRE_BYLINE.search(text[:100])
    if not m:
        return ""
    names = m.group(1).strip()
    if m.group(2):
        place = _glued_place(names)
        if place is None or place == 0:
            return ""
        names = names[:place]
    return _names_before_places(names)


# After a byline's names: the next credit (`来源：…`, `排版 / …`), a description of the writer.
_NEXT_LABEL = re.compile(
    r"\s*(?:来源|來源|来自|來自|原标题|原標題|排版|摄影|攝影|图片|圖片|出品|审核|審核|配图|配圖|"
    + CREDIT_ROLES
    + r")\s*[：:/／|｜]|\s*来自微信公众号"
)
_PARENTHETICAL = re.compile(r"[（(][^（）()]*[）)]")
# A writer's description around the name (`美国加州圣玛利学院教授`, `香港特约记者`, `作家赵瑜`).
_ROLE_NOUN = re.compile(
    r"(?:教授|学者|學者|社长|社長|记者|記者|作家|主编|主編|研究员|研究員|工作者|律师|律師|博士|总编|總編|主任"
    r"|院长|院長|校长|校長)$"
)
_ROLE_PREFIX = re.compile(
    f"^(?:[{HAN}]{{0,6}}特约记者|[{HAN}]{{0,6}}特約記者|记者|記者|作家|学者|學者)(?=[{HAN}]{{2,4}}$)"
)
_LONG_DESCRIPTION = 6  # a token longer than this beside a name describes the writer


def byline_names(value: str) -> str:
    """The person(s) a byline's value names: the next credit, parentheses and descriptions removed
    (`徐贲 美国加州圣玛利学院教授` -> 徐贲, `码头水鬼2 来源：我无法呼吸` -> 码头水鬼2)."""
    value = _NEXT_LABEL.split(clean_line(value), maxsplit=1)[0]
    value = _PARENTHETICAL.sub(" ", value)
    names: list[str] = []
    for part in re.split(r"[、,，/／]", value):
        if not HAN_RE.search(part):  # a Latin name keeps its spaces (`Ben Knight`)
            names.append(part.strip())
            continue
        tokens = part.split()
        if len(tokens) > 1:  # `徐贲 美国加州圣玛利学院教授`: the name, not its description
            tokens = [t for t in tokens if not _ROLE_NOUN.search(t) and len(t) <= _LONG_DESCRIPTION]
        names.extend(_ROLE_PREFIX.sub("", t) for t in tokens[:1])
    return clean_author(", ".join(names))


# A person's name as a front matter writes it: 2-4 Han characters, a transliteration with its dot, or a
# capitalised Latin name of two to four words.
_PERSON = re.compile(
    f"^(?:{_NAME}|[A-Z][\\w.'-]+(?: [A-Z][\\w.'-]+){{1,3}})$"
)


def front_matter_byline(front_matter: dict[str, object]) -> str:
    """The person a fork's front matter `author` names, or "". The archive's forks write the OUTLET there
    (`author: 法广`, like `categories`); a value that is neither an outlet nor one of the categories or
    tags, and reads as a person's name (`author: 程巍`), is the article's writer."""
    value = front_matter.get("author")
    if not isinstance(value, str) or not value.strip() or code_for_alias(value):
        return ""
    labels = {item.strip().casefold() for key in ("categories", "tags")
              for item in _as_list(front_matter.get(key)) if isinstance(item, str)}
    if value.strip().casefold() in labels:
        return ""
    names = clean_author(value)
    return names if names and all(_PERSON.match(n) for n in names.split(", ")) else ""


def _as_list(value: object) -> list[object]:
    return value if isinstance(value, list) else [value]


def column_author(lead: str) -> str:
    """The writer(s) a column's standfirst opens with (`刘远举：…`), "" for an organisation or a label."""
    m = _COLUMN.match(lead)
    if not m:
        return ""
    names = m.group(1).split("、")
    if any(n in _NOT_A_NAME or n.endswith(_NOT_A_NAME_END) for n in names):
        return ""
    return clean_author(", ".join(names))


def _glued_place(text: str) -> int | None:
    """Where a known place (with its 縣/市) glued to the end of `text` starts, or None."""
    for suffix in ("", *_PLACE_SUFFIX):
        if suffix and not text.endswith(suffix):
            continue
        core = text[: len(text) - len(suffix)]
        for place in _PLACES_LONGEST_FIRST:
            if core.endswith(place):
                return len(core) - len(place)
    return None


def _names_before_places(text: str) -> str:
    """Names from `甲乙、丙丁戊新竹`: tokens split at separators, a place glued at the end of one removed."""
    names: list[str] = []
    tokens = [t for part in _SEPARATORS.split(text)  # a Latin name keeps its spaces (`Eva Fu`)
              for t in (part.split() if HAN_RE.search(part) else [part.strip()])]
    for token in tokens:
        token = token.removesuffix("综合").removesuffix("綜合")
        cut = _glued_place(token)
        if cut is not None:
            token = token[:cut]
        if token:
            names.append(token)
    return clean_author(", ".join(names))

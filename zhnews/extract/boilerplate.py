"""What is not the article: the archive's boilerplate, named once, for zhnews.extract.body.

Two kinds of evidence. Attributes (`is_chrome`): class/id/aria-label/data-* values that mark adverts,
interstitials, share widgets, newsletter/app promos, screen-reader-only text and photo credits — tested
on each element during the one walk, so the element and everything inside it are skipped. Text
(`drop_paragraph` and the patterns below): paragraphs that are the same in every article of an outlet.

Decisions (each pattern was seen in ../shared/corpus):
- dropped: share labels, feed footers (`获取更多RSS` + any feedx mirror, CDT's "Feed enhanced by Better
  Feed"), frozen relative times (`11 分钟前`), media-player fallbacks, template placeholders (`Array`),
  separator lines, copyright notices (`© 2020 AFP`, DW 版权声明), photo credits (`图像来源，Getty
  Images`), outlet promos and disclaimers (NYT newsletter, Reuters "我们的标准", VOA guest disclaimer and
  YouTube playlists, DW Instagram/podcast promos and editorial disclaimer, CDT bookshop links, the
  Economist's "This article appeared in … print edition" and subscription lines),
  navigation: links like `点击查看本文英文版` and `延伸阅读: <a>…</a>`, related-content sections (DW
  `相关图集` galleries, CDT `相关阅读` embeds) and lists whose every item is only a link (RFA's list after
  the lead, BBC's related stories) — zhnews.extract.body recognises those structurally.
- kept: the article's own credits and notes, which differ from article to article — translators and
  editors (`翻译：…`, `编译 … 审校 …`, `译者/…`), wire sources (`张平/凝炼 （法新社）`, `（本文参考了
  美联社的报道。）`), author bios and contributor lines (NYT footer).
"""

from __future__ import annotations

import re
from functools import lru_cache

from bs4 import Tag

# class / id / aria-label values that mark adverts, promos, share widgets, screen-reader-only text and
# photo credits. Matched as whole words inside the attribute (BBC's `css-…-VisuallyHiddenText` too).
_CHROME_ATTR = re.compile(
    r"(?:^|[\s_-])(?:ads?|advert\w*|interstitial|outbrain|taboola|share|sharing|sharedaddy|social|"
    r"a2a\w*|addtoany\w*|newsletter|self-promo|selfpromo|promo|related-?posts|jp-relatedposts|"
    r"trustBadge\w*|off-screen|offscreen|sr-only|screen-reader-text|visually-?hidden\w*|"
    r"wp-embedded-content|m-em-audio|searchresultdate)(?:$|[\s_-])"
    # Credits: a class that ENDS in copyright/credit(s) (`story-image-copyright`, `t-copyright`), not a
    # container that merely mentions it (`image-and-copyright-container` holds the picture itself).
    r"|(?:^|[\s_-])(?:copyright|credits?|attribution)(?=$|\s)"
    r"|^(?:广告|廣告|advertisement)",
    re.IGNORECASE,
)
_CHROME_DATA = {"data-e2e": {"advertisement", "media-player"}}

# Each pattern names boilerplate seen in the real archive; a paragraph matching one is not article text.

# The archiver's feed footer (any feedx mirror) and CDT's WordPress feed footer.
FOOTER = re.compile(r"获取更多RSS|feedx\.[a-z]{2,6}\b|Feed enhanced by|Better Feed from", re.IGNORECASE)
# Photo credit lines: BBC `图像来源，Getty Images` / 2020 `图片版权Reuters`.
CREDIT = re.compile(r"^(?:图像来源|图片来源|图片版权|圖像來源|圖片來源|圖片版權|Image caption|Image source)")
# Links that only navigate: NYT "点击查看本文英文版。", bios' "点击查看更多关于她的信息。".
NAV_LINK = re.compile(r"^(?:点击查看|點擊查看)")
NAV_PREFIXES = frozenset({"点击查看", "點擊查看"})
# Headings of related-content sections: DW galleries `相关图集：…`, CDT `相关阅读：` + embedded posts.
RELATED = re.compile(
    r"^(?:相关图集|相關圖集|相关阅读|相關閱讀|延伸阅读|延伸閱讀|相关报道|相關報導|相关新闻|相關新聞|相关链接|"
    r"推荐阅读|推薦閱讀|更多相关|更多阅读|更多閱讀|Related)\s*(?:[：:]|$|\s)"
)
_GENERIC_DROP = re.compile(  # anchored at the start of the paragraph (used with .match)
    "|".join(
        [
            r"(?:分享|分享到|分享本文|Share)\s*[:：]?$",  # RFI 2023 share block label
            r"\d+\s*(?:秒钟?|秒鐘|分钟|分鐘|小时|小時|天|日|周|週|星期|个月|個月|年)前$",  # BBC frozen time
            r"(?:Array|undefined|null|NaN)$",  # template placeholders (RFI 2023 `Array`)
            r"\W*$",  # no letter, digit or Han at all: "------", "***", a lone "。"
            r"(?:©|\(c\)\s*\d{4})",  # copyright notices: RFI `© 2020 AFP`, DW 版权声明, CDT feed credit
            r"(?:图片版权|图像来源|圖片版權|图片来源)[，,:：]?.{0,40}$",  # a photo credit as a paragraph
        ]
    ),
    re.IGNORECASE,
)
# Anywhere in the paragraph: BBC's media-player fallback text.
DROP_INSIDE = ("你的器材不支持播放多媒体材料", "您的設備不支援播放")
# Outlet promos and disclaimers: identical in every article of the outlet, never part of the story.
_OUTLET_DROP = {
    "nyt": re.compile(
        r"^[（(]?欢迎(?:点击此处)?订阅|^感谢阅读今天的简报|^点击查看本文英文版|^[（(]?欢迎在Twitter"
    ),
    "reuters": re.compile(r"^我们的标准：汤森路透"),
    "economist": re.compile(
        r"^This article appeared in the .{0,60}print edition|subscribe (?:here|to The Economist)"
        r"|^Letters are welcome via e-mail",
        re.IGNORECASE,
    ),
    # Bookshop affiliate links under CDT posts; links to CDT's own archive pages (`CDS档案 | 李文亮`).
    "cdt": re.compile(r"^请点击购买|^CDS档案\s*[|｜]|^相关空间词条"),
    # RFI 2020: a programme link line `其它 / <a>another story</a>` closing the article.
    "rfi": re.compile(r"^其它\s*/"),
    # The credit line is zhnews.extract.meta's (it reads the author from it); a variant it did not take out
    # (glued after a <br> in the last paragraph) must still not read as article text.
    "rfa": re.compile(r"^[（(]?(?:自由亚洲电台)?(?:特约)?记者[:：\s]?.{1,40}责编"),
    "voa": re.compile(
        r"嘉宾和观众听众发表的都是个人观点|YouTube播放列表[：:]|^美国之音.{0,10}(?:脸书|推特|YouTube)"
    ),
    "dw": re.compile(
        r"^DW中文有|^订阅DW中文|^欢迎订阅德国之声|^德国之声致力于为您提供客观中立的新闻|^(?:摘编|摘译)自其[他它]媒体.{0,4}不代表德国之声|^下载德国之声中文|^德国之声中文网.{0,6}(?:推特|Twitter|Instagram|App)"
    ),
}


def drop_paragraph(text: str, outlet: str) -> bool:
    """True for boilerplate that is not article text (see the patterns above)."""
    if _GENERIC_DROP.match(text):
        return True
    for marker in DROP_INSIDE:  # a loop, not any(<generator>): this runs for every paragraph
        if marker in text:
            return True
    rule = _OUTLET_DROP.get(outlet)
    return rule is not None and rule.search(text.lstrip("•·・*-— ")) is not None


@lru_cache(maxsize=4096)
def _chrome_value(value: str) -> bool:
    return _CHROME_ATTR.search(value) is not None


def is_chrome(tag: Tag) -> bool:
    """True for an element that is page chrome by its attributes (classes, ids, aria labels, data-*)."""
    attrs = tag.attrs
    if not attrs:
        return False
    for key, value in attrs.items():
        if key.startswith("data-selfpromo") or key == "data-root-share":
            return True
        if key in {"class", "id", "aria-label"}:
            text = " ".join(value) if isinstance(value, list) else value
            if text and _chrome_value(text):
                return True
        elif key in _CHROME_DATA and value in _CHROME_DATA[key]:
            return True
    return False

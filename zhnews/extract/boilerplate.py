"""What is not the article: the archive's boilerplate, named once, for zhnews.extract.body.

Two kinds of evidence. Attributes (`is_chrome`): class/id/aria-label/data-* values that mark adverts,
interstitials, share widgets, newsletter/app promos, screen-reader-only text and photo credits — tested
on each element during the one walk, so the element and everything inside it are skipped. Text
(`drop_paragraph` and the patterns below): paragraphs that are the same in every article of an outlet.

Decisions (each pattern was seen in ../shared/corpus or is the generic form of one seen there):
- dropped: share labels, feed footers (`获取更多RSS` + any feedx mirror, CDT's "Feed enhanced by Better
  Feed"), frozen relative times (`11 分钟前`), media-player fallbacks, template placeholders (`Array`),
  separator lines, copyright notices (`© 2020 AFP`, DW 版权声明), photo credits (`图像来源，Getty
  Images`), staff credits (translators, editors, compilers: `翻译：…`, `译者/…`, `编译 … 审校 …`,
  `（编辑：…）`, glued to a paragraph's end too), podcast, newsletter and subscription invitations,
  print-edition notes, site navigation after the article, follow-us promos, opinion disclaimers, and each
  outlet's own promos (named in zhnews.extract.outlets, applied to every article: reposts carry them);
  navigation: links like `点击查看本文英文版` and `延伸阅读: <a>…</a>`, related-content sections (DW
  `相关图集` galleries, CDT `相关阅读` embeds) and lists whose every item is only a link (RFA's list after
  the lead, BBC's related stories) — zhnews.extract.body recognises those structurally.
- kept: what differs from article to article and speaks to the reader — wire sources (`张平/凝炼
  （法新社）`, `（本文参考了美联社的报道。）`), author bios and contributor lines (NYT footer), editor's
  notes.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import lru_cache

from bs4 import Tag

from zhnews.extract.outlets import promos_pattern
from zhnews.text import HAN

# class / id / aria-label values that mark adverts, promos, share widgets, screen-reader-only text and
# photo credits. Matched as whole words inside the attribute (BBC's `css-…-VisuallyHiddenText` too).
_CHROME_ATTR = re.compile(
    r"(?:^|[\s_-])(?:ads?|advert\w*|interstitial|outbrain|taboola|share|sharing|sharedaddy|social|"
    r"a2a\w*|addtoany\w*|service-links|newsletter|subscri\w*|self-promo|selfpromo|promo|related-?posts|jp-relatedposts|"
    r"trustBadge\w*|off-screen|offscreen|sr-only|screen-reader-text|visually-?hidden\w*|"
    r"wp-embedded-content|m-em-audio|searchresultdate|player|element-invisible|submitted|"
    r"comments|comments?-(?:area|form|list|add|link|links|respond|count)|"
    # a post's metadata and footer: date, byline, categories, tags (meta.py has read what it needs there)
    r"meta|footer|tags|tags?-links|cat-links|categories|breadcrumbs?)(?:$|[\s_-])"
    # Credits: a class that ENDS in copyright/credit(s) (`story-image-copyright`, `t-copyright`), not a
    # container that merely mentions it (`image-and-copyright-container` holds the picture itself).
    r"|(?:^|[\s_-])(?:copyright|credits?|attribution)(?=$|\s)"
    r"|^(?:广告|廣告|advertisement)",
    re.IGNORECASE,
)
_CHROME_DATA = {"data-e2e": {"advertisement", "media-player"}}
_CHROME_DATA_KEYS = ("data-selfpromo", "data-graphic", "data-vega", "data-chart")
_MARKS_DATELINE = frozenset({"itemtype", "data-test-id", "data-testid", "itemprop"})
# WordPress writes a post's tags and categories into classes (`tag-social-media category-47`): words the
# author chose, not page roles, so they are never read as chrome words.
# styled-components name a class after its component and add a hash (`Copyright-sc-11lgtw-0`): the name
# is the role.
_STYLED_SUFFIX = re.compile(r"-sc-[0-9a-z]+-\d+\b", re.IGNORECASE)
_TAXONOMY_CLASS = re.compile(r"(?:^|\s)(?:tag|category|cat|topic|label)-\S*", re.IGNORECASE)
# Staff roles whose credits are not article text (their holder is no author either).
CREDIT_ROLES = (
    "翻译|翻譯|译者|譯者|编译|編譯|审校|審校|责任编辑|責任編輯|责编|責編|编辑|編輯|网编|網編|校对|校對|核稿|编写|編寫|"
    "排版|整理|文字整理|文字编辑|文字編輯"
)

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
    r"推荐阅读|推薦閱讀|更多相关|更多阅读|更多閱讀|有关.{1,12}的?更多报道|有關.{1,12}的?更多報導|更多报道|更多報導|"
    r"[您你]?可能(?:感兴趣|感興趣|喜欢|喜歡)的?(?:文章|内容|內容|新闻|新聞)?|猜你喜欢|猜你喜歡|"
    r"(?i:related|(?:and )?(?:to )?dig deeper|further reading|see also|read more|more on))\s*(?:[：:]|$|\s)"
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
            # A blanket rights notice under a gallery: BBC `所有图片版权所有。`, `文中图片，版权所有，未经
            # 批准，翻印必究。`; `版权所有，翻印必究` alone.
            r"(?:所有|全部|文中|本文)?的?(?:图片|照片|圖片|相片)[，,]?\s*的?(?:版权|版權)[^。！？!?]{0,8}"
            r"(?:[，,][^。！？!?]{0,12}(?:必究|转载|轉載))?[。.]?$",
            r"(?:版权所有|版權所有)[，,、\s]*(?:(?:未经|未經)[^。]{0,10}[，,]?)?(?:翻印必究|不得(?:转载|轉載))?[。.]?$",
            # A rights statement: `版权声明：…版权所有，未经授权不得转载…`, `免责声明：…`.
            r"(?:版权声明|版權聲明|免责声明|免責聲明)\s*[：:]",
            # Staff credits standing alone: `翻译：…`, `译者/…`, `编译 张三/李四 审校 王五`, `（编辑：…）`.
            r"[（(]?\s*(?:" + CREDIT_ROLES + r")\s*[：:/／|｜ ][^。！？!?]{0,70}$",
            # Podcast and newsletter instructions, English and Chinese.
            r"(?:you can )?(?:subscribe (?:and|to)|listen (?:to|on)|sign up (?:for|to))\b.{0,120}"
            r"(?:podcasts?|spotify|stitcher|tunein|newsletter)\b",
            r"(?:下载|收听|订阅|訂閱|下載)播客|(?:以|用)?(?:鼠标)?右键点击(?:这里|此处)",
            r"[（(]?(?:欢迎|歡迎)?(?:点击|點擊|扫码|掃碼)?(?:此处|此處|这里|這裡)?(?:订阅|訂閱).{0,30}"
            r"(?:电子报|電子報|简报|簡報|通讯|通訊|newsletter)",
            r"(?:请|請)?(?:点击|點擊)(?:购买|購買)",  # a shop link under a book's mention
            # A print magazine's notes under the web article.
            r"this article appeared in the .{0,80}print edition|letters (?:to the editor )?are welcome",
            # Site navigation after the article: `MORE`, `No More.`, `阅读更多` (section lists: _NAV_LIST).
            r"(?:more|no more|read more|阅读更多|閱讀更多|查看更多|更多)\W*$",
            # A wire dateline standing alone as a paragraph: `【大纪元2022年10月16日讯】`.
            r"[【\[［]\s*[^】\]］]{0,12}?\d{2,4}年\d{1,2}月\d{1,2}日(?:讯|訊|电|電)?\s*[】\]］]$",
            # A stock-photo credit: `Photo by Jane Doe on Unsplash`.
            r"(?:photo|image) by .{1,60} on (?:unsplash|pexels|pixabay)\.?$",
            # A programme's closing production credit: `《新闻看点》制作组`.
            r"《[^》]{1,20}》\s*(?:制作组|製作組|节目组|節目組|摄制组|攝製組)[。.]?$",
            # A column's sponsor line, the same under every piece of the column.
            r"本栏目由.{0,40}(?:主办|合办|协办|提供|支持)",
        ]
    ),
    re.IGNORECASE,
)
# Patterns that may start a little way into the paragraph, each tried only when the paragraph holds its
# words (a leading `.{0,300}` tried on every paragraph would cost more than all the rest together).
_SIGN_UP = re.compile(r".{0,300}\bsign up (?:for|to) (?:our|the) .{0,60}newsletter", re.IGNORECASE)
# `感谢阅读今天的简报，新读者请点击此处订阅`
_CLICK_TO_SUBSCRIBE = re.compile(r".{0,40}(?:点击|點擊)(?:此处|此處|这里|這裡)(?:订阅|訂閱)")
# Follow-us promos: `DW中文有Instagram！欢迎搜寻…，关注我们的最新动态。`
_FOLLOW_US = re.compile(
    r".{0,40}(?:Instagram|Facebook|Twitter|YouTube|Telegram|脸书|臉書|推特|微信公众号|微信公眾號)[^。]{0,40}"
    r"(?:关注我们|關注我們|追踪我们|追蹤我們|订阅我们|訂閱我們)",
    re.IGNORECASE,
)


# WordPress (Yoast) feed footer: `The post <title> appeared first on <site>.` (or `first appeared`).
_WORDPRESS_FOOTER = re.compile(r"The post .{1,300} (?:appeared first|first appeared) on .{1,120}$")
# A short rights notice: `…版权所有，未经授权不得转载或部分复制，违者必究。` (an article about a copyright
# dispute says who holds the rights, not that this text may not be reprinted).
_NO_REPRINT = re.compile(r"(?:未经|未經)[^。]{0,12}(?:转载|轉載|复制|複製|翻印|使用)")
_NOTICE_MAX = 120
# A newsletter promo: `上午8點同步發送電子報！快來訂閱「早安世界」` (an invitation, not a mention).
_SUBSCRIBE_NOW = re.compile(
    r"(?:快来|快來|欢迎|歡迎|立即|马上|馬上|免费|免費)(?:订阅|訂閱)|(?:订阅|訂閱)\s*[《「]"
)
_PROMO_MAX = 80
# A programme's broadcast schedule: `时事大家谈每星期一到四…北京时间晚上九点播出，敬请收看。`
_SCHEDULE = re.compile(
    r".{0,100}(?:播出|首播|重播|直播).{0,12}(?:敬请|敬請)(?:收看|收听|收聽|关注|關注)[。！!]?$"
)


# A subscription invitation: `… subscribe here www.economist.com/intelligenceoffer`, `please subscribe to
# The Economist for full access to print, digital and audio editions`.
_SUBSCRIBE = re.compile(r"\bsubscribe (?:here|now|to)\b", re.IGNORECASE)
_ACCESS_OFFER = re.compile(r"full access|www\.|offer\b", re.IGNORECASE)
_INVITE_MAX = 300
# The site's sections joined by separators (`国际 | 中国 | 港澳台 | 评论`), after the article.
_NAV_LIST = re.compile(r"(?:[^\s|｜·•/]{1,8}\s*[|｜·•/]\s*){3,}[^\s|｜·•/]{1,8}$")


def _gated_drop(text: str) -> bool:
    # `in` tests joined by `and`/`or`, not loops over word lists: this runs for every paragraph
    if "appeared" in text and _WORDPRESS_FOOTER.match(text):
        return True
    if ("敬请" in text or "敬請" in text) and len(text) <= _NOTICE_MAX and _SCHEDULE.match(text):
        return True
    if ("电子报" in text or "電子報" in text) and len(text) <= _PROMO_MAX and _SUBSCRIBE_NOW.search(text):
        return True
    if ("版权所有" in text or "版權所有" in text) and len(text) <= _NOTICE_MAX and _NO_REPRINT.search(text):
        return True
    if ("|" in text or "｜" in text or "·" in text or "•" in text or "/" in text) and _NAV_LIST.match(text):
        return True
    if ("ewsletter" in text or "EWSLETTER" in text) and _SIGN_UP.match(text):
        return True
    if "ubscribe" in text and len(text) <= _INVITE_MAX and _SUBSCRIBE.search(text):
        return _ACCESS_OFFER.search(text) is not None
    if ("订阅" in text or "訂閱" in text) and _CLICK_TO_SUBSCRIBE.match(text):
        return True
    return "我" in text and _FOLLOW_US.match(text) is not None  # 关注我们, 追蹤我們…


# Anywhere in the paragraph: BBC's media-player fallback text.
DROP_INSIDE = ("你的器材不支持播放多媒体材料", "您的設備不支援播放")
# A staff credit glued to the end of a paragraph (CNA `…。（編輯：陳大文）1090803`, `…。#责任编辑：X#`),
# a trailing `......more` or `（看完整報導）` link, the Economist's closing `■`: cut, the sentence before
# them stays.
_TAIL = re.compile(
    r"(?:\s*[（(]\s*(?:" + CREDIT_ROLES + r")\s*[：:][^（）()]{1,60}[）)]\s*\d{0,8}"
    r"|\s*#*\s*(?:责任编辑|責任編輯|责编|責編)\s*[：:]\s*[^\s#。]{1,12}\s*#*"
    r"|\s*(?:\.{2,}|…+)\s*more|\s*■"
    r"|\s*[（(]\s*(?:看|閱讀|阅读)?完整(?:報導|报导|报道|報道|內容|内容)\s*[）)])\s*$",
    re.IGNORECASE,
)
_TAIL_ENDS = ("）", ")", "#", "e", "E", "■", *"0123456789")


# An opinion disclaimer (`文中评论及分析仅代表作者或专家个人立场。`, `[摘编自其它媒体，不代表德国之声观点]`):
# short, about the text, its "only represents" outside any quotation; a note that presents the author
# (`（注：作者是…`, `作者系…`, `程远是旅居德国的…`) is a bio and stays.
_DISCLAIMER = re.compile(r"(?:仅代表|僅代表|不代表)")
_VIEWS = re.compile(r"观点|觀點|立场|立場|意见|意見")
_PUBLICATION = re.compile(r"本文|文中|此文|以上|本台|本站|本刊|本网|本網|媒体|媒體|摘编|摘編|作者")
_BIO = re.compile(
    f"^\\W?注|^(?:[{HAN}]{{2,4}}|[A-Z][\\w .-]{{1,30}})(?:是|为|為|系)|作者(?:系|是|为|為|介绍|介紹)|本文作者"
)
_DISCLAIMER_MAX = 150


def _disclaimer(text: str) -> bool:
    if "代表" not in text or len(text) > _DISCLAIMER_MAX:
        return False
    if (m := _DISCLAIMER.search(text)) is None or not _VIEWS.search(text):
        return False
    before = text[: m.start()]
    quoted = before.count("“") > before.count("”") or before.count('"') % 2 == 1
    return not quoted and _PUBLICATION.search(text) is not None and _BIO.search(text) is None


def drop_paragraph(text: str) -> bool:
    """True for boilerplate that is not article text (see the patterns above and each outlet's promos)."""
    return paragraph_filter()(text)


def paragraph_filter() -> Callable[[str], bool]:
    """drop_paragraph with the patterns in force (outlets masked or not) looked up once: the body calls
    it for every paragraph of an article."""
    generic = _GENERIC_DROP.match
    promos = promos_pattern()
    promo = promos.match if promos is not None else None

    def drop(text: str) -> bool:
        if generic(text) or _gated_drop(text) or _disclaimer(text):
            return True
        if promo is not None and promo(text.lstrip("•·・*-— ")):
            return True
        return "播放" in text and any(marker in text for marker in DROP_INSIDE)

    return drop


def cut_tail(text: str) -> str:
    """`text` without a credit, `......more` link or end mark glued to its end ("" if nothing else)."""
    if not text.endswith(_TAIL_ENDS):
        return text
    m = _TAIL.search(text)
    return text[: m.start()].rstrip() if m else text


@lru_cache(maxsize=4096)
def _chrome_value(value: str) -> bool:
    return _CHROME_ATTR.search(value) is not None


def is_chrome(tag: Tag) -> bool:
    """True for an element that is page chrome by its attributes (classes, ids, aria labels, data-*)."""
    attrs = tag.attrs
    if not attrs:
        return False
    for key, value in attrs.items():
        if key.startswith(_CHROME_DATA_KEYS) or key == "data-root-share":
            return True  # promos, share roots; an interactive chart, whose texts are labels of a picture
        if key in {"class", "id", "aria-label"}:
            text = " ".join(value) if isinstance(value, list) else value
            if key == "class" and "-" in text:
                text = _STYLED_SUFFIX.sub("", _TAXONOMY_CLASS.sub(" ", text))
            if text and _chrome_value(text):
                return True
        elif key in _CHROME_DATA and value in _CHROME_DATA[key]:
            return True
        elif key in _MARKS_DATELINE and isinstance(value, str) and "dateline" in value.lower():
            return True  # a place dateline in the header (`<p data-test-id="Dateline">LIMA</p>`): not text
    return False

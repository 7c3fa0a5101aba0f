"""meta.extract(): date line, <time>, author and section read from the soup, and the nodes removed."""

from __future__ import annotations

import pytest
from bs4 import BeautifulSoup

from zhnews.extract.bylines import clean_author, credit_reporter, wire_byline
from zhnews.extract.meta import Meta, extract
from zhnews.extract.sections import section_from_url


def run(html: str, outlet: str = "x", url: str = "https://a.b/c") -> tuple[Meta, str]:
    soup = BeautifulSoup(html, "lxml")
    meta = extract(soup, outlet=outlet, url=url)
    body = soup.body.decode_contents() if soup.body else ""
    return meta, body


# --- the archiver's first <div> ----------------------------------------------------------------------

def test_plain_date_line_is_read_and_removed() -> None:
    meta, body = run("<div>20/07/2020 - 17:50</div><p>正文</p>", "rfi")
    assert meta.dateline == "20/07/2020 - 17:50"
    assert meta.dates[0].local is not None and meta.dates[0].local.utcoffset().total_seconds() == 7200
    assert body == "<p>正文</p>"


def test_italic_date_line_with_author_before_br() -> None:
    meta, body = run("<div><i>   任琛（摘编）<br>2020-07-17T14:59:51.922Z</i></div><p>正文</p>", "dw")
    assert (meta.author, meta.dateline) == ("任琛", "2020-07-17T14:59:51.922Z")
    assert body == "<p>正文</p>"


def test_empty_first_div_is_removed() -> None:
    meta, body = run("<div></div><div class='story-lead'>导语</div>", "ft")
    assert meta.dateline == "" and "story-lead" in body


@pytest.mark.parametrize(
    "html",
    [
        "<div>第一段正文不是日期</div>",
        "<div class='x'>2020-07-17</div>",  # a classed div is page markup, not the archiver's line
        "<div><img src='a.jpg'>2020-07-17</div>",
        "<p>2020-07-17</p>",
    ],
)
def test_first_elements_that_are_not_a_date_line_stay(html: str) -> None:
    meta, body = run(html)
    assert meta.dateline == "" and body


# --- <time>, <address>, bylines ----------------------------------------------------------------------

def test_nyt_address_and_time() -> None:
    meta, body = run(
        '<address>A B, 王五</address><time datetime="2024-05-07 11:12:22">2024年5月7日</time>'
        "<section>文</section>",
        "nyt",
    )
    assert meta.author == "A B, 王五"
    assert meta.dateline == "2024年5月7日"
    assert meta.dates[0].source == "time_element" and meta.dates[0].has_time
    assert body == "<section>文</section>"


def test_midnight_time_element_counts_as_a_date_only() -> None:
    meta, _ = run('<aside><time datetime="2020-07-30T00:00:00Z">Jul 30th 2020</time></aside><p>x</p>')
    assert not meta.dates[0].has_time


def test_bbc_byline_list_first_item_is_the_person_and_wrappers_go_too() -> None:
    meta, body = run(
        '<main><div><ul role="list"><li role="listitem">李四</li><li role="listitem">BBC中文</li></ul></div>'
        '<div><time datetime="2024-06-25">3 小时前</time></div><div><p>正文</p></div></main>',
        "bbc",
    )
    assert meta.author == "李四"
    assert meta.dateline == "2024-06-25"
    assert "ul" not in body and "time" not in body and "<p>正文</p>" in body


def test_rfi_author_block() -> None:
    html = '<p>正文</p><div><div><span>作者：</span><a href="/cn/作者/x/">赵六</a></div></div>'
    meta, body = run(html, "rfi")
    assert meta.author == "赵六" and body == "<p>正文</p>"


def test_cdt_archive_card() -> None:
    meta, body = run(
        '<div class="su-spoiler"><div class="su-spoiler-title">CDT 档案卡</div>'
        '<div class="su-spoiler-content">'
        "<strong>标题：</strong>题<br><strong>作者：</strong><a href='#'>钱七</a><br></div></div><p>正文</p>",
        "cdt",
    )
    assert meta.author == "钱七" and body == "<p>正文</p>"


def test_rfa_credit_line_alone_in_its_paragraph_is_removed() -> None:
    meta, body = run("<p>正文。</p><p>记者：乔一   责编：何二   网编：洪三</p>", "rfa")
    assert meta.author == "乔一" and body == "<p>正文。</p>"


def test_rfa_credit_line_after_br_is_cut_from_the_last_paragraph() -> None:
    meta, body = run("<p>最后一句。<br/><br/>自由亚洲电台记者蔡凌巴黎报导 责编：嘉远</p>", "rfa")
    assert meta.author == "蔡凌"
    assert "最后一句。" in body and "责编" not in body


@pytest.mark.parametrize(
    ("credit", "reporter"),
    [
        ("记者：乔龙  责编：胡力汉 许书婷  网编：瑞哲", "乔龙"),
        ("（记者：韩洁   责编：申铧   网编：洪伟）", "韩洁"),
        ("自由亚洲电台记者家傲华盛顿报道   责编：申铧", "家傲"),
        ("自由亚洲电台记者 夏小华、李宗翰 台北、台中综合报导 责编 胡力汉", "夏小华, 李宗翰"),
        ("记者 文海欣、郑日尧报道   责编  胡力汉", "文海欣, 郑日尧"),
        ("记者:高锋  责编：胡力汉", "高锋"),
        ("责编：胡力汉", ""),
    ],
)
def test_reporter_of_a_staff_credit_line(credit: str, reporter: str) -> None:
    assert credit_reporter(credit) == reporter


# --- author cleaning ---------------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("KONEY BAI,KONEY BAI", "Koney Bai"),  # one name, as written in running text
        ("null 张慈", "张慈"),
        ("采访记者： William Yang", "William Yang"),
        ("  洪沙 （综合报道）", "洪沙"),
        ("李鱼 综合报导", "李鱼"),
        ("Ben  Knight ", "Ben Knight"),
        ("德国之声中文网", ""),
        ("《纽约时报》", ""),
        ("ARD", ""),
        ("BBC", ""),
    ],
)
def test_clean_author_keeps_people_and_drops_roles_repeats_and_organisations(raw: str, clean: str) -> None:
    assert clean_author(raw) == clean


# --- sections ----------------------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("url", "outlet", "section"),
    [
        ("https://www.rfi.fr/cn/%E5%9B%BD%E9%99%85/20240111-x", "rfi", "国际"),
        ("https://www.rfi.fr/cn/专栏检索/要闻解说/20230719-x", "rfi", "要闻解说"),
        ("https://www.rfi.fr/cn/contenu/20200720-x", "rfi", ""),
        ("https://www.rfi.fr/cn/%E4%B8%AD%E4%B8%9C", "rfi", ""),
        ("https://www.bbc.com/zhongwen/simp/chinese-news-63620052", "bbc", "中国"),
        ("https://www.bbc.co.uk/zhongwen/simp/china/2014/09/140924_x.shtml", "bbc", "中国"),
        ("https://cn.nytimes.com/opinion/20200720/x/", "nyt", "观点"),
        ("https://www.rfa.org/mandarin/yataibaodao/zhengzhi/cm-1.html", "rfa", "政治"),
        ("https://www.dw.com/zh/x/a-1", "dw", ""),
        ("https://unknown.example/news/world/1", "unknown", "国际"),  # a known section word, any outlet
        ("https://www.zaobao.com.sg/realtime/china/story20201009-1091842", "zaobao", "中国"),
        ("https://www.economist.com/the-americas/2020/10/03/x", "economist", "the-americas"),  # before a date
        ("https://chinadigitaltimes.net/chinese/2020/07/x/", "cdt", ""),  # a language, not a section
        ("https://www.dw.com/zh/全球新冠感染人数创新高/a-54227310", "dw", ""),  # DW's title, not a section
    ],
)
def test_section_from_url(url: str, outlet: str, section: str) -> None:
    assert section_from_url(url) == section


def test_rfa_credit_line_outside_any_paragraph_after_lxml_repair() -> None:
    meta, body = run("<p>正文一。<p>正文二。</p><br/>记者：高锋 责编：胡力汉 网编：瑞哲</p>", "rfa")
    assert meta.author == "高锋"
    assert "责编" not in body and "正文二。" in body


def test_rfa_credit_sharing_a_text_node_with_the_last_sentence_keeps_the_sentence() -> None:
    meta, body = run("<p>最后一句。 记者：乔一 责编：何二</p>", "rfa")
    assert meta.author == "乔一"
    assert "最后一句。" in body and "责编" not in body


@pytest.mark.parametrize(
    ("opening", "reporter"),
    [
        ("（中央社記者林小美台北3日電）連日高溫", "林小美"),
        ("（中央社記者王大同南投縣15日電）", "王大同"),
        ("（中央社記者甲乙、丙丁戊新竹市30日電）", "甲乙, 丙丁戊"),
        ("（中央社台北19日電）", ""),  # no reporter named
        ("（中央社記者某某火星3日電）", ""),  # unknown place: no guess
    ],
)
def test_reporter_of_a_wire_byline_opening_the_text(opening: str, reporter: str) -> None:
    assert wire_byline(opening) == reporter


def test_cna_opening_stays_in_the_text() -> None:
    meta, body = run("<div class='paragraph'><p>（中央社記者林小美台北3日電）今天天氣晴。</p></div>", "cna")
    assert meta.author == "林小美" and "林小美" in body

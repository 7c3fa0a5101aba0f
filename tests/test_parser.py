"""parse(): each outlet's rules, one section per outlet, on fixtures we wrote in the archive's markup."""

from __future__ import annotations

import re

import pytest

from tests.conftest import FIXTURES
from zhnews import parse
from zhnews.article import Article, ParseError
from zhnews.extract.parser import clean_title


def article(name: str, source: str | None = None) -> Article:
    return parse((FIXTURES / name).read_bytes(), source or f"archive/{name}")


ISO_UTC = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")
FIXTURE_FILES = sorted(p.name for p in FIXTURES.glob("*.md"))


# --- every fixture ----------------------------------------------------------------------------------

@pytest.mark.parametrize("name", FIXTURE_FILES)
def test_every_fixture_yields_title_https_url_published_and_text(name: str) -> None:
    a = article(name)
    assert a.title and a.title == a.title.strip()
    assert a.url.startswith("https://") and "#" not in a.url and "utm_" not in a.url
    assert a.published and ISO_UTC.match(a.published)
    assert a.published_from
    assert a.paragraphs or a.lead
    for text in [a.lead, *a.paragraphs]:
        assert "<" not in text and "&nbsp;" not in text and "\r" not in text
    assert a.char_count > 0
    assert a.language in {"zh-Hans", "zh-Hant", "en", "other"}


@pytest.mark.parametrize("name", FIXTURE_FILES)
def test_the_date_line_and_byline_never_reach_the_body(name: str) -> None:
    a = article(name)
    text = "\n".join([a.lead, *a.paragraphs])
    if a.dateline:
        assert a.dateline not in text
    assert "责编" not in text and "档案卡" not in text and "作者：" not in text


# --- RFI ---------------------------------------------------------------------------------------------

def test_rfi_2020_url_is_https_without_the_double_slash() -> None:
    a = article("rfi-2020-wire.md")
    assert a.url.startswith("https://www.rfi.fr/cn/contenu/20200720-")
    assert "//cn" not in a.url


def test_rfi_title_loses_the_station_suffix_but_keeps_its_own_spacing_normalised() -> None:
    a = article("rfi-2020-wire.md")
    assert a.title_raw == "巴黎自行车道扩建计划  市府称年底完工 – 法国国际广播电台 - RFI"
    assert a.title == "巴黎自行车道扩建计划 市府称年底完工"


def test_rfi_date_line_is_paris_time_and_published_is_utc() -> None:
    a = article("rfi-2020-wire.md")
    assert a.dateline == "20/07/2020 - 17:50"
    assert a.published_local == "2020-07-20T17:50:00+02:00"  # summer time
    assert a.published == "2020-07-20T15:50:00Z"
    assert a.published_from == "dateline"
    winter = article("rfi-2023.md")
    assert winter.published_local == "2024-01-11T13:42:00+01:00"
    assert winter.published == "2024-01-11T12:42:00Z"


def test_rfi_wire_item_without_url_section_has_none_the_agency_is_a_source_not_a_section() -> None:
    a = article("rfi-2020-wire.md")
    assert a.section == "" and a.author == ""


def test_rfi_programme_label_moves_from_title_to_section() -> None:
    a = article("rfi-2020-programme.md")
    assert a.title == "法国媒体关注欧洲复苏基金谈判"
    assert a.section == "法国报纸摘要"


def test_rfi_press_review_keeps_the_quoted_newspaper_in_the_title() -> None:
    a = article("rfi-2020-press-source.md")
    assert a.title.endswith(" - 法国世界报")
    assert a.section == "欧洲"  # the URL section wins


def test_rfi_2023_section_author_lead_and_no_tracking() -> None:
    a = article("rfi-2023.md")
    assert a.section == "法国"
    assert a.author == "林晓"
    assert a.lead.startswith("法国国民议会周三晚间")
    assert a.paragraphs[0].startswith("根据法案")
    assert not any("分享" in p for p in a.paragraphs)
    assert a.url.endswith("%E6%B3%95%E6%A1%88")  # utm_* and #fragment dropped


def test_rfi_clean_title_rule_in_isolation() -> None:
    assert clean_title("某事 – 法国国际广播电台 - RFI", "rfi") == ("某事", "")
    assert clean_title("中国的北极金矿收购案 - 北美来鸿", "rfi") == ("中国的北极金矿收购案", "北美来鸿")
    assert clean_title("Coronavirus - 美国卫生高官发出预警", "rfi")[0] == "Coronavirus - 美国卫生高官发出预警"


def test_rfi_2022_https_without_classes_and_strong_lead() -> None:
    a = article("rfi-2022.md")
    assert a.section == "欧洲"
    assert a.lead.startswith("能源价格持续上涨")
    assert a.paragraphs[0].startswith("比利时政府")
    assert a.published_local == "2022-05-12T11:20:00+02:00"


# --- DW ----------------------------------------------------------------------------------------------

def test_dw_date_line_gives_author_and_iso_time() -> None:
    a = article("dw-2020.md")
    assert a.author == "叶文"  # "（综合报道）" is a role, not part of the name
    assert a.published == "2020-07-20T14:58:19Z"
    assert a.published_local == "2020-07-20T14:58:19+00:00"


def test_dw_refed_article_keeps_its_own_date_not_the_later_feed_stamp() -> None:
    a = article("dw-refed.md")
    assert a.fed_at is not None and a.fed_at.startswith("2023-")
    assert a.published == "2020-06-28T08:15:00Z"
    assert a.published_from == "dateline; fed_at 1118.8 days later"  # the choice and what it overruled
    assert a.author == "Anna Keller"


def test_dw_video_item_without_date_line_falls_back_to_the_feed_stamp() -> None:
    a = article("dw-video.md")
    assert a.published_from == "fed_at"
    assert a.published == a.fed_at
    assert a.dateline == "" and a.author == ""


# --- VOA ---------------------------------------------------------------------------------------------

def test_voa_rfc2822_date_line_and_no_feed_footer() -> None:
    a = article("voa.md")
    assert a.published == "2020-07-20T19:22:03Z"
    assert a.published_from == "dateline"
    assert not any("RSS" in p or "feedx" in p for p in a.paragraphs)


def test_voa_2024_date_line_without_zone_is_utc() -> None:
    a = article("voa-2024.md")
    assert a.dateline == "Tue, 05 Mar 2024 18:29:00"
    assert a.published == "2024-03-05T18:29:00Z"
    assert "" not in a.paragraphs  # the `<p> </p>` spacer is not a paragraph


# --- BBC ---------------------------------------------------------------------------------------------

def test_bbc_2020_date_only_line_does_not_beat_the_feed_stamp() -> None:
    a = article("bbc-2020.md")
    assert a.dateline == "2020年 7月 20日"
    assert a.published_local == "2020-07-20"
    assert a.published_from == "fed_at"
    assert a.section == "英国"


def test_bbc_2024_byline_list_time_element_and_section_from_slug() -> None:
    a = article("bbc-2024.md")
    assert a.author == "周雨桐"  # the second list item is the outlet, not a person
    assert a.dateline == "2024-06-25"  # the frozen "43 分钟前" is not shown as the date line
    assert a.section == "科学"
    assert not any("分钟前" in p for p in a.paragraphs)


def test_bbc_2021_class_markup_frozen_relative_time_and_bold_lead() -> None:
    a = article("bbc-2021.md")
    assert a.dateline == "2021-01-13"  # not "1 小时前"
    assert a.published_from == "fed_at"
    assert a.lead.startswith("德国、荷兰")
    assert a.section == "国际"


def test_date_only_evidence_wins_when_the_stamp_is_days_later() -> None:
    data = (FIXTURES / "bbc-2020.md").read_bytes().replace(b"<!--1595241918000-->", b"<!--1600000000000-->")
    a = parse(data, "x.md")
    assert a.published == "2020-07-20T00:00:00Z"
    assert a.published_from == "dateline_date; fed_at 54.5 days later"  # after the day ended


# --- NYT ---------------------------------------------------------------------------------------------

def test_nyt_2020_date_line_is_beijing_time_and_repeated_author_is_deduplicated() -> None:
    a = article("nyt-2020.md")
    assert a.author == "Lena Frost"  # the date line sets it in capitals
    assert a.published_local == "2020-07-20T19:22:17+08:00"
    assert a.published == "2020-07-20T11:22:17Z"


def test_nyt_2024_address_and_time_element() -> None:
    a = article("nyt-2024.md")
    assert a.author == "Mika Sato, 王晓明"
    assert a.published == "2024-05-07T03:12:22Z"
    assert a.published_from == "time_element"
    assert a.dateline == "2024年5月7日"
    assert a.section == "亚太"
    assert a.image_url.startswith("https://static01.nyt.com/")


# --- Reuters, FT -------------------------------------------------------------------------------------

def test_reuters_iso_date_line_without_zone_is_utc() -> None:
    a = article("reuters.md")
    assert a.published == "2020-07-20T10:20:18Z"
    assert a.outlet == "reuters"


def test_ft_empty_date_line_is_dropped_and_query_kept() -> None:
    a = article("ft.md")
    assert a.url == "https://cn.ft.com/story/001088000?full=y"
    assert a.dateline == ""
    assert a.published_from == "fed_at"


# --- RFA ---------------------------------------------------------------------------------------------

def test_rfa_credit_line_gives_the_reporter_and_is_removed() -> None:
    a = article("rfa.md")
    assert a.author == "程远"  # "华盛顿报道" is the place, not the name
    assert a.section == "环境"
    assert a.paragraphs[-1].endswith("很快就被淹了。")


# --- CDT ---------------------------------------------------------------------------------------------

def test_cdt_without_stamp_uses_the_date_line_text() -> None:
    a = article("cdt-2020-no-stamp.md")
    assert a.fed_at is None
    assert a.published == "2020-06-27T13:30:55Z"
    assert a.published_from == "date_line_text"
    assert a.url.endswith("/2020/06/%E5%B0%8F%E5%9F%8E%E5%A4%9C%E5%B8%82/")  # escapes upper-cased


def test_cdt_archive_card_gives_author_and_is_removed() -> None:
    a = article("cdt-2025.md")
    assert a.author == "周明远"
    assert a.title == "社区食堂的一天"  # the bracketed category label is not part of the headline
    assert a.title_raw.startswith("【404文库】")
    assert a.paragraphs[0].startswith("清晨六点")


# --- front-matter files (CNA, Economist) ----------------------------------------------------------

def test_front_matter_file_is_traditional_cna() -> None:
    a = article("waimei-cna.md", "waimei-2020/archived/2020-08-03/x.md")
    assert a.outlet == "cna"
    assert a.language == "zh-Hant"
    assert a.author == "林小美"  # from （中央社記者林小美台北3日電）; front matter `author` is the outlet
    assert a.published == "2020-08-03T03:56:47Z"


def test_front_matter_file_in_english_is_the_economist() -> None:
    a = article("waimei-economist.md")
    assert a.outlet == "economist"
    assert a.language == "en"
    assert a.published_from == "fed_at"  # a midnight <time> is a date, not a publication time


def test_front_matter_date_is_used_when_there_is_no_stamp() -> None:
    data = (FIXTURES / "waimei-cna.md").read_bytes().replace(b"<!--1596427007000-->\n", b"")
    a = parse(data, "x.md")
    assert a.fed_at is None
    assert a.published == "2020-08-03T03:56:47Z"
    assert a.published_from == "front_matter"


# --- generic path ------------------------------------------------------------------------------------

def test_unknown_host_goes_through_the_generic_path() -> None:
    a = article("generic-unknown-host.md")
    assert a.outlet == "harbour-news"
    assert a.title == "港口城市举办国际龙舟赛 [图集] (附赛程)"
    assert a.url == "https://www.harbour-news.com.hk/news/2023/11/14/dragon-boat_(final).html"
    assert a.images and a.images[0]["src"] == "https://www.harbour-news.com.hk/images/2023/boat.jpg"
    assert a.published_from == "fed_at"


def test_url_date_is_the_last_resort() -> None:
    data = (FIXTURES / "generic-unknown-host.md").read_bytes().replace(b"<!--1700000000000-->\n", b"")
    a = parse(data, "x.md")
    assert a.published == "2023-11-14T00:00:00Z"
    assert a.published_from == "url"


def test_implausible_stamp_falls_through_to_the_next_evidence() -> None:
    data = (FIXTURES / "generic-unknown-host.md").read_bytes().replace(b"1700000000000", b"9999999999999")
    a = parse(data, "x.md")
    assert a.fed_at is None
    assert a.published_from == "url"


def test_outlet_from_folder_when_the_host_is_unknown() -> None:
    data = (FIXTURES / "generic-unknown-host.md").read_bytes()
    assert parse(data, "oped2-2020/articles/法广/1_x.md").outlet == "rfi"


# --- bytes -------------------------------------------------------------------------------------------

def test_bom_and_crlf_parse_like_the_plain_file() -> None:
    plain = (FIXTURES / "voa.md").read_bytes()
    messy = b"\xef\xbb\xbf" + plain.replace(b"\n", b"\r\n")
    a, b = parse(plain, "a.md"), parse(messy, "b.md")
    assert (a.title, a.url, a.published, a.paragraphs) == (b.title, b.url, b.published, b.paragraphs)
    assert not b.warnings


def test_invalid_utf8_is_replaced_and_reported_as_a_warning() -> None:
    data = (FIXTURES / "voa.md").read_bytes().replace("教育部门".encode(), b"\xff\xfe")
    a = parse(data, "x.md")
    assert a.warnings and "invalid UTF-8" in a.warnings[0]
    assert any("\ufffd" in p for p in a.paragraphs)


# --- failures ----------------------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"", "no [title](url) line"),
        (b"just some text\n", "no [title](url) line"),
        (b"[title](ftp://example.org/x)\n------\n\n<p>text</p>", "not an http(s)"),
        (b"[title](https://example.org/x)\n------\n\n", "empty body"),
        (b"[title](https://example.org/x)\n------\n\n<div></div>", "empty body"),
        (b"---\ntitle: x\n[title](https://example.org/x)\n", "front matter"),
    ],
)
def test_unparseable_files_raise_parse_error_with_a_reason(data: bytes, reason: str) -> None:
    with pytest.raises(ParseError, match=re.escape(reason)):
        parse(data, "x.md")


def test_rfi_newspaper_label_is_not_a_section() -> None:
    title = "世界认识的那个香港，完了！ - 法国世界报"
    assert clean_title(title, "rfi") == (title, "")


def test_title_entities_are_decoded_but_title_raw_keeps_them() -> None:
    quoted = "&quot;投资者&quot;关注".encode()
    data = (FIXTURES / "reuters.md").read_bytes().replace("投资者关注".encode(), quoted)
    a = parse(data, "x.md")
    assert a.title == '亚洲股市周一走高 "投资者"关注企业财报--分析师'
    assert "&quot;" in a.title_raw

"""The outlet registry: URL host first, then folder, then front matter; unknown hosts get a derived code."""

from __future__ import annotations

import pytest

from zhnews.extract.outlets import ALL_OUTLETS, derived_code, outlet_code, outlet_info, strip_title_suffix


@pytest.mark.parametrize(
    ("url", "code"),
    [
        ("http://www.rfi.fr//cn/contenu/x", "rfi"),
        ("https://www.dw.com/zh/x/a-1", "dw"),
        ("https://www.voachinese.com/a/x.html", "voa"),
        ("http://www.bbc.com/zhongwen/simp/world-1", "bbc"),
        ("http://www.bbc.co.uk/zhongwen/simp/china/2014/09/x.shtml", "bbc"),
        ("https://cn.nytimes.com/china/20250212/x/", "nyt"),
        ("https://cn.reuters.com/article/x", "reuters"),
        ("https://cn.ft.com/story/001088621?full=y", "ft"),
        ("https://www.rfa.org/mandarin/x.html", "rfa"),
        ("https://chinadigitaltimes.net/chinese/715531.html", "cdt"),
        ("https://www.cna.com.tw/news/firstnews/1.aspx", "cna"),
        ("https://www.zaobao.com.sg/realtime/china/story1", "zaobao"),
        ("https://www.economist.com/graphic-detail/2020/07/30/x", "economist"),
        ("https://www.rti.org.tw/news/view/id/1", "rti"),
        ("https://www.epochtimes.com/gb/20/7/20/n1.htm", "epochtimes"),
        ("https://www.solidot.org/story?sid=1", "solidot"),
    ],
)
def test_the_url_host_decides_the_outlet(url: str, code: str) -> None:
    assert outlet_code(url) == code


def test_the_host_beats_the_folder_and_the_front_matter() -> None:
    assert outlet_code("https://www.dw.com/zh/x", ["法广"], {"author": "BBC"}) == "dw"


def test_folder_then_front_matter_decide_when_the_host_is_unknown() -> None:
    assert outlet_code("https://mirror.example/x", ["oped2-2020", "articles", "德国之声"]) == "dw"
    assert outlet_code("https://mirror.example/x", ["news", "articles", "voa"]) == "voa"
    assert outlet_code("https://mirror.example/x", [], {"author": "经济学人en"}) == "economist"
    assert outlet_code("https://mirror.example/x", [], {"categories": ["(臺)中央社CNA"]}) == "cna"


@pytest.mark.parametrize(
    ("host", "code"),
    [
        ("www.zaobao.com.sg", "zaobao"),
        ("news.example.co.uk", "example"),
        ("m.harbour-news.com.hk", "harbour-news"),
        ("wqw2010.blogspot.com", "wqw2010"),
        ("localhost", "localhost"),
        ("127.0.0.1", "unknown"),
        ("", "unknown"),
    ],
)
def test_unknown_hosts_get_a_code_derived_from_the_host(host: str, code: str) -> None:
    assert derived_code(host) == code


def test_an_unknown_host_never_fails_and_has_usable_info() -> None:
    code = outlet_code("https://www.some-new-outlet.org/a/1")
    assert code == "some-new-outlet"
    info = outlet_info(code)
    assert info.code == code and info.name == code and not info.known


def test_registry_entries_are_complete_and_codes_unique() -> None:
    codes = [o.code for o in ALL_OUTLETS]
    assert len(codes) == len(set(codes))
    for outlet in ALL_OUTLETS:
        assert outlet.name and outlet.name_en and outlet.homepage.startswith("https://") and outlet.hosts
    assert outlet_info("rfi").name == "法国国际广播电台 RFI"
    assert outlet_info("cna").name == "中央社 CNA"


@pytest.mark.parametrize(
    ("title", "code", "expected"),
    [
        ("疫情冲击足坛 – 法国国际广播电台 - RFI", "rfi", "疫情冲击足坛"),
        ("某新闻 - FT中文网", "ft", "某新闻"),
        ("某新闻 - BBC News 中文", "bbc", "某新闻"),
        ("某新闻 | 中央社 CNA", "cna", "某新闻"),
        ("RFI", "rfi", "RFI"),  # never strips a title down to nothing
        ("某新闻 - RFI", "dw", "某新闻 - RFI"),  # only the outlet's own branding
    ],
)
def test_title_suffixes_are_the_outlets_own_branding(title: str, code: str, expected: str) -> None:
    assert strip_title_suffix(title, code) == expected


@pytest.mark.parametrize(
    ("title", "code", "expected"),
    [
        ("某新闻 | 联合早报网", "zaobao", "某新闻"),
        ("某新闻 - 大紀元", "epochtimes", "某新闻"),
        ("某新聞 | RTI 中央廣播電臺", "rti", "某新聞"),
    ],
)
def test_suffixes_of_outlets_outside_the_sample(title: str, code: str, expected: str) -> None:
    assert strip_title_suffix(title, code) == expected

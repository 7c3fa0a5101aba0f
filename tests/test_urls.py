"""canonical_url(): equal articles get equal URL strings; absolute_url(): links and images made absolute."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from zhnews.extract.urls import absolute_url, canonical_url

RFI = "https://www.rfi.fr/cn/contenu/20200720-%E7%96%AB%E6%83%85"


@pytest.mark.parametrize(
    "variant",
    [
        "http://www.rfi.fr//cn/contenu/20200720-%E7%96%AB%E6%83%85",
        "https://www.rfi.fr/cn/contenu/20200720-%e7%96%ab%e6%83%85",
        "https://www.rfi.fr/cn/contenu/20200720-疫情",
        "https://WWW.RFI.FR:443/cn/contenu/20200720-%E7%96%AB%E6%83%85#comments",
        "https://www.rfi.fr/cn/contenu/20200720-%E7%96%AB%E6%83%85?utm_source=rss&utm_medium=feed",
        "  http://www.rfi.fr:80///cn//contenu/20200720-%E7%96%AB%E6%83%85  ",
    ],
)
def test_capture_variants_of_one_article_share_one_canonical_url(variant: str) -> None:
    assert canonical_url(variant) == RFI


def test_ordinary_query_parameters_are_kept_and_tracking_ones_dropped() -> None:
    assert canonical_url("https://cn.ft.com/story/001088621?full=y") == "https://cn.ft.com/story/001088621?full=y"
    assert canonical_url("https://a.b/x?id=3&utm_campaign=z&fbclid=q") == "https://a.b/x?id=3"


def test_escapes_of_unreserved_characters_are_decoded_and_a_lone_percent_escaped() -> None:
    assert canonical_url("https://a.b/%7Euser/%41") == "https://a.b/~user/A"
    assert canonical_url("https://a.b/100%") == "https://a.b/100%25"


def test_a_nested_url_in_the_path_keeps_its_double_slash() -> None:
    nested = "https://web.archive.org/web/2020/https://www.example.org/a"
    assert canonical_url(nested.replace("/web/", "//web/")) == nested


def test_absolute_url_never_rewrites_the_path() -> None:
    thumb = "https://thumbor.example/unsafe/1340x754/https://thumbor.example/unsafe/picture/1.jpg"
    assert absolute_url(thumb, "https://cn.ft.com/story/1") == thumb


def test_parentheses_in_paths_survive() -> None:
    assert canonical_url("https://a.b/x_(y).html") == "https://a.b/x_(y).html"


def test_empty_path_becomes_slash_and_odd_port_is_kept() -> None:
    assert canonical_url("http://a.b") == "https://a.b/"
    assert canonical_url("http://a.b:8080/x") == "https://a.b:8080/x"


BAD = ["ftp://a.b/x", "mailto:x@a.b", "not a url", "https:///x", "http://[::1/x", ""]


@pytest.mark.parametrize("bad", BAD)
def test_non_http_urls_are_rejected_with_value_error(bad: str) -> None:
    with pytest.raises(ValueError):
        canonical_url(bad)


def test_canonical_url_is_idempotent() -> None:
    once = canonical_url("http://www.dw.com//zh/%e5%be%b7 %E5%9B%BD/a-1?b=%E4%B8%AD#x")
    assert canonical_url(once) == once


@pytest.mark.parametrize(
    ("href", "expected"),
    [
        ("/images/a.jpg", "https://www.example.org/images/a.jpg"),
        ("//cdn.example.org/a.jpg", "https://cdn.example.org/a.jpg"),
        ("http://x.y/a.jpg", "https://x.y/a.jpg"),
        ("b.jpg", "https://www.example.org/news/b.jpg"),
        ("javascript:void(0)", ""),
        ("data:image/svg+xml,abc", ""),
        ("", ""),
    ],
)
def test_absolute_url_resolves_against_the_article_and_upgrades_to_https(href: str, expected: str) -> None:
    assert absolute_url(href, "https://www.example.org/news/a.html") == expected


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=80))
def test_canonical_url_raises_only_value_error_and_is_idempotent(tail: str) -> None:
    for raw in (tail, f"http://www.example.org/{tail}", f"https://a.b//{tail}?utm_x=1&{tail}#{tail}"):
        try:
            once = canonical_url(raw)
        except ValueError:
            continue
        assert once.startswith("https://") and "#" not in once
        assert canonical_url(once) == once


def test_a_link_with_the_sites_host_glued_before_an_absolute_url_is_that_url() -> None:
    assert absolute_url("https://www.example.comhttps://itunes.example.org/podcast/1") == (
        "https://itunes.example.org/podcast/1")
    assert absolute_url("https://web.archive.org/web/2020/https://a.example.org/x") == (
        "https://web.archive.org/web/2020/https://a.example.org/x")

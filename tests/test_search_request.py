"""The search page's parameters (zhnews.app.search_request): what is accepted, what is a 400 and why, and
how the articles table's search box is translated to the search page."""

from __future__ import annotations

from datetime import date
from urllib.parse import parse_qs

import pytest

from zhnews.app.search_request import BadRequest, SearchRequest, parse_request, search_page_params


def parse(query: str) -> SearchRequest:
    return parse_request(parse_qs(query, keep_blank_values=True))


def test_a_full_request_reads_every_parameter() -> None:
    request = parse("q=新疆&q=西藏&sort=newest&outlet=rfi&outlet=dw&section=国际&author=张三&language=zh-Hant"
                    "&since=2021-01-05&until=2021-03-31&in=title&after=123&size=50&norm=1")
    assert request.queries == ("新疆", "西藏") and request.compare and request.query == "新疆"
    assert (request.sort, request.outlets, request.sections, request.authors, request.languages) == (
        "newest", ("rfi", "dw"), ("国际",), ("张三",), ("zh-Hant",))
    assert (request.since, request.until) == (date(2021, 1, 5), date(2021, 3, 31))
    assert request.titles_only and request.after == "123" and request.size == 50 and request.per_thousand
    assert [s.query for s in request.searches()] == ["新疆", "西藏"]
    assert all(s.outlets == ("rfi", "dw") and s.titles_only for s in request.searches())


def test_blank_values_are_absent_and_the_defaults_hold() -> None:
    request = parse("q=台湾&outlet=&since=&sort=&size=")
    assert request == SearchRequest(("台湾",))
    assert parse("").queries == ()


@pytest.mark.parametrize(("query", "names"), [
    ("sort=best", "sort"), ("since=2021-02-30", "since"), ("until=2021/01/01", "until"), ("size=0", "size"),
    ("size=101", "size"), ("size=ten", "size"), ("norm=yes", "norm"), ("in=lead", "in"),
    ("after=abc", "after"), ("sort=newest&after=-1.5:7", "after"), ("q=a&q=b&q=c&q=d&q=e", "compare"),
    ("outlet=" + "x" * 501, "outlet"), ("section=a%00b", "section"), ("sort=newest&sort=oldest", "sort"),
    ("q=" + "台" * 2001, "q"), ("&".join(["outlet=x"] * 51), "outlet"),
])
def test_malformed_parameters_say_which_and_why(query: str, names: str) -> None:
    with pytest.raises(BadRequest, match=names):
        parse(query)


def test_a_query_may_hold_control_characters_the_rewrite_ignores() -> None:
    assert parse("q=台%00湾").query == "台\x00湾"


def test_urls_keep_the_request_and_change_what_is_asked() -> None:
    request = parse("q=台湾&outlet=rfi&sort=newest&after=99")
    assert request.url("/news/search") == "/news/search?q=%E5%8F%B0%E6%B9%BE&sort=newest&outlet=rfi"
    assert "after=5" in request.url("/news/search", after="5")
    widened = parse_qs(request.toggle_outlet("/news/search", "rfi").split("?", 1)[1])
    assert "outlet" not in widened
    narrowed = parse_qs(request.toggle_outlet("/news/search", "dw").split("?", 1)[1])
    assert narrowed["outlet"] == ["rfi", "dw"]
    compared = parse("q=新疆&q=西藏&q=香港")
    assert parse_qs(compared.led_by("/s", "西藏").split("?", 1)[1])["q"] == ["西藏", "新疆", "香港"]
    assert parse_qs(parse("q=x&since=2020-01-01&in=title").unfiltered("/s").split("?", 1)[1]) == {"q": ["x"]}


@pytest.mark.parametrize(("table", "page"), [
    ("_search=台湾", "q=台湾"),
    ("_search=台湾&outlet=rfi&_facet=section&_size=50", "q=台湾&outlet=rfi"),
    ("_search=台湾&outlet__in=rfi,dw&language__exact=zh-Hant",
     "q=台湾&outlet=rfi&outlet=dw&language=zh-Hant"),
    ("_search_title=台湾&published_month=2020-02", "q=台湾&in=title&since=2020-02-01&until=2020-02-29"),
    ("_search=台湾&_sort_desc=published", "q=台湾&sort=newest"),
])
def test_the_table_search_box_maps_to_the_search_page(table: str, page: str) -> None:
    pairs = [tuple(p.split("=", 1)) for p in table.split("&")]
    expected = [tuple(p.split("=", 1)) for p in page.split("&")]
    assert search_page_params(pairs) == expected


@pytest.mark.parametrize("table", [
    "outlet=rfi", "_search=", "_search=台湾&char_count__gt=100", "_search=台湾&_search_title=香港",
    "_search_lead=台湾", "_search=台湾&published_month=2020-13", "_search=台湾&_where=1",
])
def test_what_the_search_page_cannot_express_stays_on_the_table(table: str) -> None:
    assert search_page_params([tuple(p.split("=", 1)) for p in table.split("&")]) is None

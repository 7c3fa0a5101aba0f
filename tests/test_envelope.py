"""envelope.split(): cutting an archive file into front matter, stamp, title, URL, 日期 line and HTML."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from zhnews.article import ParseError
from zhnews.extract.envelope import decode, split, split_title_line

PLAIN = "<!--1595241918000-->\n[标题](https://example.org/a)\n------\n\n<p>正文</p>\n".encode()


def test_plain_file_is_cut_into_stamp_title_url_and_html() -> None:
    env = split(PLAIN)
    assert env.stamp_ms == 1595241918000
    assert (env.title_raw, env.url_raw) == ("标题", "https://example.org/a")
    assert env.html == "<p>正文</p>"
    assert env.front_matter == {} and env.date_text == "" and env.warnings == []


def test_bom_and_crlf_are_invisible() -> None:
    env = split(b"\xef\xbb\xbf" + PLAIN.replace(b"\n", b"\r\n"))
    assert (env.stamp_ms, env.title_raw, env.html) == (1595241918000, "标题", "<p>正文</p>")
    assert "\r" not in env.html


def test_invalid_bytes_are_replaced_and_counted() -> None:
    text, warnings = decode(b"ok \xff\xfe ok \xef\xbf\xbd")
    assert text.count("\ufffd") == 3  # two replaced bytes + one genuine U+FFFD
    assert warnings == ["invalid UTF-8: 2 byte sequence(s) replaced"]


def test_missing_stamp_and_a_cdt_date_line() -> None:
    data = "[题](https://example.org/b)\n------\n日期：Sat, 27 Jun 2020 13:30:55 +0000\n\n<p>x</p>"
    env = split(data.encode())
    assert env.stamp_ms is None
    assert env.date_text == "Sat, 27 Jun 2020 13:30:55 +0000"
    assert env.html == "<p>x</p>"


def test_front_matter_is_read_and_its_div_wrapper_removed() -> None:
    data = (
        '---\nlayout: post\ntitle: "一个标题"\ndate: 2020-08-03T03:56:47.000Z\nauthor: (臺)中央社CNA\n'
        "from: https://www.cna.com.tw/news/x.aspx\ntags: [ (臺)中央社CNA ]\n"
        "categories: [ (臺)中央社CNA ]\n---\n"
        "<!--1596427007000-->\n[一个标题](https://www.cna.com.tw/news/x.aspx)\n------\n\n<div>\n<p>正文</p>\n</div>\n"
    ).encode()
    env = split(data)
    assert env.front_matter["author"] == "(臺)中央社CNA"
    assert env.front_matter["categories"] == ["(臺)中央社CNA"]
    assert env.front_matter["date"].startswith("2020-08-03T03:56:47")
    assert env.html == "<p>正文</p>"


def test_broken_yaml_front_matter_is_read_line_by_line() -> None:
    data = '---\ntitle: "他说"好"\nauthor: BBC\ncategories: [ BBC ]\n---\n[t](https://a.b/c)\n------\n\n<p>x</p>'
    env = split(data.encode())
    assert env.front_matter["author"] == "BBC"
    assert env.front_matter["categories"] == ["BBC"]


def test_unclosed_front_matter_is_a_parse_error() -> None:
    with pytest.raises(ParseError, match="never closed"):
        split(b"---\ntitle: x\n[t](https://a.b/c)\n------\n")


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("[标题](https://a.b/c)", ("标题", "https://a.b/c")),
        ("[【图集】标题 [多图]](https://a.b/c)", ("【图集】标题 [多图]", "https://a.b/c")),
        ("[标题（上）(续)](https://a.b/c_(d))", ("标题（上）(续)", "https://a.b/c_(d)")),
        ("[a](b) [c](https://a.b/c)", ("a](b) [c", "https://a.b/c")),
        ("[](https://a.b/c)", ("", "https://a.b/c")),
        ("[t](//a.b/c)", ("t", "//a.b/c")),
    ],
)
def test_title_line_split_allows_brackets_in_titles_and_parentheses_in_urls(
    line: str, expected: tuple[str, str]
) -> None:
    assert split_title_line(line) == expected


@pytest.mark.parametrize("line", ["标题", "[标题]", "[标题](not a url)", "(https://a.b/c)", "[t](https://a.b/c"])
def test_lines_that_are_not_title_lines(line: str) -> None:
    assert split_title_line(line) is None


def test_no_header_is_a_parse_error_with_what_was_found() -> None:
    with pytest.raises(ParseError, match="no \\[title\\]\\(url\\) line: found '<p>hello</p>'"):
        split(b"<p>hello</p>")


def test_front_matter_names_the_article_when_the_title_line_is_missing_or_empty() -> None:
    head = '---\ntitle: "前置标题"\nfrom: https://www.bbc.com/zhongwen/simp/world-1\n---\n'
    env = split((head + "<!--1595812653000-->\n\n<div>\n<p>正文</p>\n</div>").encode())
    assert (env.title_raw, env.html) == ("前置标题", "<p>正文</p>")
    assert env.url_raw == "https://www.bbc.com/zhongwen/simp/world-1"
    env = split((head + "[](https://www.bbc.com/zhongwen/simp/world-1)\n------\n\n<p>x</p>").encode())
    assert env.title_raw == "前置标题"


@given(
    st.text(min_size=1, max_size=40).filter(lambda t: "\n" not in t and "\r" not in t and "](" not in t),
    st.from_regex(r"https?://[a-z]{1,8}\.[a-z]{2,3}/[A-Za-z0-9_()%/.-]{0,30}", fullmatch=True),
)
def test_any_title_and_url_round_trip_through_the_title_line(title: str, url: str) -> None:
    assert split_title_line(f"[{title}]({url})") == (title, url)

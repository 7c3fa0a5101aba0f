"""sanitise_html: the allowlist that makes stored or hand-edited HTML safe to render in the reader view.

Every assertion is on the PARSED output (what a browser would build), never on substrings alone.
"""

from __future__ import annotations

import warnings

import pytest
from bs4 import BeautifulSoup, MarkupResemblesLocatorWarning
from hypothesis import given, settings
from hypothesis import strategies as st

from zhnews.extract.sanitise import ATTRIBUTES, TAGS, sanitise_html

BASE = "https://www.rfi.fr/cn/国际/20240101-example"


def dom(html: str) -> BeautifulSoup:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", MarkupResemblesLocatorWarning)
        return BeautifulSoup(html, "html.parser")


def assert_safe(html: str) -> None:
    """The invariants of every output: allowlisted tags and attributes, https URLs, safe rel and img attrs."""
    soup = dom(html)
    for tag in soup.find_all(True):
        assert tag.name in TAGS, tag
        added = {"a": {"rel"}, "img": {"referrerpolicy", "loading"}}.get(tag.name, set())
        allowed = set(ATTRIBUTES.get(tag.name, ())) | added
        assert set(tag.attrs) <= allowed, tag
        for attr in ("href", "src"):
            if attr in tag.attrs:
                assert tag[attr].startswith("https://"), tag
        if tag.name == "a":
            assert set(tag["rel"]) == {"noopener", "noreferrer", "nofollow"}
        if tag.name == "img":
            assert tag["referrerpolicy"] == "no-referrer" and tag["loading"] == "lazy"


def test_allowed_structure_survives() -> None:
    html = (
        "<h2>标题</h2><p>段落<strong>粗</strong><em>斜</em><b>b</b><i>i</i><br></p>"
        "<blockquote><p>引语</p></blockquote><ul><li>一</li></ul><ol><li>二</li></ol>"
        '<figure><img src="https://a.example/x.jpg" alt="图"><figcaption>说明</figcaption></figure>'
        "<h3>三</h3><h4>四</h4>"
    )
    out = dom(sanitise_html(html, BASE))
    assert [t.name for t in out.find_all(True)] == [
        "h2", "p", "strong", "em", "b", "i", "br", "blockquote", "p", "ul", "li", "ol", "li",
        "figure", "img", "figcaption", "h3", "h4",
    ]  # fmt: skip
    assert out.get_text() == "标题段落粗斜bi引语一二说明三四"


@pytest.mark.parametrize(
    "html",
    [
        "<script>alert(1)</script>",
        "<SCRIPT SRC=//evil.example/x.js></SCRIPT>",
        "<style>body{background:url(javascript:alert(1))}</style>",
        "<iframe src='https://evil.example'></iframe>",
        "<iframe srcdoc='<script>alert(1)</script>'></iframe>",
        "<svg onload=alert(1)><script>alert(1)</script></svg>",
        "<math><mtext><script>alert(1)</script></mtext></math>",
        "<object data='javascript:alert(1)'></object><embed src='javascript:alert(1)'>",
        "<noscript><p title='</noscript><img src=x onerror=alert(1)>'></noscript>",
        "<template><script>alert(1)</script></template>",
        "<!--<script>alert(1)</script>-->",
        "<textarea><script>alert(1)</script></textarea>",
    ],
)
def test_script_bearing_elements_go_with_their_content(html: str) -> None:
    out = sanitise_html(f"<p>前</p>{html}<p>后</p>", BASE)
    assert_safe(out)
    soup = dom(out)
    assert (
        soup.find(["script", "style", "iframe", "svg", "math", "object", "embed", "noscript", "template"])
        is None
    )
    assert "alert" not in soup.get_text()


def test_a_split_script_tag_leaves_only_inert_text() -> None:
    out = sanitise_html("<p>前</p><scr<script>ipt>alert(1)</script><p>后</p>", BASE)
    assert_safe(out)
    assert dom(out).find("script") is None  # what is left ("ipt>…") is escaped text, not markup
    assert "<script" not in out


@pytest.mark.parametrize(
    "href",
    [
        "javascript:alert(1)",
        "JaVaScRiPt:alert(1)",
        "  javascript:alert(1)",
        "java\tscript:alert(1)",
        "java\nscript:alert(1)",
        "jav&#x09;ascript:alert(1)",
        "&#106;avascript:alert(1)",
        "&#x6A;&#x61;&#x76;&#x61;&#x73;&#x63;&#x72;&#x69;&#x70;&#x74;&#x3A;alert(1)",
        "javascript&colon;alert(1)",
        "vbscript:msgbox(1)",
        "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
        "file:///etc/passwd",
        "mailto:a@example.org",
        "",
    ],
)
def test_links_that_are_not_web_urls_lose_their_href(href: str) -> None:
    out = sanitise_html(f'<p><a href="{href}">点我</a></p>', BASE)
    assert_safe(out)
    link = dom(out).find("a")
    assert link is not None and "href" not in link.attrs
    assert link.get_text() == "点我"


@pytest.mark.parametrize(
    "src",
    ["javascript:alert(1)", "data:image/svg+xml;base64,PHN2Zz48L3N2Zz4=", "data:image/png;base64,AAAA", " "],
)
def test_images_with_unsafe_sources_lose_their_src(src: str) -> None:
    out = sanitise_html(f'<img src="{src}" onerror="alert(1)">', BASE)
    assert_safe(out)
    assert "src" not in dom(out).find("img").attrs


def test_event_handlers_style_class_id_and_unknown_attributes_are_removed() -> None:
    html = (
        '<p onclick="alert(1)" style="color:red" class="x" id="y" data-x="1">文'
        '<img src="/a.jpg" onerror="alert(1)" onload="alert(2)" width="100" srcset="javascript:x 1x">'
        '<a href="/b" onmouseover="alert(3)" target="_blank" rel="opener">链</a></p>'
    )
    out = sanitise_html(html, BASE)
    assert_safe(out)
    p = dom(out).find("p")
    assert p.attrs == {}


def test_relative_and_http_urls_become_absolute_https() -> None:
    html = (
        '<a href="/cn/x">a</a><a href="//cdn.example.org/y">b</a><a href="http://old.example.org/z">c</a>'
        '<img src="p.jpg">'
    )
    out = dom(sanitise_html(html, BASE))
    assert [a["href"] for a in out.find_all("a")] == [
        "https://www.rfi.fr/cn/x",
        "https://cdn.example.org/y",
        "https://old.example.org/z",
    ]
    assert out.find("img")["src"] == "https://www.rfi.fr/cn/%E5%9B%BD%E9%99%85/p.jpg" or out.find("img")[
        "src"
    ].startswith("https://www.rfi.fr/cn/")


def test_spaces_inside_a_url_are_encoded_and_tabs_newlines_dropped_like_a_browser() -> None:
    out = dom(sanitise_html('<img src=" /photos/a b.jpg "><a href="https://a.example/x\ny">l</a>', BASE))
    assert out.find("img")["src"] == "https://www.rfi.fr/photos/a%20b.jpg"
    assert out.find("a")["href"] == "https://a.example/xy"


def test_links_get_safe_rel_even_when_they_bring_their_own() -> None:
    out = dom(sanitise_html('<a href="https://a.example/" rel="opener">x</a>', BASE))
    assert set(out.a["rel"]) == {"noopener", "noreferrer", "nofollow"}


def test_forms_meta_base_and_link_tags_are_removed() -> None:
    html = (
        '<base href="https://evil.example/"><meta http-equiv="refresh" content="0;url=javascript:alert(1)">'
        '<link rel="stylesheet" href="https://evil.example/x.css"><form action="javascript:alert(1)">'
        '<input value="x"><button>按</button></form><p>正文</p>'
    )
    out = sanitise_html(html, BASE)
    assert_safe(out)
    assert dom(out).get_text() == "正文"


def test_entities_stay_text_and_never_become_markup() -> None:
    out = sanitise_html("<p>&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;引号&quot;</p>", BASE)
    soup = dom(out)
    assert soup.find("script") is None
    assert soup.get_text() == '<script>alert(1)</script> & "引号"'


def test_output_is_byte_stable_from_call_to_call() -> None:
    html = "".join(f'<p>{i}<img src="/{i}.jpg" alt="图{i}"></p>' for i in range(20))
    assert len({sanitise_html(html, BASE) for _ in range(30)}) == 1


def test_sanitising_twice_changes_nothing() -> None:
    html = '<p onclick=x>文<a href="/a">链</a><img src="//c.example/i.jpg"><script>x</script></p>'
    once = sanitise_html(html, BASE)
    assert sanitise_html(once, BASE) == once


def test_without_base_url_relative_links_are_dropped_not_guessed() -> None:
    out = dom(sanitise_html('<a href="/x">a</a><a href="https://ok.example/">b</a>', ""))
    assert [a.get("href") for a in out.find_all("a")] == [None, "https://ok.example/"]


_PIECES = st.sampled_from(
    [
        "<p>", "</p>", "<a href='", "javascript:", "'>", "</a>", "<img src=", "x onerror=alert(1)", ">",
        "<script>", "</script>", "<svg>", "<style>", "<iframe>", "&#x6A;", "&lt;", "&", "\"", "'", "<!--",
        "-->", "data:", "//evil.example/", "http://", "<b>", "<math>", "<noscript>", "中文", " ", "=", "/",
        "<form>", "<embed src=", "<object data=", "<body onload=alert(1)>", "<base href=", "\t", "\n",
    ]
)  # fmt: skip


@settings(max_examples=400, deadline=None)
@given(st.lists(_PIECES, max_size=30).map("".join))
def test_any_mix_of_hostile_fragments_comes_out_safe(html: str) -> None:
    out = sanitise_html(html, BASE)
    assert_safe(out)
    assert (
        dom(out).find(["script", "style", "iframe", "svg", "math", "form", "embed", "object", "base"]) is None
    )


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=200))
def test_any_text_comes_out_safe(html: str) -> None:
    assert_safe(sanitise_html(html, BASE))

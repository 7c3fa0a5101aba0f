"""make_soup() is an optimisation of `BeautifulSoup(markup, "lxml")`, never a different parser.

It reuses one builder per thread and skips bs4 passes that plain HTML never needs (extract.parser); these
tests pin it to the tree bs4 itself builds, on real files and on hostile fragments, so a bs4 upgrade that
changes the internals it relies on fails here rather than silently changing articles.
"""

from __future__ import annotations

from pathlib import Path

from bs4 import BeautifulSoup
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.conftest import corpus_files
from zhnews.article import ParseError
from zhnews.extract.envelope import split
from zhnews.extract.parser import make_soup

ODD_MARKUP = [
    "",
    "<p class='a b' rel='x y'>多值属性</p>",
    "<svg xmlns='http://www.w3.org/2000/svg'><a xlink:href='#x'>矢量</a></svg>",
    "<?xml version='1.0'?><html xmlns:o='urn:x'><o:p>命名空间</o:p></html>",
    "<div>" * 300 + "深" + "</div>" * 300,
    "<p>未闭合<b>标签<i>嵌套</p>",
    "<script>if (a < b) {}</script><style>p{}</style><!-- 注释 --><![CDATA[x]]>",
]


def _same(markup: str) -> None:
    assert make_soup(markup).decode() == BeautifulSoup(markup, "lxml").decode()


def test_odd_markup_gives_the_tree_bs4_builds() -> None:
    for markup in ODD_MARKUP:
        _same(markup)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(["<p>", "</p>", "<a href='x'>", "</a>", "<img src=y>", "<br>", "文", " ",
                                 "<div class='c d'>", "</div>", "&amp;", "<o:p>", "<svg>", "</svg>", "<"]),
                max_size=40).map("".join))
def test_random_markup_gives_the_tree_bs4_builds(markup: str) -> None:
    _same(markup)


def test_every_corpus_file_gives_the_tree_bs4_builds(corpus: Path) -> None:
    files = corpus_files(corpus)[::7]  # a spread of every outlet and year; the whole corpus takes too long
    for path in files:
        try:
            html = split(path.read_bytes()).html
        except ParseError:  # files without an envelope are the parser tests' business
            continue
        _same(html)

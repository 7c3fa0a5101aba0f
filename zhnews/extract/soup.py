"""bs4 + lxml parsing of article HTML, built lean: `make_soup(markup)` is `BeautifulSoup(markup, "lxml")`.

A module of its own because it is an optimisation with its own rules (a reused lxml parser per thread, a
builder without namespace bookkeeping), and tests/test_soup.py holds it to building the same tree.
"""

from __future__ import annotations

import threading
import warnings
from typing import Any

from bs4 import BeautifulSoup, MarkupResemblesLocatorWarning, Tag, XMLParsedAsHTMLWarning
from bs4.builder import LXMLTreeBuilder

warnings.filterwarnings("ignore", category=MarkupResemblesLocatorWarning)
warnings.filterwarnings("ignore", category=XMLParsedAsHTMLWarning)


class _HtmlBuilder(LXMLTreeBuilder):
    """bs4's lxml HTML builder without its namespace bookkeeping for plain HTML elements.

    WHY: building the soup is a third of a build's CPU, and bs4's `start`/`end` spend a good part of it
    copying every attribute dict twice and looking for XML namespaces, which lxml's HTML parser never
    reports. Elements that do carry one (a `{uri}name` tag or attribute, or a namespace map in scope) go
    through bs4's own code, so the tree is the same as `BeautifulSoup(html, "lxml")` builds (the
    corpus parse is byte-identical).
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.kept_parser: Any = None  # reused: making an lxml parser inspects `start` (getfullargspec)
        # Every attribute name bs4 splits into a list somewhere (class, rel, headers...).
        self.list_attribute_names = frozenset().union(*self.cdata_list_attributes.values())

    def _replace_cdata_list_attribute_values(self, tag_name: str, attrs: Any) -> Any:
        if not attrs or self.list_attribute_names.isdisjoint(attrs):
            return attrs  # nothing to split: skip bs4's per-attribute loop
        return super()._replace_cdata_list_attribute_values(tag_name, attrs)

    def parser_for(self, encoding: Any) -> Any:
        if encoding is not None:  # bs4's retry of markup lxml rejected as str: a fresh parser, as bs4 does
            return super().parser_for(encoding)
        if self.kept_parser is None:  # not `self.parser`: bs4 assigns that one in feed()
            self.kept_parser = super().parser_for(None)
        return self.kept_parser

    def start(self, tag: Any, attrib: Any, nsmap: Any = {}) -> None:  # noqa: B006 (bs4/lxml signature)
        attrs = self.attribute_dict_class(attrib)
        if nsmap or len(self.nsmaps) > 1 or tag[:1] == "{" or (attrs and "{" in "".join(attrs)):
            super().start(tag, attrib, nsmap)
            return
        self.soup.handle_starttag(  # type: ignore[union-attr]
            tag, None, None, attrs, namespaces=self.active_namespace_prefixes[-1]
        )

    def end(self, tag: Any) -> None:
        if len(self.nsmaps) > 1 or tag[:1] == "{":
            super().end(tag)
            return
        self.soup.endData()  # type: ignore[union-attr]
        self.soup.handle_endtag(tag, None)  # type: ignore[union-attr]


_LOCAL = threading.local()


def make_soup(markup: str) -> BeautifulSoup:
    """`BeautifulSoup(markup, "lxml")`, with this thread's builder and lxml parser reused from the last call.

    WHY: a new lxml parser with a Python target costs a signature inspection, ~4% of a soup. The builder
    is taken out while in use and put back only after a complete parse, so a failed parse (which may leave
    the lxml parser mid-document) never lends its parser to the next one.
    """
    builder = getattr(_LOCAL, "builder", None) or _HtmlBuilder()
    _LOCAL.builder = None
    soup = BeautifulSoup(markup, builder=builder)
    _LOCAL.builder = builder
    return soup


def _html_child(soup: BeautifulSoup, name: str) -> Tag | None:
    """`<html>`'s child element `name`, found by walking two levels: `soup.body` is a find(), whose filter
    machinery costs more than a whole small page's walk."""
    for html in soup.contents:
        if type(html) is Tag and html.name == "html":
            for child in html.contents:
                if type(child) is Tag and child.name == name:
                    return child
    return None


def head_element(soup: BeautifulSoup) -> Tag | None:
    """The <head> lxml creates when the markup opens with head content (`<meta>`, a leading `<script>`)."""
    return _html_child(soup, "head")


def body_element(soup: BeautifulSoup) -> Tag:
    """The <body> lxml always creates (else the soup)."""
    return _html_child(soup, "body") or soup

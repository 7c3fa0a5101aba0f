"""parse(bytes, source) -> Article: the one entry point from an archive file to a clean record.

Order: envelope (bytes -> header + HTML), outlet, canonical URL, title; the HTML is parsed ONCE with
bs4 + lxml (what BeautifulSoup(html, "lxml") builds, through the leaner _HtmlBuilder); meta.extract()
takes the date line / byline nodes out of the soup, then the body extractor reads what is left. Only
ParseError leaves this function: any other exception from a library on hostile input is converted, so
one bad file can never stop a build.
"""

from __future__ import annotations

import html
import re
import threading
import warnings
from pathlib import PurePosixPath
from typing import Any

from bs4 import BeautifulSoup, MarkupResemblesLocatorWarning, XMLParsedAsHTMLWarning
from bs4.builder import LXMLTreeBuilder

from zhnews.article import Article, ParseError
from zhnews.extract import dates, envelope, meta
from zhnews.extract.body import extract_body
from zhnews.extract.language import detect_language
from zhnews.extract.outlets import outlet_code, strip_title_suffix
from zhnews.extract.urls import canonical_url
from zhnews.text import HAN, char_count, clean_line

warnings.filterwarnings("ignore", category=MarkupResemblesLocatorWarning)
warnings.filterwarnings("ignore", category=XMLParsedAsHTMLWarning)

# RFI appends a programme or press-review label to some titles (`… - 法国报纸摘要`, `… - 法国世界报`).
_RFI_LABEL = re.compile(f"\\s+[-–—]\\s+([{HAN}]{{2,6}})$")  # programme names are short
# Bounded work per file. The largest of the 2,618 real files is 89 KB with ~1,500 tags; the bounds are far
# above any real article, and keep a hostile file to ~1 s and ~100 MB of parsing (a million <p> took 47 s
# and ~1.9 GB before).
MAX_FILE_BYTES = 20_000_000  # read no more of a file (the build checks it before reading: outcome.py)
MAX_TAGS = 50_000  # `<` in the HTML: an upper bound of its elements, counted before parsing


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


def _folders(source: str) -> list[str]:
    """Folder names of the source path (outer to inner): evidence for the outlet after the URL host."""
    return list(PurePosixPath(source.replace("\\", "/")).parts[:-1])


def clean_title(title_raw: str, outlet: str) -> tuple[str, str]:
    """(title, label): entities decoded (`&quot;`), whitespace-normalised, outlet branding removed;
    `label` is an RFI programme name.

    RFI rule (documented choice): ` – 法国国际广播电台 - RFI` is branding and goes. A trailing
    programme label (` - 要闻分析`, ` - 法国报纸摘要`) is not part of the headline: it is returned as
    `label` (used as the section when the URL has none) and removed. A press-review label that names a
    newspaper (ends in 报: ` - 法国世界报`) says whose words the headline quotes, so it stays.
    """
    title = strip_title_suffix(clean_line(html.unescape(title_raw)), outlet)
    label = ""
    if outlet == "rfi" and (m := _RFI_LABEL.search(title)) and not m.group(1).endswith("报"):
        head = title[: m.start()].strip()
        if head:
            title, label = head, m.group(1)
    return title, label


def _first_date_text(front_matter: dict[str, Any]) -> str:
    value = front_matter.get("date")
    return value if isinstance(value, str) else ""


def _parse(data: bytes, source: str) -> Article:
    if len(data) > MAX_FILE_BYTES:
        raise ParseError(f"file too large ({len(data)} bytes)")
    env = envelope.split(data)
    if (tags := env.html.count("<")) > MAX_TAGS:
        raise ParseError(f"HTML too large: {tags:,} tags (the limit is {MAX_TAGS:,}; real articles have a "
                         "few thousand)")
    try:
        url = canonical_url(env.url_raw)
    except ValueError as exc:
        raise ParseError(f"not an http(s) article URL: {env.url_raw[:80]!r} ({exc})") from None
    outlet = outlet_code(url, _folders(source), env.front_matter)
    title, label = clean_title(env.title_raw, outlet)
    if not title:
        raise ParseError("empty title")
    if not env.html.strip():
        raise ParseError("empty body: no HTML after the header")

    soup = make_soup(env.html)
    header = meta.extract(soup, outlet=outlet, url=url, html=env.html)
    section = header.section or label
    if not section and outlet == "rfi" and ("AFP</p>" in env.html or "（法新社" in env.html[:3000]):
        section = "法新社"  # RFI's /cn/contenu/ wire items carry no section; they are AFP dispatches
    body = extract_body(soup, outlet=outlet, url=url, title=title)
    paragraphs = [p for p in body.paragraphs if p]
    if not body.lead and not paragraphs:
        if clean_line(soup.get_text(" ")) == title:
            raise ParseError("empty body: the HTML only repeats the title")
        raise ParseError("empty body: no article text in the HTML")

    fed_at = dates.from_stamp(env.stamp_ms)
    fm_text = _first_date_text(env.front_matter)
    chosen = dates.resolve(
        header.dates,
        fed_at,
        dates.evidence(fm_text, "front_matter") if fm_text else None,
        dates.evidence(env.date_text, "date_line_text") if env.date_text else None,
        dates.url_evidence(url),
    )
    dateline_ev = next((e for e in header.dates if e.source == "dateline"), None) or (
        header.dates[0] if header.dates else None
    )
    text = "\n".join([body.lead, *paragraphs])
    return Article(
        url=url,
        title=title,
        title_raw=env.title_raw,
        outlet=outlet,
        published=dates.iso_utc(chosen.when) if chosen else None,
        published_from=chosen.source if chosen else None,
        fed_at=dates.iso_utc(fed_at) if fed_at and dates.plausible(fed_at) else None,
        dateline=header.dateline,
        published_local=dates.local_iso(dateline_ev) if dateline_ev else None,
        author=header.author,
        section=section,
        lead=body.lead,
        paragraphs=paragraphs,
        body_html=body.body_html,
        images=list(body.images),
        image_url=body.image_url,
        language=detect_language(f"{title}\n{text}"),
        char_count=char_count(text),
        warnings=list(env.warnings),
    )


def parse(data: bytes, source: str = "") -> Article:
    """One archive file -> Article. Raises ParseError (with a readable reason), and nothing else."""
    try:
        return _parse(data, source)
    except ParseError:
        raise
    except RecursionError:
        raise ParseError("HTML nested too deeply to parse") from None
    except Exception as exc:
        raise ParseError(f"unexpected {type(exc).__name__} while parsing: {exc}"[:300]) from exc

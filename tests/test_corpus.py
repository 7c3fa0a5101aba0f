"""Issue 2's acceptance figures, measured on the real archive sample (../shared/corpus).

Every file is parsed once (module fixture); each test asserts one figure and prints it, so
`pytest -s tests/test_corpus.py` is also the parser's report on the real data.
"""

from __future__ import annotations

import json
import re
import time
from dataclasses import dataclass
from pathlib import Path

import lxml.html
import pytest

from tests.conftest import ROOT, corpus_files
from zhnews import parse
from zhnews.article import Article, ParseError
from zhnews.extract.envelope import split

pytestmark = [pytest.mark.corpus, pytest.mark.slow]

# Text that is never article text (issue 2, README "traps"): markup, entities, feed and share chrome.
BOILERPLATE_MARKERS = (
    "分享 :", "获取更多RSS", "feedx", "<", ">", "&nbsp;", "&amp;", "&lt;", "&gt;", "&quot;", "&#",
    "Feed enhanced by", "你的器材不支持播放多媒体材料", "图像来源，", "\u200b", "\ufeff", "\r",
)
# A date line `<div><i>NAME<br>TIME</i></div>` or an `<address>` carries a person's name unless it
# names the outlet or an agency (checked here independently of the parser's own list).
_DATE_LINE_NAME = re.compile(rb"<div><i>([^<]*)<br>")
_ADDRESS = re.compile(rb"<address>([^<]+)</address>")
_ORGANISATIONS = {"德国之声中文网", "德国之声 中文网", "德国之声", "《纽约时报》", "ARD", "null", ""}
_CANONICAL = re.compile(r"^https://[a-z0-9.-]+/[^\s#]*$")


@dataclass
class Run:
    results: dict[str, Article | ParseError]
    raw: dict[str, bytes]
    seconds: float

    @property
    def parsed(self) -> dict[str, Article]:
        return {s: a for s, a in self.results.items() if isinstance(a, Article)}

    @property
    def failed(self) -> dict[str, ParseError]:
        return {s: e for s, e in self.results.items() if isinstance(e, ParseError)}


BASELINE = json.loads((ROOT / "tests" / "corpus_baseline.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def run(corpus: Path) -> Run:
    raw = {str(p.relative_to(corpus)): p.read_bytes() for p in corpus_files(corpus)}
    results: dict[str, Article | ParseError] = {}
    start = time.process_time()
    for source, data in raw.items():
        try:
            results[source] = parse(data, source)
        except ParseError as exc:
            results[source] = exc
    return Run(results, raw, time.process_time() - start)


def _share(part: int, whole: int) -> str:
    return f"{part}/{whole} = {100 * part / whole:.2f}%"


def test_at_least_99_percent_of_files_parse_and_every_failure_has_a_reason(run: Run) -> None:
    total, parsed = len(run.results), len(run.parsed)
    speed = total / run.seconds
    print(f"\nparsed {_share(parsed, total)}; CPU {run.seconds:.2f}s = {speed:.0f} files/s (one core)")
    for source, exc in run.failed.items():
        print(f"  failed: {source}: {exc}")
    assert total > 2000
    assert parsed / total >= 0.99
    assert all(str(exc).strip() for exc in run.failed.values())
    assert not any(str(exc).startswith("unexpected") for exc in run.failed.values())


def test_every_parsed_file_has_a_title_and_a_canonical_https_url(run: Run) -> None:
    bad = [s for s, a in run.parsed.items() if not a.title.strip() or not _CANONICAL.match(a.url)]
    bad += [s for s, a in run.parsed.items() if "//" in a.url[8:] or "utm_" in a.url]
    print(f"\ntitle + canonical url: {_share(len(run.parsed) - len(bad), len(run.parsed))}")
    assert not bad, bad[:10]


def test_published_on_at_least_99_5_percent(run: Run) -> None:
    have = [a for a in run.parsed.values() if a.published]
    counts: dict[str, int] = {}
    for a in have:
        counts[a.published_from or ""] = counts.get(a.published_from or "", 0) + 1
    print(f"\npublished {_share(len(have), len(run.parsed))}; from {dict(sorted(counts.items()))}")
    assert len(have) / len(run.parsed) >= 0.995
    assert all(re.match(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$", a.published or "") for a in have)


def test_the_outlet_date_line_beats_the_feed_stamp_when_they_disagree(run: Run) -> None:
    # Across the corpus the feed stamp follows publication by minutes; the date line is what we keep.
    full = [a for a in run.parsed.values() if a.published_from == "dateline" and a.fed_at]
    assert len(full) > 1500
    assert all(a.published_local for a in full)


def test_no_paragraph_contains_boilerplate(run: Run) -> None:
    hits: dict[str, list[str]] = {}
    for source, a in run.parsed.items():
        for text in [a.lead, *a.paragraphs]:
            found = [m for m in BOILERPLATE_MARKERS if m in text]
            if found:
                hits.setdefault(source, []).append(f"{found}: {text[:80]}")
    print(f"\nfiles with a boilerplate marker in the text: {len(hits)}")
    for source, lines in list(hits.items())[:20]:
        print(f"  {source}: {lines[0]}")
    assert not hits


def test_rfi_section_on_at_least_95_percent_of_the_files_whose_url_names_one(run: Run) -> None:
    rfi = [a for a in run.parsed.values() if a.outlet == "rfi"]
    named = [a for a in rfi if "/cn/contenu/" not in a.url]  # AFP wire items: their URL names no section
    with_section = [a for a in named if a.section]
    print(f"\nRFI section where the URL names one {_share(len(with_section), len(named))}")
    assert len(rfi) > 900
    assert len(with_section) / len(named) >= 0.95
    assert not [a.url for a in rfi if a.section == "法新社"]  # an agency is a source, not a section


def _names_a_person(data: bytes) -> bool:
    head = data[:4000]
    for pattern in (_DATE_LINE_NAME, _ADDRESS):
        if m := pattern.search(head):
            name = m.group(1).decode("utf-8", "replace").strip()
            if name not in _ORGANISATIONS:
                return True
    return False


def test_author_on_at_least_90_percent_of_dw_and_nyt_files_whose_date_line_names_one(run: Run) -> None:
    named = [s for s, a in run.parsed.items() if a.outlet in ("dw", "nyt") and _names_a_person(run.raw[s])]
    with_author = [s for s in named if run.parsed[s].author]
    print(f"\nDW/NYT author where the date line names one: {_share(len(with_author), len(named))}")
    assert len(named) > 200
    assert len(with_author) / len(named) >= 0.90


def test_author_is_never_the_outlet_from_front_matter(run: Run) -> None:
    front = [a for s, a in run.parsed.items() if run.raw[s].lstrip(b"\xef\xbb\xbf").startswith(b"---")]
    assert front
    outlet_names = {"BBC", "法广", "德国之声", "纽约时报", "(臺)中央社CNA", "经济学人en"}
    assert not any(a.author in outlet_names for a in front)


def test_language_is_right_on_every_cna_and_economist_file(run: Run) -> None:
    cna = [a for a in run.parsed.values() if a.outlet == "cna"]
    economist = [a for a in run.parsed.values() if a.outlet == "economist"]
    print(f"\nCNA {len(cna)} files, Economist {len(economist)} files")
    assert cna and economist
    assert [a.url for a in cna if a.language != "zh-Hant"] == []
    assert [a.url for a in economist if a.language != "en"] == []


def test_every_outlet_of_the_sample_is_recognised(run: Run) -> None:
    outlets = {a.outlet for a in run.parsed.values()}
    print(f"\noutlets: {sorted(outlets)}")
    assert outlets >= {"rfi", "dw", "voa", "bbc", "nyt", "reuters", "ft", "rfa", "cdt", "cna", "economist"}


def test_rfa_reporter_from_the_credit_line_and_the_line_removed(run: Run) -> None:
    credited = [s for s, a in run.parsed.items() if a.outlet == "rfa" and "责编".encode() in run.raw[s]]
    with_author = [s for s in credited if run.parsed[s].author]
    print(f"\nRFA reporter from the credit line: {_share(len(with_author), len(credited))}")
    assert len(credited) > 100
    assert len(with_author) / len(credited) >= 0.95
    assert not [s for s in credited if any("责编" in p for p in run.parsed[s].paragraphs)]


def test_field_coverage_by_outlet_is_printed(run: Run) -> None:
    rows: dict[str, list[int]] = {}
    for a in run.parsed.values():
        row = rows.setdefault(a.outlet, [0, 0, 0, 0, 0, 0])
        for i, value in enumerate((True, a.dateline, a.author, a.section, a.lead, a.image_url)):
            row[i] += bool(value)
    print("\noutlet      files dateline author section lead image")
    for outlet, (n, *rest) in sorted(rows.items()):
        print(f"{outlet:<11}{n:>6}" + "".join(f"{100 * v / n:>8.0f}%" for v in rest))
    assert sum(r[0] for r in rows.values()) == len(run.parsed)


def _empty_bodies(run: Run) -> dict[str, ParseError]:
    return {s: e for s, e in run.failed.items() if str(e).startswith("empty body")}


def test_articles_and_empty_bodies_never_go_the_wrong_way(run: Run) -> None:
    empty = _empty_bodies(run)
    print(f"\n{len(run.results)} files: {len(run.parsed)} articles, {len(empty)} empty bodies "
          f"(recorded: {BASELINE['articles']}, {BASELINE['empty_body']})")
    assert len(run.results) == BASELINE["files"], "the corpus changed: record its new figures"
    assert len(run.parsed) >= BASELINE["articles"], f"fewer articles than recorded: {sorted(run.failed)[:10]}"
    assert len(empty) <= BASELINE["empty_body"], f"more empty bodies than recorded: {sorted(empty)}"


def _visible_text(html: str) -> str:
    """The text a browser shows for `html` (script and style excluded), whitespace removed."""
    if not html.strip():
        return ""
    root = lxml.html.fragment_fromstring(html, create_parent="div")
    for bad in root.xpath("//script|//style|//noscript|//template"):
        bad.drop_tree()
    return re.sub(r"\s+", "", root.text_content())


def test_no_file_whose_article_html_holds_100_characters_of_text_ends_as_an_empty_body(run: Run) -> None:
    lost = {s: len(_visible_text(split(run.raw[s]).html)) for s in _empty_bodies(run)}
    print(f"\nempty bodies and the text their HTML holds: {lost}")
    assert not {s: n for s, n in lost.items() if n >= 100}

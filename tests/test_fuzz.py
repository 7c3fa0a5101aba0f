"""For ANY byte string, parse() returns an Article or raises ParseError — nothing else escapes.

parse() converts a stray library exception into ParseError("unexpected …") as a last line of
defence; these tests also fail on that message, so they prove the code handles hostile input
itself rather than relying on the catch-all.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import CORPUS, FIXTURES, corpus_files
from zhnews import parse
from zhnews.article import Article, ParseError

FIXTURE_BYTES = [p.read_bytes() for p in sorted(FIXTURES.glob("*.md"))]


def _corpus_sample() -> list[bytes]:
    """Every 20th real file (all outlets and folders are represented); empty without the corpus."""
    if not (CORPUS / "README.md").exists():
        return []
    return [p.read_bytes() for p in corpus_files(CORPUS)[::20]]


CORPUS_BYTES = _corpus_sample()
FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def check(data: bytes) -> None:
    try:
        article = parse(data, "fuzz/x.md")
    except ParseError as exc:
        assert str(exc).strip(), "a ParseError must carry a reason"
        assert not str(exc).startswith("unexpected"), str(exc)
        return
    assert isinstance(article, Article)
    assert article.url.startswith("https://")
    assert article.title
    assert article.paragraphs or article.lead or any(image["caption"] for image in article.images)


@st.composite
def mutated(draw: st.DrawFn, pool: list[bytes]) -> bytes:
    """A real file truncated, with bytes flipped, and/or spliced with another at random points."""
    data = bytearray(draw(st.sampled_from(pool)))
    for _ in range(draw(st.integers(0, 3))):
        kind = draw(st.sampled_from(["truncate", "flip", "splice", "insert", "delete"]))
        if not data:
            break
        at = draw(st.integers(0, len(data) - 1))
        if kind == "truncate":
            data = data[:at]
        elif kind == "flip":
            data[at] = draw(st.integers(0, 255))
        elif kind == "splice":
            other = draw(st.sampled_from(pool))
            data = data[:at] + other[draw(st.integers(0, max(len(other) - 1, 0))) :]
        elif kind == "insert":
            data[at:at] = draw(st.binary(min_size=1, max_size=40))
        else:
            del data[at : at + draw(st.integers(1, 200))]
    return bytes(data)


@FUZZ
@given(st.binary(max_size=2000))
def test_random_bytes_raise_only_parse_error(data: bytes) -> None:
    check(data)


@FUZZ
@given(st.text(max_size=300).map(lambda t: f"[{t}](https://example.org/{t})\n------\n\n<p>{t}</p>".encode()))
def test_random_text_in_every_header_slot(data: bytes) -> None:
    check(data)


@FUZZ
@given(
    st.lists(
        st.sampled_from(
            [b"<!--", b"-->", b"[", b"](", b")", b"------", b"---\n", b"\xef\xbb\xbf", b"\r", b"<div>", b"\n",
             b"http://x.y/", b"1595241918000", b"\xff", b"a", b"\xe6\x97\xa5\xe6\x9c\x9f\xef\xbc\x9a"]
        ),
        max_size=40,
    ).map(b"".join)
)
def test_header_like_fragments(data: bytes) -> None:
    check(data)


@FUZZ
@given(mutated(FIXTURE_BYTES))
def test_mutations_of_our_fixtures(data: bytes) -> None:
    check(data)


@pytest.mark.corpus
@FUZZ
@given(st.data())
def test_mutations_of_real_corpus_files(data: st.DataObject) -> None:
    if not CORPUS_BYTES:
        pytest.skip(f"real corpus not found at {CORPUS}")
    check(data.draw(mutated(CORPUS_BYTES)))


def test_every_truncation_point_of_one_real_header_is_handled() -> None:
    source = FIXTURES / "waimei-cna.md"
    data = Path(source).read_bytes()[:1200]
    for end in range(len(data)):
        check(data[:end])


@pytest.mark.parametrize("depth", [300, 20_000])
def test_deeply_nested_markup_is_handled(depth: int) -> None:
    check(b"[t](https://a.b/c)\n------\n\n" + b"<span>" * depth + "文字".encode() + b"</span>" * depth)


def test_a_huge_file_is_refused_with_a_reason() -> None:
    with pytest.raises(ParseError, match="too large"):
        parse(b"[t](https://a.b/c)\n------\n\n<p>" + b"x" * 21_000_000 + b"</p>", "x.md")


def test_a_time_element_nested_in_a_removed_update_time_is_handled() -> None:
    """Found by the fuzzer: a malformed `<time` nests the rest of the header in the update time, which is
    removed first; the times inside it were then read from a decomposed tag (AttributeError)."""
    check("<!--1625918700000-->\n[一个标题](https://news.example.org/a/1)\n------\n\n"
          "<p><time class='updated' datetime='2021-07-10T12:00:00Z'>更新于 <time class='updated' "
          "datetime='2021-07-09T12:00:00Z'>九日</time> <time datetime='2021-07-02T01:15:00Z'>二日</time>"
          "</time></p><p>正文第一段，讲述事情的经过。</p>".encode())

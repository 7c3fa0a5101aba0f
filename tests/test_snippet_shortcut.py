"""The snippet shortcut (search.snippets._found_fast) finds exactly what tokenising the whole text finds.

Why a separate rule: snippets run once per search result, so they search with `str.find` and tokenise only
the lines that need it; the full tokenisation stays as the reference it must always agree with.
"""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from zhnews.search.snippets import _found_by_tokens, _found_fast
from zhnews.search.text import parse_query

# Characters where the shortcut could go wrong: folds that change length (… ﬁ ㍿), dropped ones (ZWSP, soft
# hyphen), Traditional forms, line breaks of every kind, connectors, an unassigned code point in a Han block.
PIECES = [
    *"台湾臺灣中国美香港法安…\u200b\u00ad ﬁ㍿①２０Ａ　 \n\r，。、\"'-._/&+·迈克abAB12\t«»—\u2028\ufa6e",
    *("COVID-19", "U.S.", "MH370", "Finer", "finer's", "\U00020001"),
    *("特朗普", "川普", "Trump", "悉尼", "雪梨"),  # vocabulary variants: one term, several phrases
]
TEXT = st.lists(st.sampled_from(PIECES), max_size=80).map("".join)


@settings(deadline=None, max_examples=400)
@given(TEXT, TEXT, st.booleans())
def test_the_snippet_shortcut_finds_the_same_hits_as_full_tokenisation(
    text: str, query: str, quoted: bool
) -> None:
    phrases = parse_query(f'"{query}"' if quoted else query).phrases
    fast = _found_fast(text, phrases)
    if fast is not None:
        assert sorted(fast) == sorted(_found_by_tokens(text, phrases))


@settings(deadline=None, max_examples=200)
@given(TEXT, st.integers(0, 60), st.integers(1, 8))
def test_the_snippet_shortcut_agrees_for_queries_taken_from_the_text(
    text: str, start: int, length: int
) -> None:
    phrases = parse_query(text[start : start + length]).phrases
    fast = _found_fast(text, phrases)
    if fast is not None:
        assert sorted(fast) == sorted(_found_by_tokens(text, phrases))


def test_the_shortcut_applies_to_plain_chinese_and_english_queries() -> None:
    text = "美国总统特朗普（Trump）周二说……\n\n台湾海峡局势紧张。"
    for query in ("台湾", "Trump 周二", "美国 海峡"):
        assert _found_fast(text, parse_query(query).phrases) is not None

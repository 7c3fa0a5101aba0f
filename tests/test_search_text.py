"""Chinese search text: normalisation, segmentation, the query rewrite and snippets (zhnews.search.text).

The sentences here are our own, written for the tests.
"""

from __future__ import annotations

import re
import sqlite3

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from zhnews.search.snippets import highlight, snippet
from zhnews.search.text import (
    BOUNDARY,
    FTS5_TOKENIZE,
    MATCH_NOTHING,
    fts_query,
    normalise,
    normalise_mapped,
    parse_query,
    segment,
    tokens,
)

# Text as hypothesis should try it: Han of every plane, full-width forms, punctuation, FTS5 syntax, emoji.
HOSTILE = st.text(
    alphabet=st.one_of(
        st.characters(codec="utf-8"),
        st.sampled_from(
            list('台湾臺灣法中国南海"*:^()-+NEAR ORANDNOT，。、《》“”·\n\t０１２ＡＢ😀\U00020000\U0002b820|')
        ),
    ),
    max_size=60,
)


@pytest.fixture(scope="module")
def fts() -> sqlite3.Connection:
    """A real FTS5 table with our tokenizer config, holding one segmented document."""
    conn = sqlite3.connect(":memory:")
    conn.execute(f"create virtual table t using fts5(body, content='', tokenize=\"{FTS5_TOKENIZE}\")")
    conn.execute("insert into t(rowid, body) values (1, ?)", [segment("美国副国家安全顾问费纳说，台湾问题")])
    return conn


# ------------------------------------------------------------------------------------------ normalise


def test_normalise_turns_full_width_digits_and_letters_into_ascii() -> None:
    assert normalise("２０２４年ＡＢＣ") == "2024年abc"


def test_normalise_converts_traditional_to_simplified() -> None:
    assert normalise("臺灣海峽") == "台湾海峡"


def test_normalise_folds_case_and_latin_diacritics() -> None:
    assert normalise("FINER Café") == "finer cafe"


def test_normalise_drops_invisible_characters_and_name_dots() -> None:
    assert normalise("台\u200b湾 迈克·蓬佩奥") == "台湾 迈克蓬佩奥"


def test_normalise_maps_compatibility_ideographs_to_the_unified_character() -> None:
    assert normalise("\uf9b5") == "例"  # CJK COMPATIBILITY IDEOGRAPH-F9B5


@settings(deadline=None)
@given(HOSTILE)
def test_every_normalised_character_maps_back_to_an_original_character(text: str) -> None:
    normalised, origin = normalise_mapped(text)
    assert normalised == normalise(text)
    assert len(origin) == len(normalised)
    assert origin == sorted(origin)
    assert all(0 <= i < len(text) for i in origin)


# ------------------------------------------------------------------------------------------ segment


def test_segment_makes_every_han_character_a_token() -> None:
    assert segment("台湾海峡") == "台 湾 海 峡"


def test_segment_treats_supplementary_plane_han_like_the_bmp() -> None:
    assert segment("\U00020000\U0002b820字") == "\U00020000 \U0002b820 字"


def test_segment_keeps_words_of_other_scripts_whole() -> None:
    assert segment("顾问Jon Finer说") == "顾 问 jon finer 说"


def test_segment_splits_letter_and_digit_runs() -> None:
    assert segment("2024A MH370") == "2024 a mh 370"


def test_segment_turns_punctuation_into_one_boundary_token() -> None:
    assert segment("中国，美国。“欧盟”") == f"中 国 {BOUNDARY} 美 国 {BOUNDARY} 欧 盟"


def test_segment_makes_a_space_between_han_characters_a_boundary_but_not_between_words() -> None:
    assert segment("中 国 Jon Finer") == f"中 {BOUNDARY} 国 jon finer"


def test_segment_makes_a_paragraph_break_a_boundary() -> None:
    assert segment("第一段\n\n第二段") == f"第 一 段 {BOUNDARY} 第 二 段"


def test_segment_keeps_connectors_inside_latin_words_and_numbers() -> None:
    assert segment("COVID-19 3.5 U.S. Finer's") == f"covid 19 3 5 u s {BOUNDARY} finer s"


def test_segment_emits_no_leading_or_trailing_boundary() -> None:
    assert segment("《人民日报》") == "人 民 日 报"
    assert segment("。，、") == ""


@settings(deadline=None)
@given(HOSTILE)
def test_segment_is_the_tokens_of_the_normalised_text(text: str) -> None:
    assert segment(text).split() == [token for token, _, _ in tokens(normalise(text))]


@settings(deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture], max_examples=300)
@given(HOSTILE)
def test_every_token_segment_emits_is_searchable_in_fts5(text: str) -> None:
    """SQLite's own tokenizer must keep each of our tokens whole: a dropped token would empty a phrase."""
    conn = sqlite3.connect(":memory:")
    conn.execute(f"create virtual table t using fts5(body, content='', tokenize=\"{FTS5_TOKENIZE}\")")
    conn.execute("insert into t(rowid, body) values (1, ?)", [segment(text)])
    for token in set(segment(text).split()):
        phrase = '"' + token.replace('"', '""') + '"'
        assert conn.execute("select rowid from t where t match ?", [phrase]).fetchall() == [(1,)], token


# ------------------------------------------------------------------------------------------ fts_query


@pytest.mark.parametrize(
    ("user_query", "expression"),
    [
        ("法", '"法"'),
        ("台湾", '"台 湾"'),
        ("臺灣海峽", '"台 湾 海 峡"'),
        ("刘建超", '"刘 建 超"'),
        ("Jon Finer", '"jon" AND "finer"'),
        ('"Jon Finer"', '"jon finer"'),
        ("２０２４", '"2024"'),
        ("台湾 美国", '"台 湾" AND "美 国"'),
        ("台湾 -香港", '"台 湾" NOT "香 港"'),
        ("台湾 美国 -香港", '("台 湾" AND "美 国") NOT "香 港"'),
        ("台湾 NOT 香港", '"台 湾" NOT "香 港"'),
        ("台湾 OR 香港 美国", '("台 湾" OR "香 港") AND "美 国"'),
        ("台湾 AND 美国", '"台 湾" AND "美 国"'),
        ("中国，美国", '("中 国" AND "美 国")'),
        ('"中国，美国"', f'"中 国 {BOUNDARY} 美 国"'),
        ("“台湾海峡”", '"台 湾 海 峡"'),
        ("COVID-19", '"covid 19"'),
        ("NEAR(台湾", '("near" AND "台 湾")'),
    ],
)
def test_fts_query_rewrites_terms_into_phrases_of_single_characters(user_query: str, expression: str) -> None:
    assert fts_query(user_query, expand=False) == expression  # vocabulary variants: tests/test_variants.py


@pytest.mark.parametrize(
    "user_query", ["", " ", '"', "AND", "OR", "NOT", "*", ":", "^", "😀", "。，", "-香港", "-"]
)
def test_fts_query_without_searchable_terms_matches_nothing(user_query: str, fts: sqlite3.Connection) -> None:
    assert fts_query(user_query) == MATCH_NOTHING
    assert fts.execute("select rowid from t where t match ?", [fts_query(user_query)]).fetchall() == []


def test_fts_query_and_snippet_ignore_lone_surrogates_from_a_broken_url() -> None:
    assert fts_query("\ud800台湾") == '"台 湾"'
    assert snippet("台湾", "\ud800台湾") == "<mark>台湾</mark>"


def test_fts_query_accepts_none() -> None:
    assert fts_query(None) == MATCH_NOTHING  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "user_query",
    [
        '"',
        "AND",
        "OR",
        "NOT",
        "*",
        "NEAR(",
        ":",
        "^",
        "😀",
        "a" * 2000,
        "台" * 2000,
        "\x00\x01\x1f",
        '"台湾',
        "台湾*",
    ],
)
def test_fts_query_of_hostile_input_is_valid_fts5(user_query: str, fts: sqlite3.Connection) -> None:
    fts.execute("select rowid from t where t match ?", [fts_query(user_query)]).fetchall()


@settings(deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture], max_examples=500)
@given(HOSTILE)
def test_fts_query_of_any_text_executes_in_fts5(fts: sqlite3.Connection, user_query: str) -> None:
    fts.execute("select rowid from t where t match ?", [fts_query(user_query)]).fetchall()


@settings(deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture], max_examples=200)
@given(st.text(max_size=2000))
def test_fts_query_of_long_random_unicode_executes_in_fts5(fts: sqlite3.Connection, user_query: str) -> None:
    fts.execute("select rowid from t where t match ?", [fts_query(user_query)]).fetchall()


def test_fts_query_keeps_at_most_max_terms() -> None:
    assert len(parse_query(" ".join(f"w{i}" for i in range(500))).groups) <= 64


# ------------------------------------------------------------------------------------------ snippets


def test_snippet_marks_traditional_text_for_a_simplified_query_and_keeps_the_original() -> None:
    assert snippet("臺灣海峽局勢緊張。", "台湾") == "<mark>臺灣</mark>海峽局勢緊張。"


def test_snippet_marks_simplified_text_for_a_traditional_query() -> None:
    assert snippet("台湾海峡局势紧张。", "臺灣") == "<mark>台湾</mark>海峡局势紧张。"


def test_snippet_marks_full_width_digits_and_english_case_insensitively() -> None:
    assert snippet("FINER在２０２４年说", "finer 2024") == "<mark>FINER</mark>在<mark>２０２４</mark>年说"


def test_snippet_escapes_everything_but_the_marks() -> None:
    out = snippet('<script>alert("台湾")</script>', "台湾")
    assert out == "&lt;script&gt;alert(&quot;<mark>台湾</mark>&quot;)&lt;/script&gt;"


def test_snippet_inserts_no_spaces_between_characters() -> None:
    out = snippet("美国副国家安全顾问费纳周二抵达北京。", "费纳")
    assert out == "美国副国家安全顾问<mark>费纳</mark>周二抵达北京。"


def test_snippet_cuts_a_long_text_around_the_hits_with_ellipses() -> None:
    text = "无关的开头。" * 40 + "美国副国家安全顾问费纳抵达北京。" + "无关的结尾。" * 40
    out = snippet(text, "费纳", size=40)
    assert out.startswith("…") and out.endswith("…")
    assert "<mark>费纳</mark>" in out
    assert len(re.sub(r"</?mark>|…", "", out)) <= 40


def test_snippet_prefers_the_window_holding_the_most_distinct_terms() -> None:
    text = "台湾" + "。" * 200 + "台湾与美国" + "。" * 200
    assert snippet(text, "台湾 美国", size=20).count("<mark>") == 2


def test_snippet_without_hits_is_the_start_of_the_text() -> None:
    assert snippet("第一句话。第二句话。", "香港", size=10) == "第一句话。第二句话。"
    assert snippet("第一句话。" * 10, "香港", size=10) == "第一句话。第一句话。…"


def test_snippet_does_not_mark_a_phrase_across_punctuation() -> None:
    assert "<mark>" not in snippet("来自中国，美国则欢迎。", "国美")


def test_snippet_marks_a_word_not_the_inside_of_a_longer_word() -> None:
    assert snippet("refiners and Finer", "finer") == "refiners and <mark>Finer</mark>"


def test_highlight_marks_every_hit_in_the_whole_text() -> None:
    assert highlight("中南海与南海", "南海") == "中<mark>南海</mark>与<mark>南海</mark>"


@settings(deadline=None)
@given(HOSTILE, HOSTILE)
def test_snippet_of_any_input_is_escaped_html_with_only_mark_tags(text: str, user_query: str) -> None:
    out = snippet(text, user_query, size=30)
    assert "<" not in out.replace("<mark>", "").replace("</mark>", "")
    assert out.count("<mark>") == out.count("</mark>")


@pytest.mark.slow
def test_sqlite_keeps_every_token_segment_can_emit_for_any_code_point() -> None:
    """Scan all of Unicode: each token we make must be one token for SQLite too (else it vanishes)."""
    conn = sqlite3.connect(":memory:")
    conn.execute(f'create virtual table t using fts5(body, tokenize="{FTS5_TOKENIZE}")')
    conn.execute("create virtual table v using fts5vocab(t, 'instance')")
    code_points = (chr(i) for i in range(0x110000) if not 0xD800 <= i < 0xE000)
    words = sorted({tok for c in code_points for tok, _, _ in tokens(normalise(c)) if tok != BOUNDARY})
    conn.executemany("insert into t(rowid, body) values (?, ?)", enumerate(words, 1))
    indexed = {row[0] for row in conn.execute("select distinct doc from v")}
    assert [w for i, w in enumerate(words, 1) if i not in indexed] == []

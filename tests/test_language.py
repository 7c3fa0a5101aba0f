"""detect_language: zh-Hans, zh-Hant, en or other, from the article's own text (language_and_count: the
same and char_count, in one reading)."""

from __future__ import annotations

from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from tests.conftest import corpus_files
from zhnews import parse
from zhnews.article import ParseError
from zhnews.extract.body import extract_body
from zhnews.extract.envelope import split
from zhnews.extract.language import detect_language, language_and_count
from zhnews.extract.outlets import outlet_code
from zhnews.text import char_count


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("美国总统拜登周二在白宫发表讲话。", "zh-Hans"),
        ("美國總統拜登週二在白宮發表講話。", "zh-Hant"),
        ("台灣", "zh-Hant"),
        ("台湾", "zh-Hans"),
        ("國", "zh-Hant"),
        ("中国人", "zh-Hans"),  # no character changes under t2s: nothing says Traditional
        ("著名作家在乾隆年间的故事", "zh-Hans"),  # phrases that t2s keeps: not a sign of Traditional
        ("iPhone 16 在上海发布，售价 5999 元", "zh-Hans"),
        ("苹果公司（Apple Inc.）首席执行官库克（Tim Cook）周三访问北京", "zh-Hans"),
        ("The Economist says the pandemic changed how offices work.", "en"),
        ("Xi Jinping (习近平) met the visiting delegation on Tuesday in Beijing.", "en"),
        ("Привет, мир", "other"),
        ("こんにちは、世界のみなさん", "other"),
        ("", "other"),
        ("2024 — 12:30", "other"),
        ("A", "other"),
    ],
)
def test_examples(text: str, expected: str) -> None:
    assert detect_language(text) == expected


def test_a_simplified_article_quoting_a_traditional_passage_stays_simplified() -> None:
    simplified = "香港民主派周日举行初选，组织者说投票人数超过预期，许多选民在投票站外排队等候。" * 4
    quoted = "「這是我們的聲音。」"
    assert detect_language(simplified + quoted) == "zh-Hans"


def test_a_traditional_article_with_some_invariant_characters_is_traditional() -> None:
    text = "行政院今天表示，將於下週召開會議討論颱風災後重建，經濟部也會提出補助方案。"
    assert detect_language(text) == "zh-Hant"


@pytest.mark.corpus
def test_every_cna_file_is_traditional_and_every_economist_file_english(corpus: Path) -> None:
    seen = {"cna": 0, "economist": 0}
    for path in corpus_files(corpus / "waimei-2020"):
        env = split(path.read_bytes())
        outlet = outlet_code(env.url_raw, [path.parent.name], env.front_matter)
        if outlet not in seen:
            continue
        body = extract_body(
            BeautifulSoup(env.html, "lxml"), outlet=outlet, url=env.url_raw, title=env.title_raw
        )
        language = detect_language("\n".join([env.title_raw, body.lead, *body.paragraphs]))
        assert language == {"cna": "zh-Hant", "economist": "en"}[outlet], path.name
        seen[outlet] += 1
    print("checked:", seen)
    assert seen["cna"] >= 15 and seen["economist"] >= 10


@pytest.mark.parametrize(
    ("title", "text"),
    [
        ("美国总统Joe Biden说", "2024年的选举\nabc123 café ünd Россия 東京"),
        ("", ""),
        ("Only a title", ""),
        ("標題", "香港立法會今日通過條例。\n“引文”"),
        ("𠀀字", "Ελληνικά 123 _x_ a-b"),
    ],
)
def test_language_and_count_is_detect_language_and_char_count_in_one_reading(title: str, text: str) -> None:
    assert language_and_count(title, text) == (detect_language(f"{title}\n{text}"), char_count(text))


@pytest.mark.corpus
def test_language_and_count_agree_with_the_two_functions_on_the_corpus(corpus: Path) -> None:
    for path in corpus_files(corpus)[::7]:
        try:
            article = parse(path.read_bytes(), str(path))
        except ParseError:
            continue
        text = "\n".join([article.lead, *article.paragraphs])
        assert article.language == detect_language(f"{article.title}\n{text}"), path.name
        assert article.char_count == char_count(text), path.name

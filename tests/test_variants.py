"""Vocabulary variants (issue 9): the data, a query's expansion, its precision, and what the reader is told.

The search itself on real articles, with the gold set, is in tests/test_variant_search.py.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlencode

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from zhnews.search import opencc_variants
from zhnews.search.explain import also_searched, replacing
from zhnews.search.snippets import highlight, snippet
from zhnews.search.text import (
    MAX_PHRASES,
    MAX_TERMS,
    fts_query,
    is_han_token,
    parse_query,
    phrase_of,
    variant_table,
)
from zhnews.search.variants import (
    DATA_FILES,
    MAX_ALTERNATIVES,
    VariantDataError,
    VariantTable,
    read_rules,
)


def searched(query: str) -> set[tuple[str, ...]]:
    """Every phrase a query searches (typed and variants)."""
    return set(parse_query(query).phrases)


# ------------------------------------------------------------------------------------------ the data


def test_the_data_files_load_once_per_process() -> None:
    assert variant_table() is variant_table()
    assert len(variant_table().groups()) > 500


def test_every_curated_member_can_be_typed_as_one_term() -> None:
    """A query's words are separate terms: a member with a space could be searched for, never typed."""
    members = [m for rule in read_rules(DATA_FILES[:1]) for side in rule.sides for m in side]
    assert members and not [m for m in members if len(m.split()) != 1]


def test_no_group_is_larger_than_what_one_term_may_expand_to() -> None:
    assert max(map(len, variant_table().groups())) <= MAX_ALTERNATIVES


def test_a_bad_line_is_reported_with_its_file_and_line(tmp_path: Path) -> None:
    bad = tmp_path / "bad.txt"
    bad.write_text("# fine\n特朗普 = 川普\n川普 =  = Trump\n", encoding="utf-8")
    with pytest.raises(VariantDataError, match=r"bad\.txt:3"):
        read_rules([bad])
    bad.write_text("川普\n", encoding="utf-8")
    with pytest.raises(VariantDataError, match="at least two members"):
        read_rules([bad])
    bad.write_text("川普 = ，。\n", encoding="utf-8")
    with pytest.raises(VariantDataError, match="nothing searchable"):
        VariantTable(read_rules([bad]), to_phrase=phrase_of, is_han=is_han_token)


def test_lines_sharing_a_member_are_one_group(tmp_path: Path) -> None:
    data = tmp_path / "groups.txt"
    data.write_text("出租车 = 计程车  # a comment\n计程车 = 的士\n", encoding="utf-8")
    table = VariantTable(read_rules([data]), to_phrase=phrase_of, is_han=is_han_token)
    assert table.groups() == [(phrase_of("出租车"), phrase_of("计程车"), phrase_of("的士"))]


def test_the_opencc_file_is_what_the_generator_makes_from_the_pinned_opencc() -> None:
    """opencc.txt is generated, never edited: regenerate with `python -m zhnews.search.opencc_variants`."""
    assert (DATA_FILES[1]).read_text(encoding="utf-8") == opencc_variants.generate()


def test_every_opencc_review_decision_names_a_pair_opencc_has_and_gives_a_reason(tmp_path: Path) -> None:
    pairs = opencc_variants.pairs()
    assert len(pairs) > 800  # TWPhrases and HKPhrases, normalised
    review = tmp_path / "review.txt"
    review.write_text("drop 支持 = 支援\n", encoding="utf-8")
    with pytest.raises(ValueError, match="reason"):
        opencc_variants.read_review(review)
    review.write_text("drop 台湾 = 台灣岛  # no such pair\n", encoding="utf-8")
    with pytest.raises(ValueError, match="does not have"):
        opencc_variants.render(pairs, opencc_variants.read_review(review))


# ------------------------------------------------------------------------------------------ expansion


@pytest.mark.parametrize(
    ("user_query", "expression"),
    [
        ("悉尼", '("悉 尼" OR "雪 梨" OR "sydney")'),
        ("雪梨", '("雪 梨" OR "悉 尼" OR "sydney")'),
        ("Sydney", '("sydney" OR "悉 尼" OR "雪 梨")'),
        ("義大利", '("义 大 利" OR "意 大 利" OR "italy")'),
        ('"川普"', '"川 普"'),
        ("台湾 -川普", '"台 湾" NOT ("川 普" OR "特 朗 普" OR "trump")'),
        ("雪梨 OR 墨尔本", '(("雪 梨" OR "悉 尼" OR "sydney") OR "墨 尔 本")'),
        ("悉尼，墨尔本", '(("悉 尼" OR "雪 梨" OR "sydney") AND "墨 尔 本")'),
    ],
)
def test_a_term_searches_every_member_of_its_group(user_query: str, expression: str) -> None:
    assert fts_query(user_query) == expression


def test_a_variant_containing_another_is_left_out_of_the_expression_but_still_marked() -> None:
    # 国际货币基金组织 contains 国际货币基金: whatever it finds, the shorter one finds too
    assert fts_query("国际货币基金组织") == '("国 际 货 币 基 金" OR "imf")'
    assert phrase_of("国际货币基金组织") in searched("IMF")
    assert highlight("国际货币基金组织说", "IMF") == "<mark>国际货币基金组织</mark>说"


def test_a_member_inside_a_longer_word_is_replaced_there() -> None:
    assert searched("特朗普政府") == {phrase_of("特朗普政府"), phrase_of("川普政府"), phrase_of("Trump政府")}
    assert searched("Trump政府") == searched("特朗普政府")


def test_latin_members_match_whole_words_only() -> None:
    assert searched("Trumpet") == {phrase_of("trumpet")}
    assert searched("TRUMP") == searched("特朗普")


def test_the_longest_member_wins() -> None:
    # 阿联 is a member (Taiwan's short form) and is inside 阿联酋: 阿联酋 expands as itself, not as 阿联 + 酋
    assert phrase_of("阿拉伯联合酋长国") in searched("阿联酋")
    assert phrase_of("阿拉伯联合酋长国酋") not in searched("阿联酋")
    assert phrase_of("新冠肺炎") in searched("新型冠状病毒肺炎")  # not 新型冠状病毒 + 肺炎


def test_several_members_in_one_term_give_every_combination_up_to_a_cap() -> None:
    both = searched("特朗普马克龙")
    assert len(both) == 9 and phrase_of("川普马克宏") in both and phrase_of("trump macron") in both
    long = "特朗普马克龙默克尔普京约翰逊" * 3
    assert phrase_of(long) in searched(long) and len(searched(long)) <= MAX_ALTERNATIVES


def test_a_long_query_stops_adding_variants_after_max_phrases() -> None:
    query = parse_query(" ".join(["新冠肺炎"] * MAX_TERMS))  # 5 phrases each: 320 with every variant
    assert len(query.phrases) < MAX_PHRASES + MAX_ALTERNATIVES + MAX_TERMS
    assert len(query.groups[0][0][0]) == 5 and len(query.groups[-1][0][0]) == 1  # the last terms as typed


def test_a_quoted_term_is_exact() -> None:
    assert searched('"川普"') == {phrase_of("川普")}
    exact_and_expanded = {phrase_of("特朗普政府"), phrase_of("川普"), phrase_of("特朗普"), phrase_of("trump")}
    assert searched('"特朗普政府" 川普') == exact_and_expanded


def test_traditional_queries_find_what_simplified_ones_find() -> None:
    assert searched("義大利") == searched("意大利") == searched("义大利")
    assert searched("紐西蘭") == searched("新西兰")


def test_one_way_groups_expand_in_one_direction_only() -> None:
    assert phrase_of("影片") in searched("视频")
    assert phrase_of("视频") not in searched("影片")
    assert {phrase_of("出租车"), phrase_of("计程车")} <= searched("的士")
    assert phrase_of("的士") not in searched("出租车")


# Pairs that are not synonyms everywhere, and forms found inside other words: searching the first must not
# search the second. Each is decided in zhnews/search/variant_data/ (a comment there says why).
AMBIGUOUS = [
    ("影片", "视频"),  # 影片 is also a film: one-way 视频 > 影片
    ("支持", "支援"), ("支援", "支持"),  # support vs aid
    ("信息", "资讯"), ("资讯", "信息"),  # not the same word everywhere
    ("质量", "品质"), ("品质", "质量"),  # quality of a product vs physical mass
    ("航天", "太空"), ("太空", "航天"),  # spaceflight vs outer space (航天飞机 = 太空梭 is kept)
    ("强生", "约翰逊"), ("约翰逊", "强生"), ("强生", "强森"),  # Johnson & Johnson vs Boris Johnson
    ("插件", "外挂"), ("壁纸", "桌布"), ("程序", "程式"), ("社区", "社群"), ("智能", "智慧"),
    ("数据", "资料"), ("文件", "档案"), ("项目", "专案"), ("消息", "讯息"),
    ("格鲁吉亚", "乔治亚"),  # 乔治亚 is mostly the US state
    ("出租车", "的士"),  # 的士 is inside 的士兵
    ("南中国海", "南海"),  # 南海 is inside 中南海
    ("钓鱼岛", "钓鱼台"),  # 钓鱼台 is also the state guesthouse in Beijing
    ("奔驰", "平治"),  # 平治 is inside 习近平治下
    ("布什", "布希"), ("布希", "布什"),  # 布希 is inside 宣布希望, 布什 inside 宣布什么
    ("珀斯", "伯斯"), ("盖茨", "盖兹"), ("科比", "柯比"),  # short names inside other names
    ("尼日尔", "尼日"),  # 尼日 is inside 尼日利亚
    ("位元", "比特"),  # 比特 is inside 比特币
    ("自行车", "单车"),  # 单车 is inside 电单车 (a motorcycle)
    ("摩托车", "机车"), ("土豆", "马铃薯"), ("公交车", "公车"),  # another meaning on one side
    ("世界贸易组织", "世贸"),  # 世贸 is also the World Trade Center
    ("YouTube", "油管"),  # 油管 is also an oil pipeline
    ("缓存", "快取"),  # 快取 is inside 很快取消
    ("呼吸器", "呼吸机"),  # a respirator is not a ventilator
    ("乍得", "查德"),  # 查德 is also the name Chad
    ("马里兰", "马利兰"),  # 马利兰 is inside 索马利兰 (Somaliland)
    ("德克萨斯", "德萨斯"),  # 德萨斯 is inside 密德萨斯 (Middlesex)
    ("宇航员", "太空人"),  # 太空人 is also the Houston Astros
    ("马利共和国", "马里共和国"),  # 马里共和国 is inside 索马里共和国
    ("勃拉姆斯", "布拉姆斯"),  # 布拉姆斯 is inside 艾布拉姆斯 (the Abrams tank)
    ("新冠病毒", "武汉病毒"),  # 武汉病毒 is also in 武汉病毒研究所
]


@pytest.mark.parametrize(("query", "other"), AMBIGUOUS)
def test_ambiguous_pairs_do_not_expand(query: str, other: str) -> None:
    assert phrase_of(other) not in searched(query)


@pytest.mark.parametrize("user_query", ["台湾", "臺灣", "香港", "法", "刘建超", "Finer", "中国", "美国 香港",
                                        "国安法", "2024", "COVID", "台湾 -香港", "中国，美国"])
def test_a_term_without_a_group_is_rewritten_exactly_as_without_variants(user_query: str) -> None:
    assert fts_query(user_query) == fts_query(user_query, expand=False)


@settings(deadline=None, max_examples=300)
@given(st.text(alphabet=st.sampled_from(list("台湾香港法中国美日本经济疫情选举 -\"OR，Finer")), max_size=30))
def test_any_query_without_a_member_is_rewritten_exactly_as_without_variants(user_query: str) -> None:
    table = variant_table()
    typed = parse_query(user_query, expand=False).phrases
    if not any(any(True for _ in table.matches(p)) for p in typed):
        assert fts_query(user_query) == fts_query(user_query, expand=False)


# ------------------------------------------------------------------------------------- what the reader sees


def test_snippets_mark_the_variant_each_article_uses() -> None:
    text = "美国总统川普周二说，他将访华。Trump said so."
    marked = "美国总统<mark>川普</mark>周二说，他将<mark>访华</mark>。<mark>Trump</mark> said so."
    assert snippet(text, "特朗普 访华") == marked
    assert highlight("雪梨与悉尼", "Sydney") == "<mark>雪梨</mark>与<mark>悉尼</mark>"
    assert highlight("雪梨与悉尼", '"悉尼"') == "雪梨与<mark>悉尼</mark>"


def test_the_snippet_window_counts_variants_of_a_term_as_one_term() -> None:
    # two windows: one holds 川普 and 特朗普 (one term twice), the other 川普 and 访华 (both terms)
    text = "川普、特朗普" + "。" * 60 + "川普将访华"
    assert "访华" in snippet(text, "特朗普 访华", size=20)


def test_the_page_says_what_was_also_searched_with_a_link_to_search_exactly() -> None:
    [item] = also_searched("特朗普政府 访华", replacing("q=x&outlet=rfi&q=y", "q"))
    assert (item.term, item.also, item.excluded) == ("特朗普政府", ("川普政府", "Trump政府"), False)
    assert item.exact_query == '"特朗普政府" 访华'
    assert item.exact_href == "?" + urlencode({"q": '"特朗普政府" 访华', "outlet": "rfi"})
    [excluded] = also_searched("台湾 -川普", replacing("outlet=rfi", "_search"))
    assert excluded.excluded and excluded.also == ("特朗普", "Trump")
    assert excluded.exact_query == '台湾 -"川普"'
    assert excluded.exact_href == "?" + urlencode({"outlet": "rfi", "_search": '台湾 -"川普"'})
    assert also_searched("台湾 NOT 川普")[0].exact_query == '台湾 NOT "川普"'
    assert also_searched("義大利")[0].also == ("意大利", "Italy")


@pytest.mark.parametrize("user_query", ['"川普"', "台湾", "", "  ", "-", '"'])
def test_nothing_is_said_when_nothing_was_also_searched(user_query: str) -> None:
    assert also_searched(user_query) == []


def test_the_exact_query_searches_only_what_was_typed() -> None:
    for user_query in ("特朗普政府 访华", "台湾 -川普", "悉尼 OR 墨尔本", "悉尼，墨尔本"):
        for item in also_searched(user_query):
            others = [i.term for i in also_searched(user_query) if i != item]
            assert [i.term for i in also_searched(item.exact_query)] == others

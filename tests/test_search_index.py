"""The articles' full-text index (zhnews.search.index), searched through the query rewrite in a real file.

Every article here is written by us for the tests.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
import sqlite_utils
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import corpus_files
from zhnews.build.outcome import article_id
from zhnews.search.index import (
    FTS_TABLE,
    META_TABLE,
    OPTIMIZE_SHARE,
    SEARCH_VIEW,
    create_search_index,
    index_articles,
    optimize_search_index,
    register_sql_functions,
    search_index_bytes,
    search_index_is_current,
    tidy_search_index,
    unindex_articles,
)

# Keyed by search_rowid (the index's rowid); the articles' ids are URL hashes, as in the built database.
ARTICLES: dict[int, tuple[str, str, str]] = {
    1: (
        "美国副国家安全顾问费纳访问北京",
        "美国副国家安全顾问乔恩·费纳（Jon Finer）周二抵达北京，与中国外交部副部长刘建超会谈。",
        "双方就台湾问题和芬太尼管制交换意见。费纳表示，美方希望在2024年底前恢复两军沟通。\n\n"
        "刘建超说，中方在台湾问题上的立场没有改变。",
    ),
    2: (
        "臺灣海峽局勢緊張",
        "",
        "臺灣國防部週三表示，共有１２架軍機越過海峽中線。法國與德國呼籲各方保持克制。",
    ),
    3: (
        "中南海召开经济工作会议",
        "会议在北京中南海举行。",
        "与会者讨论了明年的财政政策和房地产市场。",
    ),
    4: (
        "The finer points of diplomacy",
        "",
        "Officials said the Model 2024A report was delayed. Refiners were not consulted.",
    ),
    5: (
        "外长会晤",
        "",
        "他来自中国，美国方面则表示欢迎。南海问题没有列入议程。",
    ),
    6: (
        "预算报告发布",
        "",
        "财政部公布了２０２４年度预算，国防开支增长7.2%。",
    ),
}


def _rows(ids: list[int] | None = None) -> list[tuple[int, str, str, str, str]]:
    """(search_rowid, title, lead, body_text, tags) rows; tags are tested in test_search_tags.py."""
    return [(i, *ARTICLES[i], "") for i in (ids or sorted(ARTICLES))]


def _id(search_rowid: int) -> int:
    """The article id (a hash of its URL) of the test article with this search_rowid."""
    return article_id(f"https://example.com/news/{search_rowid}")


@pytest.fixture
def db(tmp_path: Path) -> sqlite_utils.Database:
    """A database file with an articles table and its search index, built with our functions."""
    database = sqlite_utils.Database(tmp_path / "news.db")
    database["articles"].insert_all(
        [{"id": _id(i), "search_rowid": i, "title": t, "lead": lead, "body_text": b}
         for i, t, lead, b, _ in _rows()], pk="id"
    )
    assert create_search_index(database) is True
    index_articles(database, _rows())
    database.conn.commit()
    register_sql_functions(database.conn)
    return database


def search(db: sqlite_utils.Database, user_query: str) -> list[int]:
    """search_rowids matching a user's query, best first (the way the ranked search query does it)."""
    sql = f"""select rowid from {FTS_TABLE} where {FTS_TABLE} match zh_fts_query(?) order by rank, rowid"""
    return [row[0] for row in db.execute(sql, [user_query]).fetchall()]


def test_a_one_character_term_finds_every_article_containing_it(db: sqlite_utils.Database) -> None:
    assert sorted(search(db, "法")) == [2]  # 法國 (Traditional) is 法国
    assert sorted(search(db, "会")) == [1, 3, 5]  # 会谈, 会议, 会晤


def test_a_two_character_term_finds_simplified_and_traditional_articles(db: sqlite_utils.Database) -> None:
    assert sorted(search(db, "台湾")) == [1, 2]


def test_traditional_and_simplified_queries_find_the_same_articles(db: sqlite_utils.Database) -> None:
    assert sorted(search(db, "臺灣")) == sorted(search(db, "台湾")) == [1, 2]
    assert search(db, "海峡中线") == search(db, "海峽中線") == [2]


def test_a_long_term_is_an_exact_substring_search(db: sqlite_utils.Database) -> None:
    assert search(db, "国家安全顾问") == [1]
    assert search(db, "国家安全部") == []


def test_names_are_found(db: sqlite_utils.Database) -> None:
    assert search(db, "刘建超") == [1]
    assert search(db, "费纳") == [1]
    assert search(db, "乔恩费纳") == [1]  # the name dot of 乔恩·费纳 does not separate


def test_english_words_are_found_whatever_their_case(db: sqlite_utils.Database) -> None:
    assert search(db, "Jon Finer") == [1]
    assert sorted(search(db, "finer")) == [1, 4]
    assert sorted(search(db, "FINER")) == [1, 4]


def test_an_english_word_does_not_match_inside_a_longer_word(db: sqlite_utils.Database) -> None:
    assert search(db, "refiner") == []


def test_numbers_are_found_also_next_to_letters_and_han(db: sqlite_utils.Database) -> None:
    assert sorted(search(db, "2024")) == [1, 4, 6]  # 2024年, 2024A, ２０２４年


def test_full_width_digits_find_ascii_digits_and_back(db: sqlite_utils.Database) -> None:
    assert sorted(search(db, "２０２４")) == [1, 4, 6]
    assert search(db, "12架") == [2]  # the text says １２架


def test_decimal_numbers_are_found_as_written(db: sqlite_utils.Database) -> None:
    assert search(db, "7.2%") == [6]
    assert search(db, "72") == []


def test_several_terms_must_all_match(db: sqlite_utils.Database) -> None:
    assert search(db, "台湾 费纳") == [1]
    assert search(db, "台湾 德国") == [2]
    assert search(db, "费纳 德国") == []


def test_or_and_exclusion_are_supported(db: sqlite_utils.Database) -> None:
    assert sorted(search(db, "费纳 OR 德国")) == [1, 2]
    assert search(db, "台湾 -费纳") == [2]


def test_a_substring_trap_is_inherent_nanhai_matches_inside_zhongnanhai(db: sqlite_utils.Database) -> None:
    """Substring search cannot tell 南海 (South China Sea) from the 南海 inside 中南海: both match."""
    assert sorted(search(db, "南海")) == [3, 5]


def test_a_phrase_never_matches_across_punctuation(db: sqlite_utils.Database) -> None:
    assert search(db, "国美") == []  # 中国，美国
    assert search(db, "中国美国") == []
    assert search(db, '"中国，美国"') == [5]


def test_a_title_hit_ranks_above_a_body_hit(db: sqlite_utils.Database) -> None:
    assert search(db, "finer") == [4, 1]  # title "The finer points" beats a mention in the lead


def test_queries_with_nothing_searchable_find_nothing_without_error(db: sqlite_utils.Database) -> None:
    for user_query in ["", '"', "AND", "OR", "NOT", "*", "NEAR(", ":", "^", "😀", "。", "\x00"]:
        assert search(db, user_query) == []


@settings(deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture], max_examples=200)
@given(st.text(max_size=300))
def test_any_user_query_runs_against_the_index(db: sqlite_utils.Database, user_query: str) -> None:
    search(db, user_query)


_HAN = "台湾臺灣海峡峽中国國美南北京法德的了"
_CLAUSES = st.lists(st.text(alphabet=_HAN, min_size=1, max_size=12), min_size=1)


@settings(max_examples=100, deadline=None)
@given(clauses=_CLAUSES, data=st.data())
def test_any_run_of_han_characters_from_an_article_finds_it_and_is_marked(
    clauses: list[str], data: st.DataObject
) -> None:
    text = "，".join(clauses) + "。"
    clause = data.draw(st.sampled_from(clauses))
    start = data.draw(st.integers(0, len(clause) - 1))
    term = clause[start : data.draw(st.integers(start + 1, len(clause)))]
    conn = sqlite3.connect(":memory:")
    create_search_index(conn)
    index_articles(conn, [(7, "", "", text, ""), (8, "", "", "无关文字。", "")])
    register_sql_functions(conn)
    found = conn.execute(f"select rowid from {FTS_TABLE} where {FTS_TABLE} match zh_fts_query(?)", [term])
    assert [r[0] for r in found] == [7]
    assert "<mark>" in conn.execute("select zh_highlight(?, ?)", [text, term]).fetchone()[0]


# ------------------------------------------------------------------------------ SQL functions


def test_zh_snippet_marks_hits_on_the_original_text_in_sql(db: sqlite_utils.Database) -> None:
    sql = """select zh_snippet(a.body_text, :q, 20) from articles a
             join articles_fts on articles_fts.rowid = a.search_rowid
             where articles_fts match zh_fts_query(:q) order by rank"""
    assert db.execute(sql, {"q": "台湾"}).fetchall() == [
        ("<mark>臺灣</mark>國防部週三表示，共有１２架軍機越過海…",),
        ("双方就<mark>台湾</mark>问题和芬太尼管制交换意见。费纳…",),
    ]


def test_sql_functions_accept_null_and_odd_arguments(db: sqlite_utils.Database) -> None:
    row = db.execute(
        "select zh_fts_query(null), zh_snippet(null, 'x'), zh_snippet('台湾', null, 'x')"
    ).fetchone()
    assert row == ('"zhnews0nomatch"', None, "台湾")
    assert db.execute("select zh_highlight('臺灣', '台湾')").fetchone() == ("<mark>臺灣</mark>",)


def test_escape_fts_can_be_replaced_for_datasettes_search_box(db: sqlite_utils.Database) -> None:
    conn = db.conn
    conn.create_function("escape_fts", 1, lambda q: q)  # what Datasette registers first
    register_sql_functions(conn, escape_fts=True)
    sql = (
        f"select search_rowid from articles where search_rowid in"
        f" (select rowid from {FTS_TABLE} where {FTS_TABLE} match escape_fts(?))"
    )
    assert sorted(r[0] for r in conn.execute(sql, ["臺灣"])) == [1, 2]


def test_the_search_view_answers_datasettes_table_and_column_searches_with_article_ids(
    db: sqlite_utils.Database,
) -> None:
    """The two filters Datasette 0.65 writes with fts_table = the view: `?_search=` uses fts_pk (id),
    `?_search_title=` always uses rowid (= id, the INTEGER PRIMARY KEY)."""
    register_sql_functions(db.conn, escape_fts=True)
    everywhere = (f"select id from articles where id in (select rowid from {SEARCH_VIEW}"
                  f" where {SEARCH_VIEW} match escape_fts(?))")
    in_titles = (f"select id from articles where rowid in (select rowid from {SEARCH_VIEW}"
                 f" where title match escape_fts(?))")
    assert {r[0] for r in db.execute(everywhere, ["臺灣"])} == {_id(1), _id(2)}
    assert {r[0] for r in db.execute(in_titles, ["臺灣"])} == {_id(2)}  # only article 2 has it in its title
    assert {r[0] for r in db.execute(in_titles, ["费纳"])} == {_id(1)}
    plan = " ".join(r[3] for r in db.execute(f"explain query plan {everywhere}", ["臺灣"]))
    assert "VIRTUAL TABLE" in plan  # the MATCH reached FTS5 through the view


# ------------------------------------------------------------------------------ maintenance


def _instances(database: sqlite_utils.Database | sqlite3.Connection) -> list[tuple]:
    """Everything the index holds: (term, doc, column, offset) for every token."""
    database.execute(
        f"create virtual table if not exists temp.vocab using fts5vocab(main, {FTS_TABLE}, instance)"
    )
    return database.execute("select term, doc, col, offset from temp.vocab order by 1, 2, 3, 4").fetchall()


def test_incremental_changes_leave_exactly_the_index_of_a_fresh_build(tmp_path: Path) -> None:
    """Also shows the functions take the bare sqlite3 connection the builder works with."""
    changed = (4, "The finer points of trade", "", "Tariffs on steel rose in 2025.", "")
    incremental = sqlite3.connect(tmp_path / "incremental.db")
    create_search_index(incremental)
    index_articles(incremental, _rows())
    unindex_articles(incremental, _rows([4, 5]))  # article 4 changes, article 5 is removed
    index_articles(incremental, [changed])
    fresh = sqlite_utils.Database(tmp_path / "fresh.db")
    create_search_index(fresh)
    index_articles(fresh, [*_rows([1, 2, 3, 6]), changed])
    assert _instances(incremental) == _instances(fresh)
    incremental.execute(f"insert into {FTS_TABLE}({FTS_TABLE}) values ('integrity-check')")


def test_a_changed_article_is_found_by_its_new_text_only(db: sqlite_utils.Database) -> None:
    unindex_articles(db, _rows([4]))
    index_articles(db, [(4, "Steel tariffs", "", "Tariffs on steel rose in 2025.", "")])
    assert search(db, "refiners") == []
    assert search(db, "tariffs") == [4]
    assert sorted(search(db, "2024")) == [1, 6]


def test_a_removed_article_is_no_longer_found(db: sqlite_utils.Database) -> None:
    unindex_articles(db, _rows([1]))
    assert search(db, "刘建超") == []
    assert sorted(search(db, "台湾")) == [2]


def test_indexing_an_article_twice_is_refused(db: sqlite_utils.Database) -> None:
    with pytest.raises(ValueError, match="already"):
        index_articles(db, _rows([1]))


def test_unindexing_an_article_that_is_not_indexed_is_refused(db: sqlite_utils.Database) -> None:
    with pytest.raises(ValueError, match="not in"):
        unindex_articles(db, [(99, "x", "", "y", "")])


def test_create_search_index_keeps_a_current_index(db: sqlite_utils.Database) -> None:
    assert search_index_is_current(db)
    assert create_search_index(db) is False
    assert search(db, "费纳") == [1]


def test_an_index_built_by_another_segmentation_is_recreated_empty(db: sqlite_utils.Database) -> None:
    db.execute(f"update {META_TABLE} set value = 'segmenter 0' where key = 'fingerprint'")
    assert not search_index_is_current(db)
    assert create_search_index(db) is True
    assert search(db, "费纳") == []


def test_create_search_index_with_replace_starts_empty(db: sqlite_utils.Database) -> None:
    assert create_search_index(db, replace=True) is True
    assert search(db, "台湾") == []


def test_incremental_churn_is_optimized_away_once_it_passes_the_threshold(tmp_path: Path) -> None:
    """Re-indexing articles leaves their old entries behind until a merge; tidy_search_index optimizes
    once the unindexed articles since the last optimize pass OPTIMIZE_SHARE of all articles."""
    conn = sqlite3.connect(tmp_path / "churn.db")
    create_search_index(conn)
    rows = [(i, f"标题{i}", "", f"第{i}篇文章的正文：政府公布了新的预算方案，议员们进行了辩论。" * 20, "")
            for i in range(1, 201)]
    index_articles(conn, rows)
    optimize_search_index(conn)
    optimized = search_index_bytes(conn)
    per_build = int(OPTIMIZE_SHARE * len(rows) / 2)  # two builds stay under the threshold, the third passes
    ran = []
    for build in range(3):
        churn = rows[build * per_build: (build + 1) * per_build]
        unindex_articles(conn, churn)
        index_articles(conn, churn)
        ran.append(tidy_search_index(conn, len(churn), len(rows)))
        if build == 1:
            assert search_index_bytes(conn) > optimized  # the stale entries are still there
    assert ran == [False, False, True]
    assert search_index_bytes(conn) == optimized
    assert tidy_search_index(conn, 0, len(rows)) is False  # the count restarted at the optimize
    conn.execute(f"insert into {FTS_TABLE}({FTS_TABLE}) values ('integrity-check')")


# ------------------------------------------------------------------------------ the real corpus


def _corpus_texts(corpus: Path) -> list[tuple[str, str, str]]:
    """(title, lead, body_text) of every corpus file: parsed when the parser exists, else the page text."""
    try:
        from zhnews.article import ParseError
        from zhnews.extract.parser import parse
    except ImportError:
        parse = None
    from bs4 import BeautifulSoup

    texts = []
    for path in corpus_files(corpus):
        data = path.read_bytes()
        if parse is None:
            texts.append(("", "", BeautifulSoup(data, "lxml").get_text("\n")))
            continue
        try:
            article = parse(data, str(path))
        except ParseError:
            continue
        texts.append((article.title, article.lead, article.body_text))
    return texts


@pytest.mark.corpus
@pytest.mark.slow
def test_search_structures_stay_under_one_and_a_half_times_the_body_text(
    corpus: Path, tmp_path: Path
) -> None:
    texts = _corpus_texts(corpus)
    assert len(texts) > 2000
    database = sqlite_utils.Database(tmp_path / "corpus.db")
    create_search_index(database)
    index_articles(database, ((i, *t, "") for i, t in enumerate(texts, 1)))
    database.conn.commit()
    optimize_search_index(database)
    database.conn.commit()
    body_bytes = sum(len(body.encode()) for _, _, body in texts)
    assert search_index_bytes(database) <= 1.5 * body_bytes
    register_sql_functions(database.conn)
    assert search(database, "台湾") and search(database, "臺灣") == search(database, "台湾")


def test_search_index_bytes_counts_the_fts_tables_only(db: sqlite_utils.Database) -> None:
    fts_pages = db.execute(
        f"select sum(pgsize) from dbstat where name like '{FTS_TABLE}%' and name != 'articles'"
    ).fetchone()[0]
    assert search_index_bytes(db) == fts_pages > 0

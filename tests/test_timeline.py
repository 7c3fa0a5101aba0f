"""The timeline (zhnews.app.timeline): series that add up, the per-1,000 normalisation, and a chart whose
bars are as tall as their counts and whose months link to the month."""

from __future__ import annotations

from zhnews.app.timeline import build_timeline, chart, coverage_strip, month_span
from zhnews.search import keys
from zhnews.search.catalog import Catalog, Outlet
from zhnews.search.engine import Counts

CATALOG = Catalog(
    outlets={code: Outlet(code, code.upper(), slot, 100) for slot, code in enumerate("abcdefg")},
    coverage={(code, month): 10 for code in "abcdefg" for month in ("2020-01", "2020-02", "2020-04")},
)


def counts(cells: dict[tuple[str, str], int]) -> Counts:
    """Counts as the engine returns them, from (month, outlet code) -> matches."""
    slots = {code: o.slot for code, o in CATALOG.outlets.items()}
    return Counts({keys.block(keys.month_number(m), slots[o]): n for (m, o), n in cells.items()})


def test_month_span_fills_the_gaps() -> None:
    assert month_span("2019-11", "2020-02") == ["2019-11", "2019-12", "2020-01", "2020-02"]
    assert month_span("2020-02", "2020-01") == []


def test_one_query_is_split_by_its_top_outlets_and_the_rest_is_other() -> None:
    cells = {("2020-01", code): n for code, n in zip("abcdefg", (50, 40, 30, 20, 10, 5, 1), strict=True)}
    cells[("2020-04", "a")] = 7
    cells[("", "b")] = 3  # undated
    timeline = build_timeline([counts(cells)], ["q"], CATALOG)
    assert timeline.months == ["2020-01", "2020-02", "2020-03", "2020-04"]
    assert [s.key for s in timeline.series] == ["a", "b", "c", "d", "e", "other"]
    assert [s.counts for s in timeline.series][-1] == [6, 0, 0, 0]
    assert [row["total"] for row in timeline.rows()] == [156, 0, 0, 7]
    assert timeline.undated == [3]
    assert timeline.articles == [70, 70, 0, 70]  # the archive's articles per month; none in March


def test_per_thousand_divides_by_the_archive_and_leaves_empty_months_blank() -> None:
    timeline = build_timeline([counts({("2020-01", "a"): 7, ("2020-04", "a"): 14})], ["q"], CATALOG,
                              outlets=("a",), per_thousand=True)
    series = timeline.series[0]
    assert [timeline.value(series, i) for i in range(4)] == [700.0, 0.0, None, 1400.0]


def test_the_chart_draws_each_month_as_a_link_with_bars_as_tall_as_their_counts() -> None:
    timeline = build_timeline([counts({("2020-01", "a"): 30, ("2020-01", "b"): 10, ("2020-02", "a"): 20})],
                              ["q"], CATALOG)
    drawn = chart(timeline, lambda month: f"/search?month={month}")
    assert [c.month for c in drawn.columns] == ["2020-01", "2020-02"]
    assert [c.href for c in drawn.columns] == ["/search?month=2020-01", "/search?month=2020-02"]
    january, february = drawn.columns
    unit = january.bars[0].height / 30
    assert [round(b.height / unit) for b in january.bars] == [30, 10]
    assert [round(b.height / unit) for b in february.bars] == [20]
    assert "2020-01: 40" in january.title
    assert all(b.y + b.height <= drawn.baseline + 1e-6 for b in january.bars)


def test_compared_queries_are_lines_broken_where_the_archive_has_no_article() -> None:
    first = counts({("2020-01", "a"): 1, ("2020-04", "a"): 2})
    second = counts({("2020-02", "b"): 5})
    timeline = build_timeline([first, second], ["甲", "乙"], CATALOG, per_thousand=True)
    assert not timeline.stacked and [s.key for s in timeline.series] == ["甲", "乙"]
    drawn = chart(timeline, str)
    colors = [color for color, _ in drawn.lines]
    assert set(colors) == {s.color for s in timeline.series} and len(colors) == 4  # March breaks each line


def test_the_coverage_strip_has_a_row_per_outlet_and_a_cell_per_month_with_articles() -> None:
    strip = coverage_strip(CATALOG)
    assert [r.code for r in strip.rows] == list("abcdefg")
    assert all(len(r.cells) == 3 for r in strip.rows)
    assert strip.months == ["2020-01", "2020-02", "2020-03", "2020-04"]

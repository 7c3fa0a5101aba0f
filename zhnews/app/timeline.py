"""Matches per month as a chart: the series (split by the top outlets, or one per compared query), their
per-1,000-articles normalisation, and the geometry of a server-rendered SVG (no script, no fetch).

A month with fewer archived articles is not less attention: `per_thousand` divides each month's matches
by the archive's articles of that month (of the chosen outlets), so the shape shows share, not volume.
The home page's coverage strip (articles per outlet per month) is drawn here too: where the archive has
gaps is information.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from zhnews.search.catalog import Catalog
from zhnews.search.engine import Counts

TOP_OUTLETS = 5
PALETTE = ("#1f6feb", "#d1495b", "#2a9d8f", "#e9a03b", "#7d5ba6", "#5c7080")
OTHER_COLOR = "#b8c0c8"
WIDTH, HEIGHT = 960, 220
LEFT, RIGHT, TOP, BOTTOM = 44, 8, 10, 24


def month_span(first: str, last: str) -> list[str]:
    """Every month from `first` to `last` (YYYY-MM), both included."""
    if not first or not last or first > last:
        return []
    year, month = int(first[:4]), int(first[5:7])
    months = []
    while (label := f"{year:04d}-{month:02d}") <= last:
        months.append(label)
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months


@dataclass
class Series:
    key: str  # outlet code, "other", or the query
    label: str
    color: str
    counts: list[int]  # per month of the timeline

    @property
    def total(self) -> int:
        return sum(self.counts)


@dataclass
class Timeline:
    months: list[str]
    series: list[Series]
    articles: list[int]  # the archive's articles per month (of the chosen outlets): the denominators
    per_thousand: bool = False
    stacked: bool = True  # one query split by outlet; compared queries are drawn as lines
    undated: list[int] = field(default_factory=list)  # per series: matches without a date

    def value(self, series: Series, index: int) -> float | None:
        """What the chart shows for a series in a month: matches, or matches per 1,000 articles (None
        where the archive has no article that month)."""
        n = series.counts[index]
        if not self.per_thousand:
            return float(n)
        return 1000.0 * n / self.articles[index] if self.articles[index] else None

    def month_total(self, index: int) -> float:
        return sum(self.value(s, index) or 0.0 for s in self.series)

    def rows(self) -> list[dict[str, object]]:
        """One row per month: the timeline as data (JSON, the CSV export)."""
        out = []
        for i, month in enumerate(self.months):
            row: dict[str, object] = {"month": month, "articles_in_archive": self.articles[i]}
            for s in self.series:
                row[s.key] = s.counts[i]
                if self.articles[i]:
                    row[f"{s.key}_per_1000"] = round(1000.0 * s.counts[i] / self.articles[i], 3)
            if self.stacked:
                row["total"] = total = sum(s.counts[i] for s in self.series)
                if self.articles[i]:
                    row["total_per_1000"] = round(1000.0 * total / self.articles[i], 3)
            out.append(row)
        return out


def build_timeline(counts: Sequence[Counts], queries: Sequence[str], catalog: Catalog,
                   outlets: Sequence[str] = (), first: str = "", last: str = "",
                   per_thousand: bool = False) -> Timeline:
    """The timeline of one query (split by its top outlets, the rest as "other") or of several compared
    queries (one series each), over the months first..last (default: from the first to the last month
    with a match)."""
    matched = sorted({m for c in counts for m, n in c.by_month().items() if m and n})
    first = first or (matched[0] if matched else "")  # the span of the matches, unless dates are chosen
    last = last or (matched[-1] if matched else "")
    months = month_span(first, last)
    index = {m: i for i, m in enumerate(months)}
    per_month = catalog.month_articles(tuple(outlets))
    articles = [per_month.get(m, 0) for m in months]
    names = {code: o.name for code, o in catalog.outlets.items()}
    if len(counts) == 1:
        cells = counts[0].by_month_and_outlet(catalog)
        ranked = [code for code in counts[0].by_outlet(catalog)]
        top = ranked[:TOP_OUTLETS] if len(ranked) > TOP_OUTLETS + 1 else ranked
        series = [Series(code, names.get(code, code), PALETTE[i % len(PALETTE)], [0] * len(months))
                  for i, code in enumerate(top)]
        other = Series("other", "其他 Other", OTHER_COLOR, [0] * len(months))
        by_code = {s.key: s for s in series}
        undated = 0
        for (month, code), n in cells.items():
            if month not in index:
                undated += n if not month else 0
                continue
            (by_code.get(code) or other).counts[index[month]] += n
        if other.total:
            series.append(other)
        return Timeline(months, series, articles, per_thousand, True, [undated])
    series = []
    undated_list = []
    for i, (query, c) in enumerate(zip(queries, counts, strict=True)):
        by_month = c.by_month()
        series.append(Series(query, query, PALETTE[i % len(PALETTE)], [by_month.get(m, 0) for m in months]))
        undated_list.append(by_month.get("", 0))
    return Timeline(months, series, articles, per_thousand, False, undated_list)


# --------------------------------------------------------------------------------------------- geometry


@dataclass
class Rect:
    x: float
    y: float
    width: float
    height: float
    color: str


@dataclass
class MonthColumn:
    """Everything drawn for one month: its bars (stacked) and the clickable area around them."""

    month: str
    x: float
    width: float
    href: str
    title: str
    bars: list[Rect]


@dataclass
class Chart:
    width: int
    height: int
    columns: list[MonthColumn]
    lines: list[tuple[str, str]]  # (color, SVG points) per unbroken stretch of a compared query's line
    y_ticks: list[tuple[float, str]]  # (y, label)
    x_ticks: list[tuple[float, str]]  # (x, year)
    legend: list[Series]
    baseline: float


def _nice_ceiling(value: float) -> float:
    """1, 2 or 5 times a power of ten, at least `value` (the top of the y axis)."""
    if value <= 0:
        return 1.0
    power = 10 ** math.floor(math.log10(value))
    return next(step * power for step in (1, 2, 2.5, 5, 10) if step * power >= value)


def _format(value: float, per_thousand: bool) -> str:
    if per_thousand:
        return f"{value:.1f}" if value < 100 else f"{value:,.0f}"
    return f"{value:,.0f}"


def chart(timeline: Timeline, month_href: Callable[[str], str]) -> Chart:
    """SVG geometry of the timeline: a column per month (stacked bars, or points on each query's line),
    each a link to the search narrowed to that month."""
    n = max(len(timeline.months), 1)
    plot_width, plot_height = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    slot = plot_width / n
    peak = max((timeline.month_total(i) if timeline.stacked else
                max((timeline.value(s, i) or 0.0 for s in timeline.series), default=0.0))
               for i in range(len(timeline.months))) if timeline.months else 0.0
    top = _nice_ceiling(peak)
    baseline = TOP + plot_height

    def y_of(value: float) -> float:
        return baseline - plot_height * value / top

    columns: list[MonthColumn] = []
    stretches: dict[str, list[list[str]]] = {s.key: [[]] for s in timeline.series}  # broken where None
    unit = " / 1,000 篇" if timeline.per_thousand else " 篇"
    for i, month in enumerate(timeline.months):
        x = LEFT + i * slot
        bars: list[Rect] = []
        level = baseline
        parts = []
        for s in timeline.series:
            value = timeline.value(s, i)
            if value is None:
                if stretches[s.key][-1]:
                    stretches[s.key].append([])  # no archived article that month: a gap, not a zero
                continue
            if s.counts[i]:
                parts.append(f"{s.label} {_format(value, timeline.per_thousand)}")
            if timeline.stacked and value > 0:
                height = plot_height * value / top
                level -= height
                bars.append(Rect(x + slot * 0.1, level, max(slot * 0.8, 0.5), height, s.color))
            elif not timeline.stacked:
                stretches[s.key][-1].append(f"{x + slot / 2:.1f},{y_of(value):.1f}")
        if timeline.stacked:
            total = timeline.month_total(i)
            head = f"{month}: {_format(total, timeline.per_thousand)}{unit}"
        else:
            head = month
        if not timeline.articles[i]:
            head += "（存档中无文章 no archived articles）"
        title = head + ("\n" + "\n".join(parts) if parts else "")
        columns.append(MonthColumn(month, x, slot, month_href(month), title, bars))
    ticks = [(y_of(top * k / 4), _format(top * k / 4, timeline.per_thousand)) for k in range(5)]
    years = [(LEFT + i * slot, m[:4]) for i, m in enumerate(timeline.months) if m.endswith("-01")]
    if timeline.months and not any(m.endswith("-01") for m in timeline.months[:4]):
        years.insert(0, (LEFT, timeline.months[0][:4]))  # the first year, unless its January is near
    step = max(1, math.ceil(len(years) / 12))
    lines = [] if timeline.stacked else [
        (s.color, " ".join(points)) for s in timeline.series for points in stretches[s.key] if points]
    return Chart(WIDTH, HEIGHT, columns, lines, ticks, years[::step], timeline.series, baseline)


# ------------------------------------------------------------------------------------- coverage strip


@dataclass
class CoverageRow:
    code: str
    name: str
    total: int
    cells: list[tuple[float, str, str, str]]  # (x, color, title, month) per month with articles


@dataclass
class Coverage:
    width: int
    months: list[str]
    cell_width: float
    rows: list[CoverageRow]
    x_ticks: list[tuple[float, str]]


def coverage_strip(catalog: Catalog, width: int = 720) -> Coverage:
    """Articles per outlet per month as a heat strip: a row per outlet, darker = more articles (log scale,
    relative to that outlet's busiest month); a month without articles stays blank."""
    months = month_span(catalog.months[0], catalog.months[-1]) if catalog.months else []
    cell = width / max(len(months), 1)
    rows = []
    for code, outlet in catalog.outlets.items():
        counts = [catalog.coverage.get((code, m), 0) for m in months]
        if not any(counts):
            continue
        peak = max(counts)
        cells = []
        for i, (month, n) in enumerate(zip(months, counts, strict=True)):
            if n:
                strength = 0.15 + 0.85 * math.log1p(n) / math.log1p(peak)
                color = f"rgba(31, 111, 235, {strength:.2f})"
                cells.append((i * cell, color, f"{outlet.name} {month}: {n:,} 篇", month))
        rows.append(CoverageRow(code, outlet.name, sum(counts), cells))
    years = [(i * cell, m[:4]) for i, m in enumerate(months) if m.endswith("-01")]
    step = max(1, math.ceil(len(years) / 10))
    return Coverage(width, months, cell, rows, years[::step])

"""Date evidence formats and the `published` resolution order (zhnews.extract.dates docstring)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from zhnews.extract.dates import (
    PARIS,
    SHANGHAI,
    Evidence,
    evidence,
    explain,
    from_stamp,
    iso_utc,
    local_iso,
    parse_datetime,
    plausible,
    resolve,
    url_evidence,
)

NOW = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)


def at(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


@pytest.mark.parametrize(
    ("text", "zone", "utc", "has_time"),
    [
        ("2020-07-17T14:59:51.922Z", UTC, "2020-07-17T14:59:51Z", True),  # DW
        ("2020-07-17T10:04:21", UTC, "2020-07-17T10:04:21Z", True),  # Reuters, naive = UTC
        ("Fri, 17 Jul 2020 19:47:09 GMT", UTC, "2020-07-17T19:47:09Z", True),  # VOA
        ("2020-07-09 14:41:59", SHANGHAI, "2020-07-09T06:41:59Z", True),  # NYT, Beijing time
        ("20/07/2020 - 17:50", PARIS, "2020-07-20T15:50:00Z", True),  # RFI summer
        ("11/01/2024 - 13:42", PARIS, "2024-01-11T12:42:00Z", True),  # RFI winter
        ("Sat, 27 Jun 2020 13:30:55 +0000", UTC, "2020-06-27T13:30:55Z", True),  # CDT 日期
        ("2020年 7月 14日", UTC, "2020-07-14T00:00:00Z", False),  # BBC
        ("2024-06-25", UTC, "2024-06-25T00:00:00Z", False),  # <time datetime>
        ("2025.2.11", UTC, "2025-02-11T00:00:00Z", False),  # CDT 档案卡
    ],
)
def test_every_outlet_date_format_parses(text: str, zone: object, utc: str, has_time: bool) -> None:
    ev = evidence(text, "dateline", zone)  # type: ignore[arg-type]
    assert ev is not None
    assert iso_utc(ev.when) == utc
    assert ev.has_time is has_time


@pytest.mark.parametrize("text", ["", "43 分钟前", "hello", "99/99/2020 - 10:00", "2020-13-45", "x" * 100])
def test_non_dates_are_none_not_errors(text: str) -> None:
    assert parse_datetime(text) is None


def test_published_local_keeps_the_outlets_offset_or_just_the_day() -> None:
    paris = evidence("20/07/2020 - 17:50", "dateline", PARIS)
    assert paris is not None and local_iso(paris) == "2020-07-20T17:50:00+02:00"
    day = evidence("2020年 7月 14日", "dateline")
    assert day is not None and local_iso(day) == "2020-07-14"


def test_stamp_is_unix_milliseconds_and_absurd_stamps_are_none() -> None:
    assert from_stamp(1595241918000) == at("2020-07-20T10:45:18Z")
    assert from_stamp(10**16) is None
    assert from_stamp(None) is None


def test_plausible_means_1990_to_the_end_of_tomorrow() -> None:
    assert plausible(at("1990-01-01T00:00:00Z"), NOW)
    assert not plausible(at("1989-12-31T23:59:59Z"), NOW)
    assert plausible(at("2026-11-29T23:59:59Z"), NOW)
    assert not plausible(at("2026-11-30T00:00:00Z"), NOW)
    assert not plausible(None, NOW)


def ev(text: str, source: str, has_time: bool = True) -> Evidence:
    return Evidence(at(text), source, has_time)


STAMP = at("2020-07-20T12:00:00Z")


def test_order_outlet_full_time_beats_the_stamp() -> None:
    chosen = resolve([ev("2020-07-20T11:40:00Z", "dateline")], STAMP, None, None, None, NOW)
    assert chosen is not None and chosen.source == "dateline"


def test_order_stamp_beats_front_matter_date_line_text_and_url() -> None:
    chosen = resolve(
        [], STAMP, ev("2020-07-21T00:00:00Z", "front_matter"), ev("2020-07-18T00:00:00Z", "date_line_text"),
        ev("2020-07-19T00:00:00Z", "url", False), NOW,
    )
    assert chosen is not None and (chosen.source, chosen.when) == ("fed_at", STAMP)


def test_a_url_date_never_overrules_the_feeds_time_and_its_disagreement_is_said() -> None:
    """VOA slugs carry dates 9 days before and 638 days after the article's date line; a stamp of 2001 on
    a page whose URL says 2023 is kept, and `published_from` says how far the URL's date is."""
    bogus = at("2001-07-31T16:00:00Z")
    url = ev("2023-08-01T00:00:00Z", "url", False)
    chosen = resolve([], bogus, None, None, url, NOW)
    assert chosen is not None and chosen.source == "fed_at"
    assert explain(chosen, [url]).startswith("fed_at; url 8035.")


def test_a_zoned_front_matter_date_written_before_the_stamp_wins_over_it() -> None:
    """A fork wrote `date: 2021-01-22T14:15:49.774Z` and a stamp 14 h later: a feed time after the file was
    written is wrong. A front matter without a zone, or without a time, proves nothing."""
    stamp = at("2021-01-23T04:15:00Z")
    url = ev("2021-01-22T00:00:00Z", "url", False)
    written = evidence("2021-01-22T14:15:49.774Z", "front_matter")
    chosen = resolve([], stamp, written, None, url, NOW)
    assert chosen is not None and chosen.source == "front_matter"
    assert iso_utc(chosen.when) == "2021-01-22T14:15:49Z"
    for weaker in ("2021-01-22 14:15:49", "2021-01-22"):
        chosen = resolve([], stamp, evidence(weaker, "front_matter"), None, url, NOW)
        assert chosen is not None and chosen.source == "fed_at", weaker
    same = resolve([], stamp, evidence("2021-01-23T04:15:00.000Z", "front_matter"), None, url, NOW)
    assert same is not None and same.source == "fed_at"


def test_order_front_matter_then_date_line_text_then_url() -> None:
    fm = ev("2020-07-19T00:00:00Z", "front_matter")
    dl = ev("2020-07-18T00:00:00Z", "date_line_text")
    url = ev("2020-07-17T00:00:00Z", "url", False)
    assert resolve([], None, fm, dl, url, NOW).source == "front_matter"  # type: ignore[union-attr]
    assert resolve([], None, None, dl, url, NOW).source == "date_line_text"  # type: ignore[union-attr]
    assert resolve([], None, None, None, url, NOW).source == "url"  # type: ignore[union-attr]
    assert resolve([], None, None, None, None, NOW) is None


def test_a_day_only_outlet_date_yields_to_a_stamp_within_two_days() -> None:
    chosen = resolve([ev("2020-07-20T00:00:00Z", "dateline", False)], STAMP, None, None, None, NOW)
    assert chosen is not None and chosen.source == "fed_at"


def test_a_day_only_outlet_date_beats_a_stamp_from_a_much_later_refeed() -> None:
    refeed = at("2023-07-22T04:26:40Z")
    chosen = resolve([ev("2020-07-20T00:00:00Z", "time_element", False)], refeed, None, None, None, NOW)
    assert chosen is not None
    assert (chosen.source, iso_utc(chosen.when)) == ("time_element_date", "2020-07-20T00:00:00Z")


def test_implausible_evidence_falls_through_to_the_next_source() -> None:
    future = ev("2031-01-01T00:00:00Z", "dateline")
    ancient = at("1970-01-01T00:00:00Z")
    chosen = resolve([future], ancient, ev("1980-01-01T00:00:00Z", "front_matter"), None,
                     ev("2020-07-17T00:00:00Z", "url", False), NOW)
    assert chosen is not None and chosen.source == "url"


@pytest.mark.parametrize(
    ("url", "day"),
    [
        ("https://www.rfi.fr/cn/contenu/20200720-x", "2020-07-20"),
        ("https://cn.nytimes.com/china/20250212/x/", "2025-02-12"),
        ("https://www.voachinese.com/a/x-2021-07-14/5965955.html", "2021-07-14"),
        ("https://www.economist.com/graphic-detail/2020/07/30/x", "2020-07-30"),
        ("https://www.cna.com.tw/news/firstnews/202008030045.aspx", "2020-08-03"),
    ],
)
def test_url_dates(url: str, day: str) -> None:
    found = url_evidence(url)
    assert found is not None and found.when.date().isoformat() == day and found.source == "url"


def test_urls_without_a_valid_date() -> None:
    assert url_evidence("https://www.dw.com/zh/x/a-54245694") is None
    assert url_evidence("https://a.b/20201399-x") is None


def test_chinese_date_with_a_time_of_day_is_a_full_time() -> None:
    assert parse_datetime("2023年11月14日 下午3:05") == (datetime(2023, 11, 14, 15, 5, tzinfo=UTC), True)


@pytest.mark.parametrize("text", ["2020", "12", "July 2020", "第1页"])
def test_fragments_that_dateutil_would_complete_from_today_are_not_dates(text: str) -> None:
    assert parse_datetime(text) is None

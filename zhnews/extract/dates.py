"""Date evidence and the `published` resolution order.

`published` is the publication date the page shows its readers. An article can carry several times: the
outlet's own date line or <time> element, the archiver's <!--ms--> stamp (the feed's time, `fed_at`), a
front-matter `date`, a `日期：` line, a wire dateline opening the text (`路透北京7月10日 -`) and a date in the
URL. They differ in trust, so `published` takes the first PLAUSIBLE one in this order:

1. the outlet's own full date-time (date line: DW/Reuters ISO, VOA RFC 2822, RFI Paris time, NYT;
   or a `<time datetime>` carrying a time of day)          published_from = "dateline" | "time_element"
2. the archiver's stamp                                      "fed_at"
3. front matter `date`                                       "front_matter"
4. a `日期：` line                                           "date_line_text"
5. a date in the URL (midnight UTC of that day)              "url"

A front matter date with its zone that is over an hour before the stamp wins over it: the stamp claims a
time after the file was written (one outlet's feed stamps ran 14 h ahead of its pages). A URL's date
never overrules the feed's time, however far apart (VOA slugs carry dates 9 days before and 638 days
after the article's own date line); `published_from` says when they disagree (`fed_at; url 8036.3 days
later`).

A date-only value from the outlet (BBC `2020年 7月 14日`, an Economist print-issue date) is the date the page
shows: the stamp supplies the time of day only when it falls on that date; otherwise the page's day is kept
(midnight UTC: "dateline_date" | "time_element_date") — a re-fed old article, or a print issue dated two
days after its web release. A wire dateline in the text ("text_dateline_date") overrules a stamp, front
matter or `日期：` line more than two days away from it: those are the feed's times, not the outlet's.
An update time (`<time class="updated">`) is never the publication date (zhnews.extract.meta sets it aside).
When the evidence seen disagrees by more than a day, `published_from` says which was chosen over which
(`time_element_date; fed_at 2.3 days earlier`): see explain().
Plausible means from 1990-01-01 up to the end of tomorrow (UTC); anything else falls through.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, tzinfo
from email.utils import parsedate_to_datetime
from functools import lru_cache
from zoneinfo import ZoneInfo

from dateutil import parser as date_parser

EARLIEST = datetime(1990, 1, 1, tzinfo=UTC)
DISAGREE = timedelta(days=1)  # evidence further apart than this disagrees: the choice is explained
# A wire dateline names a local day (Washington's 24th is Taipei's 25th): only a wider gap means the feed
# stamp is days late.
TEXT_GAP = timedelta(days=2)
# A fork's front matter `date` written with its zone (`2021-01-22T09:17:48.929Z`) earlier than the
# stamp by more than this: the stamp claims a time after the file was written (one outlet's feed
# stamps ran 14 h ahead), so the front matter is the better time.
STAMP_AFTER_WRITING = timedelta(hours=1)

PARIS = ZoneInfo("Europe/Paris")
SHANGHAI = ZoneInfo("Asia/Shanghai")

_ISO_DATE = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})$")
_DMY_TIME = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})\s*-\s*(\d{1,2}):(\d{2})$")
_CJK_DATE = re.compile(
    r"(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日(?:\s*(?:[上下]午)?\s*(\d{1,2})\s*[:：时]\s*(\d{2}))?"
)
_DIGIT_GROUPS = re.compile(r"\d+")
_YEAR = re.compile(r"(?<!\d)(?:19|20)\d\d(?!\d)")
_DOT_DATE = re.compile(r"(\d{4})[.．/](\d{1,2})[.．/](\d{1,2})$")
_ZONED = re.compile(r"(?:\d[Zz]|[+-]\d\d:?\d\d|\b(?:GMT|UTC))\s*$")
_URL_DATES = (
    re.compile(r"/((?:19|20)\d\d)/(\d\d)/(\d\d)(?:/|$)"),  # /2020/07/30/
    re.compile(r"(?<!\d)((?:19|20)\d\d)-(\d\d)-(\d\d)(?!\d)"),  # -2021-07-14
    re.compile(r"(?<!\d)((?:19|20)\d\d)(\d\d)(\d\d)(?:\d{4})?(?!\d)"),  # /20200720- or 202008030045.aspx
)


@dataclass(frozen=True, slots=True)
class Evidence:
    """One candidate publication time: a UTC instant, where it came from, and whether it has a time of day."""

    when: datetime  # aware, UTC
    source: str
    has_time: bool = True
    local: datetime | None = None  # the same instant in the outlet's own zone, when known
    zoned: bool = False  # the text named its zone or offset (`…Z`, `+08:00`, `GMT`): an exact instant


def iso_utc(when: datetime) -> str:
    """UTC as `YYYY-MM-DDTHH:MM:SSZ` (the `published` and `fed_at` format)."""
    return when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def latest_plausible(now: datetime | None = None) -> datetime:
    """The end of tomorrow, UTC: later values are clock or parsing errors."""
    now = now or datetime.now(UTC)
    return datetime.combine(now.date() + timedelta(days=2), datetime.min.time(), tzinfo=UTC)


def plausible(when: datetime | None, now: datetime | None = None) -> bool:
    return when is not None and EARLIEST <= when < latest_plausible(now)


def from_stamp(ms: int | None) -> datetime | None:
    """The archiver's <!--ms--> stamp (Unix milliseconds) as UTC; None when absurd."""
    if ms is None:
        return None
    try:
        return datetime.fromtimestamp(ms / 1000, UTC)
    except (OverflowError, OSError, ValueError):
        return None


def _aware(value: datetime, zone: tzinfo) -> datetime:
    return value if value.tzinfo is not None else value.replace(tzinfo=zone)


@lru_cache(maxsize=8192)
def parse_datetime(text: str, zone: tzinfo = UTC) -> tuple[datetime, bool] | None:
    """A date-time in any of the formats the outlets use -> (aware datetime, has_time); None if not one.

    Naive values are read in `zone` (the outlet's local time). Recognised: ISO 8601 (with or without
    `Z`/offset, `T` or space), RFC 2822 (`Fri, 17 Jul 2020 19:47:09 GMT`), RFI `DD/MM/YYYY - HH:MM`,
    `2020年 7月 14日`, `2025.2.11`.
    """
    text = text.strip()
    if not text or len(text) > 64:
        return None
    try:
        if m := _DMY_TIME.match(text):
            day, month, year, hour, minute = map(int, m.groups())
            return datetime(year, month, day, hour, minute, tzinfo=zone), True
        if (m := _ISO_DATE.match(text)) or (m := _DOT_DATE.match(text)):
            year, month, day = map(int, m.groups())
            return datetime(year, month, day, tzinfo=zone), False
        if m := _CJK_DATE.search(text):
            year, month, day = int(m.group(1)), int(m.group(2)), int(m.group(3))
            if m.group(4) is None:
                return datetime(year, month, day, tzinfo=zone), False
            hour = int(m.group(4)) + (12 if "下午" in text and int(m.group(4)) < 12 else 0)
            return datetime(year, month, day, hour, int(m.group(5)), tzinfo=zone), True
        if text[:4].isdigit():
            return _aware(datetime.fromisoformat(text.replace("Z", "+00:00")), zone), True
        if text[:3].isalpha() and "," in text[:5]:
            return _aware(parsedate_to_datetime(text), zone), True
    except (ValueError, TypeError, OverflowError, IndexError):
        pass
    # dateutil fills missing fields from today: only trust it with a year and a full day in the text.
    if not _YEAR.search(text) or len(_DIGIT_GROUPS.findall(text)) < 2:
        return None
    try:
        value = date_parser.parse(text, dayfirst=False, fuzzy=False, default=datetime(1900, 1, 1))
    except (ValueError, OverflowError, TypeError, date_parser.ParserError):
        return None
    has_time = any(ch.isdigit() for ch in text) and ":" in text
    return _aware(value, zone), has_time


def evidence(text: str, source: str, zone: tzinfo = UTC) -> Evidence | None:
    """Parse `text` as evidence from `source`; None when it is not a date."""
    parsed = parse_datetime(text, zone)
    if parsed is None:
        return None
    value, has_time = parsed
    try:
        return Evidence(value.astimezone(UTC), source, has_time, value, _ZONED.search(text) is not None)
    except (OverflowError, ValueError):
        return None


def url_evidence(url: str) -> Evidence | None:
    """A calendar date written in a URL path, as midnight UTC."""
    for pattern in _URL_DATES:
        for m in pattern.finditer(url):
            try:
                day = date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
            except ValueError:
                continue
            return Evidence(datetime.combine(day, datetime.min.time(), tzinfo=UTC), "url", False)
    return None


def resolve(
    outlet_dates: list[Evidence],
    fed_at: datetime | None,
    front_matter: Evidence | None,
    date_line: Evidence | None,
    url: Evidence | None,
    now: datetime | None = None,
    text_dateline: Evidence | None = None,
) -> Evidence | None:
    """Apply the resolution order of the module docstring; None when no evidence is plausible."""
    limit_ok = [e for e in outlet_dates if plausible(e.when, now)]
    for candidate in limit_ok:
        if candidate.has_time:
            return candidate
    day_only = limit_ok[0] if limit_ok else None
    if plausible(fed_at, now):
        assert fed_at is not None
        if day_only is not None and not _same_day(fed_at, day_only):
            return _as_date(day_only)
        if day_only is None and text_dateline is not None and abs(fed_at - text_dateline.when) > TEXT_GAP:
            return text_dateline
        if (front_matter is not None and front_matter.zoned and plausible(front_matter.when, now)
                and fed_at - front_matter.when > STAMP_AFTER_WRITING):
            return front_matter
        return Evidence(fed_at, "fed_at")
    for candidate in (front_matter, date_line):
        if candidate is not None and plausible(candidate.when, now):
            if text_dateline is not None and abs(candidate.when - text_dateline.when) > TEXT_GAP:
                return text_dateline
            return candidate
    if day_only is not None:
        return _as_date(day_only)
    if text_dateline is not None:
        return text_dateline
    if url is not None and plausible(url.when, now):
        return url
    return None


def _same_day(when: datetime, day: Evidence) -> bool:
    """`when` falls on the calendar day the page shows, read in the outlet's own zone."""
    shown = day.local or day.when
    zone = shown.tzinfo or UTC
    return when.astimezone(zone).date() == shown.date()


def _as_date(day: Evidence) -> Evidence:
    return Evidence(day.when, day.source + "_date", False, day.local)


def explain(chosen: Evidence, evidence_seen: list[Evidence | None]) -> str:
    """`published_from`: the chosen evidence, and the strongest disagreement when one exceeds a day.

    `dateline` when all agree; `time_element_date; fed_at 2.3 days later` when the page's date was kept
    against a feed stamp two days after it.
    """
    worst: tuple[timedelta, Evidence] | None = None
    for ev in evidence_seen:
        if ev is None or ev is chosen or not plausible(ev.when):
            continue
        gap = _gap(chosen, ev)
        if gap > DISAGREE and (worst is None or gap > worst[0]):
            worst = (gap, ev)
    if worst is None:
        return chosen.source
    gap, ev = worst
    side = "later" if ev.when > chosen.when else "earlier"
    return f"{chosen.source}; {ev.source} {gap.total_seconds() / 86400:.1f} days {side}"


def _gap(a: Evidence, b: Evidence) -> timedelta:
    """How far apart two pieces of evidence are; a date without a time stands for its whole day."""
    a_end = a.when + (timedelta(0) if a.has_time else timedelta(days=1))
    b_end = b.when + (timedelta(0) if b.has_time else timedelta(days=1))
    return max(timedelta(0), a.when - b_end, b.when - a_end)


# A wire dateline opening the text: `路透北京7月10日 -`, `（中央社台北5日電）`, `【大纪元2021年07月10日讯】`,
# `（法新社日本福冈县久留米8日电）`. Month and year, when left out, are those of the reference (the stamp).
_TEXT_DATELINE = re.compile(
    r"^.{0,4}?(?:路透|新华社|新華社|中新社|法新社|美联社|美聯社|中央社|共同社|大纪元|大紀元|韩联社|韓聯社|德新社)"
    r"[^\d（）()【】]{0,12}?(?:(\d{4})年)?(?:(\d{1,2})月)?(\d{1,2})日\s*(?:电|電|讯|訊|专电|專電|\s[-–—])"
)


def text_dateline(text: str, reference: datetime | None) -> Evidence | None:
    """The day a wire dateline at the start of the text names, completed from `reference` (the feed's
    stamp): the latest such day no later than the day after it. None without one."""
    m = _TEXT_DATELINE.match(text[:60])
    if not m or reference is None:
        return None
    year, month, day = (int(g) if g else 0 for g in m.groups())
    limit = (reference + timedelta(days=1)).date()
    if year and month:
        wanted = [(year, month)]
    elif month:
        wanted = [(limit.year, month), (limit.year - 1, month)]
    else:  # the day alone: this month or one of the two before it
        wanted = [divmod(limit.year * 12 + limit.month - 1 - back, 12) for back in range(3)]
        wanted = [(y, mo + 1) for y, mo in wanted]
    for y, mo in wanted:
        try:
            found = date(y, mo, day)
        except ValueError:
            continue
        if found <= limit or year:
            midnight = datetime.combine(found, datetime.min.time(), tzinfo=UTC)
            return Evidence(midnight, "text_dateline_date", False)
    return None


def local_iso(ev: Evidence) -> str:
    """The outlet's own reading of a time: ISO with its offset, or just the date when it has no time."""
    value = ev.local or ev.when
    if not ev.has_time:
        return value.date().isoformat()
    offset = value.utcoffset()
    if offset is None:
        value = value.replace(tzinfo=UTC)
    return value.replace(microsecond=0).isoformat()

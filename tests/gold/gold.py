"""The gold set's data and its scoring: what a correct parse of each annotated article is, field by field.

`articles.yml` holds one entry per article, annotated by a person reading the file (see README.md in
this folder). Corpus articles (../shared/corpus) must not have their text copied into the repository,
so their text fields are stored as `sha1:` prefixes of the normalised expected text; articles written by
us (sample/, tests/fixtures/) store plain text. Comparison is the same either way: both sides are
normalised (NFKC, case-folded, whitespace removed) and compared as hashes.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import yaml

from tests.conftest import CORPUS, FIXTURES, SAMPLE
from zhnews.article import Article, ParseError
from zhnews.extract.parser import parse

GOLD_FILE = Path(__file__).with_name("articles.yml")
ROOTS = {"corpus": CORPUS, "sample": SAMPLE, "fixtures": FIXTURES}
FIELDS = ("title", "published", "author", "section", "lead", "paragraphs", "no_boilerplate", "images")
_SPACE = re.compile(r"[\s\u200b-\u200f\u2060\ufeff\u00ad]+")
# Typographic choices the parser may make for the same text (ASCII <…> in Chinese -> 〈…〉).
_SAME = str.maketrans({"〈": "<", "〉": ">", "＜": "<", "＞": ">"})
_HASH = "sha1:"
DAY = timedelta(days=1)
ZONE_SLACK = timedelta(hours=12)


def normalise(text: str) -> str:
    """What two renderings of one text share: NFKC, case-folded, no whitespace or invisible characters."""
    return _SPACE.sub("", unicodedata.normalize("NFKC", text)).translate(_SAME).casefold()


def digest(text: str) -> str:
    """The stored form of a corpus text: `sha1:` + 12 hex digits of the normalised text."""
    return _HASH + hashlib.sha1(normalise(text).encode()).hexdigest()[:12]


def key(value: str) -> str:
    """A stored value (hash or plain text) or a parsed text, as a comparable key."""
    return value if value.startswith(_HASH) else digest(value)


@dataclass
class Gold:
    """One hand-annotated article."""

    id: str  # `corpus:<path>`, `sample:<path>` or `fixtures:<name>`
    title: str
    published: str  # ISO date-time with offset as the page shows it, or a date (YYYY-MM-DD)
    author: list[str]
    section: str
    lead: str
    paragraphs: list[str]
    images: list[str]
    outlet: str
    note: str = ""
    heldout: bool = False  # drawn at random after the rules were written: scored apart (tests/test_gold.py)

    @property
    def path(self) -> Path:
        root, _, rel = self.id.partition(":")
        return ROOTS[root] / rel

    @property
    def source(self) -> str:
        """The source name the build would give this file (outlet evidence from folder names)."""
        return self.id.partition(":")[2]

    def parse(self) -> Article | ParseError:
        try:
            return parse(self.path.read_bytes(), self.source)
        except ParseError as exc:
            return exc


def load(path: Path = GOLD_FILE) -> list[Gold]:
    entries: list[dict[str, Any]] = yaml.safe_load(path.read_text(encoding="utf-8")) or []
    return [
        Gold(
            id=e["id"],
            title=e["title"],
            published=str(e["published"]),
            author=list(e.get("author") or []),
            section=e.get("section") or "",
            lead=e.get("lead") or "",
            paragraphs=list(e.get("paragraphs") or []),
            images=list(e.get("images") or []),
            outlet=e["outlet"],
            note=e.get("note") or "",
            heldout=bool(e.get("heldout")),
        )
        for e in entries
    ]


def published_ok(annotated: str, parsed: datetime) -> bool:
    """`published` is right within the day: a bare date (as the page shows it, in the outlet's unknown
    zone) accepts any instant of that day give or take 12 hours of zone offset; a time accepts ±24 h."""
    if len(annotated) == 10:
        start = datetime.fromisoformat(annotated).replace(tzinfo=UTC) - ZONE_SLACK
        return start <= parsed < start + DAY + 2 * ZONE_SLACK
    when = datetime.fromisoformat(annotated)
    when = when if when.tzinfo else when.replace(tzinfo=UTC)
    return abs(parsed - when) <= DAY


@dataclass
class Score:
    """Which fields of one article the parser got right (True) or wrong (a short reason)."""

    gold: Gold
    fields: dict[str, bool] = field(default_factory=dict)
    reasons: dict[str, str] = field(default_factory=dict)

    @property
    def perfect(self) -> bool:
        return all(self.fields.values())


def score(gold: Gold, got: Article | ParseError) -> Score:
    s = Score(gold)

    def check(name: str, ok: bool, reason: str = "") -> None:
        s.fields[name] = ok
        if not ok:
            s.reasons[name] = reason

    if isinstance(got, ParseError):
        for name in FIELDS:
            check(name, False, f"ParseError: {got}")
        return s
    check("title", key(gold.title) == key(got.title), f"got {got.title[:40]!r}")
    if got.published:
        when = datetime.fromisoformat(got.published.replace("Z", "+00:00"))
        check("published", published_ok(gold.published, when), f"got {got.published} ({got.published_from})")
    else:
        check("published", False, "got none")
    names = [n for n in got.author.split(", ") if n]
    check("author", [normalise(n) for n in names] == [normalise(n) for n in gold.author], f"got {names}")
    check("section", got.section == gold.section, f"got {got.section!r}")
    check("lead", (key(gold.lead) if gold.lead else "") == (key(got.lead) if got.lead else ""),
          f"got {got.lead[:40]!r}")
    want = [key(p) for p in gold.paragraphs]
    have = [key(p) for p in got.paragraphs]
    check("paragraphs", want == have, paragraph_diff(want, have))
    allowed = set(want) | {key(gold.lead)} if gold.lead else set(want)
    extra = [p for p in [*([got.lead] if got.lead else []), *got.paragraphs] if key(p) not in allowed]
    first_extra = f"{len(extra)} text(s) not in the article: {extra[0][:40]!r}" if extra else ""
    check("no_boilerplate", not extra, first_extra)
    check("images", [i["src"] for i in got.images] == gold.images, f"got {len(got.images)} images")
    return s


def paragraph_diff(want: list[str], have: list[str]) -> str:
    """A short account of how two paragraph lists differ (counts, first divergence)."""
    if want == have:
        return ""
    pairs = enumerate(zip(want, have, strict=False))
    i = next((i for i, (a, b) in pairs if a != b), min(len(want), len(have)))
    missing = len([w for w in want if w not in have])
    extra = len([h for h in have if h not in want])
    return (
        f"expected {len(want)}, got {len(have)}; first difference at #{i + 1}; "
        f"{missing} missing, {extra} extra"
    )


def accuracy(scores: list[Score]) -> dict[str, float]:
    return {name: sum(s.fields[name] for s in scores) / len(scores) for name in FIELDS}

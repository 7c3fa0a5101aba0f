"""The independent oracle of vocabulary-variant search, and the gold set it is checked against.

Written from the specification, not from the code under test: a member is found in an article when its
normalised text (zhnews.search.text.normalise: Traditional = Simplified, case and width folded) occurs in
the article's normalised title, lead or body; Latin words and numbers only whole (Trump never inside
Trumpet). A query for a member finds every article containing any member of its group.

tests/variant_gold.txt keeps, per group, only the member strings and article counts on ../shared/corpus
(never article text): `A = B = C | counts per member | union`; `A > B = C`: A finds A, B and C, while B
and C find each other only (the one-way groups of zhnews/search/variant_data/).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from zhnews.search.text import normalise

GOLD = Path(__file__).with_name("variant_gold.txt")
FIELDS = ("title", "lead", "body_text")
CONNECTORS = "-.'’/&+_"  # inside a Latin word or number they join, not separate (zhnews.search.text)


def member_pattern(member: str) -> re.Pattern[str]:
    """The member as a regular expression over normalised text: Han characters as written; a Latin word or
    a number never continues into more letters or digits (a letter run may touch a digit: 2024A holds
    2024); between two words of a Latin name spaces or one connector (COVID-19 = COVID 19 = covid_19; the
    connectors of zhnews.search.text: - . ' ’ / & + _), never a line break."""
    pieces = []
    joiners = re.escape(CONNECTORS)
    for piece in re.findall(rf"[a-z]+|[0-9]+|[ {joiners}]+|.", normalise(member).strip()):
        if piece[0] in " " + CONNECTORS:
            pieces.append(rf"[^\S\n]*[{joiners}]?[^\S\n]*")
        elif piece.isascii() and piece.isalpha():
            pieces.append(rf"(?<![a-z]){piece}(?![a-z])")
        elif piece.isdigit():
            pieces.append(rf"(?<![0-9]){piece}(?![0-9])")
        else:
            pieces.append(re.escape(piece))
    return re.compile("".join(pieces))


def containing(articles: Iterable[dict[str, Any]], member: str, fields: tuple[str, ...] = FIELDS) -> set[int]:
    """Ids of the articles whose normalised fields contain the member (a hit never spans two fields)."""
    pattern = member_pattern(member)
    return {a["id"] for a in articles if any(pattern.search(a[f"n_{f}"]) for f in fields)}


def normalised_articles(articles: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """Articles with their fields normalised once (`n_title`, `n_lead`, `n_body_text`)."""
    return [{**a, **{f"n_{f}": normalise(a[f] or "") for f in FIELDS}} for a in articles]


@dataclass(frozen=True)
class GoldGroup:
    sides: tuple[tuple[str, ...], ...]  # `A > B = C`: (("A",), ("B", "C"))
    counts: tuple[int, ...]  # articles containing each member, in the order written
    union: int
    section: str
    line: str

    @property
    def members(self) -> tuple[str, ...]:
        return tuple(m for side in self.sides for m in side)

    def finds(self, member: str) -> tuple[str, ...]:
        """What a search for the member must also search: its side and every later side."""
        index = next(i for i, side in enumerate(self.sides) if member in side)
        return tuple(m for side in self.sides[index:] for m in side)


def read_gold(path: Path = GOLD) -> list[GoldGroup]:
    groups = []
    section = ""
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("## "):
            section = line[3:].strip()
        if not line.strip() or line.startswith("#"):
            continue
        members, counts, union = (part.strip() for part in line.split("|"))
        sides = tuple(tuple(m.strip() for m in side.split("=")) for side in members.split(">"))
        groups.append(GoldGroup(sides, tuple(map(int, counts.split())), int(union), section, line))
    return groups

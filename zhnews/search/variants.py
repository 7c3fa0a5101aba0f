"""Vocabulary variants: the same name or thing written differently across the strait (特朗普 = 川普 = Trump,
悉尼 = 雪梨, 意大利 = 义大利, 网络 = 网路).

Why query-time expansion (not index-time): a query term is rewritten into OR alternatives, so the index
keeps what the article says (snippets mark the variant each article actually uses, a quoted term stays
exact, one-way groups are possible) and a change to the data needs no rebuild. Measured against an index
with every variant mapped to one form in benchmarks/variants.py (figures in benchmarks/RESULTS.md).

The data are text files in zhnews/search/variant_data/ (`DATA_FILES`), one group per line:

    特朗普 = 川普 = Trump      # members find each other
    视频 > 影片                # one-way: searching 视频 also finds 影片, searching 影片 does not find 视频

Text after `#` is a comment. Lines that share a member are merged into one group (`=` is transitive);
a one-way edge belongs to the member it is written from. This module knows nothing about Chinese: the
caller turns each member into a phrase (a tuple of tokens) with the search normaliser (zhnews.search.text),
so data and queries are compared exactly as the index compares text.

Matching (`VariantTable.expand`): members are found inside a typed phrase at TOKEN level, longest first,
left to right, without overlap. A Han character is one token, so 特朗普政府 contains 特朗普; a Latin word
is one token, so trump is found in "trump 政府" but never in trumpet.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

DATA_DIR = Path(__file__).with_name("variant_data")
DATA_FILES = (DATA_DIR / "curated.txt", DATA_DIR / "opencc.txt")
# At most this many phrases (the typed one included) stand for one typed phrase: a phrase holding several
# members gets the product of their alternatives, so a long pasted sentence could otherwise explode.
MAX_ALTERNATIVES = 16

Phrase = tuple[str, ...]


class VariantDataError(ValueError):
    """A line of a variant file that cannot be read: the file and line say where."""


@dataclass(frozen=True, slots=True)
class Rule:
    """One line of a data file: `sides[0] > sides[1] > …`; the members of one side are `=` each other."""

    sides: tuple[tuple[str, ...], ...]
    where: str  # file:line, for error messages and the tests


def parse_line(line: str) -> tuple[tuple[str, ...], ...]:
    """The sides of one data line (empty for a blank or comment line); raises ValueError on a bad line."""
    text = line.split("#", 1)[0].strip()
    if not text:
        return ()
    sides = tuple(tuple(member.strip() for member in side.split("=")) for side in text.split(">"))
    if any(not member for side in sides for member in side):
        raise ValueError(f"empty member in {line.strip()!r}")
    if len(sides) == 1 and len(sides[0]) < 2:
        raise ValueError(f"a group needs at least two members: {line.strip()!r}")
    return sides


def read_rules(paths: Iterable[Path]) -> list[Rule]:
    """Every rule of the data files, in order."""
    rules = []
    for path in paths:
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            try:
                sides = parse_line(line)
            except ValueError as error:
                raise VariantDataError(f"{path.name}:{number}: {error}") from None
            if sides:
                rules.append(Rule(sides, f"{path.name}:{number}"))
    return rules


@dataclass(frozen=True, slots=True)
class Variant:
    """A phrase that stands for a typed phrase, and how to show it to a reader (川普政府, Trump政府)."""

    phrase: Phrase
    display: str


def display_of(pieces: Iterable[str], is_han: Callable[[str], bool]) -> str:
    """Tokens (or display forms) as a reader writes them: Han characters side by side, words apart."""
    out = ""
    for piece in filter(None, pieces):
        if out and not is_han(out[-1]) and not is_han(piece[0]):
            out += " "
        out += piece
    return out


class VariantTable:
    """Variant groups, ready to expand phrases: built once per process (zhnews.search.text caches it)."""

    def __init__(self, rules: Iterable[Rule], to_phrase: Callable[[str], Phrase],
                 is_han: Callable[[str], bool]) -> None:
        self._is_han = is_han
        self.display: dict[Phrase, str] = {}  # member -> as first written in the data
        self._group: dict[Phrase, list[Phrase]] = {}  # member -> its `=` group (shared list, data order)
        one_way: list[tuple[Phrase, Phrase]] = []
        for rule in rules:
            sides = [[self._member(m, to_phrase, rule) for m in side] for side in rule.sides]
            for side in sides:
                for member in side[1:]:
                    self._join(side[0], member)
            for earlier, later in itertools.combinations(sides, 2):
                one_way.extend(itertools.product(earlier, later))
        self.finds: dict[Phrase, tuple[Phrase, ...]] = {}  # member -> the OTHER phrases it also finds
        for member, group in self._group.items():
            found = [m for m in group if m != member]
            for source, target in one_way:
                if source == member:
                    found.extend(m for m in self._group[target] if m != member)
            self.finds[member] = tuple(dict.fromkeys(found))
        # members by first token, longest first: the matching loop tries few candidates per position
        self._by_first: dict[str, list[Phrase]] = {}
        for member in sorted(self._group, key=len, reverse=True):
            self._by_first.setdefault(member[0], []).append(member)

    def _member(self, text: str, to_phrase: Callable[[str], Phrase], rule: Rule) -> Phrase:
        phrase = to_phrase(text)
        if not phrase:
            raise VariantDataError(f"{rule.where}: {text!r} has nothing searchable")
        self.display.setdefault(phrase, text)
        self._group.setdefault(phrase, [phrase])
        return phrase

    def _join(self, a: Phrase, b: Phrase) -> None:
        group_a, group_b = self._group[a], self._group[b]
        if group_a is group_b:
            return
        group_a.extend(group_b)
        for member in group_b:
            self._group[member] = group_a

    def groups(self) -> list[tuple[Phrase, ...]]:
        """Every `=` group once, in data order (for tests and review)."""
        seen: dict[int, tuple[Phrase, ...]] = {}
        for group in self._group.values():
            seen.setdefault(id(group), tuple(group))
        return list(seen.values())

    def matches(self, phrase: Phrase) -> Iterator[tuple[int, Phrase]]:
        """(position, member) of the members inside a phrase: longest first, left to right, no overlap."""
        i = 0
        while i < len(phrase):
            for member in self._by_first.get(phrase[i], ()):
                if phrase[i : i + len(member)] == member:
                    yield i, member
                    i += len(member)
                    break
            else:
                i += 1

    def expand(self, phrase: Phrase) -> tuple[Variant, ...]:
        """The typed phrase first, then every phrase it also stands for (at most MAX_ALTERNATIVES in all).

        Each member found inside the phrase may be replaced by what it finds: 特朗普政府 -> 川普政府,
        trump 政府. Several members give the product of their alternatives; members that would take the
        product past MAX_ALTERNATIVES are left as typed (the earlier ones in the phrase are expanded first).
        """
        replaceable = []
        total = 1
        for position, member in self.matches(phrase):
            options = (member, *self.finds[member])[:MAX_ALTERNATIVES]
            if len(options) > 1 and total * len(options) <= MAX_ALTERNATIVES:
                replaceable.append((position, member, options))
                total *= len(options)
        alternatives = []
        for choice in itertools.product(*(options for _, _, options in replaceable)):
            tokens: list[str] = []
            shown: list[str] = []  # tokens as typed, and the display form of each replacement
            start = 0
            for (position, member, _), chosen in zip(replaceable, choice, strict=True):
                tokens.extend(phrase[start:position])
                shown.extend(phrase[start:position])
                tokens.extend(chosen)
                shown.extend([self.display[chosen]] if chosen != member else member)
                start = position + len(member)
            tokens.extend(phrase[start:])
            shown.extend(phrase[start:])
            alternatives.append(Variant(tuple(tokens), display_of(shown, self._is_han)))
        return tuple({a.phrase: a for a in alternatives}.values())

"""The search index's row keys: `articles.search_rowid` = (month of publication, outlet, serial number).

    search_rowid = month << MONTH_SHIFT | outlet_slot << SLOT_SHIFT | serial

`month` counts months from EPOCH_MONTH (1990-01 is 1; 0 holds the undated), `outlet_slot` is the outlet's
`outlets.slot` (given when the outlet first appears, never reused) and `serial` numbers the articles of
one (month, outlet) BLOCK in the order they arrived.

Why this layout (measured on the 500k benchmark archive, benchmarks/RESULTS.md):
- The search page counts a query's matches per outlet and per month over the WHOLE match set. A block is
  `rowid >> SLOT_SHIFT`, so `select rowid >> 20, count(*) from articles_fts where articles_fts match ?
  group by 1` gives every (month, outlet) count from the index alone, in one pass: FTS5 yields rowids in
  order, so the groups arrive already sorted. Reading each match's article row instead costs ~1-3 us a
  match (中国 matches 426,528 of 500,000 articles), and FTS5 ANDs with tag tokens cost several passes.
- A month, a range of months or one (month, outlet) block is a rowid range: date filters, the newest
  months for "newest first" and the window of ranked search are FTS5 rowid ranges (cheap seeks).
- Serial numbers are dense inside a block, so FTS5's rowid deltas stay one or two bytes (the index is as
  compact as with rowids 1..N; the earlier minute-of-publication keys cost 5% more).
Inside a month rowid order is outlet order, not time order: pages sorted by time read the month's
matches with their `published` (index articles_search_filter) and sort them (zhnews.search.engine).
"""

from __future__ import annotations

from dataclasses import dataclass

EPOCH_YEAR = 1990  # month 1 is January 1990 (zhnews.extract.dates rejects earlier dates as implausible)
SLOT_SHIFT = 20
MONTH_SHIFT = 30
MAX_SERIAL = (1 << SLOT_SHIFT) - 1  # 1,048,575 articles of one outlet in one month
MAX_SLOT = (1 << (MONTH_SHIFT - SLOT_SHIFT)) - 1  # 1,023 outlets
MAX_MONTH = (1 << (53 - MONTH_SHIFT)) - 1  # rowids stay below 2^53: exact in JSON
UNDATED = 0


def month_number(month: str | None) -> int:
    """`YYYY-MM` -> its month number (UNDATED for None, a malformed value or a month before 1990)."""
    if not month or len(month) < 7 or month[4] != "-":
        return UNDATED
    try:
        year, number = int(month[:4]), int(month[5:7])
    except ValueError:
        return UNDATED
    if not 1 <= number <= 12 or year < EPOCH_YEAR:
        return UNDATED
    return min((year - EPOCH_YEAR) * 12 + number, MAX_MONTH)


def month_label(number: int) -> str:
    """The `YYYY-MM` of a month number (UNDATED has none: "")."""
    if number <= UNDATED:
        return ""
    year, index = divmod(number - 1, 12)
    return f"{EPOCH_YEAR + year:04d}-{index + 1:02d}"


def block(month: int, slot: int) -> int:
    """The block number of (month number, outlet slot): `rowid >> SLOT_SHIFT` of its articles."""
    if not 0 <= slot <= MAX_SLOT:
        raise ValueError(f"outlet slot {slot} outside 0..{MAX_SLOT}")
    return month << (MONTH_SHIFT - SLOT_SHIFT) | slot


def first_rowid(block_number: int) -> int:
    return block_number << SLOT_SHIFT


def last_rowid(block_number: int) -> int:
    return block_number << SLOT_SHIFT | MAX_SERIAL


def month_range(first_month: int, last_month: int) -> tuple[int, int]:
    """The rowid range (inclusive) holding every article of months first_month..last_month."""
    return first_month << MONTH_SHIFT, (last_month + 1 << MONTH_SHIFT) - 1


@dataclass(frozen=True, slots=True)
class Key:
    month: int
    slot: int
    serial: int

    @property
    def block(self) -> int:
        return block(self.month, self.slot)


def decode(rowid: int) -> Key:
    """The (month number, outlet slot, serial) of a search_rowid."""
    return Key(rowid >> MONTH_SHIFT, (rowid >> SLOT_SHIFT) & MAX_SLOT, rowid & MAX_SERIAL)


def block_parts(block_number: int) -> tuple[int, int]:
    """(month number, outlet slot) of a block number."""
    return block_number >> (MONTH_SHIFT - SLOT_SHIFT), block_number & MAX_SLOT

"""The search index's row keys (zhnews.search.keys): month, outlet and serial, packed so that a month and a
(month, outlet) block are rowid ranges and `rowid >> SLOT_SHIFT` names the block."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from zhnews.search import keys


def test_months_count_from_january_1990_and_undated_is_zero() -> None:
    assert keys.month_number("1990-01") == 1
    assert keys.month_number("2020-07") == 30 * 12 + 7
    assert keys.month_label(keys.month_number("2024-12")) == "2024-12"
    for odd in (None, "", "1989-12", "2020-13", "2020-00", "July 2020", "2020/07"):
        assert keys.month_number(odd) == keys.UNDATED
    assert keys.month_label(keys.UNDATED) == ""


@given(st.integers(0, keys.MAX_MONTH), st.integers(0, keys.MAX_SLOT), st.integers(0, keys.MAX_SERIAL))
def test_a_key_decodes_to_its_parts_and_stays_exact_in_json(month: int, slot: int, serial: int) -> None:
    rowid = keys.first_rowid(keys.block(month, slot)) | serial
    assert keys.decode(rowid) == keys.Key(month, slot, serial)
    assert rowid >> keys.SLOT_SHIFT == keys.block(month, slot)
    assert keys.block_parts(keys.block(month, slot)) == (month, slot)
    assert 0 <= rowid < 2**53


@given(st.integers(1, keys.MAX_MONTH - 1), st.integers(0, keys.MAX_SLOT), st.integers(0, keys.MAX_SERIAL))
def test_rowid_order_is_month_order_and_a_month_is_one_range(month: int, slot: int, serial: int) -> None:
    rowid = keys.first_rowid(keys.block(month, slot)) | serial
    low, high = keys.month_range(month, month)
    assert low <= rowid <= high
    next_month = keys.month_range(month + 1, month + 1)[0]
    assert keys.last_rowid(keys.block(month, keys.MAX_SLOT)) < next_month
    assert keys.month_range(month - 1, month - 1)[1] < low
    assert keys.first_rowid(keys.block(month, slot)) <= rowid <= keys.last_rowid(keys.block(month, slot))

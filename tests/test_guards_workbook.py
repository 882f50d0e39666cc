"""The workbook guard's searches for far cells: exactly the references beyond the
farthest row or column seen so far, no more (every cell would be matched), no fewer (a
far cell would go unseen and calamine would allocate its whole rectangle)."""

from __future__ import annotations

import pytest

from esr_schemas import guards


@pytest.mark.parametrize("row", [1, 5, 9, 10, 19, 99, 100, 101, 999, 12345, 99999, 100001, 1048576])
def test_far_rows_are_exactly_the_rows_beyond(row: int) -> None:
    pattern = guards._far_rows(row)
    candidates = [*range(max(0, row - 300), row + 300), row * 10, row * 10 + 7, 10**8, 999999999]
    for value in candidates:
        found = pattern.search(b' r="AB%d"' % value)
        assert bool(found) == (value > row), (row, value)
        if found:
            assert int(found.group(1)) == value


def test_far_columns_are_exactly_the_columns_beyond() -> None:
    for column in [*range(1, 800), 16383, 16384, 18277]:
        pattern = guards._far_columns(guards.column_letters(column))
        for other in [*range(1, 1000), 16384, 18278]:
            reference = b' r="' + guards.column_letters(other) + b'12"'
            assert bool(pattern.search(reference)) == (other > column), (column, other)
    assert not guards._far_columns(b"ZZZZ").search(b' r="ZZZZ1"')

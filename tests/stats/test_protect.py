"""The suppression rule, alone: small counts hidden, and nothing recoverable by subtraction."""

import random

from maillage.stats.protect import THRESHOLD, hidden_cells, rate_hidden, rest_hidden


def test_small_counts_are_hidden_and_zero_is_shown():
    assert hidden_cells({"a": 12, "b": 0, "c": 7}) == set()
    assert hidden_cells({"a": 12, "b": 4, "c": 3}) == {"b", "c"}        # 4 + 3 = 7: neither recoverable


def test_a_lone_small_cell_takes_the_next_smallest_with_it():
    # Shown alone, 30 − 20 − 8 would give the 2.
    assert hidden_cells({"a": 20, "b": 8, "c": 2}) == {"b", "c"}
    # 1 + 1 = 2 is still under 5: a third cell goes too.
    assert hidden_cells({"a": 20, "b": 9, "c": 6, "d": 1, "e": 1}) == {"c", "d", "e"}


def test_a_rate_is_a_two_cell_table():
    assert not rate_hidden(10, 20)
    assert rate_hidden(19, 20)              # the one person who did not would be known
    assert rate_hidden(2, 20)
    assert not rate_hidden(0, 20) and not rate_hidden(20, 20)


def test_the_network_minus_the_structure_is_protected():
    assert rest_hidden((9,), (6,))          # 3 in the other structures
    assert not rest_hidden((16,), (6,))
    assert not rest_hidden((6,), (6,))      # nobody else
    assert rest_hidden((12, 8), (10, 6))    # a rate: 2 "yes" elsewhere


def test_no_table_gives_a_hidden_cell_by_subtraction():
    """Whatever the table: every 1–4 is hidden, and total − shown cells (the hidden
    cells' sum) is 0 or at least 5, spread over at least two cells."""
    rnd = random.Random(20261201)
    for _ in range(2000):
        cells = {f"c{i}": rnd.choice([0, 1, 2, 3, 4, 5, 6, 8, 13, 40]) for i in range(rnd.randint(2, 8))}
        hidden = hidden_cells(cells)
        total = sum(cells.values())
        assert all(k in hidden for k, v in cells.items() if 0 < v < THRESHOLD), cells
        residual = total - sum(v for k, v in cells.items() if k not in hidden)
        if total >= THRESHOLD:
            assert residual == 0 or (residual >= THRESHOLD and len(hidden) >= 2), cells
        else:
            assert all(k in hidden for k, v in cells.items() if v), cells   # and the total shows « < 5 »

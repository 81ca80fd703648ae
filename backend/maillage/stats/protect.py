"""Statistical disclosure control: no figure about people may reveal fewer than five of them.

Three rules, applied to every figure before it leaves the server:

1. **Primary suppression**: a count from 1 to 4 is shown « < 5 ». Zero is shown: it
   describes nobody.
2. **Complementary suppression**: in a table whose cells add up to a shown total, the
   hidden cells' sum is total − shown cells. That sum must be 0 or at least 5, otherwise
   the smallest shown cells are hidden too until it is. A rate is the table
   (yes, no) over its denominator, so « 19 sur 20 » is hidden like « 1 sur 20 ».
3. **The rest of the network**: a structure sees its own figures next to the network's;
   network − own would give the other structures' figure, so the network's is hidden when
   that difference is from 1 to 4.

A median describes the people it is computed over: it is hidden under five of them.
"""

from collections.abc import Hashable, Mapping

THRESHOLD = 5


def small(n: int) -> bool:
    return 0 < n < THRESHOLD


def hidden_cells(cells: Mapping[Hashable, int]) -> set[Hashable]:
    """The cells of a partition to hide (rules 1 and 2). When every non-zero cell ends up
    hidden and their sum is still under 5, the total itself is under 5 and hidden too."""
    hidden = {k for k, v in cells.items() if small(v)}
    while hidden and sum(cells[k] for k in hidden) < THRESHOLD:
        shown = sorted((v, str(k), k) for k, v in cells.items() if k not in hidden and v > 0)
        if not shown:
            break
        hidden.add(shown[0][2])
    return hidden


def rate_hidden(numerator: int, denominator: int) -> bool:
    """Whether the share numerator / denominator must be hidden: the (yes, no) table."""
    return bool(hidden_cells({"oui": numerator, "non": denominator - numerator}))


def rest_hidden(network_parts: tuple[int, ...], own_parts: tuple[int, ...]) -> bool:
    """Rule 3, for a figure made of the given parts (a count: one part; a rate: yes and no)."""
    return any(small(n - o) for n, o in zip(network_parts, own_parts, strict=True))

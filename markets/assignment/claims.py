"""Claims on named booths, settled before the optimiser places everyone else.

Organizers allocate named booths the way a queue at a counter would, never by the order
rows happen to be listed in:

* **Regulars** (고정 부스) hold their own booth whenever they attend. A regular asking to
  move (its wishes) moves only to a booth that is free (no attending regular owns it) or
  that another regular's move frees, swaps and longer chains included; contested wishes go
  to the senior regular; a regular whose wishes all fail keeps its own booth. This is the
  "you request my house, I get your turn" rule for housing markets with existing tenants:
  the next regular in line asks for its best remaining booth; if that booth's owner has not
  been settled yet, the owner steps to the front of the line; a loop of such requests
  settles everyone in it at once. Nobody ends worse off than on their own booth.
* **Regulars with several booths** (:func:`several_booth_places`) hold every one of their
  own booths they can take today and do not move: a move of one booth of a stall would
  split it or need a whole-stall exchange no organizer asked for, and "nobody ends worse
  off than on their own booths" is kept trivially. Their booths are out of everyone
  else's reach, moves of single-booth regulars included.
* **Ranked wishes** of everyone else (:func:`grant_wishes`): in standing order (tier, then
  years at the market, then jury score, then vendor id) each wisher gets its best wish not
  yet held by a regular or granted to someone ahead of it.

Pure: keys and booth codes in, a mapping out. ``markets.assignment.solver`` pins the result
into the day's model.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence

from markets.assignment.problem import Applicant, VendorKey


def regular_places(
    regulars: Sequence[Applicant],
    can_take: Callable[[Applicant, str], bool],
    booth_codes: Collection[str],
) -> dict[VendorKey, str]:
    """Where each attending regular sits today: its own booth or a wish it moved to.

    ``regulars``: the attending vendors with an ``own_booth`` they ``can_take`` (a regular
    whose own booth does not fit it today is placed like anyone else); ``can_take`` says
    whether a vendor may take a booth (size, power, rotation).
    """
    own = {a.key: a.own_booth for a in regulars if a.own_booth}
    owner = {code: key for key, code in own.items()}
    codes = set(booth_codes)
    choices: dict[VendorKey, list[str]] = {}
    for a in regulars:
        if a.key not in own:
            continue
        wished = [
            c for c in dict.fromkeys(a.preferred_booths)
            if c != own[a.key] and c in codes and can_take(a, c)
        ]
        choices[a.key] = [*wished, own[a.key]]
    line = [a.key for a in sorted(regulars, key=lambda a: a.regular_standing) if a.key in own]
    settled: dict[VendorKey, str] = {}
    taken: set[str] = set()

    def best(key: VendorKey) -> str:
        # Open: nobody settled on it yet. That covers free booths, booths of regulars not
        # settled yet (a request) and of regulars settled elsewhere (vacated); the own
        # booth stays open until its owner settles, so there is always an answer.
        return next(c for c in choices[key] if c not in taken)

    stack: list[VendorKey] = []
    pointing: dict[VendorKey, str] = {}
    for first in line:
        if first in settled:
            continue
        stack.append(first)
        while stack:
            key = stack[-1]
            target = best(key)
            holder = owner.get(target)
            if holder is None or holder == key or holder in settled:
                settled[key] = target
                taken.add(target)
                stack.pop()
            elif holder in stack:
                # A loop of requests: everyone in it takes the booth it asked for.
                pointing[key] = target
                loop = stack[stack.index(holder):]
                del stack[stack.index(holder):]
                for member in loop:
                    settled[member] = pointing[member]
                    taken.add(pointing[member])
            else:
                # The owner of the wanted booth has not been settled: it goes first.
                pointing[key] = target
                stack.append(holder)
    return settled


def several_booth_places(
    regulars: Sequence[Applicant], can_take: Callable[[Applicant, str], bool]
) -> dict[VendorKey, tuple[str, ...]]:
    """Each attending regular granted several booths -> the own booths it holds today (in
    the given order; the first is its seat). A booth it cannot take today (size, power, a
    property) stays free for others; with none it can take, it is placed like anyone
    else (no entry)."""
    out: dict[VendorKey, tuple[str, ...]] = {}
    for a in regulars:
        if not a.more_own_booths:
            continue
        mine = tuple(c for c in dict.fromkeys(a.own_booths) if can_take(a, c))
        if mine:
            out[a.key] = mine
    return out


def grant_wishes(
    wishers: Sequence[Applicant],
    held: Collection[str],
    can_take: Callable[[Applicant, str], bool],
) -> dict[VendorKey, tuple[str, int]]:
    """Each wisher's granted wish and its rank (0 = first), in standing order.

    ``held``: booths already held today (regulars). A wisher that is not listed in the
    result had every wish held or granted ahead of it.
    """
    taken = set(held)
    out: dict[VendorKey, tuple[str, int]] = {}
    for a in sorted(wishers, key=lambda a: a.standing):
        for rank, code in enumerate(a.preferred_booths):
            if code not in taken and can_take(a, code):
                out[a.key] = (code, rank)
                taken.add(code)
                break
    return out

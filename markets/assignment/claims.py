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
  own booths they can take today; they never move one booth of the stall, only the whole
  stall (:func:`move_stalls`, decision 94): a wish names the first booth of a run of as
  many booths as the stall has, side by side in one row; the stall moves there when every
  booth of the run is free or freed by other moves, the senior stall first, and otherwise
  keeps its own booths. Their booths are out of everyone else's reach while they hold
  them, moves of single-booth regulars included.
* **Ranked wishes and blocks** of everyone else (:func:`claim_in_line`): in standing order
  (tier, then years at the market, then jury score, then vendor id) each wisher gets its
  best wish not yet held by a regular or claimed by someone ahead of it, and each vendor
  needing several booths side by side its best free window; stalls and single vendors
  stand in the same line (decision 102).

Pure: keys and booth codes in, a mapping out. ``markets.assignment.solver`` pins the result
into the day's model.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Collection, Mapping, Sequence

from markets.assignment.blocks import BlockClaims, windows
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


def claim_in_line(
    claimants: Sequence[Applicant],
    held: Collection[str],
    can_take: Callable[[Applicant, str], bool],
    blocks: BlockClaims,
) -> tuple[dict[VendorKey, tuple[str, int]], dict[VendorKey, tuple[str, ...]]]:
    """Granted wishes (vendor -> booth and its rank, 0 = first) and claimed blocks
    (vendor -> window), settled in one line in standing order (decision 102).

    ``claimants``: block vendors and single vendors with wishes; ``held``: booths already
    held today (regulars, rescued windows); ``can_take``: whether a single vendor may claim
    a wished booth; ``blocks``: the block vendors' windows (it knows what each may take).
    Stalls and single vendors stand in the same line: within a tier, the one with more
    years (then the higher jury score, then the lower vendor id) claims a contested booth
    first, so a junior stall cannot take the booth a senior single vendor wished, nor a
    junior single vendor's wish the only run a senior stall fits. A vendor listed in
    neither result had every wish, or every window, held or claimed ahead of it."""
    taken = set(held)
    granted: dict[VendorKey, tuple[str, int]] = {}
    claimed: dict[VendorKey, tuple[str, ...]] = {}
    for a in sorted(claimants, key=lambda a: a.standing):
        if a.wants_block:
            window = blocks.claim(a)
            if window is not None:
                claimed[a.key] = window
                taken.update(window)
            continue
        for rank, code in enumerate(a.preferred_booths):
            if code not in taken and can_take(a, code):
                granted[a.key] = (code, rank)
                taken.add(code)
                blocks.take(code)
                break
    return granted, claimed


def stall_runs(
    a: Applicant, rows: Sequence[Sequence[str]], adjacency: Mapping[str, Collection[str]]
) -> list[tuple[str, ...]]:
    """The runs a regular with several booths wishes to move to, best first: each wish
    names the run of as many booths as the stall has that starts at the wished booth and
    goes on in row order, its booths neighbours of one another (decision 94). A wish with
    no such run (the row ends, a gap) names nothing; the stall's own booths are no wish."""
    size = len(dict.fromkeys(a.own_booths))
    starting: dict[str, tuple[str, ...]] = {}
    for run in windows(rows, adjacency, size):
        starting.setdefault(run[0], run)
    runs = [starting[c] for c in dict.fromkeys(a.preferred_booths) if c in starting]
    return [r for r in runs if set(r) != set(a.own_booths)]


def move_stalls(
    stalls: Sequence[Applicant],
    held: Mapping[VendorKey, tuple[str, ...]],
    singles: Sequence[Applicant],
    seats: Mapping[VendorKey, str],
    may_take: Callable[[Applicant, str], bool],
    rows: Sequence[Sequence[str]],
    adjacency: Mapping[str, Collection[str]],
) -> tuple[dict[VendorKey, tuple[str, ...]], dict[VendorKey, str]]:
    """Regulars with several booths moving as a whole stall (decision 94).

    ``held``: each attending stall's own booths it holds today (:func:`several_booth_places`);
    ``seats``: the single-booth regulars' places (:func:`regular_places`, with the stalls'
    booths out of reach); ``may_take``: whether a vendor may take a booth (fit, rotation,
    reservation; its own booths always count as taken by nobody else).

    Rounds until nothing changes: the stalls in seniority order each take their best wished
    run (:func:`stall_runs`) better than what they hold whose every booth they may take and
    nobody else holds (a single-booth regular's seat, another stall's booths), or swap with
    the one other stall holding part of such a run when that stall can move at the same
    time to a wished run of its own among free booths and theirs; then the
    single-booth regulars may move again, from the seat they have to a wish they rank above
    it, into booths the stalls left (the same rule as :func:`regular_places`, their seat as
    their own booth, so nobody ends worse off). Every change is a strict improvement for
    someone, so the rounds end."""
    places = dict(held)
    sits = dict(seats)
    runs = {a.key: stall_runs(a, rows, adjacency) for a in stalls if a.key in places}
    rank = {key: len(r) for key, r in runs.items()}
    by_key = {a.key: a for a in singles}
    stall_of = {a.key: a for a in stalls}

    def better_run(a: Applicant, taken: Collection[str]) -> int | None:
        """The rank of the stall's best wished run above what it holds, clear of ``taken``."""
        return next((
            r for r, run in enumerate(runs[a.key][:rank[a.key]])
            if all(c not in taken and may_take(a, c) for c in run)
        ), None)

    for _ in range(len(stalls) + len(singles) + 1):
        moved = False
        for a in sorted(stalls, key=lambda a: a.regular_standing):
            if a.key not in runs:
                continue
            owner = {c: k for k, m in places.items() if k != a.key for c in m}
            r = better_run(a, {*sits.values(), *owner})
            if r is not None:
                places[a.key], rank[a.key], moved = runs[a.key][r], r, True
                continue
            # A swap: another stall holds part of a wished run and wants to move too, into
            # booths that are free or this stall's.
            for r, run in enumerate(runs[a.key][:rank[a.key]]):
                others = {owner[c] for c in run if c in owner}
                if len(others) != 1 or any(c in sits.values() or not may_take(a, c)
                                           for c in run):
                    continue
                (b,) = others
                if b not in runs:
                    continue
                r2 = better_run(stall_of[b], {
                    *sits.values(), *run,
                    *(c for k, m in places.items() if k not in (a.key, b) for c in m),
                })
                if r2 is not None:
                    places[a.key], rank[a.key] = run, r
                    places[b], rank[b], moved = runs[b][r2], r2, True
                    break
        if not moved:
            break
        blocked = {c for m in places.values() for c in m}

        def open_to(a: Applicant, code: str, blocked: set[str] = blocked) -> bool:
            return code not in blocked and may_take(by_key[a.key], code)

        again = [
            dataclasses.replace(
                by_key[key], own_booth=seat,
                preferred_booths=_wished_above(by_key[key], seat),
            )
            for key, seat in sits.items()
        ]
        sits = regular_places(
            again, open_to,
            {c for a in again for c in (*a.preferred_booths, a.own_booth or "")},
        )
    return places, sits


def _wished_above(a: Applicant, seat: str) -> tuple[str, ...]:
    """The regular's wishes it ranks above the seat it has (all of them on its own booth)."""
    wishes = tuple(dict.fromkeys(a.preferred_booths))
    return wishes[:wishes.index(seat)] if seat in wishes else wishes

"""Why a vendor has no booth on a day: the most precise true reason code.

Apart from the solver (``markets.assignment.solver``) because it is a concern of its own:
the solver decides who sits where; this module only explains, after the fact and from the
day's model and final placement, why each vendor left out was left out. The codes and their
Korean labels (what the vendor sees) are in ``markets.assignment.problem``.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence

from markets.assignment.blocks import windows
from markets.assignment.day_model import DayModel
from markets.assignment.problem import SeasonProblem, UnplacedReason, VendorKey


def unplaced_reason(
    model: DayModel,
    wishes_taken: Collection[VendorKey],
    i: int,
    occupant: Mapping[int, int],
    problem: SeasonProblem,
) -> UnplacedReason:
    """The most specific true reason, from "cannot ever fit" to "everything is taken".

    ``model``: the day's model as planned (claims pinned); ``wishes_taken``: its "only my
    wishes" vendors with every wish held by others; ``occupant``: booth index -> candidate
    index of the final placement (-1 when the occupant is not a candidate of ``model``)."""
    a = model.candidates[i]
    booths = model.booths
    if a.wants_block:
        return _block_reason(model, i, occupant, problem)
    if a.key in wishes_taken:
        wished = [b for b in booths if b.code in a.preferred_booths]
        if any(
            b.code == booths[j].code and j not in occupant and model.fits[i, j]
            for j in range(len(booths)) for b in wished
        ):
            # A wished booth that fits stays empty: only its premium/corner turn keeps it out.
            return UnplacedReason.ROTATION_HOLD
        if any(a.fits(b) for b in wished):
            return UnplacedReason.WISHES_TAKEN
        # None of its wishes could ever hold it: say what is missing.
        if not any(b.size >= a.min_size for b in wished):
            return UnplacedReason.NO_BOOTH_LARGE_ENOUGH
        if a.needs_power and not any(b.has_power for b in wished):
            return UnplacedReason.NO_BOOTH_WITH_POWER
        return UnplacedReason.ZONE_FULL
    if not any(b.size >= a.min_size for b in booths):
        return UnplacedReason.NO_BOOTH_LARGE_ENOUGH
    if not model.fits[i].any():
        if a.needs and any(
            b.size >= a.min_size and (b.has_power or not a.needs_power) for b in booths
        ):
            return UnplacedReason.ZONE_FULL
        return UnplacedReason.NO_BOOTH_WITH_POWER
    if a.wishes_only:
        wish_at = [j for j, b in enumerate(booths) if b.code in a.preferred_booths]
        if any(j not in occupant and model.fits[i, j] for j in wish_at):
            return UnplacedReason.ROTATION_HOLD
        if _kept_for_needers(model, i, [j for j in wish_at if model.fits[i, j]], occupant):
            return UnplacedReason.RESERVED_FOR_NEED
        higher = any(
            occupant.get(j, -1) >= 0
            and model.candidates[occupant[j]].priority > a.priority for j in wish_at
        )
        return UnplacedReason.LOWER_TIER if higher else UnplacedReason.WISHES_TAKEN
    allowed = model.open_allowed if model.open_allowed is not None else model.allowed
    empty = [j for j in range(len(booths)) if j not in occupant]
    if not allowed[i].any() or any(model.fits[i, j] for j in empty):
        # Every fitting booth is one its premium/corner turn keeps it out of today.
        return UnplacedReason.ROTATION_HOLD
    if a.needs and any(model.fits[i, j] and not allowed[i, j] for j in occupant):
        return UnplacedReason.ROTATION_HOLD  # its turn keeps it out of such a booth taken
    if _kept_for_needers(model, i, [j for j in occupant if model.fits[i, j]], occupant):
        return UnplacedReason.RESERVED_FOR_NEED
    if a.needs and not any(a.needs <= booths[j].properties for j in empty):
        return UnplacedReason.ZONE_FULL
    if empty:
        if a.needs_power and any(booths[j].size >= a.min_size for j in empty):
            return UnplacedReason.POWER_BOOTHS_TAKEN
        return UnplacedReason.LARGE_BOOTHS_TAKEN
    higher = any(
        model.fits[i, j] and k >= 0 and model.candidates[k].priority > a.priority
        for j, k in occupant.items()
    )
    return UnplacedReason.LOWER_TIER if higher else UnplacedReason.MARKET_FULL


def _kept_for_needers(
    model: DayModel, i: int, fitting: Collection[int], occupant: Mapping[int, int]
) -> bool:
    """Whether one of the ``fitting`` booths (all taken) went, by the organizer's "keep
    property booths for vendors who need them" option, to a vendor who needs its reserved
    property (which vendor ``i`` does not) and who stands behind ``i`` (lower tier, or the
    same tier with fewer years or a lower score): without the option ``i`` would have had
    it, so the reservation, not the tiers or a full market, is why ``i`` waits."""
    a = model.candidates[i]
    for j in fitting:
        k = occupant.get(j, -1)
        if k < 0:
            continue
        holder = model.candidates[k]
        kept = model.booths[j].properties & model.reserved & holder.needs
        if kept and not kept & a.needs and holder.standing > a.standing:
            return True
    return False


def _block_reason(
    model: DayModel, i: int, occupant: Mapping[int, int], problem: SeasonProblem
) -> UnplacedReason:
    """A vendor that needs several booths side by side and got none: a higher tier holds
    part of every window it fits (``lower_tier``), or no window is left or exists."""
    a = model.candidates[i]
    code_index = {b.code: j for j, b in enumerate(model.booths)}
    fitting = [
        w for w in windows(problem.rows, problem.adjacency, a.booths_min)
        if all(a.fits(model.booths[code_index[c]]) for c in w)
    ]
    if a.wishes_only:
        fitting = [w for w in fitting if any(c in a.preferred_booths for c in w)]
        if not fitting:
            return UnplacedReason.WISHES_TAKEN
    if any(_window_kept_for_needers(model, i, [code_index[c] for c in w], occupant)
           for w in fitting):
        return UnplacedReason.RESERVED_FOR_NEED
    higher = any(
        occupant.get(code_index[c], -1) >= 0
        and model.candidates[occupant[code_index[c]]].priority > a.priority
        for w in fitting for c in w
    )
    return UnplacedReason.LOWER_TIER if higher else UnplacedReason.NO_ADJACENT_BLOCK


def _window_kept_for_needers(
    model: DayModel, i: int, window: Sequence[int], occupant: Mapping[int, int]
) -> bool:
    """Whether block vendor ``i`` would have had this ``window`` but for the "keep property
    booths for vendors who need them" option (decision 86, for blocks): a window it may
    take (no premium/corner booth, whose turns blocks never take; every booth allowed to
    it) whose booths are empty or held by vendors standing behind it who are no regulars
    (its claim came before theirs: blocks and wishes are claimed in one line in standing
    order before the matching, decision 102), at least one of them held by a vendor
    needing that booth's reserved property, which ``i`` does not need."""
    a = model.candidates[i]
    allowed = model.open_allowed if model.open_allowed is not None else model.allowed
    kept_by_need = False
    for j in window:
        booth = model.booths[j]
        if booth.is_premium or booth.is_corner or not allowed[i, j]:
            return False
        k = occupant.get(j)
        if k is None:
            continue
        holder = model.candidates[k] if k >= 0 else None
        if holder is None or holder.own_booth is not None or holder.standing <= a.standing:
            return False
        kept = booth.properties & model.reserved & holder.needs
        if kept & a.needs:
            return False  # it needs that property too: the option does not favour the holder
        kept_by_need |= bool(kept)
    return kept_by_need

"""An independent checker for assignment results: what the optimiser promises, re-counted.

Written apart from :mod:`markets.assignment.solver` on purpose (it reuses only the input
and output dataclasses): the benchmark's ``hard_violations`` and the property tests rely on
it, so a bug in the solver's own bookkeeping cannot hide behind itself.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping

from markets.assignment.problem import (
    Applicant,
    BoothSlot,
    DayResult,
    RotationHistory,
    SeasonProblem,
    SeasonResult,
    UnplacedReason,
)


def _fits(applicant: Applicant, booth: BoothSlot) -> bool:
    if booth.size < applicant.min_size:
        return False
    if not all(p in booth.properties for p in applicant.needs):
        return False
    return not (applicant.needs_power and not booth.has_power)


def _corner_only(booth: BoothSlot) -> bool:
    """Corner booths that are also premium rotate as premium (written out again here)."""
    return booth.is_corner and not booth.is_premium


def hard_violations(problem: SeasonProblem, result: SeasonResult) -> list[str]:
    """Every broken hard rule, one line each (empty when the result is sound).

    One vendor per booth per day; one booth per vendor per day; only vendors accepted for
    that day; power where needed; booth at least the needed size; category caps (which
    regulars may exceed); regulars' booths; "only my wishes"; and every vendor accepted for
    the day either placed or given a reason.
    """
    booths = {b.code: b for b in problem.booths}
    applicants = {a.key: a for a in problem.applicants}
    out: list[str] = []
    if [d.day for d in result.days] != list(problem.days):
        out.append("result days differ from the problem's days")
    for day in result.days:
        held = Counter(c for v in day.placements for c in day.booths_of(v))
        for code, n in held.items():
            if n > 1:
                out.append(f"day {day.day}: booth {code} holds {n} vendors")
        for vendor, code in day.placements.items():
            a = applicants.get(vendor)
            booth = booths.get(code)
            if a is None or booth is None:
                out.append(f"day {day.day}: unknown vendor {vendor} or booth {code}")
                continue
            if a.days is not None and day.day not in a.days:
                out.append(f"day {day.day}: vendor {vendor} placed on a day it did not apply for")
            if a.needs_power and not booth.has_power:
                out.append(f"day {day.day}: vendor {vendor} needs power, booth {code} has none")
            if booth.size < a.min_size:
                out.append(f"day {day.day}: booth {code} is smaller than vendor {vendor} needs")
            for p in sorted(a.needs - booth.properties):
                out.append(f"day {day.day}: vendor {vendor} needs {p}, booth {code} lacks it")
            if vendor in day.unplaced:
                out.append(f"day {day.day}: vendor {vendor} both placed and unplaced")
        per_category: Counter[str] = Counter()
        regulars_per_category: Counter[str] = Counter()
        for vendor in day.placements:
            if vendor in applicants:
                per_category.update(applicants[vendor].categories)
                if applicants[vendor].own_booth is not None:
                    regulars_per_category.update(applicants[vendor].categories)
        for category, cap in problem.category_caps.items():
            # Regulars may exceed a cap; nobody else may add to it.
            if per_category[category] > max(cap, regulars_per_category[category]):
                out.append(
                    f"day {day.day}: {per_category[category]} vendors sell {category}, cap {cap}"
                )
        out.extend(_block_violations(problem, day))
        out.extend(_claim_violations(problem, day))
        out.extend(_reservation_violations(problem, day))
        out.extend(_block_reservation_violations(problem, day))
        for a in problem.applicants:
            attends = a.days is None or day.day in a.days
            if attends and a.key not in day.placements and a.key not in day.unplaced:
                out.append(f"day {day.day}: vendor {a.key} neither placed nor given a reason")
    return out


def _in_one_row(problem: SeasonProblem, block: tuple[str, ...]) -> bool:
    """The booths are consecutive in one of the problem's rows and each is a neighbour of
    the next (written out again here, apart from ``markets.assignment.blocks``)."""
    for row in problem.rows:
        for start in range(len(row) - len(block) + 1):
            if tuple(row[start:start + len(block)]) == block:
                return all(
                    block[n + 1] in problem.adjacency.get(block[n], frozenset())
                    for n in range(len(block) - 1)
                )
    return False


def _kept_from(problem: SeasonProblem, booth: BoothSlot, holder: Applicant,
               other: Applicant) -> bool:
    """Whether the reservation option keeps ``booth`` for ``holder`` against ``other``:
    the holder needs one of the booth's reserved properties and ``other`` needs none of
    them. It favours needers over non-needers only; among needers the tiers decide."""
    kept = booth.properties & problem.reserved_properties & holder.needs
    return bool(kept) and not kept & other.needs


def _would_take(a: Applicant, booth: BoothSlot) -> bool:
    return _fits(a, booth) and (not a.wishes_only or booth.code in a.preferred_booths)


def _block_violations(problem: SeasonProblem, day: DayResult) -> list[str]:
    """Several booths for one vendor.

    * A block holds the vendor's ``placements`` booth, is a run of neighbouring booths of
      one row, every booth fits the vendor, and it has at most ``booths_max`` booths.
    * A vendor needing several booths (not a regular) has at least ``booths_min``.
    * Booths beyond the minimum went out only when nobody left out would take them: some
      cut of the extra booths off the block's ends leaves only booths no unplaced vendor
      (other than for a cap or by hand) fits.
    """
    booths = {b.code: b for b in problem.booths}
    applicants = {a.key: a for a in problem.applicants}
    out: list[str] = []
    waiting = [
        applicants[k] for k, why in day.unplaced.items()
        if k in applicants and why not in (UnplacedReason.CATEGORY_CAP, UnplacedReason.MANUAL)
    ]
    for vendor, block in day.blocks.items():
        a = applicants.get(vendor)
        if a is None or vendor not in day.placements:
            out.append(f"day {day.day}: block of {vendor} without a placement")
            continue
        if day.placements[vendor] not in block:
            out.append(f"day {day.day}: vendor {vendor}'s booth is outside its block")
        if a.more_own_booths:
            # A regular granted several booths holds its own booths that fit it, wherever
            # they lie on the map, or moved as a whole to a wished run (checked with the
            # claims).
            if not set(block) <= set(a.own_booths) and block not in _wished_runs(problem, a):
                out.append(f"day {day.day}: regular {vendor} holds {block}, beyond its own "
                           f"booths {a.own_booths}")
            continue
        if len(block) > a.booths_max:
            out.append(f"day {day.day}: vendor {vendor} holds {len(block)} booths, "
                       f"max {a.booths_max}")
        if len(block) > 1 and not _in_one_row(problem, block):
            out.append(f"day {day.day}: vendor {vendor}'s booths {block} are not side by side")
        for code in block:
            booth = booths.get(code)
            if booth is None or not _fits(a, booth):
                out.append(f"day {day.day}: vendor {vendor} does not fit block booth {code}")
        least = a.booths_min if a.own_booth is None else 1
        extra = len(block) - least
        if extra > 0 and not any(
            not any(
                _would_take(w, booths[c]) for c in (*block[:cut], *block[len(block) - extra + cut:])
                for w in waiting
            )
            for cut in range(extra + 1)
        ):
            out.append(f"day {day.day}: vendor {vendor} got extra booths someone left out fits")
    for vendor in day.placements:
        a = applicants.get(vendor)
        if a is not None and a.own_booth is None and len(day.booths_of(vendor)) < a.booths_min:
            out.append(f"day {day.day}: vendor {vendor} needs {a.booths_min} booths, "
                       f"holds {len(day.booths_of(vendor))}")
    return out


def _claim_violations(problem: SeasonProblem, result: DayResult) -> list[str]:
    """Regulars' booths and "only my wishes".

    * An attending regular whose own booth fits it sits in that booth or in one of its
      wishes (a move); while it sits in its own booth nobody else does, and its booth
      holds someone else only when it moved away.
    * An attending regular granted several booths holds every one of them that fits it
      (and no other booth) and nobody else holds any of them, or it moved as a whole
      stall to a run one of its wishes names (decision 94).
    * A vendor that asked for "only my wishes" sits in a wished booth (or its own).
    """
    booths = {b.code: b for b in problem.booths}
    day, placements = result.day, result.placements
    out: list[str] = []
    holder = {code: vendor for vendor in placements for code in result.booths_of(vendor)}
    for a in problem.applicants:
        if not (a.days is None or day in a.days):
            continue
        code = placements.get(a.key)
        wished = code in a.preferred_booths or code in a.own_booths
        if a.wishes_only and code is not None and not wished:
            out.append(f"day {day}: vendor {a.key} wanted only its wishes, got {code}")
        if a.more_own_booths:
            out.extend(_several_booth_violations(problem, a, result, holder))
            continue
        own = booths.get(a.own_booth or "")
        if own is None or not _fits(a, own):
            continue
        if code is None:
            out.append(f"day {day}: regular {a.key} attends but has no booth")
        elif code != own.code and code not in a.preferred_booths:
            out.append(f"day {day}: regular {a.key} moved to {code}, not one of its wishes")
        if code == own.code or code is None:
            other = holder.get(own.code)
            if other is not None and other != a.key:
                out.append(f"day {day}: vendor {other} took regular {a.key}'s booth {own.code}")
    return out


def _wished_runs(problem: SeasonProblem, a: Applicant) -> list[tuple[str, ...]]:
    """The runs a regular granted several booths may move to (decision 94, written out
    again here): for each wished booth, the booths from it on along its row, as many as
    the regular's own booths, each a neighbour of the next."""
    size = len(set(a.own_booths))
    out = []
    for code in a.preferred_booths:
        for row in problem.rows:
            if code in row:
                start = list(row).index(code)
                run = tuple(row[start:start + size])
                if len(run) == size and _in_one_row(problem, run):
                    out.append(run)
                break
    return out


def _several_booth_violations(
    problem: SeasonProblem,
    a: Applicant,
    result: DayResult,
    holder: Mapping[str, int],
) -> list[str]:
    """A regular granted several booths, attending: it holds exactly its own booths that
    fit it (none fitting: it is placed like anyone else), and nobody else holds them; or
    it moved as a whole stall to a run one of its wishes names (decision 94), every booth
    fitting it and none a premium or corner booth it does not own, and its own booths are
    free for others."""
    booths = {b.code: b for b in problem.booths}
    mine = [c for c in dict.fromkeys(a.own_booths) if c in booths and _fits(a, booths[c])]
    if not mine:
        return []
    day = result.day
    out = []
    held = set(result.booths_of(a.key))
    moved = [r for r in _wished_runs(problem, a) if set(r) == held and held != set(mine)]
    if moved:
        for code in moved[0]:
            booth = booths.get(code)
            if booth is None or not _fits(a, booth) or (
                code not in a.own_booths and (booth.is_premium or booth.is_corner)
            ):
                out.append(f"day {day}: regular {a.key} moved its stall onto booth {code}, "
                           f"which it may not take")
        return out
    if held != set(mine):
        out.append(f"day {day}: regular {a.key} holds {sorted(held)}, "
                   f"its own booths are {sorted(mine)}")
    for code in mine:
        other = holder.get(code)
        if other is not None and other != a.key:
            out.append(f"day {day}: vendor {other} took regular {a.key}'s booth {code}")
    return out


def _reservation_violations(problem: SeasonProblem, day: DayResult) -> list[str]:
    """With a property reserved, a booth having it (any booth of a block too) holds a
    vendor that does not need it (and is not a regular on its own booth) only when no
    vendor needing it, fitting that booth, was left out for want of room. The option
    favours needers over others only: a lower tier that needs it too (no regular, the
    booth no premium or corner turn) does not keep it from a left-out needer."""
    if not problem.reserved_properties:
        return []
    booths = {b.code: b for b in problem.booths}
    applicants = {a.key: a for a in problem.applicants}
    waiting = [
        applicants[k] for k, why in day.unplaced.items()
        if k in applicants and applicants[k].needs & problem.reserved_properties
        # one reserved booth is no block: a vendor needing several waits for a window
        and not (applicants[k].booths_min > 1 and applicants[k].own_booth is None)
        and why not in (UnplacedReason.CATEGORY_CAP, UnplacedReason.MANUAL,
                        UnplacedReason.WISHES_TAKEN, UnplacedReason.ROTATION_HOLD)
    ]
    out = []
    for vendor in day.placements:
        a = applicants.get(vendor)
        if a is None:
            continue
        for code in day.booths_of(vendor):
            booth = booths.get(code)
            if booth is None or code in a.own_booths:
                continue
            kept = booth.properties & problem.reserved_properties
            for w in waiting:
                if not (kept & w.needs and _fits(w, booth)) or (
                    w.wishes_only and code not in w.preferred_booths
                ):
                    continue
                if not kept & a.needs:
                    out.append(
                        f"day {day.day}: booth {code} ({', '.join(sorted(kept))}) went to "
                        f"vendor {vendor} while vendor {w.key}, who needs it, has none"
                    )
                elif a.own_booth is None and a.priority < w.priority and not (
                    booth.is_premium or booth.is_corner
                ):
                    out.append(
                        f"day {day.day}: booth {code} ({', '.join(sorted(kept))}) went to "
                        f"vendor {vendor} of a lower tier while vendor {w.key}, who needs "
                        f"it too, has none"
                    )
    return out


def _block_reservation_violations(problem: SeasonProblem, day: DayResult) -> list[str]:
    """With a property reserved, a vendor needing several booths with it (not a regular)
    is left out for want of room only when no run of its minimum in a row, every booth
    fitting it and none premium or corner, is empty or held by vendors who are no regulars
    and either do not need that booth's reserved properties (whatever their tiers) or
    need them too but stand in a lower tier."""
    if not problem.reserved_properties:
        return []
    booths = {b.code: b for b in problem.booths}
    applicants = {a.key: a for a in problem.applicants}
    holder = {c: applicants[v] for v in day.placements if v in applicants
              for c in day.booths_of(v)}
    out = []
    for key, why in day.unplaced.items():
        w = applicants.get(key)
        if w is None or w.booths_min < 2 or w.own_booth is not None or not (
            w.needs & problem.reserved_properties
        ) or why in (UnplacedReason.CATEGORY_CAP, UnplacedReason.MANUAL,
                     UnplacedReason.WISHES_TAKEN, UnplacedReason.ROTATION_HOLD):
            continue
        for row in problem.rows:
            for start in range(len(row) - w.booths_min + 1):
                run = tuple(row[start:start + w.booths_min])
                spots = [booths[c] for c in run if c in booths]
                if len(spots) < len(run) or not _in_one_row(problem, run) or any(
                    b.is_premium or b.is_corner or not _fits(w, b) for b in spots
                ) or (w.wishes_only and not any(c in w.preferred_booths for c in run)):
                    continue
                if all(
                    holder.get(b.code) is None or (
                        holder[b.code].own_booth is None and (
                            _kept_from(problem, b, w, holder[b.code])
                            or holder[b.code].priority < w.priority
                        )
                    )
                    for b in spots
                ):
                    out.append(f"day {day.day}: vendor {key} needs {sorted(w.needs)} booths "
                               f"{run}, kept for it, but others hold them")
    return out


def special_counts(
    problem: SeasonProblem, result: SeasonResult, kind: str
) -> dict[int, int]:
    """Premium (``kind="premium"``) or corner placements per vendor who wants them, over the
    run plus the history before it."""
    booths = {b.code: b for b in problem.booths}
    counts: dict[int, int] = {}
    for a in problem.applicants:
        if not (a.wants_premium if kind == "premium" else a.wants_corner):
            continue
        past = problem.history.get(a.key, RotationHistory())
        n = past.premium if kind == "premium" else past.corner
        for day in result.days:
            code = day.placements.get(a.key)
            if code is not None:
                booth = booths[code]
                n += booth.is_premium if kind == "premium" else _corner_only(booth)
        counts[a.key] = n
    return counts


def fairness_group(problem: SeasonProblem, result: SeasonResult, kind: str) -> set[int]:
    """Vendors the rotation rule compares: they want the kind of booth, fit at least one
    such booth, and were placed on every day of the run (and every earlier day)."""
    special = [
        b for b in problem.booths if (b.is_premium if kind == "premium" else _corner_only(b))
    ]
    group = set()
    for a in problem.applicants:
        wants = a.wants_premium if kind == "premium" else a.wants_corner
        if not wants or a.own_booth is not None or not any(_fits(a, b) for b in special):
            continue
        if not problem.history.get(a.key, RotationHistory()).placed_every_day:
            continue
        if all(a.key in day.placements for day in result.days):
            group.add(a.key)
    return group


def fairness_violations(problem: SeasonProblem, result: SeasonResult) -> list[str]:
    """The rotation rule: within each fairness group, max - min placements <= 1."""
    out = []
    for kind in ("premium", "corner"):
        group = fairness_group(problem, result, kind)
        counts = special_counts(problem, result, kind)
        values = [counts[k] for k in group]
        if values and max(values) - min(values) > 1:
            out.append(f"{kind}: counts range {min(values)}..{max(values)} in the group")
    return out


def priority_inversions(problem: SeasonProblem, result: SeasonResult) -> list[str]:
    """A vendor left unplaced (not for a category cap) while a lower-priority vendor holds
    an ordinary booth (neither premium nor corner, so no rotation applies) it would fit and
    take ("only my wishes": a wished one); a regular's seat is never an inversion."""
    booths = {b.code: b for b in problem.booths}
    applicants = {a.key: a for a in problem.applicants}
    out = []
    for day in result.days:
        for key, reason in day.unplaced.items():
            if reason in (UnplacedReason.CATEGORY_CAP, UnplacedReason.MANUAL,
                          UnplacedReason.WISHES_TAKEN):
                continue
            h = applicants[key]
            if h.booths_min > 1 and h.own_booth is None:
                out.extend(_block_inversions(problem, day, h))
                continue
            holdings = [(v, c) for v in day.placements for c in day.booths_of(v)]
            for vendor, code in holdings:
                if applicants[vendor].own_booth is not None:
                    continue  # a regular's seat is its own, whatever its tier
                if _kept_from(problem, booths[code], applicants[vendor], h):
                    continue  # a reserved booth kept for a vendor who needs it
                if h.wishes_only and code not in h.preferred_booths:
                    continue  # a booth it would not take
                booth = booths[code]
                lower = applicants[vendor].priority < h.priority
                if lower and not booth.is_premium and not booth.is_corner and _fits(h, booth):
                    out.append(f"day {day.day}: {key} unplaced, lower {vendor} in {code}")
    return out


def _block_inversions(problem: SeasonProblem, day: DayResult, h: Applicant) -> list[str]:
    """A vendor needing ``booths_min`` booths side by side is left out while some run of
    that many neighbouring booths in a row, all fitting it and none premium or corner, is
    empty or held by lower tiers (no regular on its own seat, no reserved booth kept for
    its needer against a vendor who does not need it), at least one booth held."""
    booths = {b.code: b for b in problem.booths}
    applicants = {a.key: a for a in problem.applicants}
    holder = {c: v for v in day.placements for c in day.booths_of(v)}
    out = []
    for row in problem.rows:
        for start in range(len(row) - h.booths_min + 1):
            run = tuple(row[start:start + h.booths_min])
            if not _in_one_row(problem, run):
                continue
            if h.wishes_only and not any(c in h.preferred_booths for c in run):
                continue
            spots = [booths[c] for c in run]
            if any(b.is_premium or b.is_corner or not _fits(h, b) for b in spots):
                continue
            held = [holder[c] for c in run if c in holder]
            if held and all(
                applicants[v].priority < h.priority and applicants[v].own_booth is None
                and not _kept_from(problem, booths[c], applicants[v], h)
                for c, v in ((c, holder[c]) for c in run if c in holder)
            ):
                out.append(f"day {day.day}: {h.key} unplaced, lower tiers hold block {run}")
    return out


def seniority_inversions(problem: SeasonProblem, result: SeasonResult) -> list[str]:
    """Within one tier, a junior stall against a senior single vendor for a contested
    booth (decision 102): stalls and wishers claim in one line, in standing order (tier,
    years, jury score, vendor id). Two cheap signs of the line broken, neither about
    regulars (their own booths come first) nor premium/corner booths (they rotate) nor a
    reserved booth kept for a needer against a vendor who does not need it:

    * a single vendor holds a booth it ranks below a wish (or none, not for a category
      cap) while that wished booth, fitting it, is in the block of a same-tier stall
      standing behind it;
    * a stall is left out while some run of its minimum, fitting it, is empty or held by
      vendors standing behind it, at least one of them of its own tier (all of lower
      tiers is :func:`priority_inversions`' case)."""
    booths = {b.code: b for b in problem.booths}
    applicants = {a.key: a for a in problem.applicants}
    skip = (UnplacedReason.CATEGORY_CAP, UnplacedReason.MANUAL, UnplacedReason.WISHES_TAKEN)
    out: list[str] = []
    for day in result.days:
        block_of = {
            c: v for v, block in day.blocks.items() if applicants[v].own_booth is None
            and applicants[v].booths_min > 1 for c in block
        }
        holder = {c: v for v in day.placements for c in day.booths_of(v)}
        for s in applicants.values():
            if s.own_booth is not None or s.booths_min > 1 or not s.preferred_booths:
                continue
            if s.key in day.placements:
                got = day.placements[s.key]
                rank = s.preferred_booths.index(got) if got in s.preferred_booths else None
            elif day.unplaced.get(s.key) not in (None, *skip):
                rank = None
            else:
                continue
            for code in s.preferred_booths[:rank]:
                v = block_of.get(code)
                booth = booths.get(code)
                if v is None or booth is None or booth.is_premium or booth.is_corner:
                    continue
                b = applicants[v]
                if (b.priority == s.priority and b.standing > s.standing and _fits(s, booth)
                        and not _kept_from(problem, booth, b, s)):
                    out.append(f"day {day.day}: vendor {v}'s block holds {code}, "
                               f"wished by senior vendor {s.key} of the same tier")
        for key, reason in day.unplaced.items():
            h = applicants[key]
            if reason in skip or h.own_booth is not None or h.booths_min < 2:
                continue
            for row in problem.rows:
                runs = [tuple(row[n:n + h.booths_min])
                        for n in range(len(row) - h.booths_min + 1)]
                bad = next((run for run in runs if _behind_in_run(problem, h, run, holder)),
                           None)
                if bad is not None:
                    out.append(f"day {day.day}: vendor {key} unplaced, juniors of its "
                               f"tier hold block {bad}")
                    break
    return out


def _behind_in_run(problem: SeasonProblem, h: Applicant, run: tuple[str, ...],
                   holder: Mapping[str, int]) -> bool:
    """Whether stall ``h`` could have claimed ``run`` ahead of everyone holding it: a run of
    neighbours in a row, fitting, no premium/corner booth, ("only my wishes") one booth
    wished, its booths empty or held by non-regulars standing behind ``h`` (no reserved
    booth kept for its needer against ``h``), one of them of ``h``'s tier."""
    booths = {b.code: b for b in problem.booths}
    applicants = {a.key: a for a in problem.applicants}
    if not _in_one_row(problem, run):
        return False
    if h.wishes_only and not any(c in h.preferred_booths for c in run):
        return False
    if any(booths[c].is_premium or booths[c].is_corner or not _fits(h, booths[c])
           for c in run):
        return False
    held = [(c, applicants[holder[c]]) for c in run if c in holder]
    return any(v.priority == h.priority for _, v in held) and all(
        v.own_booth is None and v.standing > h.standing and v.priority <= h.priority
        and not _kept_from(problem, booths[c], v, h)
        for c, v in held
    )


def preference_score(problem: SeasonProblem, result: SeasonResult) -> float:
    """Share of placements, among vendors who stated a preference, in a preferred booth or
    zone (1.0 when nobody stated one)."""
    booths = {b.code: b for b in problem.booths}
    applicants: Mapping[int, Applicant] = {a.key: a for a in problem.applicants}
    asked = met = 0
    for day in result.days:
        for vendor, code in day.placements.items():
            a = applicants[vendor]
            if not (a.preferred_booths or a.preferred_zones):
                continue
            asked += 1
            met += code in a.preferred_booths or booths[code].zone in a.preferred_zones
    return met / asked if asked else 1.0

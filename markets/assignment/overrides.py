"""미리 보기의 가정: a what-if run with other tiers or other regulars' booths.

The organizer asks "what if this vendor had tier 2?" or "what if this regular held A-05 (or
no booth) this season?" before changing anything; :func:`with_overrides` turns those
answers into the optimiser's input for one preview (``markets.assignment.runs.what_if``),
leaving the applications and the grants untouched. Pure: the problem and the day's
applications in, a new problem out; every bad entry is a problem naming
``tiers.<vendor id>`` or ``regulars.<vendor id>``.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping

from infra.errors import Problems
from markets.applications.decisions import MAX_PRIORITY
from markets.applications.models import Application
from markets.assignment.errors import AssignmentErrorCode as Code
from markets.assignment.problem import Applicant, SeasonProblem


def _vendor(
    raw: str, applications: Mapping[int, Application], field: str, problems: Problems
) -> int | None:
    key = int(raw) if raw.strip().isdigit() else None
    if key is None or key not in applications:
        problems.add(Code.VENDOR_NOT_ON_DAY, field, "이 장날에 선정된 업체가 아닙니다.")
        return None
    return key


def _tier(value: object) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        value = int(value.strip())
    return value if isinstance(value, int) and -MAX_PRIORITY <= value <= MAX_PRIORITY else None


def with_overrides(
    problem: SeasonProblem,
    applications: Mapping[int, Application],
    problems: Problems,
    *,
    tiers: Mapping[str, object] | None = None,
    regulars: Mapping[str, object] | None = None,
) -> SeasonProblem:
    """The problem with some vendors' tiers (the organizer's tier; strikes still count)
    and regulars' own booths (a booth code, or null/"" for none) replaced."""
    codes = {b.code for b in problem.booths}
    new_tier: dict[int, int] = {}
    for raw, value in (tiers or {}).items():
        field = f"tiers.{raw}"
        key = _vendor(raw, applications, field, problems)
        tier = _tier(value)
        if tier is None:
            problems.add(Code.INVALID_ACTION, field,
                         f"우선순위는 -{MAX_PRIORITY}에서 {MAX_PRIORITY} 사이의 정수입니다.")
        elif key is not None:
            new_tier[key] = tier
    new_own: dict[int, str | None] = {}
    for raw, value in (regulars or {}).items():
        field = f"regulars.{raw}"
        key = _vendor(raw, applications, field, problems)
        code = value.strip() if isinstance(value, str) else value
        if code not in (None, "") and (not isinstance(code, str) or code not in codes):
            problems.add(Code.BOOTH_NOT_FOUND, field, "배치도에 없는 부스입니다.")
        elif key is not None:
            new_own[key] = code or None
    owner: dict[str, int] = {}
    for a in sorted(problem.applicants, key=lambda a: a.key):
        # An override names one booth: it replaces all the regular's booths for the preview.
        owned = a.own_booths
        if a.key in new_own:
            replaced = new_own[a.key]
            owned = (replaced,) if replaced else ()
        for own in owned:
            if own in owner:
                clash = a.key if a.key in new_own else owner[own]
                problems.add(Code.INVALID_REGULAR, f"regulars.{clash}",
                             f"'{own}' 부스는 이미 다른 업체의 고정 부스입니다.")
            owner[own] = a.key
    problems.raise_if_any()

    def changed(a: Applicant) -> Applicant:
        app = applications[a.key]
        priority = a.priority + new_tier.get(a.key, app.priority_tier) - app.priority_tier
        own = new_own.get(a.key, a.own_booth)
        more = a.more_own_booths if a.key not in new_own else ()
        only = bool(app.only_wishes) and bool(a.preferred_booths) and own is None
        return dataclasses.replace(
            a, priority=priority, own_booth=own, more_own_booths=more, wishes_only=only
        )

    if not new_tier and not new_own:
        return problem
    return dataclasses.replace(problem, applicants=tuple(changed(a) for a in problem.applicants))

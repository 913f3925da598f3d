"""Explicit state machines: one table of allowed transitions per aggregate.

A domain declares ``TRANSITIONS = StateMachine({...})`` next to its model; services call
``TRANSITIONS.check(current, target)`` before changing state, and a refused transition is a
409 that names both states in Korean.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Mapping
from typing import Generic, TypeVar

from infra.errors import CommonErrorCode, Conflict

S = TypeVar("S", bound=enum.Enum)


class StateMachine(Generic[S]):
    def __init__(
        self,
        allowed: Mapping[S, frozenset[S] | set[S]],
        *,
        label: Callable[[S], str] = lambda s: str(s.value),
        code: enum.Enum = CommonErrorCode.INVALID_TRANSITION,
    ) -> None:
        self.allowed = {state: frozenset(targets) for state, targets in allowed.items()}
        self.label = label
        self.code = code

    def can(self, current: S, target: S) -> bool:
        return target in self.allowed.get(current, frozenset())

    def targets(self, current: S) -> frozenset[S]:
        return self.allowed.get(current, frozenset())

    def check(self, current: S, target: S) -> None:
        if not self.can(current, target):
            raise Conflict(
                self.code,
                f"'{self.label(current)}' 상태에서 '{self.label(target)}'(으)로 바꿀 수 없습니다.",
                field="status",
                extra={"current": current.value, "requested": target.value},
            )

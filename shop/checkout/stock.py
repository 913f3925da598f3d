"""Stock reservation use cases, the API a checkout calls:

* :func:`reserve` — demand lines → a reservation holding the units until a deadline;
* :func:`confirm` — payment succeeded: the reservation becomes paid allocations (idempotent);
* :func:`release` — the shopper gave up or payment failed: the units return to sale;
* :func:`expire_due` — the sweeper: reservations past their deadline are marked expired.

Each is one transaction holding the rows, the audit row (:class:`ReservationStatusChange`:
who, from what, to what, why) and the outbox event. Whoever calls them has already decided
that the caller may act on the reservation (the checkout owns that rule); these functions
guard the stock. Bad input raises before anything is written; a refused transition is a 409.

Every function takes ``now`` so tests can travel in time. By default the time that decides
what is live is read *after* the locks are held, so a reservation can never look alive to
one transaction and expired to the next one that waited behind it (a new reservation's
deadline counts from the moment the call started).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Mapping, Sequence

from sqlalchemy import bindparam, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.attributes import set_committed_value

from infra.accounts.models import User
from infra.clock import as_utc as _aware
from infra.clock import utcnow
from infra.db import dialect_name, insert_as_loaded, table_of, transaction
from infra.errors import Conflict, InvalidInput, NotFound
from infra.outbox import record
from infra.settings import Settings
from shop.checkout import availability
from shop.checkout import demand as rules
from shop.checkout.errors import StockErrorCode as Code
from shop.checkout.events import (
    StockReservationConfirmed,
    StockReservationExpired,
    StockReservationReleased,
    StockReserved,
)
from shop.checkout.models import (
    RESERVATION_TRANSITIONS,
    ReservationLine,
    ReservationStatus,
    ReservationStatusChange,
    StockAllocation,
    StockReservation,
)

RESERVATIONS = table_of(StockReservation)
STATUS_CHANGES = table_of(ReservationStatusChange)
ALLOCATIONS = table_of(StockAllocation)

#: Statements every checkout sends, built once with their values bound at execution, so
#: their cache keys are computed once per process (decision 91).
_INSERT_STATUS_CHANGE = insert(STATUS_CHANGES)
_INSERT_ALLOCATIONS = insert(ALLOCATIONS).returning(*ALLOCATIONS.c, sort_by_parameter_order=True)
_MARK_CONFIRMED = (
    update(RESERVATIONS).where(RESERVATIONS.c.id == bindparam("reservation_id"))
    # Bind names other than the columns': those are reserved in an UPDATE's SET clause.
    .values(status=ReservationStatus.CONFIRMED, confirmed_at=bindparam("at"), ended_at=None)
)

MAX_REASON = 500
EXPIRY_REASON = "결제 시간이 지나 예약이 만료되었습니다."
SWEEP_BATCH = 500


def _actor(user: User | None) -> int | None:
    return user.id if user is not None else None


def _clean_reason(reason: str) -> str:
    reason = (reason or "").strip()
    if len(reason) > MAX_REASON:
        raise InvalidInput(
            Code.INVALID_REASON, f"사유는 {MAX_REASON}자 이내로 적어 주세요.", field="reason"
        )
    return reason


def _lines_payload(lines: Sequence[ReservationLine]) -> tuple[dict[str, int], ...]:
    return tuple({"variant_id": ln.variant_id, "quantity": ln.quantity} for ln in lines)


def is_live(reservation: StockReservation, now: dt.datetime | None = None) -> bool:
    """Whether the reservation still holds its units (active and before its deadline)."""
    return reservation.status is ReservationStatus.ACTIVE and _aware(
        reservation.expires_at
    ) > (now or utcnow())


def _audit(
    session: AsyncSession,
    reservation: StockReservation,
    target: ReservationStatus,
    actor: int | None,
    reason: str,
) -> None:
    session.add(ReservationStatusChange(
        reservation_id=reservation.id, from_status=reservation.status, to_status=target,
        actor_user_id=actor, reason=reason,
    ))
    reservation.status = target


# -- reserve ------------------------------------------------------------------------------


async def _by_key(session: AsyncSession, key: str) -> StockReservation | None:
    return await session.scalar(
        select(StockReservation)
        .where(StockReservation.key == key)
        .execution_options(populate_existing=True)
    )


def _same_demand(reservation: StockReservation, wanted: Sequence[rules.SummedDemand]) -> bool:
    held = {ln.variant_id: ln.quantity for ln in reservation.lines}
    return held == {d.variant_id: d.quantity for d in wanted}


def _reuse(reservation: StockReservation, wanted: Sequence[rules.SummedDemand]) -> StockReservation:
    if not _same_demand(reservation, wanted):
        raise Conflict(
            Code.KEY_REUSED, "이 예약 키는 이미 다른 주문 내용에 쓰였습니다.", field="key",
            extra={"reservation_id": reservation.id},
        )
    return reservation


async def reserve(
    session: AsyncSession,
    settings: Settings,
    demands: Sequence[rules.Demand],
    *,
    actor: User | None = None,
    key: str | None = None,
    now: dt.datetime | None = None,
) -> StockReservation:
    """Hold the demanded units for ``settings.reservation_minutes``, or refuse with a reason.

    Demand is summed per variant across all lines first. The variant rows are locked in id
    order, availability is read under the lock, and the reservation is written before the
    lock is released by the commit, so concurrent checkouts can never hold more than stock.
    With a ``key``, a repeated call (a double click, a retried request) returns the
    reservation the first call made, whatever happened to it since.

    Raises ``InvalidInput`` (400) for malformed lines and unknown variants, ``Conflict``
    (409) ``not_for_sale`` or ``out_of_stock`` naming the line and the units left.
    """
    wanted = rules.summed(demands)
    key = rules.clean_key(key)
    try:
        async with transaction(session):
            if key is not None and (existing := await _by_key(session, key)) is not None:
                return _reuse(existing, wanted)
            reservation = await _hold(session, settings, wanted, _actor(actor), key, now)
    except IntegrityError:
        # Another call with the same key committed between our look-up and our insert.
        if key is None or (existing := await _by_key(session, key)) is None:
            raise
        return _reuse(existing, wanted)
    return reservation


async def _hold(
    session: AsyncSession,
    settings: Settings,
    wanted: Sequence[rules.SummedDemand],
    actor: int | None,
    key: str | None,
    now: dt.datetime | None,
) -> StockReservation:
    reservation = await open_reservation(session, settings, wanted, actor=actor, key=key, now=now)
    await take_units(session, reservation, wanted, now=now)
    return reservation


async def open_reservation(
    session: AsyncSession,
    settings: Settings,
    wanted: Sequence[rules.SummedDemand],
    *,
    actor: int | None,
    key: str | None,
    now: dt.datetime | None = None,
) -> StockReservation:
    """In the caller's transaction, before any lock: the reservation row (still holding
    nothing), its audit row and its event. :func:`take_units` must follow in the same
    transaction; a refusal there rolls all of it back.

    What does not depend on availability is written before the lock: uncommitted rows are
    invisible to everyone else. Under the lock remain only the lock itself, the availability
    read, the lines and the commit, so checkouts wanting the same variants queue as briefly
    as possible (a checkout writes its own rows here too: ``shop.checkout.services.place``).
    """
    started = now or utcnow()
    reservation = await insert_as_loaded(session, StockReservation(
        status=ReservationStatus.ACTIVE,
        user_id=actor,
        key=key,
        expires_at=started + dt.timedelta(minutes=settings.reservation_minutes),
        lines=[],
    ))
    await session.execute(_INSERT_STATUS_CHANGE, dict(
        reservation_id=reservation.id, from_status=None, to_status=ReservationStatus.ACTIVE,
        actor_user_id=actor, reason="결제 대기",
    ))
    record(session, StockReserved(
        id=reservation.id, actor_user_id=actor,
        lines=tuple({"variant_id": d.variant_id, "quantity": d.quantity} for d in wanted),
        expires_at=_aware(reservation.expires_at).isoformat(),
    ))
    return reservation


async def take_units(
    session: AsyncSession,
    reservation: StockReservation,
    wanted: Sequence[rules.SummedDemand],
    *,
    now: dt.datetime | None = None,
) -> None:
    """In the caller's transaction: lock the variants, check that the wanted units are free
    and make ``reservation`` hold them. The caller commits at once (the locks last until
    then). Raises like :func:`reserve`."""
    ids = [d.variant_id for d in wanted]
    facts = await availability.lock_variants(session, ids)
    for demand in wanted:
        if demand.variant_id not in facts:
            raise InvalidInput(
                Code.UNKNOWN_VARIANT, "없는 상품 옵션입니다.",
                field=f"{demand.fields[0]}.variant_id",
                extra={"variant_id": demand.variant_id},
            )
    for demand in wanted:
        fact = facts[demand.variant_id]
        if not fact.on_sale:
            raise Conflict(
                Code.NOT_FOR_SALE, f"{fact.label}: 지금은 판매하지 않는 상품입니다.",
                field=f"{demand.fields[0]}.variant_id",
                extra={"variant_id": demand.variant_id},
            )
    await hold_units(session, reservation, wanted, {v: f.label for v, f in facts.items()},
                     now=now)


async def hold_units(
    session: AsyncSession,
    reservation: StockReservation,
    wanted: Sequence[rules.SummedDemand],
    labels: Mapping[int, str],
    *,
    now: dt.datetime | None = None,
) -> None:
    """With the variants already locked in the caller's transaction (and found for sale):
    make ``reservation`` hold the wanted units if they are free, else raise
    ``out_of_stock`` naming the short lines (``labels``: each variant's name)."""
    moment = now or utcnow()
    remaining = {d.variant_id: d.quantity for d in wanted}
    lines: list[ReservationLine] = []
    while True:
        taken = await availability.hold_if_free(session, reservation.id, remaining, moment)
        lines.extend(taken)
        for line in taken:
            del remaining[line.variant_id]
        if not remaining:
            break
        # Short when the insert read: say how many units are left (our own lines are not
        # counted, as only variants without one are asked about). A release or an expiry
        # needs no variant lock, so units may have come back since the insert read; then
        # they are taken (while we hold the locks, what is free can only grow).
        free = await availability.available(session, list(remaining), moment)
        short = rules.shortages([d for d in wanted if d.variant_id in remaining], free, labels)
        if short:
            raise rules.out_of_stock(short)
    set_committed_value(reservation, "lines", sorted(lines, key=lambda ln: ln.variant_id))


# -- confirm ------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Confirmation:
    reservation: StockReservation
    allocations: list[StockAllocation]
    #: True only for the call that turned the reservation into allocations; a repeated call
    #: (the shopper's return racing the payment webhook) gets False and the same allocations.
    confirmed_now: bool


async def _allocations_of(session: AsyncSession, reservation_id: int) -> list[StockAllocation]:
    rows = await session.scalars(
        select(StockAllocation)
        .where(StockAllocation.reservation_id == reservation_id)
        .order_by(StockAllocation.variant_id)
    )
    return list(rows.all())


async def _locked(session: AsyncSession, reservation_id: int) -> StockReservation:
    reservation = await availability.lock_reservation(session, reservation_id)
    if reservation is None:
        raise NotFound(
            Code.RESERVATION_NOT_FOUND, "재고 예약을 찾을 수 없습니다.", field="reservation_id"
        )
    return reservation


async def confirm(
    session: AsyncSession,
    reservation_id: int,
    *,
    actor: User | None = None,
    reason: str = "",
    now: dt.datetime | None = None,
) -> Confirmation:
    """Payment succeeded: turn the held units into paid allocations, exactly once.

    Stock is not decremented here (the goods are still on the shelf until they ship); the
    allocations replace the reservation in the availability sum in the same commit. A
    payment that arrives after the deadline still succeeds if the units are free when
    re-checked under the lock; otherwise it is a 409 ``reservation_expired`` (the checkout
    then refunds). A released reservation cannot be confirmed (409).
    """
    async with transaction(session):
        return await confirm_in_transaction(
            session, reservation_id, actor=actor, reason=reason, now=now
        )


async def confirm_in_transaction(
    session: AsyncSession,
    reservation_id: int,
    *,
    actor: User | None = None,
    reason: str = "",
    now: dt.datetime | None = None,
) -> Confirmation:
    """:func:`confirm` inside the caller's transaction (the order is written in the same one).

    The caller commits or rolls back; locks taken here last until then.
    """
    reason = _clean_reason(reason)
    reservation = await _locked(session, reservation_id)
    if reservation.status is not ReservationStatus.CONFIRMED:
        RESERVATION_TRANSITIONS.check(reservation.status, ReservationStatus.CONFIRMED)
        await availability.lock_variants(session, [ln.variant_id for ln in reservation.lines])
    return await confirm_locked(session, reservation, actor=actor, reason=reason, now=now)


async def confirm_locked(
    session: AsyncSession,
    reservation: StockReservation,
    *,
    actor: User | None = None,
    reason: str = "",
    now: dt.datetime | None = None,
) -> Confirmation:
    """:func:`confirm_in_transaction` for a reservation the caller has already read fresh,
    with its lines, and locked together with its variants' rows in this transaction
    (``shop.checkout.paid`` does it in the statement that locks the checkout), so no
    statement is spent reading it again. Writes only."""
    reason = _clean_reason(reason)
    if reservation.status is ReservationStatus.CONFIRMED:
        return Confirmation(reservation, await _allocations_of(session, reservation.id), False)
    RESERVATION_TRANSITIONS.check(reservation.status, ReservationStatus.CONFIRMED)
    lines = list(reservation.lines)
    moment = now or utcnow()
    if not is_live(reservation, moment):
        # Its units stopped counting at the deadline; take them again only if still free.
        free = await availability.available(session, [ln.variant_id for ln in lines], moment)
        wanted = [rules.SummedDemand(ln.variant_id, ln.quantity, ("lines",)) for ln in lines]
        if rules.shortages(wanted, free):
            raise Conflict(
                Code.RESERVATION_EXPIRED,
                "결제 시간이 지나 예약이 만료되었고, 그사이 재고가 다른 주문에 팔렸습니다.",
                field="reservation_id",
                extra={"reservation_id": reservation.id},
            )
        reason = (reason + " " if reason else "") + "(만료 후 결제: 재고를 다시 확인함)"
    # Plain statements rather than the unit of work (decision 82): this runs in every paid
    # checkout's transaction, and the rows are not read back in it.
    written = await session.execute(
        _INSERT_ALLOCATIONS,
        [{"reservation_id": reservation.id, "variant_id": ln.variant_id,
          "quantity": ln.quantity} for ln in lines],
    )
    allocations = [StockAllocation(**row._mapping) for row in written]
    await session.execute(_INSERT_STATUS_CHANGE, dict(
        reservation_id=reservation.id, from_status=reservation.status,
        to_status=ReservationStatus.CONFIRMED, actor_user_id=_actor(actor),
        reason=reason or "결제 완료",
    ))
    await session.execute(_MARK_CONFIRMED, {"reservation_id": reservation.id, "at": moment})
    for name, value in (("status", ReservationStatus.CONFIRMED), ("confirmed_at", moment),
                        ("ended_at", None)):
        set_committed_value(reservation, name, value)
    record(session, StockReservationConfirmed(
        id=reservation.id, actor_user_id=_actor(actor), reason=reason,
        lines=_lines_payload(lines),
    ))
    return Confirmation(reservation, allocations, True)


# -- release ------------------------------------------------------------------------------


async def release(
    session: AsyncSession,
    reservation_id: int,
    *,
    actor: User | None = None,
    reason: str = "",
    now: dt.datetime | None = None,
) -> StockReservation:
    """Give the units back (checkout abandoned, payment failed). Releasing a reservation that
    already holds nothing (released, expired) changes nothing; a confirmed one is a 409."""
    reason = _clean_reason(reason)
    async with transaction(session):
        reservation = await _locked(session, reservation_id)
        if reservation.status in (ReservationStatus.RELEASED, ReservationStatus.EXPIRED):
            return reservation
        RESERVATION_TRANSITIONS.check(reservation.status, ReservationStatus.RELEASED)
        _audit(session, reservation, ReservationStatus.RELEASED, _actor(actor),
               reason or "예약 해제")
        reservation.ended_at = now or utcnow()
        record(session, StockReservationReleased(
            id=reservation.id, actor_user_id=_actor(actor), reason=reason,
            lines=_lines_payload(reservation.lines),
        ))
    return reservation


# -- expiry -------------------------------------------------------------------------------


async def expire_due(
    session: AsyncSession, *, now: dt.datetime | None = None, batch: int = SWEEP_BATCH
) -> int:
    """Mark every active reservation past its deadline as expired; return how many.

    Availability already ignores them (lazy expiry); this makes the status true and sends
    the events. The update re-checks ``status = active`` itself, so a reservation confirmed
    or released a moment earlier is left alone, and on PostgreSQL rows another transaction
    holds are skipped (the next run takes them).
    """
    moment = now or utcnow()
    total = 0
    while True:
        async with transaction(session):
            expired, seen = await _expire_batch(session, moment, batch)
        total += expired
        if seen < batch:
            return total


async def _expire_batch(
    session: AsyncSession, moment: dt.datetime, batch: int
) -> tuple[int, int]:
    """Expire up to ``batch`` due reservations: (how many were expired, how many were due)."""
    due = (
        select(StockReservation.id)
        .where(
            StockReservation.status == ReservationStatus.ACTIVE,
            StockReservation.expires_at <= moment,
        )
        .order_by(StockReservation.id)
        .limit(batch)
    )
    if dialect_name(session) == "postgresql":
        due = due.with_for_update(skip_locked=True)
    candidates = list((await session.scalars(due)).all())
    if not candidates:
        return 0, 0
    result = await session.execute(
        update(StockReservation)
        .where(
            StockReservation.id.in_(candidates),
            StockReservation.status == ReservationStatus.ACTIVE,
            StockReservation.expires_at <= moment,
        )
        .values(status=ReservationStatus.EXPIRED, ended_at=moment)
        .returning(StockReservation.id)
        .execution_options(synchronize_session=False)
    )
    ids = sorted(int(i) for i in result.scalars().all())
    lines = (
        await session.scalars(
            select(ReservationLine)
            .where(ReservationLine.reservation_id.in_(ids))
            .order_by(ReservationLine.reservation_id, ReservationLine.variant_id)
        )
    ).all()
    by_reservation: dict[int, list[ReservationLine]] = {}
    for line in lines:
        by_reservation.setdefault(line.reservation_id, []).append(line)
    for reservation_id in ids:
        session.add(ReservationStatusChange(
            reservation_id=reservation_id, from_status=ReservationStatus.ACTIVE,
            to_status=ReservationStatus.EXPIRED, actor_user_id=None, reason=EXPIRY_REASON,
        ))
        record(session, StockReservationExpired(
            id=reservation_id, reason=EXPIRY_REASON,
            lines=_lines_payload(by_reservation.get(reservation_id, [])),
        ))
    return len(ids), len(candidates)


# -- reading ------------------------------------------------------------------------------


async def get_reservation(session: AsyncSession, reservation_id: int) -> StockReservation:
    reservation = await session.get(StockReservation, reservation_id, populate_existing=True)
    if reservation is None:
        raise NotFound(
            Code.RESERVATION_NOT_FOUND, "재고 예약을 찾을 수 없습니다.", field="reservation_id"
        )
    return reservation

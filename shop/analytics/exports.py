"""Background exports of the sales facts: asked for on a page, written by a worker, kept 7 days.

A dashboard table is a few hundred rows at most and still downloads during the request
(``tables.export``); the sales facts of a vendor or of the platform can be a million rows,
which no request should build. So (decision 44):

- :func:`request_export` writes an :class:`AnalyticsExport` row (``queued``) and an
  ``analytics.export_requested`` event in one transaction. At most one queued or running
  export per person and kind: a partial unique index refuses the second row, also when two
  clicks race, and the refusal is a 409 that names the rule.
- :func:`run_export` (called by the worker's actor) claims the row (``queued`` → ``running``,
  so a redelivered message does nothing), streams the facts in (Seoul day, id) order from
  one server-side cursor, writes them to ``var/exports/`` through ``infra.spreadsheets``
  (CSV streamed by ``iter_csv``, XLSX by ``write_xlsx`` in write-only mode, both from a
  thread so the file is never held in memory),
  and records the rows done after every batch, which the status page shows while it runs.
- :func:`purge_exports` (a daily periodic job) deletes files and rows 7 days after they were
  finished, and fails exports whose worker died so their person can ask again.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import datetime as dt
import queue
import secrets
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import structlog
from sqlalchemy import (
    DateTime,
    String,
    case,
    delete,
    func,
    literal,
    select,
    type_coerce,
    update,
)
from sqlalchemy.dialects import postgresql
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from infra import spreadsheets
from infra.clock import SEOUL, as_utc, seoul_time, utcnow
from infra.db import dialect_name, transaction
from infra.errors import Conflict, NotFound, Problems
from infra.outbox import record
from shop.analytics.errors import AnalyticsErrorCode as Code
from shop.analytics.events import ExportRequested
from shop.analytics.models import (
    CHANNEL_LABELS,
    OPEN_EXPORT_STATUSES,
    AnalyticsExport,
    ExportKind,
    ExportStatus,
    FactKind,
    SalesFact,
)

log = structlog.get_logger("jangteo.analytics.exports")

#: How long a finished export's file is kept.
RETENTION = dt.timedelta(days=7)
#: A queued or running export untouched this long lost its worker: it is failed.
STALE_AFTER = dt.timedelta(hours=2)
#: Facts read (and progress recorded) per step.
BATCH = 10_000
#: Batches fetched ahead of the file writer, at most.
QUEUED = 2
#: Under the var directory.
EXPORT_DIR = "exports"
FORMATS = ("csv", "xlsx")

STATUS_LABELS = {
    ExportStatus.QUEUED: "대기 중",
    ExportStatus.RUNNING: "만드는 중",
    ExportStatus.DONE: "완료",
    ExportStatus.FAILED: "실패",
}
KIND_LABELS = {
    ExportKind.VENDOR_FACTS: "입점기업 판매 내역",
    ExportKind.PLATFORM_FACTS: "플랫폼 판매 내역",
}
FACT_KIND_LABELS = {
    FactKind.SALE: "판매",
    FactKind.REFUND: "환불",
    FactKind.CANCELLATION: "취소",
    FactKind.BOOTH_REPORT: "부스 매출 보고",
    FactKind.INSTITUTIONAL: "공공기관 구매",
}
HEADER = ("판매일(서울)", "시각(서울)", "구분", "채널", "입점기업 번호", "상품 번호", "분류",
          "기업 유형", "자치구", "수량", "판매 건수", "순매출(원)", "주문·장터일 참조", "출처",
          "출처 번호", "회차")
# Kind, channel and time as the driver gives them (plain strings, a datetime): at a million
# rows the ORM's enum and UTC types on every row were a fifth of the export's CPU.
_COLUMNS = (SalesFact.id, SalesFact.business_date,
            type_coerce(SalesFact.occurred_at, DateTime(timezone=True)),
            type_coerce(SalesFact.kind, String), type_coerce(SalesFact.channel, String),
            SalesFact.vendor_id, SalesFact.product_id, SalesFact.category,
            SalesFact.enterprise_type, SalesFact.district, SalesFact.quantity,
            SalesFact.receipts, SalesFact.net_amount, SalesFact.order_ref, SalesFact.source,
            SalesFact.source_id, SalesFact.revision)


@dataclasses.dataclass(frozen=True)
class ExportOrder:
    """What is to be exported: the kind, the vendor for a vendor's facts, the Seoul days."""

    kind: ExportKind
    first: dt.date
    last: dt.date
    fmt: str
    vendor_id: int | None = None
    #: The vendor's name, for the file name.
    vendor_name: str = ""


def _filename(order: ExportOrder) -> str:
    who = f"-{order.vendor_name}" if order.kind is ExportKind.VENDOR_FACTS else ""
    return f"판매내역{who}-{order.first}-{order.last}.{order.fmt}"


async def request_export(
    session: AsyncSession, user_id: int, order: ExportOrder, *, now: dt.datetime | None = None
) -> AnalyticsExport:
    """Queue an export for ``user_id`` (access already checked by the caller); 409 while
    the same person has one of the same kind queued or running."""
    problems = Problems()
    if order.fmt not in FORMATS:
        problems.add(Code.INVALID_FORMAT, "format", "형식은 csv 또는 xlsx입니다.")
    if order.first > order.last:
        problems.add(Code.INVALID_PERIOD, "to", "종료일은 시작일보다 빠를 수 없습니다.")
    problems.raise_if_any()
    busy = Conflict(
        Code.EXPORT_ALREADY_RUNNING,
        f"{KIND_LABELS[order.kind]} 내보내기가 이미 대기 중이거나 만드는 중입니다. 한 사람이 "
        "종류마다 한 번에 하나씩만 만들 수 있으니, 끝난 뒤에 다시 요청해 주세요.",
        field="kind",
    )
    async with transaction(session, on_integrity_error=busy):
        export = AnalyticsExport(
            requested_by=user_id, kind=order.kind, vendor_id=order.vendor_id,
            first=order.first, last=order.last, format=order.fmt,
            status=ExportStatus.QUEUED, rows_done=0, filename=_filename(order), path="",
            error="", requested_at=now or utcnow(),
        )
        session.add(export)
        await session.flush()
        record(session, ExportRequested(id=export.id))
    return export


async def export_of(session: AsyncSession, user_id: int, export_id: int) -> AnalyticsExport:
    """An export its requester may see (anyone else: 404, as if it did not exist)."""
    export = await session.get(AnalyticsExport, export_id)
    if export is None or export.requested_by != user_id:
        raise NotFound(Code.EXPORT_NOT_FOUND, "내보내기를 찾을 수 없습니다.", field="export_id")
    return export


async def exports_of(session: AsyncSession, user_id: int) -> Sequence[AnalyticsExport]:
    return (await session.scalars(
        select(AnalyticsExport).where(AnalyticsExport.requested_by == user_id)
        .order_by(AnalyticsExport.id.desc()).limit(50)
    )).all()


def file_of(export: AnalyticsExport, var_dir: Path, *, now: dt.datetime | None = None) -> Path:
    """The finished file to download; 409 while it is not done, 404 once purged."""
    if export.status is not ExportStatus.DONE:
        raise Conflict(Code.EXPORT_NOT_READY,
                       f"내보내기가 아직 끝나지 않았습니다 ({STATUS_LABELS[export.status]}).",
                       field="export_id")
    path = var_dir / export.path
    expired = export.expires_at is not None and export.expires_at <= (now or utcnow())
    if expired or not path.is_file():
        raise NotFound(Code.EXPORT_NOT_FOUND, "보관 기간(7일)이 지나 파일을 지웠습니다.",
                       field="export_id")
    return path


def progress(export: AnalyticsExport, base: str = "/analytics/exports") -> dict[str, Any]:
    """The export's state as the status page (``base`` its pages) and its JSON (``base`` the
    API's) show it."""
    total = export.rows_total
    return {
        "id": export.id, "kind": export.kind.value, "kind_label": KIND_LABELS[export.kind],
        "format": export.format, "first": export.first.isoformat(),
        "last": export.last.isoformat(), "status": export.status.value,
        "status_label": STATUS_LABELS[export.status], "rows_done": export.rows_done,
        "rows_total": total,
        "percent": round(100 * export.rows_done / total, 1) if total else None,
        "filename": export.filename, "error": export.error,
        "requested_at": seoul_time(export.requested_at),
        "finished_at": seoul_time(export.finished_at),
        "expires_at": seoul_time(export.expires_at),
        "download_url": (f"{base}/{export.id}/file"
                         if export.status is ExportStatus.DONE else None),
        "open": export.status in OPEN_EXPORT_STATUSES,
    }


def _filters(export: AnalyticsExport) -> list[Any]:
    filters = [SalesFact.current.is_(True), SalesFact.business_date >= export.first,
               SalesFact.business_date <= export.last]
    if export.kind is ExportKind.VENDOR_FACTS:
        filters.append(SalesFact.vendor_id == export.vendor_id)
    return filters


def _row(values: Sequence[Any]) -> tuple[Any, ...]:
    (_id, day, at, kind, channel, vendor_id, product_id, category, enterprise_type, district,
     quantity, receipts, net, order_ref, source, source_id, revision) = values
    # isoformat, not strftime: a third of a row's time at a million rows.
    seoul = as_utc(at).astimezone(SEOUL).isoformat(sep=" ", timespec="seconds")[:19]
    return (day, seoul, FACT_KIND_LABELS.get(kind, str(kind)),
            CHANNEL_LABELS.get(channel, str(channel)), vendor_id, product_id, category,
            enterprise_type, district, quantity, receipts, net, order_ref, source, source_id,
            revision)


async def _claim(session: AsyncSession, export_id: int, now: dt.datetime) -> AnalyticsExport | None:
    """``queued`` → ``running`` with the rows to write, or None if another run had it."""
    async with transaction(session):
        claimed = await session.execute(
            update(AnalyticsExport)
            .where(AnalyticsExport.id == export_id,
                   AnalyticsExport.status == ExportStatus.QUEUED)
            .values(status=ExportStatus.RUNNING, started_at=now)
        )
        if not claimed.rowcount:  # type: ignore[attr-defined]
            return None
        export = await session.get(AnalyticsExport, export_id, populate_existing=True)
        assert export is not None
        export.rows_total = int(await session.scalar(
            select(func.count()).select_from(SalesFact).where(*_filters(export))) or 0)
    return export


async def run_export(
    sessions: async_sessionmaker[AsyncSession], export_id: int, var_dir: Path,
    *, now: dt.datetime | None = None,
) -> ExportStatus | None:
    """Write a queued export's file (the worker's use case); None when it was not queued
    (a redelivered message, or it was already done). A failure is recorded on the export,
    with the partial file removed, and not raised: retrying would only fail again."""
    started = now or utcnow()
    async with sessions() as session:
        export = await _claim(session, export_id, started)
    if export is None:
        return None
    directory = var_dir / EXPORT_DIR
    directory.mkdir(parents=True, exist_ok=True)
    relative = f"{EXPORT_DIR}/{export.id}-{secrets.token_hex(8)}.{export.format}"
    target = var_dir / relative
    partial = target.with_suffix(target.suffix + ".part")
    try:
        written = await _write(sessions, export, partial)
        partial.replace(target)
    except Exception as exc:
        partial.unlink(missing_ok=True)
        log.exception("analytics_export_failed", export_id=export.id)
        await _finish(sessions, export.id, ExportStatus.FAILED, now=now,
                      error=f"파일을 만들지 못했습니다: {type(exc).__name__}")
        return ExportStatus.FAILED
    await _finish(sessions, export.id, ExportStatus.DONE, now=now, path=relative, rows=written)
    return ExportStatus.DONE


async def _finish(sessions: async_sessionmaker[AsyncSession], export_id: int,
                  status: ExportStatus, *, now: dt.datetime | None, **values: Any) -> None:
    finished = now or utcnow()
    changes: dict[str, Any] = {"status": status, "finished_at": finished,
                               "expires_at": finished + RETENTION}
    if "path" in values:
        changes["path"] = values["path"]
    if "rows" in values:
        changes["rows_done"] = values["rows"]
    if "error" in values:
        changes["error"] = values["error"]
    async with sessions() as session, transaction(session):
        await session.execute(
            update(AnalyticsExport).where(AnalyticsExport.id == export_id).values(**changes))


async def _progress(sessions: async_sessionmaker[AsyncSession], export_id: int,
                    done: int) -> None:
    """Record the rows written so far (what the status page shows), in a transaction of its
    own so the page sees it while the export runs."""
    async with sessions() as session, transaction(session):
        await session.execute(
            update(AnalyticsExport).where(AnalyticsExport.id == export_id)
            .values(rows_done=done))


def _neutral(column: Any) -> Any:
    """A text cell as ``spreadsheets.neutralise`` writes it, in SQL; ``''`` as NULL, because
    PostgreSQL's CSV quotes an empty string (``""``) where Python's writes nothing."""
    text_value = type_coerce(column, String)
    quoted = case((func.substr(text_value, 1, 1).in_(spreadsheets.FORMULA_STARTS),
                   literal("'") + text_value), else_=text_value)
    return func.nullif(quoted, "")


def _labelled(column: Any, labels: dict[Any, str]) -> Any:
    value = type_coerce(column, String)
    return case({str(k): v for k, v in labels.items()}, value=value, else_=value)


#: What ``_row`` makes of a fact, computed by PostgreSQL for ``COPY`` (same cells, same text).
_COPY_COLUMNS = (
    SalesFact.business_date,
    func.to_char(func.timezone("Asia/Seoul", SalesFact.occurred_at), "YYYY-MM-DD HH24:MI:SS"),
    _labelled(SalesFact.kind, FACT_KIND_LABELS), _labelled(SalesFact.channel, CHANNEL_LABELS),
    SalesFact.vendor_id, SalesFact.product_id, _neutral(SalesFact.category),
    _neutral(SalesFact.enterprise_type), _neutral(SalesFact.district), SalesFact.quantity,
    SalesFact.receipts, SalesFact.net_amount, _neutral(SalesFact.order_ref),
    _neutral(SalesFact.source), _neutral(SalesFact.source_id), SalesFact.revision)


async def _copy_csv(sessions: async_sessionmaker[AsyncSession], export: AnalyticsExport,
                    target: Path) -> int:
    """PostgreSQL writes the CSV itself (``COPY (SELECT …) TO STDOUT WITH CSV``): the cells
    are formatted, labelled and neutralised by the server in C, and this process only adds
    the BOM and header, turns line ends into CRLF and counts rows for the progress. A million
    rows cost about a second of this process's CPU instead of twenty (decision 101).

    Every text cell is a code the platform generates (no line breaks), so each ``\n`` ends
    one row; the final count is the one ``COPY`` reports."""
    query = (select(*_COPY_COLUMNS).where(*_filters(export))
             .order_by(SalesFact.business_date, SalesFact.id))
    sql = str(query.compile(dialect=postgresql.dialect(),
                            compile_kwargs={"literal_binds": True}))
    done = recorded = 0
    async with sessions() as session:
        driver = (await (await session.connection()).get_raw_connection()).driver_connection
        assert driver is not None
        with target.open("wb") as out:
            out.write(spreadsheets.csv_bytes([HEADER]))

            async def write(chunk: bytes) -> None:
                nonlocal done, recorded
                out.write(chunk.replace(b"\n", b"\r\n"))
                done += chunk.count(b"\n")
                if done - recorded >= BATCH:
                    recorded = done
                    await _progress(sessions, export.id, done)

            status = await driver.copy_from_query(
                sql, output=write, format="csv")
    return int(str(status).split()[-1])


async def _write(sessions: async_sessionmaker[AsyncSession], export: AnalyticsExport,
                 target: Path) -> int:
    """The file: a CSV on PostgreSQL by ``COPY`` (:func:`_copy_csv`), otherwise streamed
    through ``infra.spreadsheets`` (:func:`_stream`); returns the rows written."""
    async with sessions() as session:
        copy = export.format == "csv" and dialect_name(session) == "postgresql"
    return await (_copy_csv if copy else _stream)(sessions, export, target)


async def _stream(sessions: async_sessionmaker[AsyncSession], export: AnalyticsExport,
                 target: Path) -> int:
    """Stream the facts (Seoul day, then id order) from one server-side cursor, :data:`BATCH`
    rows at a time, to a writer thread that turns them into the file while the next batch is
    fetched; the rows done are recorded after every batch.

    At most :data:`QUEUED` batches wait for the writer, so memory stays flat whatever the
    export's size. (Before, each batch was a keyset query per Seoul day, fetched only once the
    writer had finished the previous one: a million rows took 84 s, mostly waiting; decision
    79.)"""
    chunks: queue.Queue[list[tuple[Any, ...]] | None] = queue.Queue(maxsize=QUEUED)

    def rows() -> Iterator[Sequence[Any]]:
        yield HEADER
        while (chunk := chunks.get()) is not None:
            yield from chunk

    def write() -> None:
        if export.format == "xlsx":
            spreadsheets.write_xlsx(target, [(KIND_LABELS[export.kind], rows())])
            return
        with target.open("wb") as out:
            for part in spreadsheets.iter_csv(rows()):
                out.write(part)

    writer = asyncio.ensure_future(asyncio.to_thread(write))

    async def hand(chunk: list[tuple[Any, ...]] | None) -> None:
        """Give the writer a batch (None: the end), waiting while it is behind; a writer
        that failed raises here."""
        while True:
            if writer.done():
                writer.result()
                raise RuntimeError("the export writer stopped before the end")
            try:
                chunks.put_nowait(chunk)
                return
            except queue.Full:
                await asyncio.sleep(0.005)

    done = 0
    try:
        async with sessions() as session:
            result = await session.stream(
                select(*_COLUMNS).where(*_filters(export))
                .order_by(SalesFact.business_date, SalesFact.id)
                .execution_options(yield_per=BATCH))
            async for part in result.partitions(BATCH):
                await hand([_row(values) for values in part])
                done += len(part)
                await _progress(sessions, export.id, done)
        await hand(None)
    except BaseException:
        # End the writer (dropping what it has not written) before the failure goes on.
        with contextlib.suppress(queue.Empty):
            while True:
                chunks.get_nowait()
        chunks.put(None)
        await asyncio.gather(writer, return_exceptions=True)
        raise
    await writer
    return done


async def purge_exports(session: AsyncSession, var_dir: Path, *,
                        now: dt.datetime | None = None) -> tuple[int, int]:
    """Delete exports (file and row) past their 7 days; fail the ones whose worker died
    (queued or running for over two hours), which frees their person's slot. Returns
    (purged, failed)."""
    at = now or utcnow()
    async with transaction(session):
        expired = (await session.scalars(
            select(AnalyticsExport).where(AnalyticsExport.expires_at <= at))).all()
        for export in expired:
            if export.path:
                (var_dir / export.path).unlink(missing_ok=True)
        if expired:
            await session.execute(delete(AnalyticsExport).where(
                AnalyticsExport.id.in_([e.id for e in expired])))
        failed = await session.execute(
            update(AnalyticsExport)
            .where(AnalyticsExport.status.in_(OPEN_EXPORT_STATUSES),
                   func.coalesce(AnalyticsExport.started_at, AnalyticsExport.requested_at)
                   <= at - STALE_AFTER)
            .values(status=ExportStatus.FAILED, finished_at=at, expires_at=at + RETENTION,
                    error="작업이 중단되었습니다. 다시 요청해 주세요.")
        )
    return len(expired), int(failed.rowcount or 0)  # type: ignore[attr-defined]

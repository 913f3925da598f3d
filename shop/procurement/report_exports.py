"""The yearly results report as spreadsheets: one XLSX sheet per table, or one CSV (UTF-8 with
BOM, through ``infra.spreadsheets``) with the tables one below the other, blank line between.

Amounts are plain integers of won (a spreadsheet sums them), rates are the report's decimal
text (``125.7``), empty when there is no figure.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from infra.spreadsheets import CSV_MEDIA_TYPE, XLSX_MEDIA_TYPE, attachment, csv_bytes, xlsx_bytes
from shop.procurement.yearly_report import Result, YearlyReport, type_label

Rows = list[Sequence[Any]]


def _rate(value: Decimal | None) -> str:
    return "" if value is None else str(value)


def summary(report: YearlyReport) -> Rows:
    plan = report.plan_in_force
    return [
        ["항목", "값"],
        ["기관", report.institution.name],
        ["회계연도", report.fiscal_year],
        ["기준일", report.as_of.isoformat()],
        ["구매계획", f"{plan.version}판 ({plan.state.label})" if plan else "공표된 계획 없음"],
        ["계획 최초 공표일", report.plan.first_published_on.isoformat()
         if report.plan and report.plan.first_published_on else ""],
        ["계획 지연 공표", "예" if report.late else "아니오"],
        ["플랫폼 밖 구매액 (총 구매액에 포함)", report.outside_total],
        ["플랫폼 밖 사회적경제 구매액 (기관 신고)", report.outside_social_economy],
    ]


def results(report: YearlyReport) -> Rows:
    header = ["구분", "총 구매 계획액", "구매 목표액", "목표 비율(%)", "총 구매액",
              "사회적경제 제품 구매액", "목표 달성률(%)", "구매 비율(%)"]

    def row(kind: str, r: Result) -> list[Any]:
        return [f"{kind} {r.name}".strip(), r.planned_total, r.target_amount,
                _rate(r.target_rate), r.total_purchases, r.counted_amount,
                _rate(r.achievement), _rate(r.share)]

    return [header, row("기관", report.institution_result),
            *(row("부서", r) for r in report.department_results)]


def amounts(report: YearlyReport) -> Rows:
    types = report.enterprise_types
    rows: Rows = [["품목", *(type_label(t) for t in types), "합계"]]
    for category in report.categories:
        values = [report.amounts.get((category, t), 0) for t in types]
        rows.append([category.label, *values, sum(values)])
    totals = [sum(report.amounts.get((c, t), 0) for c in report.categories) for t in types]
    rows.append(["합계", *totals, sum(totals)])
    return rows


def exceptions(report: YearlyReport) -> Rows:
    rows: Rows = [["결정일", "부서", "품목", "사유", "설명", "주문 id"]]
    for e in report.exceptions:
        rows.append([e.decided_on.isoformat(), report.department_names.get(e.department_id, ""),
                     e.category.label, e.reason.label, e.explanation, e.order_id or ""])
    return rows


def sheets(report: YearlyReport) -> list[tuple[str, Rows]]:
    return [("요약", summary(report)), ("계획 대비 실적", results(report)),
            ("품목·기업유형별", amounts(report)), ("예외 대장", exceptions(report))]


def filename(report: YearlyReport, extension: str) -> str:
    return f"{report.institution.name}_{report.fiscal_year}년_공공구매_실적.{extension}"


def csv_download(report: YearlyReport) -> Any:
    rows: Rows = []
    for title, table in sheets(report):
        rows.extend([[f"[{title}]"], *table, []])
    return attachment(filename(report, "csv"), csv_bytes(rows), CSV_MEDIA_TYPE)


def xlsx_download(report: YearlyReport) -> Any:
    return attachment(filename(report, "xlsx"), xlsx_bytes(sheets(report)), XLSX_MEDIA_TYPE)

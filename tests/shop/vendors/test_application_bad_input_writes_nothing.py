"""Applying through the API: bad input is a 4xx naming the field, and writes nothing at all.

"Nothing" is checked three ways: no vendor row, no outbox event, no file on disk.
"""

from __future__ import annotations

from typing import Any

import pytest
from litestar.testing import AsyncTestClient
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from infra.accounts.models import Role, User
from infra.settings import Settings
from shop.vendors.models import MemberRole, Vendor, VendorMember

from .conftest import EXE, PDF, PNG, Snapshot, application_fields, bearer, files_under


def _files(**overrides: Any) -> dict[str, Any]:
    files: dict[str, Any] = {
        "business_registration_document": ("사업자등록증.pdf", PDF, "application/pdf"),
    }
    files.update(overrides)
    return {k: v for k, v in files.items() if v is not None}


async def _apply(
    client: AsyncTestClient[Any], headers: dict[str, str], fields: dict[str, str],
    files: dict[str, Any],
) -> Any:
    return await client.post("/api/vendors", data=fields, files=files, headers=headers)


async def test_a_good_application_creates_vendor_owner_document_and_event(
    client: AsyncTestClient[Any], db_session: AsyncSession, settings: Settings,
    applicant: User, snapshot: Snapshot,
) -> None:
    vendors, events, files = await snapshot.take()
    response = await _apply(
        client, await bearer(db_session, applicant), application_fields(),
        _files(certificate_document=("지정서.png", PNG, "image/png")),
    )
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["status"] == "applied"
    assert body["business_registration_number"] == "220-81-62517"
    assert {d["kind"] for d in body["documents"]} == {"business_registration", "certificate"}
    assert await snapshot.take() != (vendors, events, files)
    new_files = [p for p in files_under(settings) if p not in files]
    assert len(new_files) == 2
    assert all(f"private/vendors/{body['id']}/" in p.as_posix() for p in new_files)
    member = await db_session.scalar(
        select(VendorMember).where(VendorMember.vendor_id == body["id"])
    )
    assert member is not None and member.role is MemberRole.OWNER
    await db_session.refresh(applicant)
    assert Role.VENDOR_MEMBER.value in applicant.roles


@pytest.mark.parametrize(
    ("fields", "files", "status", "field", "code"),
    [
        pytest.param(
            application_fields(business_registration_number="123-45-67890"), _files(),
            400, "business_registration_number", "invalid_registration_number",
            id="invalid-registration-number",
        ),
        pytest.param(
            application_fields(phone="12-34"), _files(), 400, "phone", "invalid_phone",
            id="invalid-phone",
        ),
        pytest.param(
            application_fields(
                enterprise_type="pre_social_regional", certified_from="2024-03-01",
                certified_to="2028-03-01",
            ),
            _files(), 400, "certified_to", "invalid_certification_dates",
            id="pre-social-longer-than-three-years",
        ),
        pytest.param(
            application_fields(),
            _files(
                business_registration_document=None,
                certificate_document=("지정서.pdf", PDF, "application/pdf"),
            ),
            400, "business_registration_document", "document_required", id="missing-document",
        ),
        pytest.param(
            application_fields(),
            _files(business_registration_document=("사업자등록증.pdf", EXE, "application/pdf")),
            415, "business_registration_document", "document_type_not_allowed",
            id="exe-renamed-pdf",
        ),
    ],
)
async def test_bad_application_is_refused_and_writes_nothing(
    client: AsyncTestClient[Any], db_session: AsyncSession, applicant: User, snapshot: Snapshot,
    fields: dict[str, str], files: dict[str, Any], status: int, field: str, code: str,
) -> None:
    headers = await bearer(db_session, applicant)
    before = await snapshot.take()
    response = await _apply(client, headers, fields, files)
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    body = response.json()
    assert body["code"] == code
    assert body["errors"][0]["field"] == field
    assert body["errors"][0]["message"]
    assert await snapshot.take() == before
    await db_session.refresh(applicant)
    assert Role.VENDOR_MEMBER.value not in applicant.roles


async def test_oversize_upload_is_413_and_writes_nothing(
    small_upload_client: tuple[AsyncTestClient[Any], Settings], db_session: AsyncSession,
    applicant: User, snapshot: Snapshot,
) -> None:
    client, small = small_upload_client
    assert small.max_upload_bytes == 4096
    before = await snapshot.take()
    big = PDF + b"0" * 5000
    response = await _apply(
        client, await bearer(db_session, applicant), application_fields(),
        _files(business_registration_document=("big.pdf", big, "application/pdf")),
    )
    assert response.status_code == 413, response.text
    body = response.json()
    assert body["code"] == "document_too_large"
    assert body["errors"][0]["field"] == "business_registration_document"
    assert await snapshot.take() == before


async def test_duplicate_registration_number_is_409_and_writes_nothing(
    client: AsyncTestClient[Any], db_session: AsyncSession, applicant: User, shopper: User,
    snapshot: Snapshot,
) -> None:
    headers = await bearer(db_session, applicant)
    first = await _apply(client, headers, application_fields(), _files())
    assert first.status_code == 201
    before = await snapshot.take()
    again = await _apply(
        client, await bearer(db_session, shopper),
        application_fields(name="다른 이름", business_registration_number="2208162517"),
        _files(business_registration_document=("다른파일.png", PNG, "image/png")),
    )
    assert again.status_code == 409
    body = again.json()
    assert body["code"] == "registration_number_taken"
    assert body["errors"][0]["field"] == "business_registration_number"
    assert await snapshot.take() == before


async def test_six_files_are_too_many(
    client: AsyncTestClient[Any], db_session: AsyncSession, applicant: User, snapshot: Snapshot,
) -> None:
    before = await snapshot.take()
    files = [("business_registration_document", ("a.pdf", PDF, "application/pdf"))] + [
        ("other_documents", (f"o{i}.png", PNG + bytes([i]), "image/png")) for i in range(5)
    ]
    response = await client.post(
        "/api/vendors", data=application_fields(), files=files,
        headers=await bearer(db_session, applicant),
    )
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "documents"
    assert await snapshot.take() == before


@pytest.mark.parametrize("as_json", [True, False], ids=["json", "urlencoded"])
async def test_an_application_without_multipart_is_refused(
    client: AsyncTestClient[Any], db_session: AsyncSession, applicant: User, snapshot: Snapshot,
    as_json: bool,
) -> None:
    """A business registration document is required, so only multipart can carry a valid one."""
    headers = await bearer(db_session, applicant)
    before = await snapshot.take()
    if as_json:
        response = await client.post("/api/vendors", json=application_fields(), headers=headers)
    else:
        response = await client.post("/api/vendors", data=application_fields(), headers=headers)
    assert response.status_code == 415, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["code"] == "multipart_required"
    assert response.json()["errors"][0]["field"] == "business_registration_document"
    assert await snapshot.take() == before


async def test_applying_needs_a_signed_in_person(
    client: AsyncTestClient[Any], snapshot: Snapshot, db_session: AsyncSession
) -> None:
    before = await snapshot.take()
    response = await _apply(client, {}, application_fields(), _files())
    assert response.status_code == 401
    assert await snapshot.take() == before


async def test_a_failed_commit_removes_the_files_it_wrote(
    db_session: AsyncSession, settings: Settings, applicant: User, snapshot: Snapshot,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Files are written just before the commit; if the commit fails they are removed."""
    from shop.vendors import services
    from shop.vendors.rules import VendorApplication

    from .conftest import registration_doc

    before = await snapshot.take()

    async def broken_commit() -> None:
        raise RuntimeError("database went away")

    monkeypatch.setattr(db_session, "commit", broken_commit)
    with pytest.raises(RuntimeError):
        await services.apply(
            db_session, settings, applicant, VendorApplication(**application_fields()),
            [registration_doc(PDF + b"unique-content")],
        )
    monkeypatch.undo()
    assert await snapshot.take() == before
    assert await db_session.scalar(select(Vendor.id)) is None


async def test_a_racing_duplicate_caught_by_the_unique_index_is_409_and_writes_nothing(
    db_session: AsyncSession, settings: Settings, applicant: User, shopper: User,
    snapshot: Snapshot, monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Two applications for one number at once: the database's unique index decides."""
    from infra.errors import Conflict
    from shop.vendors import services
    from shop.vendors.rules import VendorApplication

    from .conftest import registration_doc

    await services.apply(
        db_session, settings, applicant, VendorApplication(**application_fields()),
        [registration_doc()],
    )
    before = await snapshot.take()

    async def not_taken(*_: Any, **__: Any) -> bool:
        return False  # as if the other application had not committed yet when we looked

    monkeypatch.setattr(services, "_registration_number_taken", not_taken)
    with pytest.raises(Conflict) as caught:
        await services.apply(
            db_session, settings, shopper,
            VendorApplication(**application_fields(name="늦은 신청")),
            [registration_doc(PDF + b"other")],
        )
    assert caught.value.code == "registration_number_taken"
    assert await snapshot.take() == before

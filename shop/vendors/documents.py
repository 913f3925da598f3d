"""Vendor documents on disk: read from the upload, stored privately, served to admins only.

Files live under ``<upload_dir>/private/vendors/<vendor_id>/<sha256>.<ext>``. The public media
route serves ``<upload_dir>/public`` only, so nothing here is reachable without the
admin download route. Files are written only after every rule passed (see
:func:`shop.vendors.rules.check_documents`), and removed again if the transaction that
records them fails, so a refused or failed application leaves no file behind.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import tempfile
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from infra.errors import Problems
from infra.settings import Settings
from shop.vendors.errors import VendorErrorCode
from shop.vendors.rules import DOCUMENT_FIELDS, CheckedDocument, IncomingDocument


class Upload(Protocol):
    """What a multipart file part offers (Litestar's ``UploadFile`` is one)."""

    filename: str
    content_type: str

    async def read(self, size: int = -1) -> bytes: ...


def _is_upload(value: Any) -> bool:
    return hasattr(value, "read") and hasattr(value, "filename")


async def collect_documents(
    form: Mapping[str, Any], max_bytes: int, problems: Problems
) -> list[IncomingDocument]:
    """The files of a multipart form, each read up to ``max_bytes + 1`` bytes.

    Reading one byte past the limit is enough to know a file is too large without holding
    all of it. An empty file input (a browser sends ``""``) counts as no file.
    """
    documents: list[IncomingDocument] = []
    for kind, field in DOCUMENT_FIELDS.items():
        raw = form.get(field)
        values = raw if isinstance(raw, list) else [raw]
        for value in values:
            if value is None or value == "":
                continue
            if not _is_upload(value):
                problems.add(
                    VendorErrorCode.DOCUMENT_TYPE_NOT_ALLOWED, field, "파일을 첨부해 주세요.",
                    status=415,
                )
                continue
            data = await value.read(max_bytes + 1)
            if not value.filename and not data:
                continue
            documents.append(
                IncomingDocument(
                    kind=kind,
                    filename=value.filename or "",
                    declared_type=(value.content_type or "").split(";")[0].strip().lower(),
                    data=data,
                )
            )
    return documents


def vendor_dir(settings: Settings, vendor_id: int) -> Path:
    return settings.upload_dir / "private" / "vendors" / str(vendor_id)


def storage_path_for(vendor_id: int, doc: CheckedDocument) -> str:
    """The path kept in the database, relative to the upload directory."""
    return f"private/vendors/{vendor_id}/{doc.sha256}.{doc.extension}"


@dataclass(frozen=True)
class StoredFile:
    path: Path
    created: bool  # False when the same content was already stored for this vendor


def _write_all(root: Path, vendor_id: int, docs: Sequence[CheckedDocument]) -> list[StoredFile]:
    stored: list[StoredFile] = []
    try:
        for doc in docs:
            path = root / storage_path_for(vendor_id, doc)
            if path.exists() or any(s.path == path for s in stored):
                stored.append(StoredFile(path, created=False))
                continue
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".upload-")
            try:
                with os.fdopen(fd, "wb") as handle:
                    handle.write(doc.data)
                os.replace(tmp, path)
            except BaseException:
                with contextlib.suppress(OSError):
                    os.unlink(tmp)
                raise
            stored.append(StoredFile(path, created=True))
    except BaseException:
        _remove(stored)
        raise
    return stored


def _remove(stored: Iterable[StoredFile]) -> None:
    for item in stored:
        if item.created:
            with contextlib.suppress(FileNotFoundError):
                item.path.unlink()
            with contextlib.suppress(OSError):
                item.path.parent.rmdir()  # only if now empty


async def write_files(
    settings: Settings, vendor_id: int, docs: Sequence[CheckedDocument]
) -> list[StoredFile]:
    return await asyncio.to_thread(_write_all, settings.upload_dir, vendor_id, list(docs))


async def discard(stored: Sequence[StoredFile]) -> None:
    """Remove the files this attempt created (after its transaction failed)."""
    await asyncio.to_thread(_remove, list(stored))


def resolve(settings: Settings, storage_path: str) -> Path | None:
    """The file on disk for a stored document, refusing anything outside the private area."""
    private = (settings.upload_dir / "private").resolve()
    path = (settings.upload_dir / storage_path).resolve()
    if not path.is_relative_to(private) or not path.is_file():
        return None
    return path

"""Short names for the request parameters every controller uses (Litestar's explicit markers),
and the strict second reading of JSON bodies that carry money or stock."""

from __future__ import annotations

import re
from typing import Annotated, Any, TypeAlias, TypeVar

import msgspec
from litestar import Request
from litestar.di import NamedDependency
from litestar.enums import RequestEncodingType
from litestar.exceptions import ValidationException
from litestar.params import Body
from sqlalchemy.ext.asyncio import AsyncSession

from infra.accounts.models import User

#: The request's database session (advanced-alchemy's plugin provides it as ``db_session``).
DbSession: TypeAlias = NamedDependency[AsyncSession]
#: The signed-in person (``infra.auth.provide_user``, registered on the app as ``user``).
SignedIn: TypeAlias = NamedDependency[User]
#: The signed-in person or ``None`` for a visitor (``infra.auth.provide_viewer``, ``viewer``).
Viewer: TypeAlias = NamedDependency[User | None]
#: An HTML form posted as application/x-www-form-urlencoded.
FormData: TypeAlias = Annotated[dict[str, str], Body(media_type=RequestEncodingType.URL_ENCODED)]
#: A multipart form (file uploads); values are strings or ``UploadFile``.
MultipartData: TypeAlias = Annotated[
    dict[str, Any], Body(media_type=RequestEncodingType.MULTI_PART)
]

B = TypeVar("B")
_AT = re.compile(r"^(?P<message>.*?)(?: - at `\$(?P<path>[^`]*)`)?$", re.DOTALL)


async def strict_body(request: Request[Any, Any, Any], body_type: type[B]) -> B:
    """The JSON body decoded a second time, strictly (decision 8).

    Litestar converts bodies leniently (a whole float or a numeric string passes as ``int``);
    won and stock must arrive as JSON integers, so ``12000.0`` or ``"12000"`` is refused here
    with the same 400 problem detail as any other validation error, naming the field.
    """
    try:
        return msgspec.json.decode(await request.body(), type=body_type, strict=True)
    except msgspec.ValidationError as exc:
        match = _AT.match(str(exc))
        message = match.group("message") if match else str(exc)
        path = (match.group("path") or "") if match else ""
        raise ValidationException(
            detail=f"Validation failed for {request.method} {request.url.path}",
            extra=[{"key": path.lstrip(".") or "body", "message": message, "source": "body"}],
        ) from exc

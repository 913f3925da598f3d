"""Short names for the request parameters every controller uses (Litestar's explicit markers)."""

from __future__ import annotations

from typing import Annotated, Any, TypeAlias

from litestar.di import NamedDependency
from litestar.enums import RequestEncodingType
from litestar.params import Body
from sqlalchemy.ext.asyncio import AsyncSession

#: The request's database session (advanced-alchemy's plugin provides it as ``db_session``).
DbSession: TypeAlias = NamedDependency[AsyncSession]
#: An HTML form posted as application/x-www-form-urlencoded.
FormData: TypeAlias = Annotated[dict[str, str], Body(media_type=RequestEncodingType.URL_ENCODED)]
#: A multipart form (file uploads); values are strings or ``UploadFile``.
MultipartData: TypeAlias = Annotated[
    dict[str, Any], Body(media_type=RequestEncodingType.MULTI_PART)
]

"""Pictures of products and snack boxes: decoded, re-encoded, cut to the sizes pages show.

An upload is never stored as sent. Pillow decodes it (PNG, JPEG or WebP only, at most
``MAX_PIXELS`` pixels, read from the header before any pixel is decompressed), the EXIF
orientation is applied, colours are moved to sRGB when the file carries an ICC profile, and
then a *new* image is built from the pixels alone and encoded as WebP. Whatever else the
file held (EXIF with GPS, XMP, comments, a profile, an HTML or SVG tail after the image
data) is gone, so ``/media`` only ever serves bytes this module wrote.

Two renditions per picture, both WebP:

- ``<stem>.webp``: the detail picture, at most ``DETAIL_MAX`` px on its longest side;
- ``<stem>.card.webp``: ``CARD_SIZE`` × ``CARD_SIZE``, the whole picture fitted and padded
  (white, or transparent when the picture has transparency), for result cards; its fixed
  size lets cards declare ``width``/``height`` before it loads.

``render`` is pure (bytes in, bytes out); ``store``/``remove`` touch the disk. Decision 58.
"""

from __future__ import annotations

import dataclasses
import io
import os
import warnings
from pathlib import Path

from PIL import Image, ImageCms, ImageOps, UnidentifiedImageError

from infra.errors import InvalidInput, UnsupportedMediaType
from shop.catalog.errors import CatalogErrorCode as Code

#: Formats accepted from uploads (Pillow's names); recognised by decoding, never by name.
ACCEPTED_FORMATS = ("PNG", "JPEG", "WEBP")
#: 40 megapixels: a 8000 × 5000 camera picture fits; a "decompression bomb" does not.
MAX_PIXELS = 40_000_000
MAX_SIDE = 12_000
DETAIL_MAX = 1200
CARD_SIZE = 400
CONTENT_TYPE = "image/webp"
EXTENSION = "webp"
CARD_SUFFIX = f".card.{EXTENSION}"
QUALITY = 82
#: libwebp effort 0-6: 2 is ~2.5 times faster than the default 4 for ~8 % more bytes.
METHOD = 2

_SRGB = ImageCms.createProfile("sRGB")


@dataclasses.dataclass(frozen=True)
class Renditions:
    """The re-encoded picture: ``detail`` (``width`` × ``height``) and the square ``card``."""

    detail: bytes
    card: bytes
    width: int
    height: int


def _not_an_image(field: str) -> UnsupportedMediaType:
    return UnsupportedMediaType(
        Code.IMAGE_TYPE_NOT_ALLOWED,
        "PNG, JPEG, WebP 이미지만 올릴 수 있습니다. 파일을 이미지로 읽을 수 없습니다.",
        field=field,
    )


def _too_many_pixels(field: str, width: int = 0, height: int = 0) -> InvalidInput:
    size = f"({width}×{height}) " if width else ""
    return InvalidInput(
        Code.IMAGE_TOO_MANY_PIXELS,
        f"이미지 크기{size}가 너무 큽니다. {MAX_PIXELS // 1_000_000}백만 화소 이하로 줄여 "
        "올려 주세요.",
        field=field,
    )


def _to_srgb(image: Image.Image, icc: bytes | None) -> Image.Image:
    if not icc:
        return image
    try:
        source = ImageCms.ImageCmsProfile(io.BytesIO(icc))
        converted = ImageCms.profileToProfile(image, source, _SRGB, outputMode=image.mode)
    except (ImageCms.PyCMSError, OSError, ValueError):
        return image  # an unreadable profile: keep the pixels as they are
    return converted if converted is not None else image


def _pixels_only(image: Image.Image) -> Image.Image:
    """A fresh image holding the pixels and nothing else (no info, no EXIF, no profile)."""
    return Image.frombytes(image.mode, image.size, image.tobytes())


def _encode(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, "WEBP", quality=QUALITY, method=METHOD)
    return buffer.getvalue()


def _decode(data: bytes, field: str) -> Image.Image:
    """The first frame, oriented, in RGB or RGBA and sRGB; refuses what is not a picture."""
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            opened = Image.open(io.BytesIO(data), formats=list(ACCEPTED_FORMATS))
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            raise _too_many_pixels(field) from None
        except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError):
            raise _not_an_image(field) from None
        with opened:
            width, height = opened.size
            if width * height > MAX_PIXELS or max(width, height) > MAX_SIDE:
                raise _too_many_pixels(field, width, height)
            try:
                opened.seek(0)
                icc = opened.info.get("icc_profile")
                oriented = ImageOps.exif_transpose(opened)
                transparent = oriented.mode in ("RGBA", "LA", "PA") or (
                    oriented.mode == "P" and "transparency" in oriented.info
                )
                image = oriented.convert("RGBA" if transparent else "RGB")
            except (OSError, SyntaxError, ValueError, EOFError, Image.DecompressionBombError,
                    Image.DecompressionBombWarning):
                raise _not_an_image(field) from None
    return _pixels_only(_to_srgb(image, icc))


def render(data: bytes, *, field: str = "image") -> Renditions:
    """Decode ``data`` and return the two re-encoded renditions (raises a field error)."""
    image = _decode(data, field)
    detail = image.copy()
    detail.thumbnail((DETAIL_MAX, DETAIL_MAX), Image.Resampling.LANCZOS)
    background = (255, 255, 255, 0) if image.mode == "RGBA" else (255, 255, 255)
    card = ImageOps.pad(
        image, (CARD_SIZE, CARD_SIZE), method=Image.Resampling.LANCZOS, color=background
    )
    return Renditions(
        detail=_encode(detail), card=_encode(card), width=detail.width, height=detail.height
    )


def card_path(relative: str) -> str:
    """The card rendition beside a stored detail picture (``x.webp`` → ``x.card.webp``).

    Pictures stored before this pipeline (other extensions) have no card: their own path.
    """
    if relative.endswith(f".{EXTENSION}") and not relative.endswith(CARD_SUFFIX):
        return relative[: -len(EXTENSION) - 1] + CARD_SUFFIX
    return relative


def _write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_bytes(data)
    tmp.replace(path)


def store(public: Path, stem: str, renditions: Renditions) -> str:
    """Write both renditions under ``public``; returns the detail picture's relative path."""
    relative = f"{stem}.{EXTENSION}"
    _write(public / relative, renditions.detail)
    _write(public / card_path(relative), renditions.card)
    return relative


def remove(public: Path, relative: str) -> None:
    """Delete a stored picture and its card (missing files are fine)."""
    for path in {relative, card_path(relative)}:
        (public / path).unlink(missing_ok=True)


def reencode_file(public: Path, relative: str) -> str | None:
    """A picture stored as uploaded (before this pipeline) re-encoded beside itself: the new
    relative path, or None when the file is missing or is no picture. The caller points its
    row at the result, then ``remove``s the original."""
    try:
        renditions = render((public / relative).read_bytes())
    except (OSError, InvalidInput, UnsupportedMediaType):
        return None
    return store(public, relative.rsplit(".", 1)[0], renditions)

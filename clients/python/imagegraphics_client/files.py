"""Local files: what type an image is before upload, and where a job's output is written."""
from __future__ import annotations

import mimetypes
import os
import re
from pathlib import Path
from urllib.parse import urlsplit

from imagegraphics_client.errors import UsageError

# The types POST /api/v1/assets accepts, told by their first bytes (a misnamed file still uploads right).
_SIGNATURES = (
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"GIF87a", "image/gif"),
    (b"GIF89a", "image/gif"),
    (b"II*\x00", "image/tiff"),
    (b"MM\x00*", "image/tiff"),
    (b"BM", "image/bmp"),
)
ACCEPTED = frozenset({"image/jpeg", "image/png", "image/gif", "image/tiff", "image/bmp", "image/webp"})
EXTENSIONS = {"image/png": "png", "image/webp": "webp", "image/jpeg": "jpg", "image/gif": "gif",
              "image/tiff": "tiff", "image/bmp": "bmp"}
_SAME_EXTENSION = {"jpeg": "jpg", "tif": "tiff"}
_ASSET_ID = re.compile(r"^[0-9a-f]{32}$")
_UNSAFE = re.compile(r"[\x00-\x1f\x7f/\\:]")


def content_type(path: Path, head: bytes) -> str:
    """The image type from the file's first bytes, else its extension; UsageError for anything else."""
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    for signature, kind in _SIGNATURES:
        if head.startswith(signature):
            return kind
    guessed = mimetypes.guess_type(path.name)[0]
    if guessed in ACCEPTED:
        return guessed
    raise UsageError(f"{path}: not an image the API accepts (JPEG, PNG, WebP, GIF, TIFF, BMP)")


def probe(path: Path) -> tuple[str, int]:
    """The file's image type and size, reading only its first bytes; UsageError when it cannot be read."""
    try:
        with open(path, "rb") as handle:
            head = handle.read(16)
            size = os.fstat(handle.fileno()).st_size
    except OSError as exc:
        raise UsageError(f"{path}: cannot read it ({exc.strerror or exc})") from None
    return content_type(path, head), size


def extension(url: str, response_type: str | None = None) -> str:
    """png/webp/jpg...: from the object's name in the URL, else from the download's Content-Type."""
    suffix = Path(urlsplit(url).path).suffix.lower().lstrip(".")
    suffix = _SAME_EXTENSION.get(suffix, suffix)
    if suffix in EXTENSIONS.values():
        return suffix
    kind = (response_type or "").split(";")[0].strip().lower()
    return EXTENSIONS.get(kind, "bin")


def output_path(out: Path, asset_id: str, name: str, ext: str) -> Path:
    """`<out>/<asset_id>/<name>.<ext>`; names come from the server, so they are made safe as file names."""
    folder = asset_id if _ASSET_ID.match(asset_id) else safe_name(asset_id) or "asset"
    stem = safe_name(name) or "output"
    current = stem.rsplit(".", 1)[1].lower() if "." in stem else ""
    if _SAME_EXTENSION.get(current, current) != ext:  # "photo.png" as a new asset's name stays photo.png
        stem = f"{stem}.{ext}"
    return out / folder / stem


def safe_name(name: str) -> str:
    """A name from the server made safe as one file name: no separators, controls or leading dots."""
    return _UNSAFE.sub("_", name).strip().lstrip(".")[:200]

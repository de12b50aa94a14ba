"""Upload limits, checked before an export reader sees a byte: names, unpacked size, rows,
JSON nesting.

The readers (``importers/``) trust their input's shape; these checks keep a small upload
from becoming a large amount of work: a zip or .xlsx is measured by its members' declared
sizes (``infolist``) before anything is unpacked or parsed (``zipfile`` never inflates a
member past its declared size), text files by their line count, JSON by its nesting depth.
Each failure is an :class:`UploadRefusedError` with a status (413 too big, 422 malformed) and
a message that names the file but never a server path.
"""

from __future__ import annotations

import re
import zipfile
from pathlib import Path, PurePosixPath

__all__ = [
    "MAX_NAME_BYTES",
    "UploadRefusedError",
    "check_archive",
    "check_json_depth",
    "check_rows",
    "safe_name",
]

#: The longest file name accepted (bytes of UTF-8), as most file systems allow.
MAX_NAME_BYTES = 255
#: Most members a zip (or .xlsx) may hold.
MAX_MEMBERS = 1000
_CHUNK = 1 << 20
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_JSON_STRING = re.compile(rb'"(?:[^"\\]|\\.)*"', re.DOTALL)
_JSON_BRACKET = re.compile(rb"[\[\]{}]")


class UploadRefusedError(Exception):
    """An upload broke a limit: ``status`` 413 (too large) or 422 (malformed)."""

    def __init__(self, status: int, file: str | None, message: str) -> None:
        self.status = status
        self.file = file
        self.message = message
        super().__init__(message)


def safe_name(name: str | None) -> str:
    """The base name of an uploaded file, or :class:`UploadRefusedError` (422) when it is empty,
    hidden, holds control characters (NUL) or is longer than :data:`MAX_NAME_BYTES`."""
    raw = name or ""
    if _CONTROL.search(raw):
        raise UploadRefusedError(422, None, "a file name holds a control character")
    if len(raw.encode("utf-8", "surrogatepass")) > MAX_NAME_BYTES:
        raise UploadRefusedError(422, None, f"a file name is longer than {MAX_NAME_BYTES} bytes")
    base = PurePosixPath(raw.replace("\\", "/")).name
    if not base or base.startswith("."):
        raise UploadRefusedError(422, base or None, "not a usable file name")
    return base


def check_archive(path: Path, shown_name: str, max_unpacked: int) -> list[zipfile.ZipInfo]:
    """The members of a zip or .xlsx whose declared sizes add up to at most ``max_unpacked``
    bytes (413 otherwise); 422 when it is not a zip archive."""
    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError):
        raise UploadRefusedError(422, shown_name, "not a valid zip/xlsx archive") from None
    if len(members) > MAX_MEMBERS:
        raise UploadRefusedError(
            413, shown_name, f"the archive has more than {MAX_MEMBERS} members"
        )
    unpacked = sum(m.file_size for m in members)
    if unpacked > max_unpacked:
        raise UploadRefusedError(
            413,
            shown_name,
            f"unpacks to {unpacked} bytes, more than the {max_unpacked} bytes accepted",
        )
    return members


def check_rows(path: Path, shown_name: str, max_rows: int) -> None:
    """413 when the text file holds more than ``max_rows`` lines (a header included)."""
    lines = 0
    with path.open("rb") as handle:
        while chunk := handle.read(_CHUNK):
            lines += chunk.count(b"\n")
            if lines > max_rows:
                raise UploadRefusedError(413, shown_name, f"more than {max_rows} rows")


def check_json_depth(path: Path, shown_name: str, max_depth: int) -> None:
    """422 when a JSON (or NDJSON) document nests objects/arrays deeper than ``max_depth``."""
    data = _JSON_STRING.sub(b'""', path.read_bytes())
    depth = 0
    for match in _JSON_BRACKET.finditer(data):
        if match.group() in (b"[", b"{"):
            depth += 1
            if depth > max_depth:
                raise UploadRefusedError(
                    422, shown_name, f"nested deeper than {max_depth} levels; not an export"
                )
        else:
            depth = max(0, depth - 1)

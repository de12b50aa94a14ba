"""Reading FHIR resources: files (Bundle JSON or NDJSON) into validated R4B models, with
errors naming file, entry and JSON path; small helpers over the models."""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from hjemmetjeneste.errors import InputIssue
from hjemmetjeneste.formats.fhir.codes import EXT, SUPPORTED_RESOURCES
from hjemmetjeneste.formats.geocoding import Geocoder

# --------------------------------------------------------------------------------------
# Reading resources
# --------------------------------------------------------------------------------------


@dataclass
class _Entry:
    row: int
    raw: dict[str, Any]
    model: Any

    @property
    def ref(self) -> str:
        return f"{self.raw.get('resourceType')}/{self.raw.get('id')}"


@dataclass
class _Reader:
    file: str
    issues: list[InputIssue] = field(default_factory=list)

    def add(self, row: int | None, where: str | None, message: str) -> None:
        self.issues.append(InputIssue(file=self.file, row=row, field=where, message=message))


def _raw_resources(path: Path, reader: _Reader) -> Iterator[tuple[int, Any]]:
    """(row, parsed JSON) of every resource in a Bundle or NDJSON file."""
    text_bytes = path.read_bytes()
    try:
        text = text_bytes.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = text_bytes.count(b"\n", 0, exc.start) + 1
        reader.add(None, None, f"not UTF-8 (byte 0x{text_bytes[exc.start]:02x} on line {line})")
        return
    if path.suffix.lower() == ".ndjson":
        for number, line in enumerate(text.splitlines(), start=1):
            if not line.strip():
                continue
            try:
                yield number, json.loads(line)
            except json.JSONDecodeError as exc:
                reader.add(number, None, f"invalid JSON at column {exc.colno}: {exc.msg}")
        return
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        reader.add(None, None, f"invalid JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}")
        return
    if not isinstance(document, dict) or document.get("resourceType") != "Bundle":
        found = document.get("resourceType") if isinstance(document, dict) else type(document)
        reader.add(None, "resourceType", f"expected a Bundle, found {found!r}")
        return
    entries = document.get("entry") or []
    if not isinstance(entries, list):
        reader.add(None, "entry", "expected a list of entries")
        return
    for number, entry in enumerate(entries, start=1):
        resource = entry.get("resource") if isinstance(entry, dict) else None
        if resource is None:
            reader.add(number, "entry.resource", "entry has no resource")
            continue
        yield number, resource


def _loc_path(loc: Sequence[Any]) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out


def _validate(row: int, raw: Any, reader: _Reader) -> _Entry | None:
    from fhir.resources.R4B import get_fhir_model_class

    if not isinstance(raw, dict):
        reader.add(row, None, f"expected a JSON object, found {type(raw).__name__}")
        return None
    rtype = raw.get("resourceType")
    ref = f"{rtype}/{raw.get('id')}"
    if rtype not in SUPPORTED_RESOURCES:
        reader.add(
            row,
            f"{ref} resourceType",
            f"unsupported resource type {rtype!r} (expected one of "
            f"{', '.join(SUPPORTED_RESOURCES)})",
        )
        return None
    if not raw.get("id"):
        reader.add(row, f"{rtype} id", "resource has no id")
        return None
    try:
        model = get_fhir_model_class(rtype).model_validate(raw)
    except ValidationError as exc:
        for error in exc.errors()[:20]:
            reader.add(row, f"{ref} {_loc_path(error['loc'])}", _safe_message(error))
        return None
    return _Entry(row=row, raw=raw, model=model)


def _safe_message(error: Any) -> str:
    """A validation message without the offending value when it might be personal."""
    return str(error.get("msg", "invalid value"))


# --------------------------------------------------------------------------------------
# Small helpers over the models
# --------------------------------------------------------------------------------------


def _ext(element: Any, name: str) -> list[Any]:
    url = EXT[name]
    return [e for e in (getattr(element, "extension", None) or []) if e.url == url]


def _ext_value(element: Any, name: str, attr: str) -> Any:
    found = _ext(element, name)
    return getattr(found[0], attr) if found else None


def _ref_id(reference: Any, rtype: str) -> str | None:
    if reference is None or not reference.reference:
        return None
    text = reference.reference
    prefix = f"{rtype}/"
    return text[len(prefix) :] if text.startswith(prefix) else None


def _codes(concept: Any) -> list[tuple[str | None, str]]:
    if concept is None:
        return []
    out = [(c.system, c.code) for c in (concept.coding or []) if c.code]
    if concept.text:
        out.append((None, concept.text))
    return out


def _physical_type(model: Any) -> str | None:
    for _system, code in _codes(model.physicalType):
        return code
    return None


def _to_date(value: Any) -> date | None:
    if value is None:
        return None
    if hasattr(value, "date") and callable(value.date):
        return value.date()
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])


def _minutes(value: float, unit: str | None) -> float | None:
    factor = {"s": 1 / 60, "min": 1.0, "h": 60.0, None: 1.0}.get(unit)
    return None if factor is None else value * factor


@dataclass
class _Context:
    reader: _Reader
    default_tolerance_min: int
    geocoder: Geocoder | None

"""Reading FHIR resources: files (Bundle JSON or NDJSON) into validated R4B models, with
errors naming file, entry and JSON path; small helpers over the models."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from hjemmetjeneste.errors import InputIssue, Phrase, Term
from hjemmetjeneste.formats.fhir.codes import EXT, SUPPORTED_RESOURCES
from hjemmetjeneste.formats.geocoding import Geocoder
from hjemmetjeneste.i18n import N_

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
        return _describe(self.raw)


def _describe(raw: Any) -> str:
    """``Type/id`` of a raw resource, without ever printing Python's None."""
    if not isinstance(raw, dict):
        return type(raw).__name__
    rtype = raw.get("resourceType") or "(no resourceType)"
    return f"{rtype}/{raw['id']}" if raw.get("id") else f"{rtype} (no id)"


@dataclass
class _Reader:
    file: str
    issues: list[InputIssue] = field(default_factory=list)
    skipped: dict[str, int] = field(default_factory=dict)
    """Resource types the planner does not need, and how many of each were skipped."""

    def add(self, row: int | None, where: str | None, message: str, /, **values: object) -> None:
        """Record a problem: ``message`` (marked ``N_``) with ``values`` filled in."""
        self.issues.append(InputIssue.of(self.file, row, where, message, **values))


def _raw_resources(path: Path, reader: _Reader) -> Iterator[tuple[int, Any]]:
    """(row, parsed JSON) of every resource in a Bundle or NDJSON file."""
    text_bytes = path.read_bytes()
    try:
        text = text_bytes.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = text_bytes.count(b"\n", 0, exc.start) + 1
        message = N_("not UTF-8 (byte 0x{byte:02x} on line {line})")
        reader.add(None, None, message, byte=text_bytes[exc.start], line=line)
        return
    if path.suffix.lower() == ".ndjson":
        for number, line in enumerate(text.splitlines(), start=1):
            if not line.strip():
                continue
            try:
                yield number, json.loads(line)
            except json.JSONDecodeError as exc:
                message = N_("invalid JSON at column {column}: {detail}")
                reader.add(number, None, message, column=exc.colno, detail=Term(exc.msg))
        return
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        message = N_("invalid JSON at line {line}, column {column}: {detail}")
        reader.add(None, None, message, line=exc.lineno, column=exc.colno, detail=Term(exc.msg))
        return
    if isinstance(document, dict) and document.get("resourceType") not in (None, "Bundle"):
        yield 1, document  # a single resource on its own
        return
    if not isinstance(document, dict) or document.get("resourceType") != "Bundle":
        found = (
            Phrase.of(N_("a {type}"), type=type(document).__name__)
            if not isinstance(document, dict)
            else Term(N_("an object without resourceType"))
        )
        message = N_("expected a Bundle or a resource, found {found}")
        reader.add(None, "resourceType", message, found=found)
        return
    entries = document.get("entry") or []
    if not isinstance(entries, list):
        reader.add(None, "entry", N_("expected a list of entries"))
        return
    # Only bundles that use them pay for the walk over every reference.
    needs = "urn:uuid:" in text or _ABSOLUTE_IN_TEXT_RE.search(text) is not None
    full_urls = _full_urls(entries) if needs else {}
    for number, entry in enumerate(entries, start=1):
        resource = entry.get("resource") if isinstance(entry, dict) else None
        if resource is None:
            if isinstance(entry, dict) and entry.get("request", {}).get("method") == "DELETE":
                continue  # a transaction's delete carries no resource
            reader.add(number, "entry.resource", N_("entry has no resource"))
            continue
        if needs and isinstance(resource, dict):
            resource = _resolve_references(resource, full_urls)
            url = entry.get("fullUrl")
            if not resource.get("id") and url in full_urls:
                resource = {**resource, "id": full_urls[url].split("/", 1)[1]}
        yield number, resource


_ABSOLUTE_IN_TEXT_RE = re.compile(r'"reference"\s*:\s*"https?:')
_ABSOLUTE_REF_RE = re.compile(
    r"^(?:https?://.*/)?([A-Z][A-Za-z]+)/([A-Za-z0-9\-.]{1,64})(?:/_history/.*)?$"
)


def _full_urls(entries: list[Any]) -> dict[str, str]:
    """``fullUrl`` -> ``Type/id`` of a bundle's entries (``urn:uuid:…`` in transaction
    bundles, absolute URLs in searchsets); an entry without id takes its uuid as id."""
    urls: dict[str, str] = {}
    for entry in entries:
        if not isinstance(entry, dict) or not isinstance(entry.get("resource"), dict):
            continue
        url, resource = entry.get("fullUrl"), entry["resource"]
        rtype = resource.get("resourceType")
        if not isinstance(url, str) or not isinstance(rtype, str):
            continue
        rid = resource.get("id") or url.rsplit(":", 1)[-1].rsplit("/", 1)[-1]
        urls[url] = f"{rtype}/{rid}"
    return urls


def _resolve_references(value: Any, urls: dict[str, str]) -> Any:
    """``value`` with every ``reference`` to a bundle entry (``urn:uuid:…``, an absolute or
    versioned URL) rewritten as the relative ``Type/id`` the mapping reads."""
    if isinstance(value, dict):
        out = {k: _resolve_references(v, urls) for k, v in value.items()}
        ref = out.get("reference")
        if isinstance(ref, str):
            if ref in urls:
                out["reference"] = urls[ref]
            elif (match := _ABSOLUTE_REF_RE.match(ref)) and "/" in ref:
                out["reference"] = f"{match.group(1)}/{match.group(2)}"
        return out
    if isinstance(value, list):
        return [_resolve_references(v, urls) for v in value]
    return value


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
        message = N_("expected a JSON object, found {type}")
        reader.add(row, None, message, type=type(raw).__name__)
        return None
    rtype = raw.get("resourceType")
    ref = _describe(raw)
    if not isinstance(rtype, str) or not rtype:
        reader.add(row, "resourceType", N_("resource has no resourceType"))
        return None
    if rtype not in SUPPORTED_RESOURCES and not _is_fhir_type(rtype):
        reader.add(
            row,
            f"{ref} resourceType",
            N_(
                "unknown FHIR R4 resource type {type!r} (a misspelling? the planner reads "
                "{supported} and skips other FHIR resources)"
            ),
            type=rtype,
            supported=", ".join(SUPPORTED_RESOURCES),
        )
        return None
    if rtype not in SUPPORTED_RESOURCES:
        # Encounter, Condition, Observation, ...: every EHR bundle has them; the planner
        # does not need them. Counted and reported, not errors.
        reader.skipped[rtype] = reader.skipped.get(rtype, 0) + 1
        return None
    if not raw.get("id"):
        reader.add(row, f"{rtype} id", N_("resource has no id"))
        return None
    try:
        model = get_fhir_model_class(rtype).model_validate(raw)
    except ValidationError as exc:
        for error in exc.errors()[:20]:
            reader.add(row, f"{ref} {_loc_path(error['loc'])}", _safe_message(error))
        return None
    return _Entry(row=row, raw=raw, model=model)


@cache
def _is_fhir_type(rtype: str) -> bool:
    from fhir.resources.R4B import get_fhir_model_class

    try:
        get_fhir_model_class(rtype)
    except (KeyError, ValueError, AttributeError, ImportError):
        return False
    return True


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
    #: Minutes of an activity whose schedule says no duration (mapping file), else an error.
    default_duration_min: int | None = None
    #: code or display (case-folded) -> care-plan heading, from the mapping file
    problem_areas: dict[str, str] = field(default_factory=dict)
    #: schedule text for activities without scheduled[x] (mapping file), else an error
    default_schedule: str | None = None

"""Reading a planner's pins (fastlåste besøk) from a JSON file.

The file is a JSON list of objects with ``task_id`` and a ``staff_id`` and/or a ``start``
(an ISO 8601 time with its UTC offset). What ``GET /v1/pins`` returns is such a list: its
other fields (``pin_id``, ``visit_id``, ``created_by`` …) are read past, so the API's answer
can be saved and handed to ``plan --pins`` or ``check --pins`` as it is.
"""

from __future__ import annotations

import json
from pathlib import Path

from pydantic import ValidationError

from hjemmetjeneste.domain import Pin
from hjemmetjeneste.errors import InputIssue, PlanInputError, pydantic_reason, reason_of
from hjemmetjeneste.i18n import N_

__all__ = ["read_pins"]

_FIELDS = ("task_id", "staff_id", "start")


def read_pins(path: Path) -> tuple[Pin, ...]:
    """The pins in ``path``; PlanInputError naming the file, entry and field when one is bad."""
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise PlanInputError([InputIssue.because(str(path), None, None, reason_of(exc))]) from exc
    if not isinstance(raw, list):
        message = N_("expected a JSON list of pins")
        raise PlanInputError([InputIssue.of(str(path), None, None, message)])
    pins: list[Pin] = []
    issues: list[InputIssue] = []
    for row, item in enumerate(raw, start=1):
        if not isinstance(item, dict):
            issues.append(InputIssue.of(str(path), row, None, N_("a pin must be a JSON object")))
            continue
        try:
            pins.append(Pin.model_validate({k: item.get(k) for k in _FIELDS}))
        except ValidationError as exc:
            for error in exc.errors():
                field = ".".join(str(x) for x in error["loc"]) or None
                issues.append(InputIssue.because(str(path), row, field, pydantic_reason(error)))
    if issues:
        raise PlanInputError(issues)
    return tuple(pins)

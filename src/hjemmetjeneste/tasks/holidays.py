"""Norwegian public holidays (helligdager), from the ``holidays`` package.

The package follows the law on public holidays (lov om helligdager og helligdagsfred) and
computes Easter, Ascension and Whitsun for any year; 1 and 17 May are included. Sundays
are not counted as holidays here: a schedule's weekday rule already covers them.
"""

from __future__ import annotations

from datetime import date
from functools import cache

import holidays as _holidays

__all__ = ["holiday_name", "is_public_holiday"]


@cache
def _year(year: int) -> dict[date, str]:
    calendar = _holidays.country_holidays("NO", years=year, language="no")
    return {day: name for day, name in calendar.items() if day.year == year}


def holiday_name(day: date) -> str | None:
    """The Norwegian name of the public holiday on ``day`` (``Andre påskedag``), or None."""
    return _year(day.year).get(day)


def is_public_holiday(day: date) -> bool:
    """True when ``day`` is a Norwegian public holiday."""
    return day in _year(day.year)

"""The language of planner- and nurse-facing CLI text: Norwegian bokmål by default, English
with ``--lang en``.

Messages are written in English in the code and marked with :func:`_`; the catalogues are
those of :mod:`hjemmetjeneste.i18n`, shared with the API and the planning layer's
explanations.
"""

from __future__ import annotations

import gettext
from typing import Annotated

import typer

from hjemmetjeneste.i18n import DEFAULT_LANGUAGE, DOMAIN, LANGUAGES, N_, load_translations

__all__ = [
    "DEFAULT_LANGUAGE",
    "DOMAIN",
    "LANGUAGES",
    "N_",
    "LangOption",
    "_",
    "language",
    "load_translations",
    "set_language",
]

_current: gettext.NullTranslations = gettext.NullTranslations()
_language = DEFAULT_LANGUAGE


def set_language(lang: str) -> None:
    """Print in ``lang`` from now on (``nb`` or ``en``)."""
    global _current, _language
    _current = load_translations(lang)
    _language = lang


def language() -> str:
    """The language chosen (``nb`` or ``en``)."""
    return _language


def _(message: str) -> str:
    """``message`` in the chosen language."""
    return _current.gettext(message)


def _chosen(lang: str) -> str:
    """Check ``--lang`` and print in it from now on (a typer callback, run while parsing)."""
    if lang not in LANGUAGES:
        raise typer.BadParameter(f"one of {', '.join(LANGUAGES)}, got {lang!r}")
    set_language(lang)
    return lang


LangOption = Annotated[
    str,
    typer.Option(
        "--lang",
        help="Language of the output: nb (bokmål, default) or en.",
        callback=_chosen,
    ),
]
"""``--lang`` of every command a planner or nurse reads: checked and chosen while parsing."""


set_language(DEFAULT_LANGUAGE)

"""The language of planner- and nurse-facing CLI text: Norwegian bokmål by default, English
with ``--lang en``.

Messages are written in English in the code and marked with :func:`_`; the translations live
in gettext catalogues (``hjemmetjeneste/locale/<lang>/LC_MESSAGES/hjemmetjeneste.po``),
read with Babel and compiled in memory when the language is chosen (no build step). English
needs no catalogue: a message without a translation is printed as written.
"""

from __future__ import annotations

import gettext

from hjemmetjeneste.messages import DEFAULT_LANGUAGE, DOMAIN, LANGUAGES, load_translations

__all__ = [
    "DEFAULT_LANGUAGE",
    "DOMAIN",
    "LANGUAGES",
    "N_",
    "_",
    "load_translations",
    "set_language",
]

_current: gettext.NullTranslations = gettext.NullTranslations()


def set_language(lang: str) -> None:
    """Print in ``lang`` from now on (``nb`` or ``en``)."""
    global _current
    _current = load_translations(lang)


def _(message: str) -> str:
    """``message`` in the chosen language."""
    return _current.gettext(message)


def N_(message: str) -> str:  # noqa: N802  (the gettext convention)
    """Mark ``message`` for translation where it is defined; translate it where it is used."""
    return message


set_language(DEFAULT_LANGUAGE)

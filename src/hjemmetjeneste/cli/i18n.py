"""The language of planner- and nurse-facing CLI text: Norwegian bokmål by default, English
with ``--lang en``.

Messages are written in English in the code and marked with :func:`_`; the translations live
in gettext catalogues (``hjemmetjeneste/locale/<lang>/LC_MESSAGES/hjemmetjeneste.po``),
read with Babel and compiled in memory when the language is chosen (no build step). English
needs no catalogue: a message without a translation is printed as written.
"""

from __future__ import annotations

import gettext
import io
from importlib import resources

LANGUAGES = ("nb", "en")
DEFAULT_LANGUAGE = "nb"
DOMAIN = "hjemmetjeneste"

_current: gettext.NullTranslations = gettext.NullTranslations()


def load_translations(lang: str) -> gettext.NullTranslations:
    """The catalogue of ``lang`` (English: none, messages as written)."""
    if lang not in LANGUAGES:
        raise ValueError(f"--lang must be one of {', '.join(LANGUAGES)}, got {lang!r}")
    source = resources.files("hjemmetjeneste") / "locale" / lang / "LC_MESSAGES" / f"{DOMAIN}.po"
    if not source.is_file():
        return gettext.NullTranslations()
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    with source.open("rb") as handle:
        catalog = read_po(handle, locale=lang, domain=DOMAIN)
    compiled = io.BytesIO()
    write_mo(compiled, catalog)
    compiled.seek(0)
    return gettext.GNUTranslations(compiled)


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

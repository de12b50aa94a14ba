"""The message catalogues of people-facing text: Norwegian bokmål by default, English on request.

Messages are written in English in the code and marked with :func:`N_` where they are defined;
the translations live in gettext catalogues
(``hjemmetjeneste/locale/<lang>/LC_MESSAGES/hjemmetjeneste.po``), read with Babel and compiled
in memory the first time a language is asked for (no build step). English needs no catalogue:
a message without a translation is shown as written. Any layer may word a message: the CLI
(``--lang``), the API (``?lang=``) and the planning layer's explanations use the same catalogue.
"""

from __future__ import annotations

import gettext
import io
from functools import cache
from importlib import resources

LANGUAGES = ("nb", "en")
DEFAULT_LANGUAGE = "nb"
DOMAIN = "hjemmetjeneste"


@cache
def load_translations(lang: str) -> gettext.NullTranslations:
    """The catalogue of ``lang`` (English: none, messages as written); read once."""
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


def translate(message: str, lang: str) -> str:
    """``message`` in ``lang`` (``nb`` or ``en``)."""
    return load_translations(lang).gettext(message)


def as_written(message: str) -> str:
    """``message`` as written in the code: English, the default of a ``say`` argument
    (a function that words a message: ``cli.i18n._``, ``lambda m: translate(m, lang)``)."""
    return message


def N_(message: str) -> str:  # noqa: N802  (the gettext convention)
    """Mark ``message`` for translation where it is defined; translate it where it is used."""
    return message

"""The message catalogue: people-facing text in Norwegian bokmål by default, English on request.

Messages are written in English in the code; their translations live in gettext catalogues
(``hjemmetjeneste/locale/<lang>/LC_MESSAGES/hjemmetjeneste.po``), read with Babel and
compiled in memory (no build step). English needs no catalogue. The CLI (``cli/i18n.py``)
and the API's notices read the same catalogue through :func:`load_translations`.
"""

from __future__ import annotations

import gettext
import io
from functools import cache
from importlib import resources

__all__ = ["DEFAULT_LANGUAGE", "DOMAIN", "LANGUAGES", "load_translations"]

LANGUAGES = ("nb", "en")
DEFAULT_LANGUAGE = "nb"
DOMAIN = "hjemmetjeneste"


@cache
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

"""Staff text from the message catalogues outside a template (a page's title, a row's reason): the same
catalogues as the public pages, Japanese by default; knows no domain."""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache

from babel.support import Translations

from tsunagari.web.rendering import LOCALES, Lang, compile_catalogues


@lru_cache(maxsize=2)
def gettext_of(lang: Lang) -> Callable[[str], str]:
    """`_` for one language: the catalogue's text for an English msgid (the msgid itself when missing)."""
    compile_catalogues()
    return Translations.load(str(LOCALES), [lang]).gettext

"""The message catalogue for the web shell's Python code: gettext in a page's language, and the half of a
domain's "日本語 / English" pair that language shows; knows no domain."""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any, Literal

from babel.support import NullTranslations, Translations

from tsunagari.web.rendering import LOCALES, compile_catalogues

Lang = Literal["ja", "en"]
_JAPANESE = re.compile(r"[\u3000-\u30ff\u3400-\u9fff\uff00-\uffef]")
_LATIN = re.compile(r"[A-Za-z]")
STAFF_CONTEXT = "staff"
"""The catalogue context of the staff pages' own wording (a word may read differently there)."""


@lru_cache(maxsize=2)
def translations(lang: Lang) -> NullTranslations | Translations:
    """The compiled catalogue of one language (the same one the public pages' templates use)."""
    compile_catalogues()
    return Translations.load(str(LOCALES), [lang])


def gettext(lang: Lang, message: str, **params: Any) -> str:
    """`message` (an English msgid) in `lang`, with `%(name)s` parameters filled in."""
    text = translations(lang).gettext(message)
    return text % params if params else text


def pair_half(text: str, lang: Lang) -> str:
    """A label, heading or title a domain declared, in one language: an English msgid of the staff pages
    (context "staff"), else of the public pages, else the half of a "日本語 / English" pair (the errors
    the actions raise, which the API and the CLI show whole); text the catalogue does not know is shown
    as it is."""
    halves = split_pair(text or "")
    if halves is not None:
        return halves[1] if lang == "en" else halves[0]
    if not text:
        return ""
    catalogue = translations(lang)
    staff = str(catalogue.pgettext(STAFF_CONTEXT, text))
    return staff if staff != text else str(catalogue.gettext(text))


def half(text: str, lang: Lang) -> str:
    """One language of a "日本語 / English" pair a domain wrote into a title or a cell; else the text."""
    halves = split_pair(text or "")
    if halves is None:
        return text or ""
    return halves[1] if lang == "en" else halves[0]


def split_pair(text: str) -> tuple[str, str] | None:
    """(Japanese, English) of a pair split at its last " / " with Japanese before it and a Latin letter
    after it ("令和7年度 / FY2025 のどちらでも / 令和7年度 or FY2025" splits at the second); else None."""
    ja, sep, en = text.rpartition(" / ")
    while sep:
        if _JAPANESE.search(ja) and _LATIN.search(en):
            return ja, en
        ja, sep, rest = ja.rpartition(" / ")
        en = f"{rest} / {en}"
    return None

"""Rendering of the public HTML pages: one Jinja environment per language, the chrome every page shares,
and the formatting helpers pages use; knows no domain (each domain's pages build their own contexts).

Japanese by default, English through `?lang=en` (kept in a `lang` cookie)."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlencode

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_decimal
from babel.support import NullTranslations, Translations
from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup

from tsunagari.common.links import safe_href
from tsunagari.config import get_settings
from tsunagari.dates import PartialDate
from tsunagari.errors import InvalidInput, NotFound
from tsunagari.reference import countries

HERE = Path(__file__).parent
TEMPLATES = HERE / "templates"
LOCALES = HERE / "locale"
Lang = Literal["ja", "en"]
LANGS: tuple[Lang, ...] = ("ja", "en")


# --------------------------------------------------------------------------- i18n
def compile_catalogues(root: Path = LOCALES) -> None:
    """Compile each messages.po to .mo when the .mo is missing or older, so no build step is needed."""
    for po_path in root.glob("*/LC_MESSAGES/messages.po"):
        mo_path = po_path.with_suffix(".mo")
        if mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
            continue
        with po_path.open("rb") as po_file:
            catalog = read_po(po_file, locale=po_path.parents[1].name)
        with mo_path.open("wb") as mo_file:
            write_mo(mo_file, catalog)


def format_number(value: float | int | None, lang: Lang) -> str:
    return "" if value is None else format_decimal(value, locale=lang)


def install_translations(env: Environment, translations: NullTranslations) -> None:
    """`_()`, `gettext` and `ngettext` from a catalogue, new-style (variables escaped into the markup).

    Jinja's i18n extension adds `install_gettext_translations` to the environment when it is made
    (Environment.extend), so type checkers cannot see it: this is the one place that calls it."""
    env.install_gettext_translations(translations, newstyle=True)  # type: ignore[attr-defined]


@lru_cache(maxsize=2)
def environment(lang: Lang) -> Environment:
    """One Jinja environment per language, so requests in different languages never share state.

    The catalogues are compiled here, on first use, rather than when the module is imported."""
    compile_catalogues()
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(["html", "xml"], default_for_string=True),
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
        # The templates ship with the code: no stat of each template and its parents on every render.
        auto_reload=False,
    )
    translations = Translations.load(str(LOCALES), [lang])
    install_translations(env, translations)
    env.globals["gettext"] = env.globals["_"] = _remembering_gettext(translations)
    env.filters["number"] = lambda value: format_number(value, lang)
    env.filters["web_href"] = safe_href  # a stored link as an href: http(s) only, never javascript:
    return env


def _remembering_gettext(translations: NullTranslations) -> Callable[..., Markup]:
    """Jinja's new-style gettext for these always-escaping templates, as it behaves (the translation is
    markup, the variables are escaped into it with %), with each translation kept once looked up.

    Jinja's own passes every label through two context calls and a catalogue lookup: about half of a
    cold page's render, with seventy labels a page."""
    seen: dict[str, Markup] = {}

    def gettext(message: str, /, **variables: Any) -> Markup:
        translated = seen.get(message)
        if translated is None:
            translated = seen[message] = Markup(translations.gettext(message))
        return translated % variables

    return gettext


def lang_of(request: Request) -> Lang:
    """The language asked for by `?lang=`, else the `lang` cookie, else Japanese."""
    wanted = request.query_params.get("lang") or request.cookies.get("lang") or "ja"
    return "en" if wanted == "en" else "ja"


# --------------------------------------------------------------------------- chrome and render
@dataclass(frozen=True)
class Chrome:
    """What the base layout needs on every page: language, the switch link, the map tile hook."""

    lang: Lang
    other_lang: Lang
    switch_url: str
    path: str
    tile_url: str = ""
    """TSUNAGARI_TILE_URL: a deployment with internet may add map tiles; offline the map draws the
    vendored Natural Earth outlines only."""
    download_query: str = ""
    """The page's filters as a download link's query ("?q=…&lang=en"; no page number): a list page's CSV
    and XLSX links keep what the page shows."""


def chrome(request: Request, lang: Lang) -> Chrome:
    other: Lang = "en" if lang == "ja" else "ja"
    params = [(k, v) for k, v in request.query_params.multi_items() if k != "lang"]
    params.append(("lang", other))
    kept = [(k, v) for k, v in params if k not in ("lang", "page") and v]
    if lang == "en":
        kept.append(("lang", "en"))
    return Chrome(
        lang,
        other,
        f"{request.url.path}?{urlencode(params)}",
        request.url.path,
        get_settings().tile_url,
        download_query=f"?{urlencode(kept)}" if kept else "",
    )


def render(request: Request, template: str, page: object, *, status_code: int = 200) -> HTMLResponse:
    lang = lang_of(request)
    html = environment(lang).get_template(template).render(page=page, chrome=chrome(request, lang))
    response = HTMLResponse(html, status_code=status_code)
    if request.query_params.get("lang") in LANGS:
        response.set_cookie("lang", lang, max_age=365 * 24 * 3600, samesite="lax")
    return response


@dataclass(frozen=True)
class NotFoundPage:
    message: str
    title: str = "Not found"


def not_found(request: Request, message: str) -> HTMLResponse:
    """The friendly 404 page of the portal."""
    return render(request, "not_found.html", NotFoundPage(message=message), status_code=404)


def render_found(request: Request, template: str, build: Callable[[Lang], object]) -> HTMLResponse:
    """Render the page `build(lang)` makes, or the friendly 404 page when what it shows does not exist.

    Pages cannot leave NotFound to the app's handler: that one answers in the API's JSON shape."""
    try:
        page = build(lang_of(request))
    except NotFound as error:
        return not_found(request, str(error))
    return render(request, template, page)


# --------------------------------------------------------------------------- formatting helpers
def format_date(value: PartialDate | None, lang: Lang) -> str:
    """西暦 with 和暦 beside it in Japanese (1992年4月21日（平成4年4月21日）); ISO in English."""
    if value is None:
        return ""
    if lang == "en":
        return value.iso()
    wareki = value.wareki()
    seireki = value.seireki()
    return seireki if wareki == value.iso() else f"{seireki}（{wareki}）"


def partial_date(iso: str | None, precision: str | None) -> PartialDate | None:
    """Rebuild a PartialDate from "1992", "1992-04" or "1992-04-21" (as read models carry dates)."""
    if not iso:
        return None
    return PartialDate.from_parts(
        dt.date.fromisoformat(iso + {4: "-01-01", 7: "-01"}.get(len(iso), "")), precision
    )


def label_of(labels: dict[str, tuple[str, str]], code: str, lang: Lang) -> str:
    """A code's label from a (Japanese, English) table, the code itself when the table lacks it."""
    ja, en = labels.get(code, (code, code))
    return en if lang == "en" else ja


def country_name(alpha2: str | None, lang: Lang) -> str:
    if not alpha2:
        return ""
    try:
        found = countries.country(alpha2)
    except InvalidInput:
        return alpha2
    return found.name_en if lang == "en" else found.name_ja or found.name_en


def map_json(lines: object) -> str:
    """Data for a page's map, embedded in the page as JSON."""
    return json.dumps(lines, ensure_ascii=False)

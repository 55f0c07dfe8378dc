"""The public templates' gettext (web.rendering keeps each translation once looked up) behaves exactly
as Jinja's own new-style gettext: the translation is markup, the variables are escaped into it."""

from __future__ import annotations

import pytest
from babel.support import Translations
from jinja2 import Environment

from tsunagari.web.rendering import LOCALES, Lang, environment, install_translations

TEMPLATE = (
    '{{ _("Where") }}|{{ _("%(years)s years", years=years) }}|'
    '{{ _("former %(name)s (before the merger)", name=name) }}|{{ _("no such message, 100%%") }}'
)


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_remembered_translations_render_as_jinja_s_own(lang: Lang) -> None:
    ours = environment(lang)
    jinja = Environment(autoescape=True, extensions=["jinja2.ext.i18n"])
    install_translations(jinja, Translations.load(str(LOCALES), [lang]))
    values = {"years": 35, "name": "<b>小国町</b> & co"}
    for _ in range(2):  # the second time from what was kept
        rendered = ours.from_string(TEMPLATE).render(**values)
        assert rendered == jinja.from_string(TEMPLATE).render(**values)
    assert "&lt;b&gt;小国町&lt;/b&gt; &amp; co" in rendered
    assert rendered.endswith("100%")

"""Staff labels come from the message catalogue the public pages use: every form title, field label, group,
help text and download column a domain's staff pages declare is an English msgid with a Japanese entry in
web/locale/ja and an English one in web/locale/en (context "staff" where the staff pages word it their own
way), not a "日本語 / English" pair written in the code."""

from __future__ import annotations

import importlib
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

import tsunagari
from tsunagari.web.app import create_app
from tsunagari.web.i18n import Lang, pair_half, split_pair
from tsunagari.web.list_export import ListExport
from tsunagari.web.staff_crud import KINDS

JAPANESE = re.compile(r"[\u3040-\u30ff\u3400-\u9fff]")
# Shown as they are in both languages.
SYMBOLS = frozenset({"ID", "#"})
PACKAGE = Path(tsunagari.__file__).parent


def _download_modules() -> Iterator[object]:
    for path in sorted(PACKAGE.glob("*/download_staff_pages.py")):
        yield importlib.import_module(f"tsunagari.{path.parent.name}.download_staff_pages")


def _declared() -> Iterator[tuple[str, str]]:
    """(where, text) of every staff label: the form kinds the app registers and the list downloads."""
    create_app()
    assert len(KINDS) > 10
    for spec in KINDS.values():
        yield f"{spec.kind}: title", spec.title
        for form_field in (*spec.fields, *spec.create_only):
            yield f"{spec.kind}.{form_field.name}", form_field.label
            for what, text in (("group", form_field.group), ("help", form_field.help)):
                if text:
                    yield f"{spec.kind}.{form_field.name} {what}", text
    exports = 0
    for module in _download_modules():
        for value in vars(module).values():
            if isinstance(value, ListExport):
                exports += 1
                yield f"{value.name}.csv: title", value.title
                for column in value.columns:
                    yield f"{value.name}.csv column", column.label
    assert exports > 10


DECLARED = sorted(set(_declared()))


def test_staff_labels_are_catalogue_messages_not_pairs() -> None:
    pairs = [(where, text) for where, text in DECLARED if split_pair(text)]
    assert pairs == []


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_every_staff_label_has_an_entry_in_each_language(lang: Lang) -> None:
    missing = []
    for where, text in DECLARED:
        shown = pair_half(text, lang)
        if text in SYMBOLS:
            continue
        if lang == "ja" and not JAPANESE.search(shown):
            missing.append((where, text, shown))
        # English help may quote what staff type (令和7年度, 120万円); labels and titles are English.
        if lang == "en" and JAPANESE.search(shown) and not where.endswith(" help"):
            missing.append((where, text, shown))
    assert missing == []

"""Text encodings of files people exchange (BOMs, UTF-8 or Shift_JIS), the control characters no stored
text may hold, and the guard against spreadsheet formula injection; shared ground: imports nothing of
tsunagari's domains."""

from __future__ import annotations

import re
from typing import Final

from tsunagari.errors import InvalidInput

UTF8_BOM: Final = b"\xef\xbb\xbf"
UTF16_BOMS: Final = (b"\xff\xfe", b"\xfe\xff")

# A spreadsheet takes a cell starting with one of these for a formula (OWASP "CSV injection").
FORMULA_TRIGGERS: Final = ("=", "+", "-", "@", "\t", "\r")
QUOTE: Final = "'"

# Control characters no stored text may hold: C0 but tab, line feed and carriage return (a textarea sends
# those), DEL, C1, and lone surrogates (a JSON "\\ud800" decodes to one; no database can store it). NUL is
# the sharpest: PostgreSQL refuses it, SQLite's LIKE stops at it, and XLSX cannot hold it.
CONTROL_CHARACTERS: Final = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")
CONTROL_REASON: Final = "contains a control character (U+{code:04X}); remove it"


def control_character(text: str) -> str | None:
    """The first control character in `text` that no stored text may hold, or None."""
    found = CONTROL_CHARACTERS.search(text)
    return found.group() if found else None


def control_reason(character: str) -> str:
    return CONTROL_REASON.format(code=ord(character))


def without_control_characters(text: str) -> str:
    """`text` with every such character removed: what a download writes, whatever is stored."""
    return CONTROL_CHARACTERS.sub("", text)


def needs_formula_guard(text: str) -> bool:
    """True when a spreadsheet would read `text` as a formula, or when it already starts with the
    guard quote before such text (so that the guard can be told apart from a quote written on purpose)."""
    if not text:
        return False
    if text.startswith(FORMULA_TRIGGERS):
        return True
    return text.startswith(QUOTE) and needs_formula_guard(text[1:])


def guard_formula(text: str) -> str:
    """`=HYPERLINK(…)` → `'=HYPERLINK(…)`: Excel shows the text instead of running it."""
    return QUOTE + text if needs_formula_guard(text) else text


def unguard_formula(text: str) -> str:
    """The inverse of guard_formula: drop the one quote it added, so a round trip is exact."""
    if text.startswith(QUOTE) and needs_formula_guard(text[1:]):
        return text[1:]
    return text


def decode_text(data: bytes, name: str) -> str:
    """UTF-8 with BOM, UTF-8, then CP932 (Shift_JIS as Excel in Japan writes it), in that order.

    UTF-8 is tried first because CP932 would also accept many UTF-8 byte sequences as garbage.
    """
    if data.startswith(UTF8_BOM):
        return data.decode("utf-8-sig")
    if data.startswith(UTF16_BOMS):
        raise InvalidInput(
            "the file is UTF-16 (Excel's 'Unicode text'); save it as 'CSV UTF-8' or CSV (Shift_JIS)",
            field="FILE",
            value=name,
        )
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as utf8_error:
        try:
            return data.decode("cp932")
        except UnicodeDecodeError as cp932_error:
            raise InvalidInput(
                "the file is neither UTF-8 (bad byte on line "
                f"{_line_of(data, utf8_error.start)}) nor Shift_JIS/CP932 (bad byte on line "
                f"{_line_of(data, cp932_error.start)}); save it as 'CSV UTF-8'",
                field="FILE",
                value=name,
            ) from None


def _line_of(data: bytes, offset: int) -> int:
    return data.count(b"\n", 0, offset) + 1

"""The form kit: typed form fields read the way Japanese staff write them (和暦, 120万円, rows, checkboxes),
what a form showed, and only the fields a person changed; no domain.

Staff pages of every domain describe their forms with `FormField`s; `inputs_of` draws a record as the
form's inputs, `shown_marks` fingerprints what the form showed, and `changed_values` reads back only
the fields whose inputs differ from what was shown, so a field left alone is never rewritten.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

from sqlalchemy import inspect
from sqlalchemy.orm import Session

from tsunagari.dates import PartialDate, fiscal_year_label, parse_date, parse_fiscal_years
from tsunagari.errors import InvalidInput, NotFound, Problem
from tsunagari.web.i18n import gettext, pair_half

Lang = Literal["ja", "en"]
SHOWN = "_shown."
"""Prefix of the hidden inputs carrying a fingerprint of what each field showed."""
BLANK_ROWS = 3
"""Empty rows offered under a rows field (participants, evaluation points), so no script is needed."""


@dataclass(frozen=True)
class Option:
    """One choice of a select or a checkbox group: the stored value and its labels."""

    value: str
    ja: str
    en: str

    def label(self, lang: Lang) -> str:
        return self.en if lang == "en" else self.ja


def options_of(values: Iterable[Any], labels: Mapping[str, tuple[str, str]]) -> tuple[Option, ...]:
    """Every value (an enum's members, or codes) with its (Japanese, English) labels, in order."""
    out = []
    for value in values:
        code = str(getattr(value, "value", value))
        ja, en = labels.get(code, (code, code))
        out.append(Option(code, ja, en))
    return tuple(out)


@dataclass(frozen=True)
class Picker:
    """How a reference field finds its record: search by name, load by id, describe it, read typed text."""

    what: str
    search: Callable[[Session, str], list[tuple[int, str]]]
    load: Callable[[Session, int], Any]
    """Raises NotFound for an id that does not exist."""
    describe: Callable[[Any], str]
    """The record as staff recognise it: its name with its prefecture or country."""
    resolve: Callable[[Session, str], Any] | None = None
    """Typed text to one record (InvalidInput naming the candidates when it is ambiguous)."""


# Registered by the domains' staff pages; the form kit and /staff/pick/{what} look pickers up here.
PICKERS: dict[str, Picker] = {}


def register_picker(picker: Picker) -> None:
    PICKERS[picker.what] = picker


@dataclass(frozen=True)
class FormField:
    name: str
    label: str
    kind: str = "text"
    """text, textarea, int, float, money, date, fiscal_year, fiscal_years, bool, list, select,
    checkboxes, counts (rows of 区分 and 人数), points (rows of a criterion and a text), or ref (a picker)"""
    choices: tuple[str, ...] = ()
    options: tuple[Option, ...] = ()
    blank: bool = False
    """A select that may be left empty."""
    precision: bool = False
    """A date whose precision (year, month, day) is kept in `<name>_precision`."""
    pick: str = ""
    """The picker of a ref field."""
    group: str = ""
    """The fieldset the field sits in (基本情報 / 日付 / 費用 / 公表 …)."""
    help: str = ""

    def label_in(self, lang: Lang) -> str:
        """The label in one language: an English msgid from the catalogue, or a domain's declared pair."""
        return pair_half(self.label, lang)

    def help_in(self, lang: Lang) -> str:
        return pair_half(self.help, lang)

    def option_list(self, current: str = "", extra: Iterable[str] = ()) -> tuple[Option, ...]:
        """The options, plus a stored value the list does not know (kept, never silently replaced)."""
        options = self.options or tuple(Option(c, c, c) for c in self.choices if c)
        known = {o.value for o in options}
        for value in (current, *extra):
            if value and value not in known:
                options += (Option(value, value, value),)
                known.add(value)
        return options


def field(
    name: str,
    label: str,
    kind: str = "text",
    choices: tuple[str, ...] = (),
    *,
    options: tuple[Option, ...] = (),
    blank: bool = False,
    precision: bool = False,
    pick: str = "",
    group: str = "",
    help: str = "",
) -> FormField:
    return FormField(name, label, kind, choices, options, blank, precision, pick, group, help)


def _say(lang: Lang, message: str, **params: Any) -> str:
    """A message of the form kit from the catalogue (Japanese by default, English in English mode)."""
    return gettext(lang, message, **params)


# ----------------------------------------------------------------------------- reading what staff write
def _fold(raw: str) -> str:
    """Full-width digits and signs as ASCII (１，２００ → 1,200), spaces trimmed."""
    return unicodedata.normalize("NFKC", raw).strip()


_MONEY = re.compile(r"(?:(?P<oku>\d+(?:\.\d+)?)億)?(?:(?P<man>\d+(?:\.\d+)?)万)?(?P<yen>\d+)?")


def parse_money(raw: str, *, field: str, lang: Lang = "ja") -> int:
    """Whole yen from 1,200,000 / 1200000円 / ¥1,200,000 / 120万円 / 1億2000万円."""
    text = _fold(raw).replace(",", "").replace(" ", "").removeprefix("¥").removeprefix("\\")
    text = text.removesuffix("円")
    if text.startswith(("-", "−", "▲")):
        raise InvalidInput(_say(lang, "must not be negative"), field=field, value=raw)
    match = _MONEY.fullmatch(text)
    if not text or match is None or not any(match.groupdict().values()):
        raise InvalidInput(
            _say(lang, "not an amount of yen (write it like 1,200,000, 1200000円 or 120万円)"),
            field=field,
            value=raw,
        )
    total = (
        float(match["oku"] or 0) * 100_000_000 + float(match["man"] or 0) * 10_000 + int(match["yen"] or 0)
    )
    if total != int(total):
        raise InvalidInput(_say(lang, "whole yen only"), field=field, value=raw)
    return int(total)


def parse_count(raw: str, *, field: str, lang: Lang = "ja") -> int:
    text = _fold(raw).replace(",", "").removesuffix("人").removesuffix("名").strip()
    try:
        value = int(text)
    except ValueError:
        raise InvalidInput(
            _say(lang, "a number of people is a whole number"),
            field=field,
            value=raw,
        ) from None
    if value < 0:
        raise InvalidInput(_say(lang, "a number of people is not negative"), field=field, value=raw)
    return value


def read_date(raw: str, *, field: str, lang: Lang = "ja") -> PartialDate:
    try:
        return parse_date(_fold(raw), field=field)
    except InvalidInput as error:
        reason = error.problems[0].reason if error.problems else ""
        raise InvalidInput(
            _say(
                lang,
                "not a date (write it like 令和7年4月1日, R7.4.1 or 2025/4/1): %(reason)s",
                reason=reason,
            ),
            field=field,
            value=raw,
        ) from None


def read_fiscal_year(raw: str, *, field: str, lang: Lang = "ja") -> int:
    """One 年度 from 令和7年度, R7年度, FY2025 or 2025."""
    text = _fold(raw)
    if re.fullmatch(r"\d{4}", text):
        text = f"FY{text}"
    try:
        years = parse_fiscal_years(text, field=field)
    except InvalidInput as error:
        reason = error.problems[0].reason if error.problems else ""
        raise InvalidInput(
            _say(lang, "not a fiscal year (write it like 令和7年度 or FY2025): %(reason)s", reason=reason),
            field=field,
            value=raw,
        ) from None
    if years.first_fy is None or len(years.held_fy) != 1 or years.ongoing:
        raise InvalidInput(_say(lang, "give one fiscal year"), field=field, value=raw)
    return years.first_fy


def echo(form_field: FormField, raw: str, lang: Lang = "ja") -> str:
    """What the page understood from a value as typed (令和7年4月1日 = 2025-04-01), or ""."""
    raw = raw.strip()
    if not raw:
        return ""
    try:
        if form_field.kind == "date":
            date = read_date(raw, field=form_field.name, lang=lang)
            return f"{date.wareki()} = {date.iso()}"
        if form_field.kind == "money":
            return f"{parse_money(raw, field=form_field.name, lang=lang):,}円"
        if form_field.kind == "fiscal_year":
            fy = read_fiscal_year(raw, field=form_field.name, lang=lang)
            return f"{fiscal_year_label(fy)} = FY{fy}"
        if form_field.kind == "fiscal_years":
            return parse_fiscal_years(_fold(raw), field=form_field.name).label_ja()
    except InvalidInput as error:
        return "; ".join(p.reason for p in error.problems)
    return ""


# ----------------------------------------------------------------------------- inputs of a field
def _belongs(form_field: FormField, key: str) -> bool:
    name = form_field.name
    return key == name or key.startswith((f"{name}.", f"{name}__"))


def fingerprint(form_field: FormField, inputs: Mapping[str, str]) -> str:
    """What a field's inputs say, blind to blank inputs and line endings: equal when left alone."""
    items = sorted(
        (key, text)
        for key, value in inputs.items()
        if _belongs(form_field, key) and key != f"{form_field.name}__pick"
        for text in (value.replace("\r\n", "\n").strip(),)
        if text
    )
    return hashlib.sha256(json.dumps(items, ensure_ascii=False).encode()).hexdigest()[:24]


def _rows(form: Mapping[str, str], name: str) -> list[tuple[int, str, str]]:
    """(index, key, value) of the rows `name.N.key` / `name.N.value`, in order; blank rows dropped."""
    indexes: set[int] = set()
    for key in form:
        parts = key.split(".")
        if len(parts) == 3 and parts[0] == name and parts[1].isdigit():
            indexes.add(int(parts[1]))
    out = []
    for i in sorted(indexes):
        key = (form.get(f"{name}.{i}.key") or "").strip()
        value = (form.get(f"{name}.{i}.value") or "").strip()
        if key or value:
            out.append((i, key, value))
    return out


def inputs_of(
    form_field: FormField, values: Mapping[str, Any], session: Session | None = None
) -> dict[str, str]:
    """The form inputs that show a stored value (a record as `record_json` gives it)."""
    name, kind = form_field.name, form_field.kind
    value = values.get(name)
    if kind == "bool":
        return {name: "on"} if value else {}
    if kind == "checkboxes":
        return {f"{name}.{code}": "on" for code in value or []}
    if kind in ("counts", "points"):
        pairs: list[tuple[str, str]] = (
            [(str(k), str(v)) for k, v in (value or {}).items()]
            if kind == "counts"
            else [(str(p.get("criterion") or ""), str(p.get("text") or "")) for p in value or []]
        )
        inputs: dict[str, str] = {}
        for i, (key, text) in enumerate(pairs):
            inputs[f"{name}.{i}.key"], inputs[f"{name}.{i}.value"] = key, text
        return inputs
    if kind == "ref":
        if value is None:
            return {name: "", f"{name}__q": ""}
        described = str(value)
        picker = PICKERS.get(form_field.pick)
        if picker is not None and session is not None:
            try:
                described = picker.describe(picker.load(session, int(value)))
            except NotFound:
                described = f"#{value}"
        return {name: str(value), f"{name}__q": described}
    if value is None:
        return {name: ""}
    if kind == "date":
        precision = values.get(f"{name}_precision") if form_field.precision else None
        day = value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value)[:10])
        shown = PartialDate.from_parts(day, precision)
        return {name: shown.iso() if shown else ""}
    if kind == "money":
        return {name: f"{int(value):,}"}
    if kind == "fiscal_year":
        return {name: fiscal_year_label(int(value))}
    return {name: display(value)}


def shown_marks(fields: Iterable[FormField], inputs: Mapping[str, str]) -> dict[str, str]:
    """The hidden `_shown.<name>` inputs of a form drawn from `inputs`."""
    return {f"{SHOWN}{f.name}": fingerprint(f, inputs) for f in fields}


def _present(form_field: FormField, form: Mapping[str, str]) -> bool:
    return f"{SHOWN}{form_field.name}" in form or any(_belongs(form_field, key) for key in form)


# ----------------------------------------------------------------------------- converting posted inputs
def convert(form_field: FormField, form: Mapping[str, str], lang: Lang = "ja") -> Any:
    """One field's posted inputs as its value; an empty one is None (or [] / {} for lists and rows)."""
    name, kind = form_field.name, form_field.kind
    if kind == "bool":
        return (form.get(name) or "").strip() in ("on", "true", "1")
    if kind == "checkboxes":
        chosen = [o.value for o in form_field.option_list() if form.get(f"{name}.{o.value}")]
        extra = [key.split(".", 1)[1] for key in form if key.startswith(f"{name}.") and form[key]]
        return chosen + [code for code in extra if code not in chosen]
    if kind == "counts":
        counts: dict[str, int] = {}
        problems: list[Problem] = []
        for i, key, value in _rows(form, name):
            where = f"{name}.{i + 1}"
            if not key:
                problems.append(Problem(_say(lang, "choose a category"), where, value))
                continue
            try:
                counts[key] = counts.get(key, 0) + parse_count(value, field=where, lang=lang)
            except InvalidInput as error:
                problems.extend(error.problems)
        if problems:
            raise InvalidInput(problems=problems)
        return counts
    if kind == "points":
        points = []
        for i, key, text in _rows(form, name):
            if not text:
                raise InvalidInput(_say(lang, "write the point"), field=f"{name}.{i + 1}")
            points.append({"criterion": key or None, "text": text})
        return points
    raw = (form.get(name) or "").strip()
    if kind == "ref":
        return raw  # read by `resolve_refs`, which has a session
    if raw == "":
        return [] if kind == "list" else None
    if kind == "money":
        return parse_money(raw, field=name, lang=lang)
    if kind == "date":
        date = read_date(raw, field=name, lang=lang)
        if not form_field.precision and date.precision != "day":
            raise InvalidInput(
                _say(lang, "give the day too (e.g. 令和7年4月1日 or 2025-04-01)"),
                field=name,
                value=raw,
            )
        return date
    if kind == "fiscal_year":
        return read_fiscal_year(raw, field=name, lang=lang)
    if kind == "fiscal_years":
        parse_fiscal_years(_fold(raw), field=name)
        return raw
    if kind == "select":
        if raw not in {o.value for o in form_field.option_list()}:
            raise InvalidInput(_say(lang, "not one of the choices"), field=name, value=raw)
        return raw
    if kind == "list":
        return [part.strip() for part in re.split(r"[,、，]", raw) if part.strip()]
    try:
        if kind == "int":
            return int(_fold(raw).replace(",", ""))
        if kind == "float":
            return float(_fold(raw).replace(",", ""))
    except ValueError:
        raise InvalidInput(_say(lang, "not a number"), field=name, value=raw) from None
    return raw


def _expand(form_field: FormField, value: Any, out: dict[str, Any]) -> None:
    """A converted value as the actions take it (a date with its precision beside it)."""
    if form_field.kind == "date":
        out[form_field.name] = value.value if value is not None else None
        if form_field.precision:
            out[f"{form_field.name}_precision"] = value.precision if value is not None else None
        return
    out[form_field.name] = value


def _resolve_ref(session: Session, form_field: FormField, form: Mapping[str, str], lang: Lang) -> int | None:
    """The record a picker names: one picked from the list, the id it showed, or typed text."""
    name = form_field.name
    picker = PICKERS[form_field.pick]
    picked = (form.get(f"{name}__pick") or "").strip()
    typed = (form.get(f"{name}__q") or "").strip()
    shown_text = (form.get(f"{name}__shown_q") or "").strip()
    raw = picked or (form.get(name) or "").strip()
    if not picked and f"{name}__q" in form and typed != shown_text:
        if not typed:
            return None
        if picker.resolve is None:
            raise InvalidInput(_say(lang, "choose one of the matches"), field=name, value=typed)
        try:
            record = picker.resolve(session, typed)
        except NotFound:
            raise InvalidInput(_say(lang, "nothing matches this name"), field=name, value=typed) from None
        except InvalidInput as error:
            raise InvalidInput(problems=[Problem(p.reason, name, typed) for p in error.problems]) from None
        return int(record.id)
    if not raw:
        return None
    try:
        record_id = int(_fold(raw))
        picker.load(session, record_id)
    except (ValueError, NotFound):
        raise InvalidInput(_say(lang, "no such record"), field=name, value=raw) from None
    return record_id


def form_values(
    fields: Iterable[FormField],
    form: Mapping[str, str],
    *,
    session: Session | None = None,
    lang: Lang = "ja",
    only_changed: bool = False,
) -> dict[str, Any]:
    """The posted fields converted, every problem reported at once.

    With `only_changed`, a field whose inputs match the `_shown.<name>` fingerprint the form was drawn
    with is left out: what a person did not touch is never written."""
    values: dict[str, Any] = {}
    problems: list[Problem] = []
    for form_field in fields:
        if not _present(form_field, form):
            continue
        mark = form.get(f"{SHOWN}{form_field.name}")
        if only_changed and mark is not None and mark == fingerprint(form_field, form):
            continue
        try:
            if form_field.kind == "ref":
                if session is None:
                    raise InvalidInput("a reference needs a session", field=form_field.name)
                values[form_field.name] = _resolve_ref(session, form_field, form, lang)
            else:
                _expand(form_field, convert(form_field, form, lang), values)
        except InvalidInput as error:
            problems.extend(error.problems)
    if problems:
        raise InvalidInput(problems=problems)
    return values


def changed_values(
    fields: Iterable[FormField], form: Mapping[str, str], *, session: Session, lang: Lang = "ja"
) -> dict[str, Any]:
    """Only the fields a person changed on a form drawn with `shown_marks`."""
    return form_values(fields, form, session=session, lang=lang, only_changed=True)


# ----------------------------------------------------------------------------- showing values and errors
def display(value: Any) -> str:
    """A value as the text a form field shows."""
    if value is None:
        return ""
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return str(value)


def field_errors(error: InvalidInput, fields: Iterable[FormField]) -> dict[str, list[str]]:
    """Each problem under the field it names (rows and picker parts under their field)."""
    names = {f.name for f in fields}
    out: dict[str, list[str]] = {}
    for problem in error.problems:
        head = (problem.field or "").split(".")[0].split("__")[0]
        key = head if head in names else ""
        value = "" if problem.value in (None, "") else f"「{problem.value}」: "
        out.setdefault(key, []).append(f"{value}{problem.reason}")
    return out


def messages(error: InvalidInput, fields: Iterable[FormField], lang: Lang = "ja") -> list[str]:
    """Each problem of the input, named by its field's label and the value given."""
    labels = {f.name: f.label_in(lang) for f in fields}
    out = []
    for problem in error.problems:
        head = (problem.field or "").split(".")[0].split("__")[0]
        label = labels.get(head, problem.field or "")
        row = (problem.field or "").split(".")[1:2]
        numbered = bool(row) and row[0].isdigit()
        where = _say(lang, "%(label)s (row %(row)s)", label=label, row=row[0]) if numbered else label
        value = "" if problem.value in (None, "") else f"「{problem.value}」 "
        out.append(f"{where}: {value}{problem.reason}" if where else f"{value}{problem.reason}")
    return out


def problems(error: InvalidInput) -> list[str]:
    return [p.describe() for p in error.problems]


def form_version(form: Mapping[str, str]) -> int:
    """The version a form was drawn from (-1, never current, when missing or garbled)."""
    try:
        return int(form.get("version", ""))
    except ValueError:
        return -1


def record_json(record: Any) -> dict[str, Any]:
    """Every column of a record, JSON-ready (staff see the whole record)."""
    state = inspect(record)
    values: dict[str, Any] = {}
    for attribute in state.mapper.column_attrs:
        value = getattr(record, attribute.key)
        values[attribute.key] = value.isoformat() if isinstance(value, dt.date | dt.datetime) else value
    return values

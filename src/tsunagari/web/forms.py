"""The form kit: typed form fields, turning posted text into values and values back into text; no domain.

Staff pages of every domain describe their forms with `FormField`s and read them with `form_values`.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import inspect

from tsunagari.errors import InvalidInput, Problem


@dataclass(frozen=True)
class FormField:
    name: str
    label: str
    kind: str = "text"
    """text, textarea, int, float, date, bool, list, json, or select"""
    choices: tuple[str, ...] = ()


def field(name: str, label: str, kind: str = "text", choices: tuple[str, ...] = ()) -> FormField:
    return FormField(name, label, kind, choices)


def convert(form_field: FormField, raw: str) -> Any:
    """One posted value as its field's kind; an empty one is None (or [] / {} for lists and JSON)."""
    raw = raw.strip()
    if form_field.kind == "bool":
        return raw in ("on", "true", "1")
    if raw == "":
        return [] if form_field.kind == "list" else ({} if form_field.kind == "json" else None)
    try:
        if form_field.kind == "int":
            return int(raw)
        if form_field.kind == "float":
            return float(raw)
        if form_field.kind == "date":
            return dt.date.fromisoformat(raw)
        if form_field.kind == "list":
            return [part.strip() for part in raw.split(",") if part.strip()]
        if form_field.kind == "json":
            return json.loads(raw)
    except (ValueError, json.JSONDecodeError):
        raise InvalidInput(
            "形式が正しくありません / invalid format", field=form_field.name, value=raw
        ) from None
    return raw


def form_values(fields: tuple[FormField, ...], form: dict[str, str]) -> dict[str, Any]:
    """The posted fields (a missing checkbox is False), converted; every problem reported at once."""
    values: dict[str, Any] = {}
    problems: list[Problem] = []
    for form_field in fields:
        if form_field.kind != "bool" and form_field.name not in form:
            continue
        try:
            values[form_field.name] = convert(form_field, form.get(form_field.name, ""))
        except InvalidInput as error:
            problems.extend(error.problems)
    if problems:
        raise InvalidInput(problems=problems)
    return values


def display(value: Any) -> str:
    """A value as the text a form field shows."""
    if value is None:
        return ""
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return str(value)


def messages(error: InvalidInput, fields: tuple[FormField, ...]) -> list[str]:
    """Each problem of the input, named by its field's label."""
    labels = {f.name: f.label for f in fields}
    out = []
    for problem in error.problems:
        label = labels.get((problem.field or "").split(".")[0], problem.field or "")
        out.append(f"{label}: {problem.reason}" if label else problem.reason)
    return out


def problems(error: InvalidInput) -> list[str]:
    return [p.describe() for p in error.problems]


def form_version(form: dict[str, str]) -> int:
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

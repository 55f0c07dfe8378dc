"""Checking a partnerships file (CSV / XLSX / JSON, version 1) row by row: every column read into a
PartnershipRow, the home party found in the registry, every problem named by row and column. Reads
only; the partner is still text, resolved when the row is written (importers.partnerships)."""

from __future__ import annotations

import datetime as dt
import unicodedata
from collections.abc import Sequence
from contextlib import suppress
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Final

from sqlalchemy.orm import Session

from tsunagari.common.fields import parse_field_text
from tsunagari.dates import PartialDate, parse_date
from tsunagari.errors import InvalidInput, Problem
from tsunagari.importers.tabular import Row, read_table
from tsunagari.municipality import service as municipality_service
from tsunagari.municipality.models import Municipality
from tsunagari.names.normalize import fold
from tsunagari.partnership.export import COLUMNS
from tsunagari.partnership.models import (
    PARTNERSHIP_TYPE_LABELS,
    STATUS_LABELS,
    PartnershipStatus,
    PartnershipType,
)
from tsunagari.partnership.schemas import PartnershipCreate
from tsunagari.reference.countries import resolve_country
from tsunagari.reference.japan import validate_code

REQUIRED_COLUMNS: Final = ("partner", "partner_country", "type")
HOME_COLUMNS: Final = ("municipality", "municipality_code")
# Limits of the columns these values are stored in.
MAX_NAME: Final = 200
MAX_SOURCE: Final = 500


def _key(text: str) -> str:
    return unicodedata.normalize("NFKC", text).strip().casefold().replace(" ", "_").replace("-", "_")


def _type_names() -> dict[str, PartnershipType]:
    names: dict[str, PartnershipType] = {}
    for code, (label_ja, label_en) in PARTNERSHIP_TYPE_LABELS.items():
        for name in (code, label_ja, label_en):
            names[_key(name)] = PartnershipType(code)
    # Other words Japanese lists use for the same agreements.
    names[_key("職員相互交流")] = PartnershipType.staff_exchange
    names[_key("職員相互派遣")] = PartnershipType.staff_exchange
    return names


def _status_names() -> dict[str, PartnershipStatus]:
    names: dict[str, PartnershipStatus] = {}
    for code, (label_ja, label_en) in STATUS_LABELS.items():
        for name in (code, label_ja, label_en):
            names[_key(name)] = PartnershipStatus(code)
    names.update({_key("継続"): PartnershipStatus.active, _key("休止"): PartnershipStatus.suspended})
    names.update({_key("終了"): PartnershipStatus.ended, _key("解消済"): PartnershipStatus.ended})
    names[_key("検討中")] = PartnershipStatus.planned
    return names


TYPE_NAMES: Final = _type_names()
STATUS_NAMES: Final = _status_names()


@dataclass(frozen=True)
class PartnershipRow:
    """A row that passed validation. The partner is still text: it is resolved when written."""

    line: int
    home_municipality_id: int
    partner: str
    partner_name_en: str | None
    partner_country: str
    partner_region: str | None
    type: PartnershipType
    signed_on: PartialDate | None
    status: PartnershipStatus
    ended_on: PartialDate | None
    origin: str | None
    notes: str | None
    source: str
    fields: tuple[str, ...] = ()
    """交流分野 as codes; none given leaves a stored partnership's fields as they are."""

    def create_data(self, partner: Municipality | int) -> PartnershipCreate:
        """The partnership the row stands for, with this partner (a record or its id)."""
        return PartnershipCreate(
            home_municipality_id=self.home_municipality_id,
            partner_municipality_id=partner if isinstance(partner, int) else partner.id,
            partner_written_name=self.partner,
            type=self.type,
            signed_on=self.signed_on.value if self.signed_on else None,
            signed_on_precision=self.signed_on.precision if self.signed_on else None,
            status=self.status,
            ended_on=self.ended_on.value if self.ended_on else None,
            ended_on_precision=self.ended_on.precision if self.ended_on else None,
            origin=self.origin,
            notes=self.notes,
            source=self.source,
            fields=list(self.fields),
        )

    def pending_fields(self) -> dict[str, Any]:
        """What to create once a person names the partner, as JSON values (PendingPartnership)."""
        return {
            "line": self.line,
            "home_municipality_id": self.home_municipality_id,
            "partner": self.partner,
            "partner_name_en": self.partner_name_en,
            "partner_country": self.partner_country,
            "partner_region": self.partner_region,
            "type": self.type.value,
            "signed_on": self.signed_on.value.isoformat() if self.signed_on else None,
            "signed_on_precision": self.signed_on.precision if self.signed_on else None,
            "status": self.status.value,
            "ended_on": self.ended_on.value.isoformat() if self.ended_on else None,
            "ended_on_precision": self.ended_on.precision if self.ended_on else None,
            "origin": self.origin,
            "notes": self.notes,
            "source": self.source,
            "fields": list(self.fields),
        }

    @classmethod
    def from_pending(cls, pending: dict[str, Any]) -> PartnershipRow:
        def partial(name: str) -> PartialDate | None:
            value = pending.get(name)
            return PartialDate.from_parts(
                dt.date.fromisoformat(value) if value else None, pending.get(f"{name}_precision")
            )

        return cls(
            line=int(pending.get("line") or 0),
            home_municipality_id=int(pending["home_municipality_id"]),
            partner=str(pending["partner"]),
            partner_name_en=pending.get("partner_name_en"),
            partner_country=str(pending["partner_country"]),
            partner_region=pending.get("partner_region"),
            type=PartnershipType(pending["type"]),
            signed_on=partial("signed_on"),
            status=PartnershipStatus(pending.get("status") or "active"),
            ended_on=partial("ended_on"),
            origin=pending.get("origin"),
            notes=pending.get("notes"),
            source=str(pending.get("source") or ""),
            fields=tuple(pending.get("fields") or ()),
        )


@dataclass
class _Validator:
    """Checks rows one by one; remembers home look-ups, since a file usually has few homes."""

    session: Session
    file_name: str
    missing_columns: set[str]
    homes: dict[tuple[str, str, str], tuple[int | None, list[Problem]]] = field(default_factory=dict)
    by_code: dict[str, int] = field(default_factory=dict)
    """The ids of the registry's municipalities of the codes the file gives (load_codes)."""
    # Values repeat from row to row: each distinct one is read once (results, or the error).
    countries: dict[str, str | InvalidInput] = field(default_factory=dict)
    dates: dict[tuple[str, str], PartialDate | InvalidInput] = field(default_factory=dict)

    def load_codes(self, rows: Sequence[Row]) -> None:
        codes: set[str] = set()
        for row in rows:
            code = row.get("municipality_code").strip()
            for candidate in (code, code.zfill(6)) if len(code) == 5 else (code,):
                with suppress(InvalidInput):  # reported by _find_home
                    codes.add(validate_code(candidate))
        wanted = sorted(codes)
        for start in range(0, len(wanted), 500):
            self.by_code.update(
                municipality_service.ids_by_jis_code(
                    session=self.session, jis_codes=wanted[start : start + 500]
                )
            )

    def _by_code(self, code: str) -> int | None:
        """The id municipality_service.get_by_jis_code finds, from the codes read beforehand."""
        return self.by_code.get(validate_code(code))

    def _country(self, written: str) -> str:
        """resolve_country(written).alpha2, or its InvalidInput."""
        if written not in self.countries:
            try:
                self.countries[written] = resolve_country(written, field="partner_country").alpha2
            except InvalidInput as error:
                self.countries[written] = error
        found = self.countries[written]
        if isinstance(found, InvalidInput):
            raise found
        return found

    def _date(self, written: str, column: str) -> PartialDate:
        """parse_date(written), or its InvalidInput."""
        key = (written, column)
        if key not in self.dates:
            try:
                self.dates[key] = parse_date(written, field=column)
            except InvalidInput as error:
                self.dates[key] = error
        found = self.dates[key]
        if isinstance(found, InvalidInput):
            raise found
        return found

    def row(self, row: Row) -> tuple[PartnershipRow | None, list[Problem]]:
        line = row.line

        texts = {column: value.strip() for column, value in row.values.items()}

        def text(column: str) -> str:
            return texts.get(column, "")

        problems: list[Problem] = []

        def refused(error: InvalidInput) -> None:
            problems.extend(replace(p, row=line) for p in error.problems)

        home_id, home_problems = self._home(
            text("municipality_code"), text("municipality"), text("municipality_prefecture")
        )
        problems.extend(replace(p, row=line) for p in home_problems)

        partner = text("partner")
        if not partner and "partner" not in self.missing_columns:
            problems.append(
                Problem("the partner's name is required", field="partner", value=partner, row=line)
            )
        for column in ("partner", "partner_name_en", "partner_region", "municipality"):
            if len(text(column)) > MAX_NAME:
                problems.append(Problem(f"longer than {MAX_NAME} characters", field=column, row=line))

        country: str | None = None
        if "partner_country" not in self.missing_columns:
            try:
                country = self._country(text("partner_country"))
            except InvalidInput as error:
                refused(error)

        type_ = TYPE_NAMES.get(_key(text("type")))
        if type_ is None and "type" not in self.missing_columns:
            reason = (
                "the type is required"
                if not text("type")
                else "unknown type: give a code (sister_city) or a label (姉妹都市)"
            )
            problems.append(Problem(reason, field="type", value=text("type"), row=line))

        signed_on = ended_on = None
        try:
            signed_on = self._date(text("signed_on"), "signed_on") if text("signed_on") else None
        except InvalidInput as error:
            refused(error)
        try:
            ended_on = self._date(text("ended_on"), "ended_on") if text("ended_on") else None
        except InvalidInput as error:
            refused(error)

        status = self._status(text("status"), ended_on, line, problems)
        if signed_on and ended_on and ended_on.value < signed_on.value:
            problems.append(
                Problem("ended before it was signed", field="ended_on", value=text("ended_on"), row=line)
            )

        fields: list[str] = []
        try:
            fields = parse_field_text(text("fields"))
        except ValueError as error:
            problems.append(Problem(str(error), field="fields", value=text("fields"), row=line))

        source = text("source") or f"import:{self.file_name}:line {line}"
        if len(source) > MAX_SOURCE:
            problems.append(Problem(f"longer than {MAX_SOURCE} characters", field="source", row=line))

        if problems or home_id is None or country is None or type_ is None or status is None or not partner:
            return None, problems
        return (
            PartnershipRow(
                line=line,
                home_municipality_id=home_id,
                partner=partner,
                partner_name_en=text("partner_name_en") or None,
                partner_country=country,
                partner_region=text("partner_region") or None,
                type=type_,
                signed_on=signed_on,
                status=status,
                ended_on=ended_on,
                origin=text("origin") or None,
                notes=text("notes") or None,
                source=source,
                fields=tuple(fields),
            ),
            [],
        )

    @staticmethod
    def _status(
        written: str, ended_on: PartialDate | None, line: int, problems: list[Problem]
    ) -> PartnershipStatus | None:
        if not written:
            # An end date with no status can only mean the partnership has ended.
            return PartnershipStatus.ended if ended_on else PartnershipStatus.active
        status = STATUS_NAMES.get(_key(written))
        if status is None:
            problems.append(
                Problem(
                    "unknown status: active (継続中), planned (協議中), suspended (休止中) or ended (解消)",
                    field="status",
                    value=written,
                    row=line,
                )
            )
        elif status == PartnershipStatus.active and ended_on is not None:
            problems.append(
                Problem(
                    "an active partnership has no ended_on; set status to ended",
                    field="status",
                    value=written,
                    row=line,
                )
            )
        return status

    def _code_without_its_zero(self, code: str) -> int | None:
        """Excel turns 062081 into 62081, which would otherwise read as a 5-digit code without its
        check digit; the 6-digit reading is taken only when it is valid and in the registry."""
        try:
            return self._by_code(code.zfill(6))
        except InvalidInput:
            return None

    def _home(self, code: str, name: str, prefecture: str) -> tuple[int | None, list[Problem]]:
        key = (code, name, prefecture)
        if key not in self.homes:
            self.homes[key] = self._find_home(code, name, prefecture)
        return self.homes[key]

    def _find_home(self, code: str, name: str, prefecture: str) -> tuple[int | None, list[Problem]]:
        """The home party: by code, or by name (+ prefecture), in Japan first; it must be unambiguous."""
        session = self.session
        if code:
            try:
                home_id = self._by_code(code)
            except InvalidInput as error:
                return None, error.problems
            if home_id is None and len(code) == 5:
                home_id = self._code_without_its_zero(code)
            if home_id is None:
                return None, [
                    Problem(
                        "no municipality has this code in the registry", field="municipality_code", value=code
                    )
                ]
            if name:
                home = municipality_service.get(session=session, municipality_id=home_id)
                if home not in municipality_service.find_by_name(session=session, name=name):
                    return None, [
                        Problem(
                            f"municipality_code {validate_code(code)} is {home.display_name()}, not {name}",
                            field="municipality",
                            value=name,
                        )
                    ]
            return home_id, []
        if not name:
            if HOME_COLUMNS[0] in self.missing_columns:
                return None, []  # already reported once for the whole file
            return None, [
                Problem(
                    "the home municipality is required (municipality or municipality_code)",
                    field="municipality",
                )
            ]
        region = prefecture or None
        found = municipality_service.find_by_name(
            session=session, name=name, country="JP", region=region
        ) or municipality_service.find_by_name(session=session, name=name, region=region)
        if not found and region is not None:
            elsewhere = municipality_service.find_by_name(session=session, name=name, country="JP")
            if elsewhere:
                # The name exists, in another prefecture: the prefecture is what is wrong.
                places = "; ".join(m.display_name() for m in elsewhere[:8])
                return None, [
                    Problem(
                        f"{name} is not in {prefecture} (it is: {places})",
                        field="municipality_prefecture",
                        value=prefecture,
                    )
                ]
        if not found:
            return None, [
                Problem("no municipality of this name in the registry", field="municipality", value=name)
            ]
        if len(found) > 1:
            named = "; ".join(f"{m.display_name()} ({m.jis_code or m.country})" for m in found[:8])
            return None, [
                Problem(
                    f"ambiguous: could be {named}; add municipality_prefecture or municipality_code",
                    field="municipality",
                    value=name,
                )
            ]
        home = found[0]
        if prefecture and not (home.region and fold(prefecture) in fold(home.region)):
            return None, [
                Problem(
                    f"{home.name} is in {home.region or home.country}, not {prefecture}",
                    field="municipality_prefecture",
                    value=prefecture,
                )
            ]
        return home.id, []


def validate(*, session: Session, path: Path) -> tuple[int, list[PartnershipRow], list[Problem]]:
    """(number of rows, the valid rows, every problem in the file). Reads only."""
    table = read_table(
        path,
        known_columns=COLUMNS,
        required_columns=REQUIRED_COLUMNS,
        json_key="partnerships",
        code_columns={"municipality_code": 6},
    )
    problems = list(table.problems)
    missing = {column for column in COLUMNS if column not in table.columns}
    is_json = path.suffix.lower() == ".json"
    if (table.rows or not is_json) and all(column in missing for column in HOME_COLUMNS):
        problems.append(
            Problem(
                "required column is missing: municipality or municipality_code",
                field="municipality",
                row=None if is_json else 1,
            )
        )
    validator = _Validator(session=session, file_name=path.name, missing_columns=missing)
    validator.load_codes(table.rows)
    valid: list[PartnershipRow] = []
    for row in table.rows:
        checked, row_problems = validator.row(row)
        problems.extend(row_problems)
        if checked is not None:
            valid.append(checked)
    return len(table.rows), valid, problems

"""Partnerships CSV / XLSX / JSON (version 1) into the registry: every row is checked first
(partnerships_validation) and any invalid row means nothing is written; a partner with several
candidates waits on the review list.
"""

from __future__ import annotations

import gc
import json
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, ClassVar, Final

from pydantic import ValidationError
from sqlalchemy.orm import Session

from tsunagari.errors import InvalidInput, Problem
from tsunagari.importers.partnerships_validation import PartnershipRow, validate
from tsunagari.importers.partnerships_writing import (
    BulkWriter,
    StoredPartnerships,
    write_partnership,
)
from tsunagari.municipality.models import Municipality
from tsunagari.municipality.schemas import MunicipalityCreate
from tsunagari.names import service as names_service
from tsunagari.names.candidates import exact_keys
from tsunagari.names.partners import RegistryNames, SettledNames, resolve_partner
from tsunagari.names.pending import PendingAction, register
from tsunagari.partnership import service as partnership_service

PENDING_KIND: Final = "partnership"

ProgressCallback = Callable[[int, int], None]
"""Called after each row is written with (rows done, rows in the file)."""


@dataclass
class ImportReport:
    """What an import did (or, with dry_run, would do). `as_json` is the stable `import --json` shape."""

    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    review: int = 0
    errors: list[Problem] = field(default_factory=list)
    municipalities_created: int = 0
    """Partners new to the registry: taken from the gazetteer, or from the row when no place matches."""
    dry_run: bool = False

    def as_json(self) -> dict[str, Any]:
        return {
            "rows": self.rows,
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "review": self.review,
            "errors": [
                {"row": p.row, "field": p.field, "value": p.value, "reason": p.reason} for p in self.errors
            ],
            "municipalities_created": self.municipalities_created,
            "dry_run": self.dry_run,
        }


class ImportRefused(InvalidInput):
    """Some rows are invalid, so nothing was written; `summary` is the report naming every problem."""

    def __init__(self, summary: ImportReport) -> None:
        super().__init__(problems=summary.errors)
        self.summary = summary


# ----------------------------------------------------------------------------- writing
def write_row(
    *, session: Session, row: PartnershipRow, partner: Municipality
) -> partnership_service.UpsertOutcome:
    """Insert or update the row's partnership by its natural key (home, partner, type)."""
    return write_partnership(session, row, partner)[1]


@register
@dataclass(frozen=True)
class PendingPartnership(PendingAction):
    """A partnership row that waits on the review list for a person to name its partner."""

    kind: ClassVar[str] = PENDING_KIND
    row: PartnershipRow

    def as_json(self) -> dict[str, Any]:
        return self.row.pending_fields()

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> PendingPartnership:
        return cls(PartnershipRow.from_pending(data))

    def carry_out(self, *, session: Session, municipality: Municipality) -> None:
        write_row(session=session, row=self.row, partner=municipality)


@dataclass
class _Writer:
    """Writes valid rows in file order: a partner that one row adds to the registry, the next finds.

    A row whose partner has an exact registry name is decided in memory and written in bulk
    (BulkWriter); any other row goes through resolve_partner and the services on its own, after
    what the rows before it hold is written.
    """

    session: Session
    file_name: str
    report: ImportReport
    settled: SettledNames
    registry: RegistryNames
    bulk: BulkWriter
    open_reviews: set[tuple[str, str | None, str]] | None = None
    """What waits on the review list, read when the first row goes there."""

    def write(self, row: PartnershipRow) -> None:
        outcome = self.bulk.write(row)
        if outcome is None:
            outcome = self._write_one(row)
            if outcome is None:
                return
        if outcome == "created":
            self.report.created += 1
        elif outcome == "updated":
            self.report.updated += 1
        else:
            self.report.unchanged += 1

    def _write_one(self, row: PartnershipRow) -> partnership_service.UpsertOutcome | None:
        """The row resolved and written through the services, after what the rows before it hold."""
        self.bulk.flush_names()
        found = resolve_partner(
            session=self.session,
            name=row.partner,
            country=row.partner_country,
            region=row.partner_region,
            name_en=row.partner_name_en,
            settled_partner_id=self.settled.get(
                home_municipality_id=row.home_municipality_id,
                type_=row.type.value,
                written=row.partner,
                country=row.partner_country,
            ),
            create=lambda: MunicipalityCreate(
                name=row.partner,
                name_en=row.partner_name_en,
                country=row.partner_country,
                region=row.partner_region,
                source=f"import:{self.file_name}:line {row.line}",
            ),
        )
        partner = found.municipality
        if partner is None:
            self._send_to_review(row, found.resolution)
            return None
        if found.new_to_registry:
            self.report.municipalities_created += 1
        self.bulk.flush()
        try:
            partnership, outcome, from_home = write_partnership(self.session, row, partner)
        finally:
            # The partner's new names are stored even when the row then fails (it is reported).
            self.registry.refresh(partner)
        self.bulk.partnerships.remember(partnership)
        if from_home:
            self.settled.remember(
                home_municipality_id=row.home_municipality_id,
                type_=row.type.value,
                written=row.partner,
                partner=partner,
            )
        return outcome

    def _send_to_review(self, row: PartnershipRow, resolution: names_service.Resolution) -> None:
        pending = PendingPartnership(row)
        if self.open_reviews is None:
            # A re-import must not queue the same row for review twice.
            self.open_reviews = {
                (item.text, item.country, _canonical(item.pending))
                for item in names_service.open_reviews(session=self.session)
                if item.pending and item.pending.get("kind") == PENDING_KIND
            }
        key = (resolution.text, resolution.country, _canonical(pending.to_json()))
        if key not in self.open_reviews:
            names_service.send_to_review(
                session=self.session,
                resolution=resolution,
                source=f"import:{self.file_name}:line {row.line}",
                pending=pending,
            )
            self.open_reviews.add(key)
        self.report.review += 1


def _canonical(value: object) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False, default=str)


def import_partnerships(
    *,
    session: Session,
    path: Path,
    dry_run: bool = False,
    progress: ProgressCallback | None = None,
) -> ImportReport:
    """Import a partnerships file within the caller's transaction.

    Every row is validated first; if any is invalid, ImportRefused (an InvalidInput) names every
    problem and nothing is written. The writes run in a savepoint, so a dry run (or a failure in
    the middle) leaves the caller's transaction as it was.
    """
    # As in import_pairs: the rows and records live until the end, and the cyclic collector would walk
    # them again and again while freeing almost nothing; reference counting frees the rest.
    enabled = gc.isenabled()
    gc.disable()
    try:
        return _import_partnerships(session=session, path=path, dry_run=dry_run, progress=progress)
    finally:
        if enabled:
            gc.enable()


def _import_partnerships(
    *, session: Session, path: Path, dry_run: bool, progress: ProgressCallback | None
) -> ImportReport:
    rows, valid, problems = validate(session=session, path=path)
    report = ImportReport(rows=rows, dry_run=dry_run)
    if problems:
        report.errors = problems
        raise ImportRefused(report)
    with session.begin_nested() as savepoint:
        homes = {row.home_municipality_id for row in valid}
        settled = SettledNames.load(session=session, home_municipality_ids=homes)
        keys_by_country: dict[str, set[str]] = defaultdict(set)
        for row in valid:
            keys_by_country[row.partner_country].update(exact_keys(row.partner))
        registry = RegistryNames.load(session=session, keys_by_country=keys_by_country)
        bulk = BulkWriter(
            session=session,
            registry=registry,
            partnerships=StoredPartnerships.load(session=session, home_municipality_ids=homes),
            settled=settled,
        )
        writer = _Writer(
            session=session, file_name=path.name, report=report, settled=settled, registry=registry, bulk=bulk
        )
        for done, row in enumerate(valid, start=1):
            try:
                writer.write(row)
            except InvalidInput as error:
                problems.extend(replace(p, row=p.row or row.line) for p in error.problems)
            except ValidationError as error:
                problems.extend(
                    Problem(
                        detail["msg"], field=".".join(str(p) for p in detail["loc"]) or None, row=row.line
                    )
                    for detail in error.errors()
                )
            if progress is not None:
                progress(done, len(valid))
        if problems:
            report.errors = problems
            raise ImportRefused(report)
        bulk.flush()
        if dry_run:
            savepoint.rollback()
    return report

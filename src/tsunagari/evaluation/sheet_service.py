"""The 事務事業評価 inputs (a programme's sheet, its figures per fiscal year, each municipality's unit labour
cost): the only module that reads or writes their tables; flushes, never commits."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, TypeVar

from pydantic import BaseModel
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from tsunagari.access.action_kit import given_changes
from tsunagari.common.records import assign_changed
from tsunagari.errors import Conflict, NotFound, parse
from tsunagari.evaluation.models import LabourCostRate, ProgrammeSheet, ProgrammeSheetYear
from tsunagari.evaluation.schemas import LabourCostIn, ProgrammeSheetIn, ProgrammeSheetYearIn
from tsunagari.exchange import programme_service
from tsunagari.municipality import service as municipality_service

Record = TypeVar("Record", LabourCostRate, ProgrammeSheet, ProgrammeSheetYear)

_DUPLICATE = {
    LabourCostRate: "この自治体の人件費単価は登録済みです / this municipality already has a unit labour cost",
    ProgrammeSheet: "この事業の評価シートは登録済みです / this programme already has a sheet",
    ProgrammeSheetYear: "この事業のこの年度は登録済みです / this programme already has this fiscal year",
}


def _get(session: Session, model: type[Record], record_id: int, label: str) -> Record:
    record = session.get(model, record_id)
    if record is None:
        raise NotFound(f"{label} {record_id} はありません / no {label} {record_id}")
    return record


def _check_references(session: Session, data: BaseModel) -> None:
    """The programme or municipality named exists (NotFound names it)."""
    if isinstance(data, LabourCostIn):
        municipality_service.get(session=session, municipality_id=data.municipality_id)
    elif isinstance(data, ProgrammeSheetIn | ProgrammeSheetYearIn):
        programme_service.get_programme(session=session, programme_id=data.programme_id)


# The natural key of each table: checked before the flush, so a duplicate is a Conflict and the
# transaction stays usable (the IntegrityError catch is for a concurrent insert).
_KEYS: dict[type[Any], tuple[str, ...]] = {
    LabourCostRate: ("municipality_id",),
    ProgrammeSheet: ("programme_id",),
    ProgrammeSheetYear: ("programme_id", "fiscal_year"),
}


def _refuse_duplicate(
    session: Session, model: type[Any], values: Mapping[str, Any], own_id: int | None
) -> None:
    statement = select(model.id).where(*(getattr(model, key) == values[key] for key in _KEYS[model]))
    if own_id is not None:
        statement = statement.where(model.id != own_id)
    if session.scalars(statement.limit(1)).first() is not None:
        raise Conflict(_DUPLICATE[model])


def _flush(session: Session, model: type[Any]) -> None:
    try:
        session.flush()
    except IntegrityError:
        raise Conflict(_DUPLICATE[model]) from None


def _create(session: Session, model: type[Record], schema: type[BaseModel], data: Any) -> Record:
    checked = parse(schema, data)
    _check_references(session, checked)
    _refuse_duplicate(session, model, checked.model_dump(), None)
    record = model(**checked.model_dump())
    session.add(record)
    _flush(session, model)
    return record


def _update(session: Session, record: Record, schema: type[BaseModel], changes: Mapping[str, Any]) -> Record:
    given_changes(changes, schema.model_fields)
    current = {name: getattr(record, name) for name in schema.model_fields}
    checked = parse(schema, {**current, **changes})
    _check_references(session, checked)
    values = checked.model_dump()
    _refuse_duplicate(session, type(record), values, record.id)
    assign_changed(record, {name: values[name] for name in changes})
    _flush(session, type(record))
    return record


def _delete(session: Session, record: Any) -> None:
    session.delete(record)
    session.flush()


# ----------------------------------------------------------------------------- 人件費単価
def get_labour_cost(*, session: Session, labour_cost_id: int) -> LabourCostRate:
    return _get(session, LabourCostRate, labour_cost_id, "人件費単価 / labour cost")


def labour_cost_for(*, session: Session, municipality_id: int) -> LabourCostRate | None:
    return session.scalars(
        select(LabourCostRate).where(LabourCostRate.municipality_id == municipality_id)
    ).one_or_none()


def create_labour_cost(*, session: Session, data: LabourCostIn | Mapping[str, Any]) -> LabourCostRate:
    return _create(session, LabourCostRate, LabourCostIn, data)


def update_labour_cost(
    *, session: Session, rate: LabourCostRate, changes: Mapping[str, Any]
) -> LabourCostRate:
    return _update(session, rate, LabourCostIn, changes)


def delete_labour_cost(*, session: Session, rate: LabourCostRate) -> None:
    _delete(session, rate)


# ----------------------------------------------------------------------------- the sheet
def get_sheet(*, session: Session, programme_sheet_id: int) -> ProgrammeSheet:
    return _get(session, ProgrammeSheet, programme_sheet_id, "評価シート / sheet")


def sheet_for(*, session: Session, programme_id: int) -> ProgrammeSheet | None:
    return session.scalars(
        select(ProgrammeSheet).where(ProgrammeSheet.programme_id == programme_id)
    ).one_or_none()


def create_sheet(*, session: Session, data: ProgrammeSheetIn | Mapping[str, Any]) -> ProgrammeSheet:
    return _create(session, ProgrammeSheet, ProgrammeSheetIn, data)


def update_sheet(*, session: Session, sheet: ProgrammeSheet, changes: Mapping[str, Any]) -> ProgrammeSheet:
    return _update(session, sheet, ProgrammeSheetIn, changes)


def delete_sheet(*, session: Session, sheet: ProgrammeSheet) -> None:
    _delete(session, sheet)


def list_sheets(*, session: Session) -> Sequence[ProgrammeSheet]:
    return session.scalars(select(ProgrammeSheet).order_by(ProgrammeSheet.programme_id)).all()


# ----------------------------------------------------------------------------- one fiscal year
def get_year(*, session: Session, programme_sheet_year_id: int) -> ProgrammeSheetYear:
    return _get(session, ProgrammeSheetYear, programme_sheet_year_id, "評価シートの年度 / sheet year")


def years_for(
    *, session: Session, programme_id: int, first_fy: int | None = None, last_fy: int | None = None
) -> Sequence[ProgrammeSheetYear]:
    statement = select(ProgrammeSheetYear).where(ProgrammeSheetYear.programme_id == programme_id)
    if first_fy is not None:
        statement = statement.where(ProgrammeSheetYear.fiscal_year >= first_fy)
    if last_fy is not None:
        statement = statement.where(ProgrammeSheetYear.fiscal_year <= last_fy)
    return session.scalars(statement.order_by(ProgrammeSheetYear.fiscal_year)).all()


def create_year(*, session: Session, data: ProgrammeSheetYearIn | Mapping[str, Any]) -> ProgrammeSheetYear:
    return _create(session, ProgrammeSheetYear, ProgrammeSheetYearIn, data)


def update_year(
    *, session: Session, year: ProgrammeSheetYear, changes: Mapping[str, Any]
) -> ProgrammeSheetYear:
    return _update(session, year, ProgrammeSheetYearIn, changes)


def delete_year(*, session: Session, year: ProgrammeSheetYear) -> None:
    _delete(session, year)

"""Writes of evaluations, permission-checked: a reviewer saves their own scores of a partnership or a
programme; editors enter a programme's 事務事業評価 inputs and their municipality's unit labour cost."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy.orm import Session

from tsunagari.access.action_kit import check_version, delete_record, stale_is_conflict
from tsunagari.access.permissions import Target, require
from tsunagari.access.principal import Principal
from tsunagari.errors import Conflict, InvalidInput, parse
from tsunagari.evaluation import permissions as _rules  # noqa: F401 - registers this domain's rules
from tsunagari.evaluation import service as evaluation_service
from tsunagari.evaluation import sheet_service
from tsunagari.evaluation.models import Evaluation, LabourCostRate, ProgrammeSheet, ProgrammeSheetYear
from tsunagari.evaluation.schemas import LabourCostIn, ProgrammeSheetIn, ProgrammeSheetYearIn
from tsunagari.exchange import programme_service


def score_evaluation(
    *,
    session: Session,
    actor: Principal | None,
    kind: str,
    subject_id: int,
    data: Mapping[str, Any],
    version: int | None,
) -> Evaluation:
    """Save the actor's own scores for a partnership or programme; version 0 for a first evaluation."""
    require("score_evaluation", actor, Target("evaluation", record_id=subject_id))
    assert actor is not None  # the rule refuses the public
    existing = evaluation_service.get_evaluation(
        session=session, kind=kind, subject_id=subject_id, reviewer_id=actor.user_id
    )
    if existing is None:
        if version not in (0, None):
            raise Conflict(f"評価はまだ保存されていません (版 0)、あなたの版 {version} / not scored yet")
    else:
        check_version(existing, version)
    with stale_is_conflict():
        return evaluation_service.score(
            session=session,
            kind=kind,
            subject_id=subject_id,
            reviewer_id=actor.user_id,
            reviewer_name=actor.display_name or actor.email,
            data=data,
        )


# ----------------------------------------------------------------------------- 事務事業評価 inputs
def _programme_target(session: Session, kind: str, programme_id: Any) -> Target:
    """A programme's sheet belongs to the municipalities that run the programme."""
    try:
        wanted = int(programme_id)
    except (TypeError, ValueError):
        raise InvalidInput("事業のIDを指定してください / give a programme id", field="programme_id") from None
    programme = programme_service.get_programme(session=session, programme_id=wanted)
    owners = frozenset(o.municipality_id for o in programme.owners if o.municipality_id is not None)
    return Target(kind, owners, record_id=wanted)


def _municipality_target(municipality_id: Any) -> Target:
    try:
        wanted = int(municipality_id)
    except (TypeError, ValueError):
        raise InvalidInput(
            "自治体を指定してください / give a municipality", field="municipality_id"
        ) from None
    return Target("labour_cost", frozenset({wanted}))


def create_labour_cost(
    *, session: Session, actor: Principal | None, data: Mapping[str, Any] | LabourCostIn
) -> LabourCostRate:
    checked = parse(LabourCostIn, data)
    require("create_labour_cost", actor, _municipality_target(checked.municipality_id))
    return sheet_service.create_labour_cost(session=session, data=checked)


def update_labour_cost(
    *,
    session: Session,
    actor: Principal | None,
    labour_cost_id: int,
    changes: Mapping[str, Any],
    version: int | None,
) -> LabourCostRate:
    rate = sheet_service.get_labour_cost(session=session, labour_cost_id=labour_cost_id)
    require("update_labour_cost", actor, _municipality_target(rate.municipality_id))
    if "municipality_id" in changes:
        require("update_labour_cost", actor, _municipality_target(changes["municipality_id"]))
    check_version(rate, version)
    with stale_is_conflict():
        return sheet_service.update_labour_cost(session=session, rate=rate, changes=changes)


def delete_labour_cost(
    *, session: Session, actor: Principal | None, labour_cost_id: int, version: int | None = None
) -> None:
    rate = sheet_service.get_labour_cost(session=session, labour_cost_id=labour_cost_id)
    delete_record(
        session=session,
        actor=actor,
        action="delete_labour_cost",
        record=rate,
        target=_municipality_target(rate.municipality_id),
        version=version,
    )


def create_programme_sheet(
    *, session: Session, actor: Principal | None, data: Mapping[str, Any] | ProgrammeSheetIn
) -> ProgrammeSheet:
    checked = parse(ProgrammeSheetIn, data)
    require(
        "create_programme_sheet", actor, _programme_target(session, "programme_sheet", checked.programme_id)
    )
    return sheet_service.create_sheet(session=session, data=checked)


def update_programme_sheet(
    *,
    session: Session,
    actor: Principal | None,
    programme_sheet_id: int,
    changes: Mapping[str, Any],
    version: int | None,
) -> ProgrammeSheet:
    sheet = sheet_service.get_sheet(session=session, programme_sheet_id=programme_sheet_id)
    for programme_id in {sheet.programme_id, changes.get("programme_id", sheet.programme_id)}:
        require("update_programme_sheet", actor, _programme_target(session, "programme_sheet", programme_id))
    check_version(sheet, version)
    with stale_is_conflict():
        return sheet_service.update_sheet(session=session, sheet=sheet, changes=changes)


def delete_programme_sheet(
    *, session: Session, actor: Principal | None, programme_sheet_id: int, version: int | None = None
) -> None:
    sheet = sheet_service.get_sheet(session=session, programme_sheet_id=programme_sheet_id)
    delete_record(
        session=session,
        actor=actor,
        action="delete_programme_sheet",
        record=sheet,
        target=_programme_target(session, "programme_sheet", sheet.programme_id),
        version=version,
    )


def create_programme_sheet_year(
    *, session: Session, actor: Principal | None, data: Mapping[str, Any] | ProgrammeSheetYearIn
) -> ProgrammeSheetYear:
    checked = parse(ProgrammeSheetYearIn, data)
    target = _programme_target(session, "programme_sheet_year", checked.programme_id)
    require("create_programme_sheet_year", actor, target)
    return sheet_service.create_year(session=session, data=checked)


def update_programme_sheet_year(
    *,
    session: Session,
    actor: Principal | None,
    programme_sheet_year_id: int,
    changes: Mapping[str, Any],
    version: int | None,
) -> ProgrammeSheetYear:
    year = sheet_service.get_year(session=session, programme_sheet_year_id=programme_sheet_year_id)
    for programme_id in {year.programme_id, changes.get("programme_id", year.programme_id)}:
        require(
            "update_programme_sheet_year",
            actor,
            _programme_target(session, "programme_sheet_year", programme_id),
        )
    check_version(year, version)
    with stale_is_conflict():
        return sheet_service.update_year(session=session, year=year, changes=changes)


def delete_programme_sheet_year(
    *, session: Session, actor: Principal | None, programme_sheet_year_id: int, version: int | None = None
) -> None:
    year = sheet_service.get_year(session=session, programme_sheet_year_id=programme_sheet_year_id)
    delete_record(
        session=session,
        actor=actor,
        action="delete_programme_sheet_year",
        record=year,
        target=_programme_target(session, "programme_sheet_year", year.programme_id),
        version=version,
    )

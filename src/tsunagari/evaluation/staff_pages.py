"""Staff pages of evaluations: the scorecard of a partnership or programme and one's own scores; thin:
reads through `evaluation.service`, writes through `evaluation.actions`."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from fastapi import Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session

from tsunagari.access import permissions
from tsunagari.access.principal import Principal
from tsunagari.errors import Conflict, InvalidInput, Problem
from tsunagari.evaluation import actions as evaluation_actions
from tsunagari.evaluation import service as evaluation_service
from tsunagari.evaluation.download_staff_pages import EVALUATIONS as EVALUATIONS_EXPORT
from tsunagari.evaluation.download_staff_pages import evaluation_rows
from tsunagari.exchange import award_service, programme_service
from tsunagari.web.forms import FormField, display, form_version
from tsunagari.web.forms import problems as problem_texts
from tsunagari.web.list_export import download_links, wanted_format
from tsunagari.web.security import CurrentUser, FormFields, SessionDep
from tsunagari.web.staff_pages import render, say, staff_router

router = staff_router()

SubjectKind = Literal["partnership", "programme"]


@router.get("/evaluations", name="staff.evaluations")
def evaluations(request: Request, session: SessionDep, actor: CurrentUser) -> Response:
    permissions.require("view_evaluations", actor)
    recent = evaluation_service.recent(session=session)
    if wanted_format(request):
        return EVALUATIONS_EXPORT.response(request, evaluation_rows(session, list(recent)))
    return render(
        request,
        "evaluation/evaluations.html",
        title="Evaluations",
        recent=recent,
        downloads=download_links(request),
        programmes=programme_service.list_programmes(session=session)[:200],
    )


@router.get("/evaluations/open", name="staff.open_evaluation")
def open_evaluation(kind: SubjectKind, id: int, actor: CurrentUser) -> Response:
    return RedirectResponse(f"/staff/evaluation/{kind}/{id}", status_code=303)


def _evaluation_page(
    request: Request,
    session: Session,
    actor: Principal,
    kind: SubjectKind,
    subject_id: int,
    status_code: int = 200,
    **context: Any,
) -> Response:
    card = evaluation_service.scorecard(
        session=session, kind=kind, subject_id=subject_id, today=dt.date.today()
    )
    mine = evaluation_service.get_evaluation(
        session=session, kind=kind, subject_id=subject_id, reviewer_id=actor.user_id
    )
    own_scores = {s.criterion: s for s in mine.scores} if mine else {}
    return render(
        request,
        "evaluation/evaluation.html",
        status_code,
        title=say(request, "Evaluation: %(subject)s", subject=card.subject.title),
        card=card,
        kind=kind,
        subject_id=subject_id,
        mine=mine,
        own_scores=own_scores,
        version=mine.version if mine else 0,
        can_score=permissions.allowed("score_evaluation", actor),
        errors=context.pop("errors", []),
        values=context.pop("values", None),
        **context,
    )


@router.get("/evaluation/{kind}/{record_id}", name="staff.evaluation")
def evaluation(
    request: Request, kind: SubjectKind, record_id: int, session: SessionDep, actor: CurrentUser
) -> Response:
    permissions.require("view_evaluations", actor)
    return _evaluation_page(
        request, session, actor, kind, record_id, saved=request.query_params.get("saved") == "1"
    )


@router.post("/evaluation/{kind}/{record_id}", name="staff.score_evaluation")
def score_evaluation(
    request: Request,
    kind: SubjectKind,
    record_id: int,
    session: SessionDep,
    actor: CurrentUser,
    form: FormFields,
) -> Response:
    permissions.require("score_evaluation", actor)
    scores: dict[str, dict[str, Any]] = {}
    problems: list[Problem] = []
    for criterion in award_service.criteria("clair"):
        raw = form.get(f"score_{criterion.code}", "").strip()
        if raw and not raw.isdigit():
            problems.append(
                Problem("1〜5の整数で入力してください / a whole number 1–5", f"score_{criterion.code}", raw)
            )
            continue
        scores[criterion.code] = {
            "score": int(raw) if raw else None,
            "comment": form.get(f"comment_{criterion.code}") or None,
        }
    try:
        if problems:
            raise InvalidInput(problems=problems)
        evaluation_actions.score_evaluation(
            session=session,
            actor=actor,
            kind=kind,
            subject_id=record_id,
            data={"scores": scores, "comment": form.get("comment") or None},
            version=form_version(form),
        )
    except InvalidInput as error:
        session.rollback()
        return _evaluation_page(
            request, session, actor, kind, record_id, 422, errors=problem_texts(error), values=form
        )
    except Conflict as error:
        session.rollback()
        mine = evaluation_service.get_evaluation(
            session=session, kind=kind, subject_id=record_id, reviewer_id=actor.user_id
        )
        stored = {s.criterion: s for s in mine.scores} if mine else {}
        rows = []
        for criterion in award_service.criteria("clair"):
            row = stored.get(criterion.code)
            label = f"{criterion.name_ja} / {criterion.name_en}"
            theirs = f"{row.score} {row.comment or ''}".strip() if row else ""
            mine_text = (
                f"{form.get(f'score_{criterion.code}', '')} {form.get(f'comment_{criterion.code}', '')}"
            )
            rows.append((FormField(criterion.code, label), mine_text.strip(), theirs))
        return render(
            request,
            "conflict.html",
            409,
            title="Evaluation edit: conflict",
            message=str(error),
            rows=rows,
            action=f"/staff/evaluation/{kind}/{record_id}",
            current_version=mine.version if mine else 0,
            display=display,
        )
    return RedirectResponse(f"/staff/evaluation/{kind}/{record_id}?saved=1", status_code=303)

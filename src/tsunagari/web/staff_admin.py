"""Staff pages for accounts (users, one's own API tokens), policy rules, the review list and evaluations.

Thin: each form calls one action in `auth.actions`, whose permission rule of the same name decides.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session

from tsunagari.auth import actions, permissions
from tsunagari.auth import service as auth_service
from tsunagari.auth.models import Role
from tsunagari.auth.schemas import Principal
from tsunagari.errors import Conflict, InvalidInput, NotFound, Problem
from tsunagari.evaluation import service as evaluation_service
from tsunagari.exchange import service as exchange_service
from tsunagari.municipality import service as municipality_service
from tsunagari.names import service as names_service
from tsunagari.policy import service as policy_service
from tsunagari.policy.models import PolicyRules
from tsunagari.web.security import CurrentUser, FormFields, SessionDep
from tsunagari.web.staff import FormField, _display, render

router = APIRouter(prefix="/staff", include_in_schema=False)

SubjectKind = Literal["partnership", "programme"]


def _version(form: dict[str, str]) -> int:
    try:
        return int(form.get("version", ""))
    except ValueError:
        return -1


def _problems(error: InvalidInput) -> list[str]:
    return [p.describe() for p in error.problems]


# ----------------------------------------------------------------------------- users (admin)
def _municipality_ids(session: Session, text: str) -> list[int]:
    """Municipalities written as ids or exact Japanese names, separated by commas or 、."""
    ids: list[int] = []
    problems: list[Problem] = []
    for part in text.replace("、", ",").split(","):
        name = part.strip()
        if not name:
            continue
        if name.isdigit():
            try:
                ids.append(municipality_service.get(session=session, municipality_id=int(name)).id)
            except NotFound:
                problems.append(
                    Problem("該当する自治体がありません / no such municipality", "municipalities", name)
                )
            continue
        found = municipality_service.find_by_name(session=session, name=name, country="JP")
        if len(found) == 1:
            ids.append(found[0].id)
        else:
            problems.append(
                Problem(
                    f"{len(found)}件が該当します。IDで指定してください / {len(found)} match; give the id",
                    "municipalities",
                    name,
                )
            )
    if problems:
        raise InvalidInput(problems=problems)
    return ids


def _user_rows(session: Session) -> list[dict[str, Any]]:
    return [
        {
            "user": user,
            "municipalities": auth_service.municipality_names(session=session, user=user),
        }
        for user in auth_service.list_users(session=session)
    ]


def _users_page(request: Request, session: Session, status_code: int = 200, **context: Any) -> Response:
    return render(
        request,
        "users.html",
        status_code,
        title="職員アカウント / Staff accounts",
        rows=_user_rows(session),
        roles=[r.value for r in Role],
        errors=context.pop("errors", []),
        values=context.pop("values", {}),
        **context,
    )


@router.get("/users", name="staff.users")
def users(request: Request, session: SessionDep, actor: CurrentUser) -> Response:
    permissions.require("view_users", actor)
    return _users_page(request, session, created=request.query_params.get("created"))


@router.post("/users/new", name="staff.create_user")
def create_user(request: Request, session: SessionDep, actor: CurrentUser, form: FormFields) -> Response:
    permissions.require("create_user", actor)
    try:
        data: dict[str, Any] = {
            "email": form.get("email", ""),
            "display_name": form.get("display_name") or None,
            "role": form.get("role", "viewer"),
            "municipality_ids": _municipality_ids(session, form.get("municipalities", "")),
            "password": form.get("password") or None,
        }
        user = actions.create_user(session=session, actor=actor, data=data)
    except (InvalidInput, Conflict) as error:
        session.rollback()
        messages = _problems(error) if isinstance(error, InvalidInput) else [str(error)]
        status = 422 if isinstance(error, InvalidInput) else 409
        return _users_page(request, session, status, errors=messages, values=form)
    return RedirectResponse(f"/staff/users?created={user.id}", status_code=303)


def _user_form(
    request: Request, session: Session, user_id: int, status_code: int = 200, **context: Any
) -> Response:
    user = auth_service.get(session=session, user_id=user_id)
    return render(
        request,
        "user_edit.html",
        status_code,
        title=f"{user.email} の編集 / Edit account",
        account=user,
        municipalities=", ".join(
            f"{name}" for name in auth_service.municipality_names(session=session, user=user)
        ),
        municipality_ids=", ".join(str(link.municipality_id) for link in user.municipalities),
        roles=[r.value for r in Role],
        tokens=auth_service.tokens_of(session=session, user=user),
        errors=context.pop("errors", []),
        **context,
    )


@router.get("/users/{record_id}/edit", name="staff.edit_user")
def edit_user_form(request: Request, record_id: int, session: SessionDep, actor: CurrentUser) -> Response:
    permissions.require("view_users", actor)
    return _user_form(request, session, record_id, saved=request.query_params.get("saved") == "1")


@router.post("/users/{record_id}/edit", name="staff.update_user")
def update_user(
    request: Request, record_id: int, session: SessionDep, actor: CurrentUser, form: FormFields
) -> Response:
    permissions.require("update_user", actor)
    try:
        changes: dict[str, Any] = {
            "display_name": form.get("display_name") or None,
            "role": form.get("role") or None,
            "municipality_ids": _municipality_ids(session, form.get("municipalities", "")),
        }
        actions.update_user(
            session=session, actor=actor, user_id=record_id, changes=changes, version=_version(form)
        )
    except InvalidInput as error:
        session.rollback()
        return _user_form(request, session, record_id, 422, errors=_problems(error))
    except Conflict as error:
        session.rollback()
        user = auth_service.get(session=session, user_id=record_id)
        rows = [
            (FormField("display_name", "表示名 / Name"), form.get("display_name", ""), user.display_name),
            (FormField("role", "役割 / Role"), form.get("role", ""), user.role),
            (
                FormField("municipalities", "担当の自治体 / Municipalities"),
                form.get("municipalities", ""),
                ", ".join(str(link.municipality_id) for link in user.municipalities),
            ),
        ]
        return render(
            request,
            "conflict.html",
            409,
            title="アカウントの編集: 競合 / Edit conflict",
            message=str(error),
            rows=rows,
            action=f"/staff/users/{record_id}/edit",
            current_version=user.version,
            display=_display,
        )
    return RedirectResponse(f"/staff/users/{record_id}/edit?saved=1", status_code=303)


@router.post("/users/{record_id}/disable", name="staff.disable_user")
def disable_user(request: Request, record_id: int, session: SessionDep, actor: CurrentUser) -> Response:
    actions.disable_user(session=session, actor=actor, user_id=record_id)
    return RedirectResponse(f"/staff/users/{record_id}/edit?saved=1", status_code=303)


# ----------------------------------------------------------------------------- one's own API tokens
def _tokens_page(
    request: Request, session: Session, actor: Principal, status_code: int = 200, **context: Any
) -> Response:
    user = auth_service.get(session=session, user_id=actor.user_id)
    return render(
        request,
        "tokens.html",
        status_code,
        title="APIトークン / API tokens",
        tokens=auth_service.tokens_of(session=session, user=user),
        **context,
    )


@router.get("/tokens", name="staff.tokens")
def tokens(request: Request, session: SessionDep, actor: CurrentUser) -> Response:
    return _tokens_page(request, session, actor, revoked=request.query_params.get("revoked") == "1")


@router.post("/tokens/new", name="staff.issue_token")
def issue_token(request: Request, session: SessionDep, actor: CurrentUser, form: FormFields) -> Response:
    token = actions.issue_token(session=session, actor=actor, label=form.get("label"))
    session.flush()
    # Shown this once: only its hash is kept. No caching of the page that carries it.
    response = _tokens_page(request, session, actor, new_token=token)
    response.headers["Cache-Control"] = "no-store"
    return response


@router.post("/tokens/{record_id}/revoke", name="staff.revoke_token")
def revoke_token(request: Request, record_id: int, session: SessionDep, actor: CurrentUser) -> Response:
    actions.revoke_token(session=session, actor=actor, token_id=record_id)
    return RedirectResponse("/staff/tokens?revoked=1", status_code=303)


# ----------------------------------------------------------------------------- policy rules
RULE_FIELDS = (
    FormField(
        "public_money_only_official_to_sister_friendship",
        "公費は姉妹・友好都市への公式訪問と盟約締結に限る / Public money only for official visits to "
        "sister or friendship cities, or for signing",
        "bool",
    ),
    FormField(
        "require_purpose_before_visit",
        "訪問の目的を出発前に公表する / Publish the purpose before the visit",
        "bool",
    ),
    FormField(
        "report_deadline_days",
        "帰国後、報告を公表するまでの日数 / Days after the return to publish the report",
        "int",
    ),
    FormField(
        "require_citizen_consultation",
        "訪問前に市民・民間交流団体と協議する / Meet citizens and private exchange groups beforehand",
        "bool",
    ),
)


def _rules_values(rules: PolicyRules) -> dict[str, Any]:
    return {f.name: getattr(rules, f.name) for f in RULE_FIELDS}


@router.get("/policy/rules", name="staff.policy_rules_index")
def policy_rules_index(request: Request, session: SessionDep, actor: CurrentUser) -> Response:
    permissions.require("view_policy", actor)
    stored = policy_service.list_rules(session=session)
    stored_ids = {r.municipality_id for r in stored}
    own = [
        municipality_service.get(session=session, municipality_id=m)
        for m in sorted(actor.municipality_ids - stored_ids)
    ]
    return render(
        request,
        "policy_rules_index.html",
        title="交流の方針 (規則) / Visit policy rules",
        stored=[
            (r, municipality_service.get(session=session, municipality_id=r.municipality_id)) for r in stored
        ],
        own=own,
        fields=RULE_FIELDS,
    )


def _rules_form(
    request: Request, session: Session, municipality_id: int, status_code: int = 200, **context: Any
) -> Response:
    municipality = municipality_service.get(session=session, municipality_id=municipality_id)
    rules = policy_service.rules_for(session=session, municipality_id=municipality_id)
    return render(
        request,
        "policy_rules.html",
        status_code,
        title=f"{municipality.name} の交流の方針 / Visit policy rules",
        municipality=municipality,
        rules=rules,
        stored=rules.id is not None,
        fields=RULE_FIELDS,
        values=context.pop("values", None) or _rules_values(rules),
        version=rules.version if rules.id is not None else 0,
        errors=context.pop("errors", []),
        can_edit=permissions.allowed(
            "update_policy_rules",
            getattr(request.state, "principal", None),
            permissions.Target("policy_rules", frozenset({municipality.id})),
        ),
        **context,
    )


@router.get("/policy/rules/{record_id}", name="staff.policy_rules")
def policy_rules(request: Request, record_id: int, session: SessionDep, actor: CurrentUser) -> Response:
    permissions.require("view_policy", actor)
    return _rules_form(request, session, record_id, saved=request.query_params.get("saved") == "1")


@router.post("/policy/rules/{record_id}", name="staff.update_policy_rules")
def update_policy_rules(
    request: Request, record_id: int, session: SessionDep, actor: CurrentUser, form: FormFields
) -> Response:
    raw_days = form.get("report_deadline_days", "").strip()
    changes: dict[str, Any] = {
        f.name: form.get(f.name) in ("on", "true", "1") for f in RULE_FIELDS if f.kind == "bool"
    }
    changes["report_deadline_days"] = raw_days or None
    try:
        actions.update_policy_rules(
            session=session, actor=actor, municipality_id=record_id, changes=changes, version=_version(form)
        )
    except InvalidInput as error:
        session.rollback()
        return _rules_form(request, session, record_id, 422, errors=_problems(error), values=form)
    except Conflict as error:
        session.rollback()
        rules = policy_service.rules_for(session=session, municipality_id=record_id)
        current = _rules_values(rules)
        rows = [(f, _display(changes.get(f.name)), _display(current.get(f.name))) for f in RULE_FIELDS]
        return render(
            request,
            "conflict.html",
            409,
            title="交流の方針の編集: 競合 / Edit conflict",
            message=str(error),
            rows=rows,
            action=f"/staff/policy/rules/{record_id}",
            current_version=rules.version if rules.id is not None else 0,
            display=_display,
        )
    return RedirectResponse(f"/staff/policy/rules/{record_id}?saved=1", status_code=303)


# ----------------------------------------------------------------------------- review list
def _candidate_value(candidate: dict[str, Any]) -> str:
    """What `resolve_review` takes: a registry id, or g:<geonameid> for a gazetteer place."""
    return str(candidate["id"]) if candidate.get("source") == "registry" else f"g:{candidate['id']}"


def _review_page(request: Request, session: Session, status_code: int = 200, **context: Any) -> Response:
    items = names_service.open_reviews(session=session)
    return render(
        request,
        "review.html",
        status_code,
        title="要確認リスト / Review list",
        items=items,
        candidate_value=_candidate_value,
        can_resolve=permissions.allowed("resolve_review", getattr(request.state, "principal", None)),
        errors=context.pop("errors", {}),
        **context,
    )


@router.get("/review", name="staff.review")
def review(request: Request, session: SessionDep, actor: CurrentUser) -> Response:
    permissions.require("view_review_list", actor)
    resolved = request.query_params.get("resolved")
    return _review_page(request, session, resolved=resolved)


@router.post("/review/{record_id}/resolve", name="staff.resolve_review")
def resolve_review(
    request: Request, record_id: int, session: SessionDep, actor: CurrentUser, form: FormFields
) -> Response:
    target = (form.get("other") or "").strip() or (form.get("target") or "").strip()
    try:
        item = actions.resolve_review(session=session, actor=actor, item_id=record_id, target=target)
    except InvalidInput as error:
        session.rollback()
        return _review_page(request, session, 422, errors={record_id: _problems(error)})
    return RedirectResponse(f"/staff/review?resolved={item.id}", status_code=303)


# ----------------------------------------------------------------------------- evaluations
@router.get("/evaluations", name="staff.evaluations")
def evaluations(request: Request, session: SessionDep, actor: CurrentUser) -> Response:
    permissions.require("view_evaluations", actor)
    return render(
        request,
        "evaluations.html",
        title="評価 / Evaluations",
        recent=evaluation_service.recent(session=session),
        programmes=exchange_service.list_programmes(session=session)[:200],
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
        "evaluation.html",
        status_code,
        title=f"評価: {card.subject.title} / Evaluation",
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
    for criterion in exchange_service.criteria("clair"):
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
        actions.score_evaluation(
            session=session,
            actor=actor,
            kind=kind,
            subject_id=record_id,
            data={"scores": scores, "comment": form.get("comment") or None},
            version=_version(form),
        )
    except InvalidInput as error:
        session.rollback()
        return _evaluation_page(
            request, session, actor, kind, record_id, 422, errors=_problems(error), values=form
        )
    except Conflict as error:
        session.rollback()
        mine = evaluation_service.get_evaluation(
            session=session, kind=kind, subject_id=record_id, reviewer_id=actor.user_id
        )
        stored = {s.criterion: s for s in mine.scores} if mine else {}
        rows = []
        for criterion in exchange_service.criteria("clair"):
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
            title="評価の編集: 競合 / Edit conflict",
            message=str(error),
            rows=rows,
            action=f"/staff/evaluation/{kind}/{record_id}",
            current_version=mine.version if mine else 0,
            display=_display,
        )
    return RedirectResponse(f"/staff/evaluation/{kind}/{record_id}?saved=1", status_code=303)

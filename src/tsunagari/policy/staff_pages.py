"""Staff pages of the visit policy: planned visits (the edit form with its findings), what is due, and each
municipality's rules; thin: reads through `policy.service`, writes through `policy.actions`."""

from __future__ import annotations

import datetime as dt
from typing import Any

from fastapi import Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session

from tsunagari.access import permissions
from tsunagari.errors import Conflict, InvalidInput
from tsunagari.exchange.programme_staff_pages import ACTIVITY_FIELDS
from tsunagari.municipality import service as municipality_service
from tsunagari.policy import actions as policy_actions
from tsunagari.policy import service as policy_service
from tsunagari.policy.download_staff_pages import FINDINGS as FINDINGS_EXPORT
from tsunagari.policy.download_staff_pages import RulesRow, rules_index
from tsunagari.policy.models import PolicyRules
from tsunagari.web.forms import FormField, display, field, form_values, form_version, messages, record_json
from tsunagari.web.forms import problems as problem_texts
from tsunagari.web.list_export import download_links, wanted_format
from tsunagari.web.rendering import lang_of
from tsunagari.web.security import CurrentUser, FormFields, SessionDep
from tsunagari.web.staff_crud import StaffKind, register_kind
from tsunagari.web.staff_pages import render, say, staff_router

router = staff_router()


def _visit_values(record: Any) -> dict[str, Any]:
    return {**record_json(record.activity), **record_json(record), "version": record.activity.version}


VISIT_GROUP = "Visit"

VISIT = StaffKind(
    kind="visit",
    title="Visit plan",
    fields=(
        *ACTIVITY_FIELDS,
        field(
            "municipality_id",
            "Visiting municipality",
            "ref",
            pick="municipality",
            group=VISIT_GROUP,
        ),
        field(
            "destination_municipality_id",
            "Destination municipality",
            "ref",
            pick="municipality",
            group=VISIT_GROUP,
        ),
        field("destination_text", "Destination (if not registered)", group=VISIT_GROUP),
        field("for_signing", "Visit to sign an agreement", "bool", group=VISIT_GROUP),
        field("citizen_meeting_on", "Met citizens on", "date", group=VISIT_GROUP),
        field("citizen_meeting_notes", "Meeting notes", "textarea", group=VISIT_GROUP),
    ),
    load=lambda s, i: policy_service.get_visit(session=s, activity_id=i),
    create=policy_actions.create_visit,
    update=policy_actions.update_visit,
    delete=policy_actions.delete_visit,
    table="visit",
    id_name="activity_id",
    current_values=_visit_values,
    version_of=lambda record: int(record.activity.version),
    record_id=lambda record: int(record.activity_id),
    edit_context=lambda s, record, _id: {
        "findings": policy_service.evaluate(session=s, visit=record, today=dt.date.today())
    },
)
register_kind(router, VISIT)


@router.get("/policy", name="staff.policy")
def policy(
    request: Request, actor: CurrentUser, session: SessionDep, municipality_id: int | None = None
) -> Response:
    permissions.require("view_policy", actor)
    findings = policy_service.check(session=session, municipality_id=municipality_id, today=dt.date.today())
    if wanted_format(request):
        return FINDINGS_EXPORT.response(request, findings)
    return render(request, "policy/policy.html", findings=findings, downloads=download_links(request))


# ----------------------------------------------------------------------------- policy rules
RULE_FIELDS = (
    FormField(
        "public_money_only_official_to_sister_friendship",
        "Public money only for official visits to sister or friendship cities, or for signing",
        "bool",
    ),
    FormField(
        "require_purpose_before_visit",
        "Publish the purpose before the visit",
        "bool",
    ),
    FormField(
        "report_deadline_days",
        "Days after the return to publish the report",
        "int",
    ),
    FormField(
        "require_citizen_consultation",
        "Meet citizens and private exchange groups beforehand",
        "bool",
    ),
)


def _rules_values(rules: PolicyRules) -> dict[str, Any]:
    return {f.name: getattr(rules, f.name) for f in RULE_FIELDS}


LOOKUP = field("municipality_id", "Municipality", "ref", pick="municipality")
RULES_EXPORT = rules_index(RULE_FIELDS)


@router.get("/policy/rules", name="staff.policy_rules_index")
def policy_rules_index(request: Request, session: SessionDep, actor: CurrentUser) -> Response:
    permissions.require("view_policy", actor)
    lookup, lookup_errors = dict(request.query_params), []
    if lookup.get("municipality_id__q") or lookup.get("municipality_id__pick"):
        try:  # any municipality's rules (stored or the defaults) are one name away
            chosen = form_values((LOOKUP,), lookup, session=session, lang=lang_of(request))
            if chosen.get("municipality_id"):
                return RedirectResponse(f"/staff/policy/rules/{chosen['municipality_id']}", status_code=303)
        except InvalidInput as error:
            lookup_errors = messages(error, (LOOKUP,), lang_of(request))
    stored = policy_service.list_rules(session=session)
    stored_ids = {r.municipality_id for r in stored}
    # Every municipality whose rules apply to something: its own editors', and (for everyone, the
    # administrator included) each one with planned visits, which follow seed 002's defaults until saved.
    with_visits = {
        v.municipality_id for v in policy_service.list_visits(session=session) if v.municipality_id
    }
    own = [
        municipality_service.get(session=session, municipality_id=m)
        for m in sorted((set(actor.municipality_ids) | with_visits) - stored_ids)
    ]
    if wanted_format(request):
        rows = [
            RulesRow(municipality_service.get(session=session, municipality_id=r.municipality_id), r)
            for r in stored
        ]
        return RULES_EXPORT.response(request, [*rows, *(RulesRow(m, None) for m in own)])
    return render(
        request,
        "policy/policy_rules_index.html",
        title="Visit policy rules",
        stored=[
            (r, municipality_service.get(session=session, municipality_id=r.municipality_id)) for r in stored
        ],
        own=own,
        fields=RULE_FIELDS,
        lookup_field=LOOKUP,
        lookup=lookup,
        lookup_errors=lookup_errors,
        downloads=download_links(request),
    )


def _rules_form(
    request: Request, session: Session, municipality_id: int, status_code: int = 200, **context: Any
) -> Response:
    municipality = municipality_service.get(session=session, municipality_id=municipality_id)
    rules = policy_service.rules_for(session=session, municipality_id=municipality_id)
    return render(
        request,
        "policy/policy_rules.html",
        status_code,
        title=say(request, "Visit policy rules of %(municipality)s", municipality=municipality.name),
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
        policy_actions.update_policy_rules(
            session=session,
            actor=actor,
            municipality_id=record_id,
            changes=changes,
            version=form_version(form),
        )
    except InvalidInput as error:
        session.rollback()
        return _rules_form(request, session, record_id, 422, errors=problem_texts(error), values=form)
    except Conflict as error:
        session.rollback()
        rules = policy_service.rules_for(session=session, municipality_id=record_id)
        current = _rules_values(rules)
        rows = [(f, display(changes.get(f.name)), display(current.get(f.name))) for f in RULE_FIELDS]
        return render(
            request,
            "conflict.html",
            409,
            title="Visit policy edit: conflict",
            message=str(error),
            rows=rows,
            action=f"/staff/policy/rules/{record_id}",
            current_version=rules.version if rules.id is not None else 0,
            display=display,
        )
    return RedirectResponse(f"/staff/policy/rules/{record_id}?saved=1", status_code=303)

"""The write actions staff can take, shared by the staff pages and the JSON API (CKAN's action layer).

Each action checks `permissions.can_<action>` on the record, checks the client's version (stale → Conflict),
and calls the domain's service. The caller owns the transaction and sets the audit actor.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

from pydantic import BaseModel
from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from tsunagari.audit import service as audit_service
from tsunagari.auth import permissions
from tsunagari.auth import service as auth_service
from tsunagari.auth.models import ApiToken, User
from tsunagari.auth.permissions import Target
from tsunagari.auth.schemas import Principal, UserCreate, UserUpdate
from tsunagari.errors import Conflict, InvalidInput, Problem
from tsunagari.evaluation import service as evaluation_service
from tsunagari.evaluation.models import Evaluation
from tsunagari.exchange import service as exchange_service
from tsunagari.exchange.models import Activity, Programme
from tsunagari.exchange.schemas import ActivityCreate, ProgrammeCreate, ProgrammeUpdate, parse
from tsunagari.municipality import service as municipality_service
from tsunagari.municipality.models import Municipality
from tsunagari.municipality.schemas import MunicipalityCreate
from tsunagari.names import service as names_service
from tsunagari.names.models import ReviewItem
from tsunagari.organisation import service as organisation_service
from tsunagari.organisation.models import Contact, Organisation
from tsunagari.organisation.schemas import ContactCreate, OrganisationCreate
from tsunagari.partnership import service as partnership_service
from tsunagari.partnership.models import Partnership, PartnershipSourceRecord
from tsunagari.partnership.schemas import PartnershipCreate
from tsunagari.policy import service as policy_service
from tsunagari.policy.models import PolicyRules, Visit
from tsunagari.policy.schemas import VISIT_FIELDS, VisitCreate

READ_ONLY = frozenset({"id", "version", "created_at", "updated_at"})


# ----------------------------------------------------------------------------- who owns what
def _organisation_municipalities(session: Session, organisation_id: int | None) -> set[int]:
    if organisation_id is None:
        return set()
    organisation = session.get(Organisation, organisation_id)
    return {organisation.municipality_id} if organisation and organisation.municipality_id else set()


def _party_municipalities(
    session: Session, municipality_id: int | None, organisation_id: int | None
) -> set[int]:
    found = {municipality_id} if municipality_id is not None else set()
    return found | _organisation_municipalities(session, organisation_id)


def municipality_target(municipality: Municipality) -> Target:
    return Target("municipality", frozenset({municipality.id}), municipality.country, municipality.id)


def partnership_target(session: Session, partnership: Partnership) -> Target:
    owners = _party_municipalities(
        session, partnership.home_municipality_id, partnership.home_organisation_id
    ) | _party_municipalities(
        session, partnership.partner_municipality_id, partnership.partner_organisation_id
    )
    return Target("partnership", frozenset(owners), record_id=partnership.id)


def organisation_target(organisation: Organisation) -> Target:
    owners = {organisation.municipality_id} if organisation.municipality_id else set()
    return Target("organisation", frozenset(owners), record_id=organisation.id)


def contact_target(session: Session, contact: Contact) -> Target:
    owners = {contact.municipality_id} if contact.municipality_id else set()
    owners |= _organisation_municipalities(session, contact.organisation_id)
    if contact.partnership_id is not None:
        partnership = session.get(Partnership, contact.partnership_id)
        if partnership is not None:
            owners |= partnership_target(session, partnership).municipality_ids
    return Target("contact", frozenset(owners), record_id=contact.id)


def programme_target(
    session: Session, owners: list[tuple[int | None, int | None]], record_id: int | None
) -> Target:
    found: set[int] = set()
    for municipality_id, organisation_id in owners:
        found |= _party_municipalities(session, municipality_id, organisation_id)
    return Target("programme", frozenset(found), record_id=record_id)


def _programme_target(session: Session, programme: Programme) -> Target:
    return programme_target(
        session, [(o.municipality_id, o.organisation_id) for o in programme.owners], programme.id
    )


def activity_target(session: Session, activity: Activity) -> Target:
    programme = exchange_service.get_programme(session=session, programme_id=activity.programme_id)
    return Target("activity", _programme_target(session, programme).municipality_ids, record_id=activity.id)


def visit_target(session: Session, visit: Visit) -> Target:
    # Both the visiting municipality and the programme's owners must be in an editor's scope.
    programme_owners = activity_target(session, visit.activity).municipality_ids
    return Target(
        "visit",
        frozenset({visit.municipality_id}) & programme_owners or frozenset(),
        record_id=visit.activity_id,
    )


# ----------------------------------------------------------------------------- helpers
# How a refused delete names what still refers to the record (Japanese first, English beside).
TABLE_LABELS: dict[str, tuple[str, str]] = {
    "partnership": ("提携", "partnerships"),
    "contact": ("連絡先", "contacts"),
    "organisation": ("団体", "organisations"),
    "programme": ("交流事業", "programmes"),
    "programme_owner": ("交流事業の実施主体", "programme owners"),
    "programme_partner": ("交流事業の相手方", "programme partners"),
    "network": ("ネットワーク (事務局)", "networks (secretariat)"),
    "network_membership": ("ネットワークの加盟", "network memberships"),
    "network_meeting": ("ネットワークの会合", "network meetings"),
    "award": ("表彰", "awards"),
    "award_partner": ("表彰の相手方", "award partners"),
    "visit": ("訪問計画", "visits"),
    "policy_rules": ("交流の方針", "policy rules"),
    "staff_user_municipality": ("職員の担当", "staff assignments"),
    "evaluation": ("評価", "evaluations"),
    "review_item": ("要確認リスト", "review items"),
    "municipality": ("自治体 (合併先)", "municipalities (merged into it)"),
    "partnership_source_record": ("提携の出典", "partnership sources"),
}


def refuse_if_referenced(
    session: Session,
    record: Any,
    label_ja: str,
    label_en: str,
    ignore: frozenset[str] | set[str] = frozenset(),
) -> None:
    """Conflict naming what still refers to the record: the database would cascade to those rows (or
    null their link) without audit entries, so they must be moved or deleted first, each audited."""
    found = [
        d for d in audit_service.dependents(session=session, instance=record) if d.table_name not in ignore
    ]
    if not found:
        return
    ja = "、".join(f"{TABLE_LABELS.get(d.table_name, (d.table_name, ''))[0]} {d.count}件" for d in found)
    en = ", ".join(f"{d.count} {TABLE_LABELS.get(d.table_name, ('', d.table_name))[1]}" for d in found)
    raise Conflict(
        f"この{label_ja}を参照している記録があるため削除できません（{ja}）。先に移すか削除してください。"
        f" / cannot delete this {label_en}: still referenced by {en}; move or delete those first."
    )


def _require(action: str, actor: Principal | None, target: Target) -> None:
    permissions.require(action, actor, target)


def check_version(record: Any, version: int | None) -> None:
    """Refuse a write made from an older version than the stored one: nothing is silently overwritten."""
    if version is None:
        raise InvalidInput(
            "version is required (in the body or If-Match) / versionが必要です", field="version"
        )
    if record.version != version:
        raise Conflict(
            f"他の人が先に更新しました。あなたの版 {version}、現在の版 {record.version} / "
            f"stale version: you sent {version}, the record is at {record.version}"
        )


@contextmanager
def stale_is_conflict() -> Iterator[None]:
    """A concurrent write between our read and our UPDATE shows up as StaleDataError: the same 409."""
    try:
        yield
    except StaleDataError:
        raise Conflict("他の人が同時に更新しました / the record was changed concurrently; reload") from None


def _changes(changes: Mapping[str, Any], allowed: Mapping[str, Any]) -> dict[str, Any]:
    unknown = [name for name in changes if name not in allowed or name in READ_ONLY]
    if unknown:
        raise InvalidInput(problems=[Problem("unknown or read-only field", field=name) for name in unknown])
    return dict(changes)


def _validated(
    model: type[BaseModel], current: Mapping[str, Any], changes: Mapping[str, Any]
) -> dict[str, Any]:
    """The changed fields after validating the whole record as it would be stored."""
    merged = parse(model, {**current, **changes})
    values = merged.model_dump()
    return {name: values[name] for name in changes}


def _apply(record: Any, values: Mapping[str, Any]) -> None:
    for name, value in values.items():
        stored = value.value if hasattr(value, "value") and not isinstance(value, int | str) else value
        if getattr(record, name) != stored:
            setattr(record, name, stored)


def _current(record: Any, model: type[BaseModel]) -> dict[str, Any]:
    return {name: getattr(record, name) for name in model.model_fields if hasattr(record, name)}


# ----------------------------------------------------------------------------- municipalities
def create_municipality(
    *, session: Session, actor: Principal | None, data: Mapping[str, Any]
) -> Municipality:
    municipality_in = parse(MunicipalityCreate, data)
    _require("create_municipality", actor, Target("municipality", country=municipality_in.country))
    return municipality_service.create(session=session, data=municipality_in)


def update_municipality(
    *,
    session: Session,
    actor: Principal | None,
    municipality_id: int,
    changes: Mapping[str, Any],
    version: int | None,
) -> Municipality:
    municipality = municipality_service.get(session=session, municipality_id=municipality_id)
    _require("update_municipality", actor, municipality_target(municipality))
    check_version(municipality, version)
    given = _changes(changes, MunicipalityCreate.model_fields)
    given.pop("aliases", None)
    values = _validated(
        MunicipalityCreate, _current(municipality, MunicipalityCreate) | {"aliases": []}, given
    )
    values = {k: (v.value if hasattr(v, "value") else v) for k, v in values.items()}
    with stale_is_conflict():
        return municipality_service.update(session=session, municipality=municipality, changes=values)


def delete_municipality(
    *, session: Session, actor: Principal | None, municipality_id: int, version: int | None = None
) -> None:
    municipality = municipality_service.get(session=session, municipality_id=municipality_id)
    _require("delete_municipality", actor, municipality_target(municipality))
    if version is not None:
        check_version(municipality, version)
    refuse_if_referenced(session, municipality, "自治体", "municipality")
    with stale_is_conflict():
        session.delete(municipality)
        session.flush()


# ----------------------------------------------------------------------------- partnerships
def _partnership_parties(session: Session, data: PartnershipCreate) -> Target:
    owners = _party_municipalities(session, data.home_municipality_id, data.home_organisation_id)
    owners |= _party_municipalities(session, data.partner_municipality_id, data.partner_organisation_id)
    return Target("partnership", frozenset(owners))


def create_partnership(*, session: Session, actor: Principal | None, data: Mapping[str, Any]) -> Partnership:
    partnership_in = parse(PartnershipCreate, data)
    _require("create_partnership", actor, _partnership_parties(session, partnership_in))
    return partnership_service.create(session=session, data=partnership_in)


def update_partnership(
    *,
    session: Session,
    actor: Principal | None,
    partnership_id: int,
    changes: Mapping[str, Any],
    version: int | None,
) -> Partnership:
    partnership = partnership_service.get(session=session, partnership_id=partnership_id)
    _require("update_partnership", actor, partnership_target(session, partnership))
    check_version(partnership, version)
    given = _changes(changes, PartnershipCreate.model_fields)
    merged = parse(PartnershipCreate, {**_current(partnership, PartnershipCreate), **given})
    # Moving a partnership to other parties needs the editor's scope on the new parties too.
    _require("update_partnership", actor, _partnership_parties(session, merged))
    values = merged.model_dump()
    _apply(partnership, {name: values[name] for name in given})
    partnership.home_party = partnership_service.party_key(
        merged.home_municipality_id, merged.home_organisation_id
    )
    partnership.partner_party = partnership_service.party_key(
        merged.partner_municipality_id, merged.partner_organisation_id
    )
    with stale_is_conflict():
        session.flush()
    return partnership


def delete_partnership(
    *, session: Session, actor: Principal | None, partnership_id: int, version: int | None = None
) -> None:
    partnership = partnership_service.get(session=session, partnership_id=partnership_id)
    _require("delete_partnership", actor, partnership_target(session, partnership))
    if version is not None:
        check_version(partnership, version)
    refuse_if_referenced(session, partnership, "提携", "partnership", ignore={"partnership_source_record"})
    # Where the partnership was seen is part of the partnership itself: removed with it, each audited.
    for record in session.scalars(
        select(PartnershipSourceRecord).where(PartnershipSourceRecord.partnership_id == partnership.id)
    ):
        session.delete(record)
    with stale_is_conflict():
        session.delete(partnership)
        session.flush()


# ----------------------------------------------------------------------------- organisations and contacts
def create_organisation(
    *, session: Session, actor: Principal | None, data: Mapping[str, Any]
) -> Organisation:
    organisation_in = parse(OrganisationCreate, data)
    owners = {organisation_in.municipality_id} if organisation_in.municipality_id else set()
    _require("create_organisation", actor, Target("organisation", frozenset(owners)))
    return organisation_service.create(session=session, data=organisation_in)


def update_organisation(
    *,
    session: Session,
    actor: Principal | None,
    organisation_id: int,
    changes: Mapping[str, Any],
    version: int | None,
) -> Organisation:
    organisation = organisation_service.get(session=session, organisation_id=organisation_id)
    _require("update_organisation", actor, organisation_target(organisation))
    check_version(organisation, version)
    values = _validated(
        OrganisationCreate,
        _current(organisation, OrganisationCreate),
        _changes(changes, OrganisationCreate.model_fields),
    )
    if "municipality_id" in values:
        _require(
            "update_organisation",
            actor,
            Target("organisation", frozenset({values["municipality_id"]} - {None})),
        )
    _apply(organisation, values)
    with stale_is_conflict():
        session.flush()
    return organisation


def delete_organisation(
    *, session: Session, actor: Principal | None, organisation_id: int, version: int | None = None
) -> None:
    organisation = organisation_service.get(session=session, organisation_id=organisation_id)
    _require("delete_organisation", actor, organisation_target(organisation))
    if version is not None:
        check_version(organisation, version)
    refuse_if_referenced(session, organisation, "団体", "organisation")
    with stale_is_conflict():
        session.delete(organisation)
        session.flush()


def _contact_from(session: Session, contact_in: ContactCreate) -> Target:
    return contact_target(session, Contact(**contact_in.model_dump()))


def get_contact(*, session: Session, contact_id: int) -> Contact:
    from tsunagari.errors import NotFound

    contact = session.get(Contact, contact_id)
    if contact is None:
        raise NotFound(f"contact {contact_id} does not exist")
    return contact


def create_contact(*, session: Session, actor: Principal | None, data: Mapping[str, Any]) -> Contact:
    contact_in = parse(ContactCreate, data)
    _require("create_contact", actor, _contact_from(session, contact_in))
    return organisation_service.add_contact(session=session, data=contact_in)


def update_contact(
    *,
    session: Session,
    actor: Principal | None,
    contact_id: int,
    changes: Mapping[str, Any],
    version: int | None,
) -> Contact:
    contact = get_contact(session=session, contact_id=contact_id)
    _require("update_contact", actor, contact_target(session, contact))
    check_version(contact, version)
    values = _validated(
        ContactCreate, _current(contact, ContactCreate), _changes(changes, ContactCreate.model_fields)
    )
    merged = ContactCreate.model_validate({**_current(contact, ContactCreate), **values})
    _require("update_contact", actor, _contact_from(session, merged))
    _apply(contact, values)
    with stale_is_conflict():
        session.flush()
    return contact


def delete_contact(
    *, session: Session, actor: Principal | None, contact_id: int, version: int | None = None
) -> None:
    contact = get_contact(session=session, contact_id=contact_id)
    _require("delete_contact", actor, contact_target(session, contact))
    if version is not None:
        check_version(contact, version)
    with stale_is_conflict():
        session.delete(contact)
        session.flush()


def list_contacts(
    *, session: Session, actor: Principal | None, municipality_id: int | None = None
) -> list[Contact]:
    _require("view_contacts", actor, Target("contact"))
    from sqlalchemy import select

    statement = select(Contact).order_by(Contact.id)
    if municipality_id is not None:
        statement = statement.where(Contact.municipality_id == municipality_id)
    return list(session.scalars(statement))


# ----------------------------------------------------------------------------- programmes and activities
def create_programme(*, session: Session, actor: Principal | None, data: Mapping[str, Any]) -> Programme:
    programme_in = parse(ProgrammeCreate, data)
    target = programme_target(
        session, [(o.municipality_id, o.organisation_id) for o in programme_in.owners], None
    )
    _require("create_programme", actor, target)
    return exchange_service.create_programme(session=session, data=programme_in)


def update_programme(
    *,
    session: Session,
    actor: Principal | None,
    programme_id: int,
    changes: Mapping[str, Any],
    version: int | None,
) -> Programme:
    programme = exchange_service.get_programme(session=session, programme_id=programme_id)
    _require("update_programme", actor, _programme_target(session, programme))
    check_version(programme, version)
    _changes(changes, ProgrammeUpdate.model_fields)
    with stale_is_conflict():
        return exchange_service.update_programme(session=session, programme=programme, changes=changes)


def delete_programme(
    *, session: Session, actor: Principal | None, programme_id: int, version: int | None = None
) -> None:
    programme = exchange_service.get_programme(session=session, programme_id=programme_id)
    _require("delete_programme", actor, _programme_target(session, programme))
    if version is not None:
        check_version(programme, version)
    if programme.activities:
        raise Conflict("実施記録があるため削除できません / the programme still has activities")
    with stale_is_conflict():
        session.delete(programme)
        session.flush()


def create_activity(*, session: Session, actor: Principal | None, data: Mapping[str, Any]) -> Activity:
    activity_in = parse(ActivityCreate, data)
    programme = exchange_service.referenced_programme(session=session, programme_id=activity_in.programme_id)
    _require("create_activity", actor, _programme_target(session, programme))
    return exchange_service.record_activity(session=session, data=activity_in)


def _activity_fields(activity: Activity) -> dict[str, Any]:
    return {name: getattr(activity, name) for name in ActivityCreate.model_fields}


def update_activity(
    *,
    session: Session,
    actor: Principal | None,
    activity_id: int,
    changes: Mapping[str, Any],
    version: int | None,
) -> Activity:
    activity = exchange_service.get_activity(session=session, activity_id=activity_id)
    _require("update_activity", actor, activity_target(session, activity))
    check_version(activity, version)
    if "programme_id" in changes:
        moved_to = parse(ActivityCreate, {**_activity_fields(activity), **changes}).programme_id
        programme = exchange_service.referenced_programme(session=session, programme_id=moved_to)
        _require("update_activity", actor, _programme_target(session, programme))
    with stale_is_conflict():
        return exchange_service.update_activity(session=session, activity=activity, changes=changes)


def delete_activity(
    *, session: Session, actor: Principal | None, activity_id: int, version: int | None = None
) -> None:
    activity = exchange_service.get_activity(session=session, activity_id=activity_id)
    _require("delete_activity", actor, activity_target(session, activity))
    if version is not None:
        check_version(activity, version)
    visit = session.get(Visit, activity_id)
    with stale_is_conflict():
        if visit is not None:  # deleted through the ORM so the audit trail has it too
            session.delete(visit)
            session.flush()
        session.delete(activity)
        session.flush()


# ----------------------------------------------------------------------------- visits
def create_visit(*, session: Session, actor: Principal | None, data: Mapping[str, Any]) -> Visit:
    visit_in = parse(VisitCreate, data)
    programme = exchange_service.get_programme(session=session, programme_id=visit_in.programme_id)
    owners = _programme_target(session, programme).municipality_ids
    _require("create_visit", actor, Target("visit", frozenset({visit_in.municipality_id}) & owners))
    return policy_service.create_visit(session=session, data=visit_in)


def update_visit(
    *,
    session: Session,
    actor: Principal | None,
    activity_id: int,
    changes: Mapping[str, Any],
    version: int | None,
) -> Visit:
    visit = policy_service.get_visit(session=session, activity_id=activity_id)
    _require("update_visit", actor, visit_target(session, visit))
    # The visit's version is the activity's: that is where dates, costs and publication live.
    check_version(visit.activity, version)
    _changes(changes, {**ActivityCreate.model_fields, **dict.fromkeys(VISIT_FIELDS)})
    with stale_is_conflict():
        visit = policy_service.update_visit(session=session, visit=visit, changes=changes)
    _require("update_visit", actor, visit_target(session, visit))
    return visit


def delete_visit(
    *, session: Session, actor: Principal | None, activity_id: int, version: int | None = None
) -> None:
    visit = policy_service.get_visit(session=session, activity_id=activity_id)
    _require("delete_visit", actor, visit_target(session, visit))
    if version is not None:
        check_version(visit.activity, version)
    with stale_is_conflict():
        policy_service.delete_visit(session=session, visit=visit)


# ----------------------------------------------------------------------------- accounts (admin)
def create_user(*, session: Session, actor: Principal | None, data: Mapping[str, Any]) -> User:
    _require("create_user", actor, Target("user"))
    return auth_service.create_user(session=session, data=parse(UserCreate, data))


def update_user(
    *,
    session: Session,
    actor: Principal | None,
    user_id: int,
    changes: Mapping[str, Any],
    version: int | None,
) -> User:
    _require("update_user", actor, Target("user", record_id=user_id))
    user = auth_service.get(session=session, user_id=user_id)
    check_version(user, version)
    with stale_is_conflict():
        return auth_service.update_user(session=session, user=user, data=parse(UserUpdate, changes))


def disable_user(*, session: Session, actor: Principal | None, user_id: int) -> User:
    """Disable an account and revoke its tokens: it can neither log in nor call the API afterwards."""
    _require("disable_user", actor, Target("user", record_id=user_id))
    user = auth_service.get(session=session, user_id=user_id)
    if not user.active:
        raise Conflict("このアカウントは既に無効です / the account is already disabled")
    auth_service.disable_user(session=session, user=user)
    auth_service.revoke_tokens(session=session, user=user)
    return user


def issue_token(*, session: Session, actor: Principal | None, label: str | None) -> str:
    """A new token for the actor's own account, returned once."""
    _require("issue_token", actor, Target("api_token"))
    assert actor is not None  # the rule refuses the public
    user = auth_service.get(session=session, user_id=actor.user_id)
    return auth_service.issue_token(session=session, user=user, label=label)


def revoke_token(*, session: Session, actor: Principal | None, token_id: int) -> ApiToken:
    _require("revoke_token", actor, Target("api_token"))
    assert actor is not None
    user = auth_service.get(session=session, user_id=actor.user_id)
    return auth_service.revoke_token(session=session, user=user, token_id=token_id)


# ----------------------------------------------------------------------------- policy rules
def update_policy_rules(
    *,
    session: Session,
    actor: Principal | None,
    municipality_id: int,
    changes: Mapping[str, Any],
    version: int | None,
) -> PolicyRules:
    """Change a municipality's visit rules; version 0 means "still the defaults, nothing stored yet"."""
    municipality = municipality_service.get(session=session, municipality_id=municipality_id)
    _require("update_policy_rules", actor, Target("policy_rules", frozenset({municipality.id})))
    rules = policy_service.rules_for(session=session, municipality_id=municipality_id)
    if rules.id is None:
        if version not in (0, None):
            raise Conflict(
                f"規則はまだ保存されていません (版 0)、あなたの版 {version} / the rules are not stored yet"
            )
    else:
        check_version(rules, version)
    with stale_is_conflict():
        return policy_service.set_rules(session=session, municipality_id=municipality_id, changes=changes)


# ----------------------------------------------------------------------------- review list and evaluation
def resolve_review(*, session: Session, actor: Principal | None, item_id: int, target: str) -> ReviewItem:
    """Say which municipality a review item means (an id, g:<geonameid>, or an exact name)."""
    _require("resolve_review", actor, Target("review_item", record_id=item_id))
    if not target.strip():
        raise InvalidInput("候補を選んでください / choose a candidate", field="target", value=target)
    item, _municipality = names_service.resolve_review(session=session, item_id=item_id, target=target)
    return item


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
    _require("score_evaluation", actor, Target("evaluation", record_id=subject_id))
    assert actor is not None
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

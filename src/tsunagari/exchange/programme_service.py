"""Programmes with owners and partners, and the case directory: the only writer of their tables; flushes."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from tsunagari.dates import FiscalYears, parse_fiscal_years
from tsunagari.errors import Conflict, InvalidInput
from tsunagari.exchange._common import Outcome, check_party, get_existing
from tsunagari.exchange.models import (
    Network,
    Programme,
    ProgrammeOwner,
    ProgrammePartner,
    party_key,
)
from tsunagari.exchange.schemas import PartnerIn, PartyRef, ProgrammeCreate, ProgrammeUpdate, parse
from tsunagari.municipality.models import Municipality
from tsunagari.organisation.models import Organisation


def owner_key(owners: Sequence[PartyRef]) -> str:
    """The owners' part of a programme's natural key: the same owners in any order give one key."""
    return ",".join(sorted({party_key(o.municipality_id, o.organisation_id) for o in owners}))


def get_programme(*, session: Session, programme_id: int) -> Programme:
    return get_existing(session, Programme, programme_id, "programme")


def referenced_programme(*, session: Session, programme_id: int) -> Programme:
    """The programme an activity names: a missing one is bad input naming the field (422, exit 2),
    not a missing page, because it is the body that is wrong."""
    programme = session.get(Programme, programme_id)
    if programme is None:
        raise InvalidInput(
            "その事業は登録されていません / no programme has this id",
            field="programme_id",
            value=programme_id,
        )
    return programme


def find_programme(
    *, session: Session, owners: Sequence[PartyRef], title: str, format: str
) -> Programme | None:
    return session.scalars(
        select(Programme).where(
            Programme.owner_key == owner_key(owners),
            Programme.title == title.strip(),
            Programme.format == format,
        )
    ).first()


def fiscal_years(programme: Programme) -> FiscalYears:
    """The stored 実施年度 as the dates package's value."""
    return FiscalYears(
        first_fy=programme.first_fy,
        last_fy=programme.last_fy,
        ongoing=programme.ongoing,
        every_n_years=programme.every_n_years,
        series_since_fy=programme.series_since_fy,
        held_fy=tuple(programme.held_fy or ()),
        unknown=programme.fiscal_years_unknown,
    )


def _fiscal_year_values(text: str | None) -> dict[str, Any]:
    parsed = parse_fiscal_years(text or "", field="fiscal_years_text")
    return {
        "fiscal_years_text": (text or "").strip() or None,
        "first_fy": parsed.first_fy,
        "last_fy": parsed.last_fy,
        "ongoing": parsed.ongoing,
        "every_n_years": parsed.every_n_years,
        "series_since_fy": parsed.series_since_fy,
        "held_fy": list(parsed.held_fy),
        "fiscal_years_unknown": parsed.unknown,
    }


def _check_links(session: Session, network_id: int | None, partnership_id: int | None) -> None:
    from tsunagari.partnership.models import Partnership

    if network_id is not None and session.get(Network, network_id) is None:
        raise InvalidInput("no such network", field="network_id", value=network_id)
    if partnership_id is not None and session.get(Partnership, partnership_id) is None:
        raise InvalidInput("no such partnership", field="partnership_id", value=partnership_id)


# Compared on re-import; None or empty incoming values leave the stored ones alone.
_PROGRAMME_COMPARED = (
    "title_note",
    "fields",
    "fiscal_years_text",
    "started_on",
    "started_on_precision",
    "schedule",
    "description",
    "results",
    "organiser_text",
    "partners_text",
    "member_count",
    "members_text",
    "member_countries",
    "details_text",
    "urls",
    "source_url",
    "actors",
    "network_id",
    "partnership_id",
)


@dataclass
class ProgrammeUpsert:
    """What an upsert did; `partners` are the rows for data.partners, in the same order."""

    programme: Programme
    outcome: Outcome
    partners: list[ProgrammePartner] = field(default_factory=list)


def upsert_programme(
    *, session: Session, data: ProgrammeCreate | Mapping[str, Any], update_existing: bool = True
) -> ProgrammeUpsert:
    """Insert by natural key (owners, title, format), or update where a given value differs.

    Partners are merged, never removed: one already there (same written name or same municipality)
    is kept, so re-importing a record changes nothing and a partner linked by a reviewer stays linked.
    """
    programme_in = parse(ProgrammeCreate, data)
    for index, owner in enumerate(programme_in.owners):
        check_party(session, owner.municipality_id, owner.organisation_id, f"owners.{index}")
    for index, partner in enumerate(programme_in.partners):
        check_party(session, partner.municipality_id, partner.organisation_id, f"partners.{index}")
    _check_links(session, programme_in.network_id, programme_in.partnership_id)
    values = programme_in.model_dump(exclude={"owners", "partners", "fiscal_years_text"})
    values["format"] = programme_in.format.value
    years = _fiscal_year_values(programme_in.fiscal_years_text)
    existing = find_programme(
        session=session, owners=programme_in.owners, title=programme_in.title, format=values["format"]
    )
    outcome: Outcome
    if existing is None:
        programme = Programme(**values, **years, owner_key=owner_key(programme_in.owners))
        programme.owners = [
            ProgrammeOwner(
                municipality_id=o.municipality_id,
                organisation_id=o.organisation_id,
                party=party_key(o.municipality_id, o.organisation_id),
                position=position,
            )
            for position, o in enumerate(programme_in.owners)
        ]
        session.add(programme)
        session.flush()
        outcome = "created"
    else:
        programme = existing
        incoming = {**values, **years}
        changed = {
            name: incoming[name]
            for name in _PROGRAMME_COMPARED
            if incoming[name] not in (None, [], "") and getattr(programme, name) != incoming[name]
        }
        if "fiscal_years_text" in changed:
            changed.update(years)
        if changed and update_existing:
            for name, value in changed.items():
                setattr(programme, name, value)
            if programme_in.source:
                programme.source = programme_in.source
            session.flush()
            outcome = "updated"
        else:
            outcome = "unchanged"
    rows: list[ProgrammePartner] = []
    partners_changed = False
    for partner_in in programme_in.partners:
        row, changed_partner = merge_partner(session=session, programme=programme, data=partner_in)
        rows.append(row)
        partners_changed = partners_changed or changed_partner
    if partners_changed and outcome == "unchanged":
        outcome = "updated"
    return ProgrammeUpsert(programme, outcome, rows)


def create_programme(*, session: Session, data: ProgrammeCreate | Mapping[str, Any]) -> Programme:
    programme_in = parse(ProgrammeCreate, data)
    if (
        find_programme(
            session=session,
            owners=programme_in.owners,
            title=programme_in.title,
            format=programme_in.format.value,
        )
        is not None
    ):
        raise Conflict("these owners already have a programme of this title and format")
    return upsert_programme(session=session, data=programme_in).programme


def update_programme(
    *, session: Session, programme: Programme, changes: ProgrammeUpdate | Mapping[str, Any]
) -> Programme:
    """Apply the fields given (explicitly set ones only; None clears an optional field)."""
    update = parse(ProgrammeUpdate, changes)
    given = update.model_dump(exclude_unset=True)
    if "title" in given and not (given["title"] or "").strip():
        raise InvalidInput("the title must not be blank", field="title", value=given["title"])
    _check_links(session, given.get("network_id"), given.get("partnership_id"))
    if "fiscal_years_text" in given:
        given.update(_fiscal_year_values(given["fiscal_years_text"]))
    if "format" in given and given["format"] is not None:
        given["format"] = str(given["format"])
    for name in ("fields", "urls", "actors"):
        if name in given and given[name] is None:
            given[name] = []
    for name, value in given.items():
        setattr(programme, name, value)
    session.flush()
    return programme


def merge_partner(
    *, session: Session, programme: Programme, data: PartnerIn | Mapping[str, Any]
) -> tuple[ProgrammePartner, bool]:
    """The programme's partner for `data`, added when new; True when something was added or linked."""
    partner_in = parse(PartnerIn, data)
    written = (partner_in.written_name or "").strip()
    for existing in programme.partners:
        same_party = (
            partner_in.municipality_id is not None and existing.municipality_id == partner_in.municipality_id
        ) or (
            partner_in.organisation_id is not None and existing.organisation_id == partner_in.organisation_id
        )
        if same_party or (written and existing.written_name == written):
            if not existing.resolved and (partner_in.municipality_id or partner_in.organisation_id):
                _link(session, existing, partner_in.municipality_id, partner_in.organisation_id)
                return existing, True
            return existing, False
    return add_partner(session=session, programme=programme, data=partner_in), True


def add_partner(
    *, session: Session, programme: Programme, data: PartnerIn | Mapping[str, Any]
) -> ProgrammePartner:
    partner_in = parse(PartnerIn, data)
    check_party(session, partner_in.municipality_id, partner_in.organisation_id, "partner")
    written = (partner_in.written_name or "").strip()
    if not written:
        party = (
            session.get(Municipality, partner_in.municipality_id)
            if partner_in.municipality_id is not None
            else session.get(Organisation, partner_in.organisation_id)
        )
        written = party.name if party is not None else ""
    partner = ProgrammePartner(
        municipality_id=partner_in.municipality_id,
        organisation_id=partner_in.organisation_id,
        written_name=written,
        country=partner_in.country,
        region=partner_in.region,
        notes=partner_in.notes,
        position=len(programme.partners),
    )
    if partner_in.municipality_id is not None and partner.country is None:
        municipality = session.get(Municipality, partner_in.municipality_id)
        partner.country = municipality.country if municipality is not None else None
    programme.partners.append(partner)
    session.flush()
    return partner


def remove_partner(*, session: Session, partner: ProgrammePartner) -> None:
    """Take a partner off its programme; the others keep their order."""
    programme = get_programme(session=session, programme_id=partner.programme_id)
    session.delete(partner)
    session.flush()
    session.expire(programme, ["partners"])
    for position, remaining in enumerate(programme.partners):
        if remaining.position != position:
            remaining.position = position
    session.flush()


def _link(
    session: Session, partner: ProgrammePartner, municipality_id: int | None, organisation_id: int | None
) -> None:
    partner.municipality_id = municipality_id
    partner.organisation_id = organisation_id
    partner.needs_review = False
    if municipality_id is not None:
        municipality = session.get(Municipality, municipality_id)
        if municipality is not None:
            partner.country = municipality.country
    session.flush()
    # The relationship was loaded before the ids changed; show the linked party at once.
    session.refresh(partner)


def get_partner(*, session: Session, partner_id: int) -> ProgrammePartner:
    return get_existing(session, ProgrammePartner, partner_id, "programme partner")


def link_partner(
    *,
    session: Session,
    partner_id: int,
    municipality_id: int | None = None,
    organisation_id: int | None = None,
) -> ProgrammePartner:
    """Say which municipality (or organisation) a partner written as text is; clears its review flag."""
    if (municipality_id is None) == (organisation_id is None):
        raise InvalidInput("give exactly one of municipality_id and organisation_id", field="municipality_id")
    check_party(session, municipality_id, organisation_id, "partner")
    partner = get_partner(session=session, partner_id=partner_id)
    _link(session, partner, municipality_id, organisation_id)
    return partner


def mark_for_review(*, session: Session, partner: ProgrammePartner, review_item_id: int) -> None:
    partner.needs_review = True
    partner.review_item_id = review_item_id
    session.flush()


def partners_needing_review(*, session: Session) -> Sequence[ProgrammePartner]:
    return list(
        session.scalars(
            select(ProgrammePartner)
            .where(ProgrammePartner.needs_review.is_(True))
            .order_by(ProgrammePartner.programme_id, ProgrammePartner.position)
        )
    )


def list_programmes(
    *,
    session: Session,
    format: str | None = None,
    field: str | None = None,
    country: str | None = None,
    fiscal_year: int | None = None,
    municipality_id: int | None = None,
    network_id: int | None = None,
) -> list[Programme]:
    """Programmes filtered as the case directory filters them; `country` is a partner's country,
    `municipality_id` an owner or a partner, `fiscal_year` one the stated schedule includes."""
    statement = select(Programme).order_by(Programme.format, Programme.first_fy, Programme.id)
    if format:
        statement = statement.where(Programme.format == format)
    if network_id is not None:
        statement = statement.where(Programme.network_id == network_id)
    with_partner_in: set[int] | None = None
    if country:
        # A partner's country, or (checked below, as JSON lists are) a member's written as text.
        with_partner_in = set(
            session.scalars(
                select(ProgrammePartner.programme_id)
                .outerjoin(Municipality, Municipality.id == ProgrammePartner.municipality_id)
                .where(
                    or_(ProgrammePartner.country == country.upper(), Municipality.country == country.upper())
                )
            )
        )
    if municipality_id is not None:
        statement = statement.where(
            or_(
                Programme.id.in_(
                    select(ProgrammeOwner.programme_id).where(
                        ProgrammeOwner.municipality_id == municipality_id
                    )
                ),
                Programme.id.in_(
                    select(ProgrammePartner.programme_id).where(
                        ProgrammePartner.municipality_id == municipality_id
                    )
                ),
            )
        )
    programmes = list(session.scalars(statement).unique())
    # JSON lists and the every-N-years rule are checked here, the same way on SQLite and PostgreSQL.
    if country and with_partner_in is not None:
        code = country.upper()
        programmes = [p for p in programmes if p.id in with_partner_in or code in (p.member_countries or [])]
    if field:
        programmes = [p for p in programmes if field in (p.fields or [])]
    if fiscal_year is not None:
        programmes = [p for p in programmes if fiscal_years(p).contains(fiscal_year)]
    return programmes


# ----------------------------------------------------------------------------- the case directory
# A programme came from CLAIR's case records (seed 001) when the case importer wrote it ("import:…")
# or the demo cites that page; the directory shows only these, the programme list shows all.
CASE_IMPORT_PREFIX = "import:"
CASE_SEED_TITLE = "3以上の自治体間における交流"


def is_case_record(programme: Programme) -> bool:
    source = programme.source or ""
    return source.startswith(CASE_IMPORT_PREFIX) or CASE_SEED_TITLE in source


def _matches_text(programme: Programme, q: str) -> bool:
    needle = q.strip().casefold()
    texts = [
        programme.title,
        programme.title_note,
        programme.description,
        programme.results,
        programme.organiser_text,
        programme.partners_text,
        *(owner.name for owner in programme.owners),
        *(partner.name for partner in programme.partners),
        *(partner.written_name for partner in programme.partners),
    ]
    return any(needle in text.casefold() for text in texts if text)


def search_programmes(
    *,
    session: Session,
    cases_only: bool = False,
    format: str | None = None,
    field: str | None = None,
    country: str | None = None,
    fiscal_year: int | None = None,
    municipality_id: int | None = None,
    q: str | None = None,
) -> list[Programme]:
    """`list_programmes` narrowed to CLAIR's case records when asked, and to those whose texts,
    owners or partners contain `q`."""
    found = list_programmes(
        session=session,
        format=format,
        field=field,
        country=country,
        fiscal_year=fiscal_year,
        municipality_id=municipality_id,
    )
    if cases_only:
        found = [p for p in found if is_case_record(p)]
    if q and q.strip():
        found = [p for p in found if _matches_text(p, q)]
    return found


def partner_countries(*, session: Session, cases_only: bool = False) -> list[str]:
    """The partners' countries (alpha-2) of all programmes, or of the case records: filter choices."""
    codes: set[str] = set()
    for programme in search_programmes(session=session, cases_only=cases_only):
        for partner in programme.partners:
            code = partner.country or (partner.municipality.country if partner.municipality else None)
            if code:
                codes.add(code)
        codes.update(programme.member_countries or [])
    return sorted(codes)


def fields_by_owner(*, session: Session) -> dict[int, set[str]]:
    """The exchange fields of the programmes each municipality runs (for matchmaking)."""
    found: dict[int, set[str]] = {}
    statement = (
        select(ProgrammeOwner.municipality_id, Programme.fields)
        .join(Programme, Programme.id == ProgrammeOwner.programme_id)
        .where(ProgrammeOwner.municipality_id.is_not(None))
    )
    for municipality_id, fields in session.execute(statement):
        if municipality_id is not None:
            found.setdefault(municipality_id, set()).update(fields or [])
    return found


def fields_by_pair(*, session: Session) -> dict[frozenset[int], list[str]]:
    """The exchange fields of the programmes one municipality runs with another as its partner, by the
    pair (either way round), in programme order: what a partnership between them has spread to."""
    found: dict[frozenset[int], list[str]] = {}
    statement = (
        select(ProgrammeOwner.municipality_id, ProgrammePartner.municipality_id, Programme.fields)
        .join(Programme, Programme.id == ProgrammeOwner.programme_id)
        .join(ProgrammePartner, ProgrammePartner.programme_id == Programme.id)
        .where(ProgrammeOwner.municipality_id.is_not(None), ProgrammePartner.municipality_id.is_not(None))
        .order_by(Programme.id)
    )
    for owner_id, partner_id, fields in session.execute(statement):
        if owner_id is not None and partner_id is not None and owner_id != partner_id:
            pair = found.setdefault(frozenset((owner_id, partner_id)), [])
            pair.extend(code for code in fields or [] if code not in pair)
    return found

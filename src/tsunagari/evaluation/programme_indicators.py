"""Indicators of one exchange programme (交流事業) over a range of fiscal years (read-only): the same figures
as a tie's (evaluation.indicators), counted from the programme's own activities, each with its formula and
the records it counts. A programme begins in its first fiscal year (実施年度) or on its start date."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy.orm import Session

from tsunagari.dates import fiscal_year_of
from tsunagari.errors import InvalidInput, NotFound
from tsunagari.evaluation.indicators import (
    DORMANT_YEARS,
    FORMULAS,
    Figures,
    FiscalRange,
    Measure,
    TieIndicators,
    count_figures,
    fiscal_year_option,
    municipality_named,
    tie,
    ties,
    visits_and_deadline,
    whole_years,
)
from tsunagari.exchange import activity_service, programme_service
from tsunagari.exchange.models import Programme
from tsunagari.partnership import service as partnership_service

PROGRAMME_FORMULAS: dict[str, tuple[str, str, str]] = {
    "years_since_start": (
        "開始後年数",
        "Years since start",
        "基準日 − 開始日 (開始年度の4月1日) (満年数) / whole years since the programme began",
    ),
    **{key: value for key, value in FORMULAS.items() if key != "years_since_signing"},
}


@dataclass(frozen=True, kw_only=True)
class ProgrammeIndicators(Figures):
    """One programme with its indicators; `partner` names its tie's partner, else its partners."""

    programme_id: int
    title: str
    owners: str
    partner: str
    partnership_id: int | None
    began_on: dt.date | None
    years_since_start: int | None

    def as_json(self) -> dict[str, object]:
        """The `analyze indicators --programme --json` / `/api/v1/indicators?programme=` shape."""
        return {
            "programme_id": self.programme_id,
            "title": self.title,
            "owners": self.owners,
            "partner": self.partner,
            "partnership_id": self.partnership_id,
            "began_on": self.began_on.isoformat() if self.began_on else None,
            "years_since_start": self.years_since_start,
            "active_years": self.active_years,
            "longest_run_years": self.longest_run_years,
            "activities_per_year": self.activities_per_year,
            "participants": self.participants,
            "public_cost_yen": self.public_cost_yen,
            "cost_per_participant_yen": self.cost_per_participant_yen,
            "last_activity": self.last_activity.isoformat() if self.last_activity else None,
            "dormant": self.dormant,
            "participants_by_category": dict(self.participants_by_category),
            "actor_kinds": list(self.actor_kinds),
            "visits": self.visits,
            "purpose_published_share": self.purpose_published_share,
            "report_on_time_share": self.report_on_time_share,
        }

    def explain(self) -> list[Measure]:
        """Each indicator with its formula and the records it counts."""
        began = (f"programme {self.programme_id}: 開始 {self.began_on}",) if self.began_on else ()
        return self._measures(PROGRAMME_FORMULAS, self.as_json(), began)


def began_on(programme: Programme) -> dt.date | None:
    """開始: the recorded start date, else the first day (4月1日) of its first fiscal year."""
    if programme.started_on is not None:
        return programme.started_on
    return dt.date(programme.first_fy, 4, 1) if programme.first_fy else None


def programme_named(*, session: Session, text: str, field: str = "programme") -> Programme:
    """The programme typed text names: its id, or a title (exactly, else the one title containing it);
    unknown or ambiguous → InvalidInput naming the field."""
    written = str(text).strip()
    if written.isdigit():
        try:
            return programme_service.get_programme(session=session, programme_id=int(written))
        except NotFound:
            raise InvalidInput(
                "この番号の事業はありません / no programme has this id", field=field, value=text
            ) from None
    if not written:
        raise InvalidInput(
            "事業名かIDを指定してください / give a programme title or id", field=field, value=text
        )
    found = programme_service.search_programmes(session=session, q=written)
    exact = [p for p in found if p.title == written]
    named = [p for p in found if written.casefold() in p.title.casefold()]
    chosen = exact or named
    if len(chosen) == 1:
        return chosen[0]
    if not chosen:
        raise InvalidInput(
            "この名前の事業はありません / no programme has this title", field=field, value=text
        )
    ids = ", ".join(f"{p.id} {p.title}" for p in chosen[:5])
    raise InvalidInput(
        f"複数の事業が該当します。IDで指定してください / several programmes match, give the id ({ids})",
        field=field,
        value=text,
    )


def _partner(session: Session, programme: Programme) -> str:
    if programme.partnership_id is not None:
        tie = partnership_service.get(session=session, partnership_id=programme.partnership_id)
        parties = [
            tie.home_municipality or tie.home_organisation,
            tie.partner_municipality or tie.partner_organisation,
        ]
        owners = {o.municipality_id for o in programme.owners if o.municipality_id is not None}
        others = [p.name for p in parties if p is not None and p.id not in owners]
        if others:
            return "、".join(others)
        if tie.partner_written_name:
            return tie.partner_written_name
    return "、".join(p.name for p in programme.partners)


def programme(
    *,
    session: Session,
    programme_id: int,
    first_fy: int | None = None,
    last_fy: int | None = None,
    today: dt.date,
    dormant_years: int = DORMANT_YEARS,
) -> ProgrammeIndicators:
    """One programme's indicators over the fiscal years (from its start when no first year is given);
    NotFound when there is no such programme."""
    span = FiscalRange.make(first_fy=first_fy, last_fy=last_fy, today=today)
    found = programme_service.get_programme(session=session, programme_id=programme_id)
    activities = {
        found.id: list(activity_service.activities_for_programme(session=session, programme_id=found.id))
    }
    owner_ids = [o.municipality_id for o in found.owners if o.municipality_id is not None]
    visit_ids, deadline = visits_and_deadline(session, owner_ids)
    start = began_on(found)
    figures = count_figures(
        [found],
        activities,
        span,
        begins_fy=fiscal_year_of(start) if start else None,
        visit_ids=visit_ids,
        deadline_days=deadline,
        dormant_years=dormant_years,
    )
    return ProgrammeIndicators(
        **vars(figures),
        programme_id=found.id,
        title=found.title,
        owners="、".join(o.name for o in found.owners),
        partner=_partner(session, found),
        partnership_id=found.partnership_id,
        began_on=start,
        years_since_start=whole_years(start, span.as_of) if start and start <= span.as_of else None,
    )


def programmes_of(
    *,
    session: Session,
    municipality_id: int,
    first_fy: int | None = None,
    last_fy: int | None = None,
    today: dt.date,
) -> list[ProgrammeIndicators]:
    """Indicators of every programme a municipality runs or takes part in (id order)."""
    return [
        programme(session=session, programme_id=p.id, first_fy=first_fy, last_fy=last_fy, today=today)
        for p in sorted(
            programme_service.list_programmes(session=session, municipality_id=municipality_id),
            key=lambda p: p.id,
        )
    ]


Explained = TieIndicators | ProgrammeIndicators
_one_programme = programme  # the parameter of indicators_of below shares the function's name


@dataclass(frozen=True)
class Indicated:
    """What one indicators request asked about: the figures and a title naming the subject."""

    found: list[Explained]
    title: str


def indicators_of(
    *,
    session: Session,
    municipality: str | None,
    programme: str | None,
    partnership: int | None,
    first: str | None,
    last: str | None,
    today: dt.date,
    option: Callable[[str], str] = lambda name: name,
) -> Indicated:
    """Indicators of exactly one of: every tie of a municipality, one programme, one tie — as the CLI and
    the API ask for them; `option` names a parameter as the caller spells it (--from, from)."""
    given = [
        option(name)
        for name, value in (
            ("municipality", municipality),
            ("programme", programme),
            ("partnership", partnership),
        )
        if value not in (None, "")
    ]
    if len(given) != 1:
        names = ", ".join(option(name) for name in ("municipality", "programme", "partnership"))
        raise InvalidInput(
            f"{names} のいずれか1つを指定してください / give one of {names}",
            field=option("municipality"),
            value=" ".join(given),
        )
    first_fy = fiscal_year_option(first, field=option("from"))
    last_fy = fiscal_year_option(last, field=option("to"))
    if programme:
        chosen = programme_named(session=session, text=programme, field=option("programme"))
        found: list[Explained] = [
            _one_programme(
                session=session, programme_id=chosen.id, first_fy=first_fy, last_fy=last_fy, today=today
            )
        ]
        return Indicated(found, f"{chosen.title}: 事業の指標 / indicators of a programme")
    if partnership is not None:
        try:
            found = [
                tie(
                    session=session,
                    partnership_id=partnership,
                    first_fy=first_fy,
                    last_fy=last_fy,
                    today=today,
                )
            ]
        except NotFound:
            raise InvalidInput(
                "この番号の提携はありません / no partnership has this id",
                field=option("partnership"),
                value=partnership,
            ) from None
        return Indicated(found, f"提携 {partnership} の指標 / indicators of a tie")
    me = municipality_named(session=session, text=municipality or "", field=option("municipality"))
    found = list(
        ties(session=session, municipality_id=me.id, first_fy=first_fy, last_fy=last_fy, today=today)
    )
    return Indicated(found, f"{me.name}: 提携ごとの指標 / indicators per tie ({len(found)})")

"""Public HTML page of awards (/awards), by edition with what the judges valued: a thin view over the
exchange service, its context a dataclass (no SQL here)."""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import Request
from fastapi.responses import HTMLResponse
from sqlalchemy.orm import Session

from tsunagari.exchange import award_service
from tsunagari.exchange.models import Award
from tsunagari.exchange.pages import PartyLink, party_link
from tsunagari.web.deps import SessionDep, page_router
from tsunagari.web.rendering import Lang, lang_of, render

router = page_router()


@dataclass(frozen=True)
class EvaluationPoint:
    criterion: str
    text: str


@dataclass(frozen=True)
class AwardView:
    id: int
    prize: str
    recipient: PartyLink
    partners: list[PartyLink]
    programme_id: int | None
    programme_title: str | None
    citation: str | None
    points: list[EvaluationPoint]
    url: str | None


@dataclass(frozen=True)
class AwardEdition:
    """One round of an award (第5回, FY2010) with everyone who received it."""

    name: str
    edition: int | None
    fiscal_year: int | None
    awarded_by: str | None
    criteria: list[str]
    awards: list[AwardView]


@dataclass(frozen=True)
class AwardsPage:
    editions: list[AwardEdition]


def awards_page(*, session: Session, lang: Lang) -> AwardsPage:
    editions: dict[tuple[str, int | None, int | None], list[Award]] = {}
    for award in award_service.list_awards(session=session):
        editions.setdefault((award.name, award.edition, award.fiscal_year), []).append(award)
    result = []
    for (name, edition, fiscal_year), awards in editions.items():
        criteria = award_service.criteria(awards[0].criteria_set)
        names = {c.code: (c.name_en if lang == "en" else c.name_ja) for c in criteria}
        result.append(
            AwardEdition(
                name=name,
                edition=edition,
                fiscal_year=fiscal_year,
                awarded_by=awards[0].awarded_by,
                criteria=list(names.values()),
                awards=[
                    AwardView(
                        id=a.id,
                        prize=a.prize,
                        recipient=party_link(a.recipient_municipality, a.recipient_organisation, lang),
                        partners=[party_link(p.municipality, None, lang) for p in a.partners],
                        programme_id=a.programme_id,
                        programme_title=a.programme.title if a.programme else None,
                        citation=a.citation,
                        points=[
                            EvaluationPoint(
                                names.get(point.get("criterion") or "", ""), point.get("text", "")
                            )
                            for point in a.evaluation_points
                        ],
                        url=a.url,
                    )
                    for a in awards
                ],
            )
        )
    return AwardsPage(result)


@router.get("/awards", response_class=HTMLResponse)
def awards(request: Request, session: SessionDep) -> HTMLResponse:
    return render(request, "exchange/awards.html", awards_page(session=session, lang=lang_of(request)))

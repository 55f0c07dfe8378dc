"""`tsunagari analyze …`: three-city links, gatherings by country, anniversaries, partner suggestions,
indicators across a municipality's ties and dormant ties; thin over the analytics and evaluation services."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, TypeVar

import typer
from rich.table import Table
from sqlalchemy.orm import Session

from tsunagari.analytics import service as analytics_service
from tsunagari.cli.common import console, handle_errors, print_json, session_scope
from tsunagari.evaluation import indicators as indicators_service
from tsunagari.evaluation import programme_indicators
from tsunagari.municipality.models import Municipality
from tsunagari.names import service as names_service
from tsunagari.partnership.models import PARTNERSHIP_TYPE_LABELS
from tsunagari.reference.countries import resolve_country

app = typer.Typer(help="分析 / Strategic analyses over the partnership graph.")

JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON for scripts.")]
T = TypeVar("T")
Explained = programme_indicators.Explained


def _one_municipality(session: Session, name: str) -> Municipality:
    return names_service.pick_municipality(session=session, text=name, numbers="id", hint="give the id")


FieldOption = Annotated[
    str | None,
    typer.Option("--field", help="Only ties in this exchange field: a code or label (environment, 環境)"),
]
NetworksOption = Annotated[
    bool,
    typer.Option(
        "--networks/--no-networks",
        help="Count two members of one multilateral network as tied (default) or partnerships only",
    ),
]


def _tie_text(tie: analytics_service.Tie) -> str:
    kinds = [PARTNERSHIP_TYPE_LABELS.get(t, (t,))[0] for t in tie.partnership_types] + [
        f"[{name}]" for name in tie.networks
    ]
    return "、".join(kinds)


@app.command("triangles")
@handle_errors
def triangles(
    municipality: Annotated[str | None, typer.Option(help="Only triangles through this municipality")] = None,
    field: FieldOption = None,
    networks: NetworksOption = True,
    json_output: JsonOption = False,
) -> None:
    """三都市連携: triangles of ties (each of three is tied to the other two), by field; a shared network
    counts as a tie."""
    with session_scope() as session:
        code = analytics_service.field_option(field)
        around = _one_municipality(session, municipality).id if municipality else None
        found = analytics_service.themed_triangles(
            session=session, municipality_id=around, field=code, networks=networks
        )
    if json_output:
        print_json(
            [
                {
                    "members": [m.as_json() for m in t.members],
                    "ties": [
                        {"between": [a.id, b.id], **tie.as_json()}
                        for (a, b), tie in zip(_pairs(t.members), t.ties, strict=True)
                    ],
                }
                for t in found
            ]
        )
        return
    title = f"三都市連携 / triangles{f' ({code})' if code else ''}: {len(found)}"
    table = Table(title=title)
    for column in ("1", "2", "3", "1–2", "1–3", "2–3"):
        table.add_column(column)
    for t in found[:200]:
        table.add_row(*(f"{m.name} ({m.country})" for m in t.members), *(_tie_text(tie) for tie in t.ties))
    console.print(table)


def _pairs(members: tuple[T, T, T]) -> list[tuple[T, T]]:
    first, second, third = members
    return [(first, second), (first, third), (second, third)]


@app.command("triads")
@handle_errors
def triads(
    municipality: Annotated[str, typer.Option(help="The hub: municipality name (any script) or id")],
    field: FieldOption = None,
    networks: NetworksOption = True,
    json_output: JsonOption = False,
) -> None:
    """Open triads: two of a municipality's ties (in a field) whose other ends are not tied to each other,
    candidates for a three-city link; a shared network counts as a tie."""
    with session_scope() as session:
        code = analytics_service.field_option(field)
        hub = _one_municipality(session, municipality)
        found = analytics_service.themed_open_triads(
            session=session, municipality_id=hub.id, field=code, networks=networks
        )
    if json_output:
        print_json(
            [
                {
                    "hub": t.hub.as_json(),
                    "first": t.first.as_json(),
                    "second": t.second.as_json(),
                    "shared": t.shared,
                    "ties": [tie.as_json() for tie in t.ties],
                }
                for t in found
            ]
        )
        return
    table = Table(title=f"開いた三角形 / open triads around {hub.name}: {len(found)}")
    for column in ("1", "2", "共通 / shared", "ハブ–1", "ハブ–2"):
        table.add_column(column)
    for t in found:
        table.add_row(t.first.name, t.second.name, t.shared, *(_tie_text(tie) for tie in t.ties))
    console.print(table)


@app.command("anniversaries")
@handle_errors
def anniversaries(
    year: Annotated[int, typer.Option(help="Year to plan for, e.g. 2027")],
    json_output: JsonOption = False,
) -> None:
    """締結何周年: partnerships reaching 10, 15, 20 … years in a year."""
    with session_scope() as session:
        found = analytics_service.anniversaries(session=session, year=year)
    rows = [
        {
            "municipality": a.municipality,
            "partner": a.partner,
            "type": a.type,
            "signed_on": a.signed_on,
            "years": a.years,
        }
        for a in found
    ]
    if json_output:
        print_json(rows)
        return
    table = Table(title=f"{year}年の周年 / anniversaries in {year}: {len(rows)}")
    for column in ("自治体", "相手", "種別", "提携日", "周年"):
        table.add_column(column)
    for a in found:
        table.add_row(
            a.municipality,
            a.partner,
            PARTNERSHIP_TYPE_LABELS[a.type][0],
            a.signed_on,
            f"{a.years}周年",
        )
    console.print(table)


@app.command("gatherings")
@handle_errors
def gatherings(
    country: Annotated[str, typer.Option(help="Partner country: ISO code or name (FR, フランス)")],
    json_output: JsonOption = False,
) -> None:
    """Japanese municipalities with partners in one country, most first (for a 日仏自治体交流会議)."""
    alpha2 = resolve_country(country, field="--country").alpha2
    with session_scope() as session:
        found = analytics_service.gatherings(session=session, country=alpha2)
    rows = [
        {
            "municipality": g.municipality.name,
            "municipality_id": g.municipality.id,
            "region": g.municipality.region,
            "partners": [p.name for p in g.partners],
            "partner_ids": [p.id for p in g.partners],
        }
        for g in found
    ]
    if json_output:
        print_json(rows)
        return
    table = Table(title=f"{alpha2} と提携する自治体 / municipalities partnered in {alpha2}: {len(rows)}")
    for column in ("自治体", "都道府県", "相手"):
        table.add_column(column)
    for g in found:
        table.add_row(g.municipality.name, g.municipality.region or "", "、".join(p.name for p in g.partners))
    console.print(table)


@app.command("suggest")
@handle_errors
def suggest(
    municipality: Annotated[str, typer.Argument(help="Municipality name or id")],
    json_output: JsonOption = False,
) -> None:
    """Partner-of-partner suggestions and open triads (two partners in one country) for a municipality."""
    with session_scope() as session:
        me = _one_municipality(session, municipality)
        suggestions = analytics_service.partner_of_partner(session=session, municipality_id=me.id)
        triads = analytics_service.open_triads(session=session, municipality_id=me.id)
    result = {
        "partner_of_partner": [
            {
                "candidate": s.candidate.as_json(),
                "through": [t.as_json() for t in s.through],
                "distance_km": None if s.distance_km is None else round(s.distance_km, 1),
            }
            for s in suggestions
        ],
        "open_triads": [
            {"first": t.first.as_json(), "second": t.second.as_json(), "shared_country": t.shared}
            for t in triads
        ],
    }
    if json_output:
        print_json(result)
        return
    table = Table(title="パートナーのパートナー / partners of partners")
    for column in ("候補", "国", "経由", "距離 km"):
        table.add_column(column)
    for s in suggestions:
        table.add_row(
            s.candidate.name,
            s.candidate.country,
            "、".join(t.name for t in s.through),
            "" if s.distance_km is None else f"{s.distance_km:,.0f}",
        )
    console.print(table)


FromOption = Annotated[
    str | None, typer.Option("--from", help="First fiscal year: 令和7年度, FY2025 or 2025")
]
ToOption = Annotated[str | None, typer.Option("--to", help="Last fiscal year (default: this one)")]


@app.command("indicators")
@handle_errors
def indicators(
    municipality: Annotated[
        str | None, typer.Option(help="Every tie of this municipality: name (any script) or id")
    ] = None,
    programme: Annotated[str | None, typer.Option(help="One programme instead: its id or title")] = None,
    partnership: Annotated[int | None, typer.Option(help="One tie instead: the partnership id")] = None,
    first: FromOption = None,
    last: ToOption = None,
    explain: Annotated[
        bool, typer.Option("--explain", help="Each figure's formula and the records it counts")
    ] = False,
    json_output: JsonOption = False,
) -> None:
    """指標: indicators of every tie of a municipality, of one programme or of one tie, over fiscal years
    (継続性, 活発性, 公費, 休眠 …)."""
    with session_scope() as session:
        indicated = programme_indicators.indicators_of(
            session=session,
            municipality=municipality,
            programme=programme,
            partnership=partnership,
            first=first,
            last=last,
            today=dt.date.today(),
            option=lambda name: f"--{name}",
        )
    found, title = indicated.found, indicated.title
    if json_output:
        rows = []
        for subject in found:
            row = subject.as_json()
            if explain:
                row["explain"] = [
                    {"key": m.key, "formula": m.formula, "value": m.value, "records": list(m.records)}
                    for m in subject.explain()
                ]
            rows.append(row)
        print_json(rows)
        return
    table = Table(title=title)
    for column in (
        "相手 / 事業",
        "締結・開始後年数",
        "活動年度",
        "最長連続",
        "年度あたり",
        "参加者",
        "公費 円",
        "1人あたり 円",
        "最終活動",
        "休眠",
    ):
        table.add_column(column)
    for subject in found:
        if isinstance(subject, programme_indicators.ProgrammeIndicators):
            name, since = subject.title, subject.years_since_start
        else:
            name, since = f"{subject.partner} ({subject.type_label})", subject.years_since_signing
        table.add_row(
            name,
            _text(since),
            str(subject.active_years),
            str(subject.longest_run_years),
            _text(subject.activities_per_year),
            f"{subject.participants:,}",
            f"{subject.public_cost_yen:,}",
            "" if subject.cost_per_participant_yen is None else f"{subject.cost_per_participant_yen:,}",
            _text(subject.last_activity),
            "休眠" if subject.dormant else "",
        )
    console.print(table)
    if explain:
        for subject in found:
            if isinstance(subject, programme_indicators.ProgrammeIndicators):
                heading = f"{subject.title} (programme {subject.programme_id})"
            else:
                heading = f"{subject.partner} (partnership {subject.partnership_id})"
            console.print(f"\n{heading}", style="bold", markup=False, highlight=False)
            for measure in subject.explain():
                console.print(
                    f"  {measure.label_ja}: {_text(measure.value)} = {measure.formula}",
                    markup=False,
                    highlight=False,
                )
                for record in measure.records:
                    console.print(f"    - {record}", markup=False, highlight=False)


def _text(value: object) -> str:
    return "" if value is None else str(value)


@app.command("dormant")
@handle_errors
def dormant(
    municipality: Annotated[
        str | None, typer.Option(help="Only this municipality's ties (name or id)")
    ] = None,
    years: Annotated[
        int, typer.Option(help="Years without a recorded activity")
    ] = indicators_service.DORMANT_YEARS,
    json_output: JsonOption = False,
) -> None:
    """休眠: ties with no recorded activity in N years (default 3), ties with none ever recorded included."""
    with session_scope() as session:
        me = (
            indicators_service.municipality_named(session=session, text=municipality, field="--municipality")
            if municipality
            else None
        )
        found = indicators_service.dormant(
            session=session, municipality_id=me.id if me else None, years=years, today=dt.date.today()
        )
    if json_output:
        print_json([d.as_json() for d in found])
        return
    table = Table(title=f"休眠中の提携 / dormant ties ({years}年以上): {len(found)}")
    for column in ("自治体", "相手", "種別", "最終活動", "経過年数"):
        table.add_column(column)
    for d in found[:500]:
        table.add_row(
            d.municipality,
            d.partner,
            PARTNERSHIP_TYPE_LABELS.get(d.type, (d.type, ""))[0],
            _text(d.last_activity) or "記録なし",
            _text(d.years_since),
        )
    console.print(table)

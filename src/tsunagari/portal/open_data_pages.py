"""The open-data page (/data) and its downloads, each stating the licence and attribution of every dataset
it holds or draws on (reference.licences): thin views over the portal's read service, no SQL here. Each
download is built once per data version and streamed from the file kept (web.download_store)."""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse, JSONResponse, Response
from sqlalchemy.orm import Session

from tsunagari.common.spreadsheet import CSV_MEDIA_TYPE, XLSX_MEDIA_TYPE
from tsunagari.dates import PartialDate
from tsunagari.municipality.models import Municipality
from tsunagari.partnership import export as partnership_export
from tsunagari.partnership import rows as partnership_rows
from tsunagari.partnership.models import PARTNERSHIP_TYPE_LABELS
from tsunagari.portal import service as portal_service
from tsunagari.portal.pages import GROUP_BYS
from tsunagari.reference import licences
from tsunagari.reference.licences import DatasetLicence
from tsunagari.web.deps import SessionDep, page_router
from tsunagari.web.download_store import kept_download
from tsunagari.web.rendering import render

router = page_router()

CSV_METADATA = "/data/partnerships.csv-metadata.json"


@dataclass(frozen=True)
class Download:
    path: str
    media_type: str
    description_key: str


DOWNLOADS = (
    Download("/data/partnerships.csv", "text/csv", "csv"),
    Download("/data/partnerships.xlsx", XLSX_MEDIA_TYPE, "xlsx"),
    Download("/data/partnerships.json", "application/json", "json"),
    Download("/data/partnerships.jsonld", "application/ld+json", "jsonld"),
    Download(CSV_METADATA, "application/csvm+json", "csvw"),
)


@dataclass(frozen=True)
class DataPage:
    downloads: tuple[Download, ...]
    columns: tuple[str, ...]
    licence: DatasetLicence
    """The licence the partnership downloads are offered under as a whole, from the rows they hold now."""
    datasets: tuple[DatasetLicence, ...]
    """Every dataset Tsunagari publishes or draws on, each with its own licence and attribution."""
    holds_corpus: bool
    """Whether the registry holds partnerships from the Wikipedia lists (the global pairs)."""
    stats_downloads: tuple[str, ...] = field(default=GROUP_BYS)


def data_page(*, session: Session) -> DataPage:
    sources = portal_service.partnership_sources(session=session)
    return DataPage(
        downloads=DOWNLOADS,
        columns=partnership_export.COLUMNS,
        licence=licences.partnership_download_licence(sources),
        datasets=licences.DATASETS,
        holds_corpus=any(licences.dataset_of_partnership(s) == "global-twinning" for s in sources),
    )


@router.get("/data", response_class=HTMLResponse)
def data(request: Request, session: SessionDep) -> HTMLResponse:
    return render(request, "portal/data.html", data_page(session=session))


def _sources(rows: list[partnership_export.ExportRow]) -> list[str | None]:
    return [row["source"] or None for row in rows]


@router.get("/data/partnerships.csv")
def data_csv(request: Request, session: SessionDep) -> Response:
    """The v1 columns only (the file imports back as it is); its licence travels in the Link header and in
    the CSV on the Web metadata it points to."""
    return kept_download(request, session, "partnerships.csv", lambda: build_csv(session=session))


def build_csv(*, session: Session) -> Response:
    rows = partnership_export.export_rows(session=session)
    return Response(
        partnership_export.rows_to_csv(rows),
        media_type=CSV_MEDIA_TYPE,
        headers={
            "Content-Disposition": 'attachment; filename="partnerships.csv"',
            "Link": licences.link_header(_sources(rows), described_by=CSV_METADATA),
        },
    )


@router.get("/data/partnerships.xlsx")
def data_xlsx(request: Request, session: SessionDep) -> Response:
    """The v1 columns on the first sheet; the licences on a second sheet, "about"."""
    return kept_download(request, session, "partnerships.xlsx", lambda: build_xlsx(session=session))


def build_xlsx(*, session: Session) -> Response:
    rows = partnership_export.export_rows(session=session)
    return Response(
        partnership_export.rows_to_xlsx(rows),
        media_type=XLSX_MEDIA_TYPE,
        headers={
            "Content-Disposition": 'attachment; filename="partnerships.xlsx"',
            "Link": licences.link_header(_sources(rows)),
        },
    )


@router.get("/data/partnerships.json")
def data_json(request: Request, session: SessionDep) -> Response:
    return kept_download(request, session, "partnerships.json", lambda: build_json(session=session))


def build_json(*, session: Session) -> JSONResponse:
    rows = partnership_export.export_rows(session=session)
    objects = json.loads(partnership_export.rows_to_json(rows))
    counts = Counter(licences.dataset_of_partnership(s) for s in _sources(rows))
    return JSONResponse(
        {**licences.metadata(_sources(rows)), "rows_by_dataset": dict(counts), "partnerships": objects},
        headers={"Link": licences.link_header(_sources(rows))},
    )


@router.get("/data/partnerships.csv-metadata.json")
def data_csv_metadata(request: Request, session: SessionDep) -> Response:
    """CSV on the Web (W3C) metadata for partnerships.csv: its columns, licence and sources."""
    base = str(request.base_url).rstrip("/")
    return kept_download(
        request, session, "partnerships.csv-metadata.json", lambda: build_csv_metadata(session, base), base
    )


def build_csv_metadata(session: Session, base: str) -> Response:
    sources = portal_service.partnership_sources(session=session)
    overall = licences.partnership_download_licence(sources)
    document = {
        "@context": "http://www.w3.org/ns/csvw",
        "url": f"{base}/data/partnerships.csv",
        "dc:title": "Tsunagari partnerships (version 1 columns)",
        "dc:license": {"@id": overall.licence_url},
        "dc:rights": overall.licence,
        "dc:source": [
            {
                "@id": d.url if d.url.startswith("http") else f"{base}{d.url}",
                "dc:title": d.name_en,
                "dc:license": {"@id": d.licence_url},
                "dc:rights": d.licence,
                "dc:bibliographicCitation": d.attribution,
            }
            for d in licences.partnership_datasets(sources)
        ],
        "tableSchema": {"columns": [{"name": c, "titles": c} for c in partnership_export.COLUMNS]},
    }
    body = json.dumps(document, ensure_ascii=False, indent=1)
    return Response(body.encode("utf-8"), media_type="application/csvm+json")


# --------------------------------------------------------------------------- JSON-LD
def _dataset_id(base: str, dataset: DatasetLicence) -> str:
    return f"{base}/data#dataset-{dataset.key}"


def _dataset_node(base: str, dataset: DatasetLicence) -> dict[str, Any]:
    return {
        "@id": _dataset_id(base, dataset),
        "@type": "Dataset",
        "name": [
            {"@value": dataset.name_ja, "@language": "ja"},
            {"@value": dataset.name_en, "@language": "en"},
        ],
        "description": dataset.gives_en,
        "url": dataset.url if dataset.url.startswith("http") else f"{base}{dataset.url}",
        "license": dataset.licence_url,
        "tsunagari:licenceName": dataset.licence,
        "creditText": dataset.attribution,
    }


def _place_node(m: Municipality, base: str) -> dict[str, Any]:
    node: dict[str, Any] = {
        "@id": f"{base}/municipalities/{m.id}",
        "@type": "AdministrativeArea" if m.kind in ("prefecture", "state", "province", "county") else "City",
        "name": [{"@value": m.name, "@language": "ja"}]
        + ([{"@value": m.name_en, "@language": "en"}] if m.name_en else []),
        "containedInPlace": {"@type": "Country", "identifier": m.country},
    }
    based_on: list[str] = []
    if m.jis_code:
        node["identifier"] = m.jis_code
        based_on.append("jis-x-0402")
    if m.lat is not None and m.lng is not None:
        node["geo"] = {"@type": "GeoCoordinates", "latitude": m.lat, "longitude": m.lng}
    if m.geonameid:
        node["sameAs"] = f"https://www.geonames.org/{m.geonameid}"
        based_on.append("geonames")
    elif licences.dataset_of_partnership(m.source) == "global-twinning":
        # A place the world corpus made: its point is the corpus's or, where the file gave none, the
        # countries-states-cities database's.
        based_on += ["global-twinning", "countries-states-cities"]
    if based_on:
        node["isBasedOn"] = [{"@id": _dataset_id(base, licences.BY_KEY[key])} for key in based_on]
    return node


def jsonld_document(*, session: Session, base: str) -> dict[str, Any]:
    """schema.org graph: the data set with its distributions and the datasets it is based on, each with its
    own licence; each municipality a City/AdministrativeArea, each partnership a Role between two.

    schema.org has no "sister city" property, so a partnership is an OrganizationRole naming both
    parties under `tsunagari:parties` (declared in the context), with its type, dates and origin; one
    from the Wikipedia lists names that dataset and its licence (CC BY-SA) itself.
    """
    places: dict[int, dict[str, Any]] = {}
    relations: list[dict[str, Any]] = []
    sources: list[str | None] = []
    for p in partnership_rows.list_partnerships(session=session, limit=1_000_000).items:
        a, b = p.home_municipality, p.partner_municipality
        if a is None or b is None:  # organisations' partnerships are not part of the open data set
            continue
        sources.append(p.source)
        for m in (a, b):
            places.setdefault(m.id, _place_node(m, base))
        signed = PartialDate.from_parts(p.signed_on, p.signed_on_precision)
        ended = PartialDate.from_parts(p.ended_on, p.ended_on_precision)
        ja, en = PARTNERSHIP_TYPE_LABELS.get(p.type, (p.type, p.type))
        dataset = licences.BY_KEY[licences.dataset_of_partnership(p.source)]
        relation: dict[str, Any] = {
            "@id": f"{base}/partnerships/{p.id}",
            "@type": "OrganizationRole",
            "roleName": [{"@value": ja, "@language": "ja"}, {"@value": en, "@language": "en"}],
            "additionalType": p.type,
            "tsunagari:parties": [{"@id": places[a.id]["@id"]}, {"@id": places[b.id]["@id"]}],
            "tsunagari:status": p.status,
            "isBasedOn": {"@id": _dataset_id(base, dataset)},
            "license": dataset.licence_url,
        }
        if signed:
            relation["startDate"] = signed.iso()
        if ended:
            relation["endDate"] = ended.iso()
        if p.origin:
            relation["description"] = p.origin
        relations.append(relation)
    overall = licences.partnership_download_licence(sources)
    drawn_on = licences.partnership_datasets(sources)
    credit = "; ".join(d.attribution for d in drawn_on)
    distributions = [
        {
            "@type": "DataDownload",
            "contentUrl": f"{base}{d.path}",
            "encodingFormat": d.media_type,
            "license": overall.licence_url,
            "creditText": credit,
        }
        for d in DOWNLOADS
        if d.description_key != "csvw"
    ]
    return {
        "@context": ["https://schema.org", {"tsunagari": f"{base}/data#"}],
        "@id": f"{base}/data/partnerships.jsonld",
        "@type": "Dataset",
        "name": "Tsunagari: partnerships between municipalities",
        "license": overall.licence_url,
        "tsunagari:licenceName": overall.licence,
        "creditText": credit,
        "distribution": distributions,
        "isBasedOn": [{"@id": _dataset_id(base, d)} for d in drawn_on],
        "@graph": [_dataset_node(base, d) for d in licences.DATASETS] + list(places.values()) + relations,
    }


@router.get("/data/partnerships.jsonld")
def data_jsonld(request: Request, session: SessionDep) -> Response:
    """Kept per address the site is reached at: every node's @id starts with it."""
    base = str(request.base_url).rstrip("/")
    return kept_download(request, session, "partnerships.jsonld", lambda: build_jsonld(session, base), base)


def build_jsonld(session: Session, base: str) -> Response:
    body = json.dumps(jsonld_document(session=session, base=base), ensure_ascii=False, indent=1)
    return Response(body.encode("utf-8"), media_type="application/ld+json")

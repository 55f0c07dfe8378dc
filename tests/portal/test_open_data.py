"""/data and every download state each dataset's own licence and attribution (issue 18 item 9): the
registry's records (CC BY 4.0), the global pairs from Wikipedia's lists (CC BY-SA 4.0), GeoNames,
countries-states-cities (ODbL), the JIS codes and Natural Earth."""

from __future__ import annotations

import csv
import html
import io
import json

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook
from sqlalchemy.orm import Session

from tsunagari.municipality import service as municipality_service
from tsunagari.municipality.schemas import MunicipalityCreate
from tsunagari.partnership import service as partnership_service
from tsunagari.partnership.schemas import PartnershipCreate
from tsunagari.reference import licences

# What each dataset's licence is: written out here, so that a wrong entry in reference.licences fails.
EXPECTED = {
    "records": ("CC BY 4.0", "https://creativecommons.org/licenses/by/4.0/"),
    "global-twinning": ("CC BY-SA 4.0", "https://creativecommons.org/licenses/by-sa/4.0/"),
    "geonames": ("CC BY 4.0", "https://creativecommons.org/licenses/by/4.0/"),
    "countries-states-cities": ("ODbL 1.0", "https://opendatacommons.org/licenses/odbl/1-0/"),
    "jis-x-0402": ("MIT", "https://opensource.org/licenses/MIT"),
    "iso-codes": ("LGPL-2.1", "https://www.gnu.org/licenses/old-licenses/lgpl-2.1.html"),
    "natural-earth": ("Public domain", "https://www.naturalearthdata.com/about/terms-of-use/"),
}
CC_BY = EXPECTED["records"][1]
CC_BY_SA = EXPECTED["global-twinning"][1]
CORPUS_SOURCE = "import:twin_cities.csv"


@pytest.fixture
def client(demo_client: TestClient) -> TestClient:
    return demo_client


@pytest.fixture
def session(demo_session: Session) -> Session:
    return demo_session


def test_each_dataset_has_its_own_licence() -> None:
    assert {d.key: (d.licence, d.licence_url) for d in licences.DATASETS} == EXPECTED
    wikipedia = licences.BY_KEY["global-twinning"].attribution
    assert "Hekman/twincities" in wikipedia and "Erik Hekman" in wikipedia and "Wikipedia" in wikipedia
    assert "GeoNames" in licences.BY_KEY["geonames"].attribution
    assert "Open Database License" in licences.BY_KEY["countries-states-cities"].attribution


@pytest.mark.parametrize(
    ("source", "dataset"),
    [
        (CORPUS_SOURCE, "global-twinning"),
        ("import:twin_cities_2026.csv", "global-twinning"),
        ("import:registry.csv", "records"),
        ("seed:001", "records"),
        (None, "records"),
        ("", "records"),
    ],
)
def test_a_partnership_belongs_to_the_dataset_of_its_source(source: str | None, dataset: str) -> None:
    assert licences.dataset_of_partnership(source) == dataset


def test_a_download_with_rows_from_wikipedia_is_share_alike() -> None:
    assert licences.partnership_download_licence(["seed:001", None]).licence == "CC BY 4.0"
    assert licences.partnership_download_licence(["seed:001", CORPUS_SOURCE]).licence == "CC BY-SA 4.0"


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_data_page_names_each_datasets_licence_and_attribution(client: TestClient, lang: str) -> None:
    page = client.get(f"/data?lang={lang}").text
    for dataset in licences.DATASETS:
        licence, url = EXPECTED[dataset.key]
        row = page[page.index(f'id="dataset-{dataset.key}"') :]
        row = row[: row.index("</tr>")]
        assert f'<a href="{url}">{html.escape(licence)}</a>' in row, dataset.key
        assert dataset.attribution in html.unescape(row), dataset.key
        assert (dataset.name_en if lang == "en" else dataset.name_ja) in html.unescape(row), dataset.key
    # The demo holds no rows from the Wikipedia lists: the downloads as a whole are CC BY 4.0.
    licence_section = page[page.index('id="licence"') : page.index('id="datasets"')]
    assert f'<a href="{CC_BY}">CC BY 4.0</a>' in licence_section


def _jsonld(client: TestClient) -> dict[str, object]:
    response = client.get("/data/partnerships.jsonld")
    assert response.headers["content-type"].startswith("application/ld+json")
    return response.json()  # type: ignore[no-any-return]


def test_downloads_carry_the_licences_of_the_demo_registry(client: TestClient) -> None:
    response = client.get("/data/partnerships.csv")
    assert f'<{CC_BY}>; rel="license"' in response.headers["link"]
    assert '</data/partnerships.csv-metadata.json>; rel="describedby"' in response.headers["link"]
    header = next(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert "licence" not in header  # the v1 columns only: the file imports back as it is

    metadata = client.get("/data/partnerships.csv-metadata.json").json()
    assert metadata["dc:license"] == {"@id": CC_BY}
    assert [c["name"] for c in metadata["tableSchema"]["columns"]] == header
    sources = {s["dc:title"]: s["dc:license"]["@id"] for s in metadata["dc:source"]}
    assert sources["GeoNames"] == EXPECTED["geonames"][1]
    assert sources["countries-states-cities database"] == EXPECTED["countries-states-cities"][1]

    workbook = load_workbook(io.BytesIO(client.get("/data/partnerships.xlsx").content))
    assert workbook.sheetnames == ["partnerships", "about"]
    about = [list(r) for r in workbook["about"].iter_rows(values_only=True)]
    assert about[1][:3] == ["this download", "CC BY 4.0", CC_BY]
    assert ["GeoNames", *EXPECTED["geonames"]] == about[[r[0] for r in about].index("GeoNames")][:3]
    assert "CC BY 4.0" in (workbook.properties.description or "")

    document = client.get("/data/partnerships.json").json()
    assert (document["licence"], document["licence_url"]) == ("CC BY 4.0", CC_BY)
    listed = {d["id"]: (d["licence"], d["licence_url"]) for d in document["datasets"]}
    assert "global-twinning" not in listed
    for key in ("records", "geonames", "countries-states-cities", "jis-x-0402"):
        assert listed[key] == EXPECTED[key]
    assert document["rows_by_dataset"] == {"records": len(document["partnerships"])}

    stats = client.get("/stats/country.xlsx")
    assert f'<{CC_BY}>; rel="license"' in stats.headers["link"]
    assert load_workbook(io.BytesIO(stats.content)).sheetnames == ["country", "about"]


def test_jsonld_distributions_and_datasets_state_their_own_licence(client: TestClient) -> None:
    document = _jsonld(client)
    graph = document["@graph"]
    assert isinstance(graph, list)
    datasets = {n["@id"].rsplit("#dataset-", 1)[1]: n for n in graph if n["@type"] == "Dataset"}
    assert {key: (n["tsunagari:licenceName"], n["license"]) for key, n in datasets.items()} == EXPECTED
    for key, node in datasets.items():
        assert node["creditText"] == licences.BY_KEY[key].attribution
    assert document["license"] == CC_BY
    distributions = document["distribution"]
    assert isinstance(distributions, list)
    assert {d["encodingFormat"] for d in distributions} >= {"text/csv", "application/ld+json"}
    assert all(d["license"] == CC_BY and "GeoNames" in d["creditText"] for d in distributions)
    relations = [n for n in graph if n["@type"] == "OrganizationRole"]
    assert relations and all(r["license"] == CC_BY for r in relations)
    based_on = {ref["@id"].rsplit("#dataset-", 1)[1] for ref in document["isBasedOn"]}  # type: ignore[union-attr]
    assert based_on == {"records", "jis-x-0402", "iso-codes", "geonames", "countries-states-cities"}


@pytest.mark.writes
def test_rows_from_the_wikipedia_lists_make_the_downloads_share_alike(
    client: TestClient, session: Session
) -> None:
    musashino = municipality_service.get_by_jis_code(session=session, jis_code="132039")
    assert musashino is not None
    corpus_town = municipality_service.create(
        session=session,
        data=MunicipalityCreate(
            name="Exampleville", name_en="Exampleville", country="US", source=CORPUS_SOURCE
        ),
    )
    partnership_service.create(
        session=session,
        data=PartnershipCreate(
            home_municipality_id=musashino.id,
            partner_municipality_id=corpus_town.id,
            type="twinning",
            source=CORPUS_SOURCE,
        ),
    )
    session.commit()

    page = client.get("/data").text
    licence_section = page[page.index('id="licence"') : page.index('id="datasets"')]
    assert f'<a href="{CC_BY_SA}">CC BY-SA 4.0</a>' in licence_section
    assert "Wikipedia" in licence_section

    assert f'<{CC_BY_SA}>; rel="license"' in client.get("/data/partnerships.csv").headers["link"]
    document = client.get("/data/partnerships.json").json()
    assert (document["licence"], document["licence_url"]) == ("CC BY-SA 4.0", CC_BY_SA)
    assert document["rows_by_dataset"]["global-twinning"] == 1
    twinning = next(d for d in document["datasets"] if d["id"] == "global-twinning")
    assert "Erik Hekman" in twinning["attribution"] and "Wikipedia" in twinning["attribution"]
    about = list(load_workbook(io.BytesIO(client.get("/data/partnerships.xlsx").content))["about"].values)
    assert about[1][1] == "CC BY-SA 4.0"

    jsonld = _jsonld(client)
    assert jsonld["license"] == CC_BY_SA
    graph = jsonld["@graph"]
    assert isinstance(graph, list)
    relations = {n["@id"].rsplit("/", 1)[1]: n for n in graph if n["@type"] == "OrganizationRole"}
    ours = [r for r in relations.values() if r["license"] == CC_BY_SA]
    assert len(ours) == 1 and ours[0]["isBasedOn"]["@id"].endswith("#dataset-global-twinning")
    assert sum(r["license"] == CC_BY for r in relations.values()) == len(relations) - 1
    place = next(n for n in graph if n["@id"].endswith(f"/municipalities/{corpus_town.id}"))
    assert {ref["@id"].rsplit("#dataset-", 1)[1] for ref in place["isBasedOn"]} == {
        "global-twinning",
        "countries-states-cities",
    }
    assert json.dumps(jsonld, ensure_ascii=False).count("CC BY-SA 4.0") >= 1

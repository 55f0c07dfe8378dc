"""The partner rows a municipality shows are one read model (partnership.rows.partner_rows) behind
`partners --json`, the municipality page and `/api/v1/municipalities/{id}`. Checked against the same
rows built independently from the ORM relationships (what the second copy, removed, used to do), on the
demo data and on the world corpus; and the CLI and the API are checked to answer the same rows."""

from __future__ import annotations

import datetime as dt
import json
import random
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select, union
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from tests.importers.test_pairs_import import ImportedCorpus, corpus_session, imported  # noqa: F401
from tsunagari.cli.main import app as cli_app
from tsunagari.dates import PartialDate
from tsunagari.municipality import service as municipality_service
from tsunagari.municipality.models import Municipality
from tsunagari.partnership import rows as partnership_rows
from tsunagari.partnership import service as partnership_service
from tsunagari.partnership.models import PARTNERSHIP_TYPE_LABELS, Partnership
from tsunagari.session import unit_of_work
from tsunagari.web.app import create_app

TODAY = dt.date(2026, 12, 7)


def _reference_rows(session: Session, municipality: Municipality, today: dt.date) -> list[dict[str, Any]]:
    """The rows from the loaded partnerships and their parties, one object at a time."""
    rows = []
    for partnership in partnership_service.for_municipality(session=session, municipality_id=municipality.id):
        if partnership.home_municipality_id == municipality.id:
            other_m, other_o = partnership.partner_municipality, partnership.partner_organisation
        else:
            other_m, other_o = partnership.home_municipality, partnership.home_organisation
        if other_m is not None:
            party = {"name": other_m.name, "name_en": other_m.name_en, "country": other_m.country}
            party |= {"region": other_m.region, "partner_id": other_m.id, "partner_kind": "municipality"}
        else:
            assert other_o is not None
            seat = session.get(Municipality, other_o.municipality_id) if other_o.municipality_id else None
            party = {
                "name": other_o.name,
                "name_en": other_o.name_en,
                "country": seat.country if seat else None,
            }
            party |= {"region": seat.region if seat else None, "partner_id": other_o.id}
            party |= {"partner_kind": "organisation"}
        signed = PartialDate.from_parts(partnership.signed_on, partnership.signed_on_precision)
        years = None
        if signed:
            years = (
                today.year
                - signed.value.year
                - ((today.month, today.day) < (signed.value.month, signed.value.day))
            )
        label_ja, label_en = PARTNERSHIP_TYPE_LABELS[partnership.type]
        rows.append(
            party
            | {
                "domestic": party["country"] == municipality.country,
                "type": partnership.type,
                "type_label": label_ja,
                "type_label_en": label_en,
                "signed_on": signed.iso() if signed else None,
                "precision": signed.precision if signed else None,
                "signed_on_wareki": signed.wareki() if signed else None,
                "status": partnership.status,
                "partnership_id": partnership.id,
                "origin": partnership.origin,
                "inherited_through_merger": partnership.inherited_through_merger,
                "via": partnership.via_municipality.name if partnership.via_municipality else None,
                "counts_as_sister_friendship": partnership.counts_as_sister_friendship,
                "years_since_signing": years,
            }
        )
    return rows


def _with_partners(session: Session) -> list[int]:
    ids = union(
        select(Partnership.home_municipality_id).where(Partnership.home_municipality_id.is_not(None)),
        select(Partnership.partner_municipality_id).where(Partnership.partner_municipality_id.is_not(None)),
    )
    return sorted(session.scalars(select(ids.subquery().c[0])))


def _assert_same_rows(session: Session, municipality_ids: list[int]) -> int:
    compared = 0
    for municipality_id in municipality_ids:
        municipality = municipality_service.get(session=session, municipality_id=municipality_id)
        flat = partnership_rows.partner_rows(session=session, municipality=municipality, today=TODAY)
        expected = _reference_rows(session, municipality, TODAY)
        assert [row.model_dump() for row in flat] == expected, municipality.name
        compared += len(flat)
    return compared


def test_partner_rows_match_the_relationships_on_the_demo_data(session: Session) -> None:
    ids = _with_partners(session)
    assert len(ids) >= 39
    assert _assert_same_rows(session, ids) >= 68


def test_partner_rows_match_the_relationships_on_the_world_corpus(corpus_session: Session) -> None:  # noqa: F811
    ids = _with_partners(corpus_session)
    assert len(ids) > 10_000
    sample = random.Random(7).sample(ids, 400)
    assert _assert_same_rows(corpus_session, sample) > 400


def test_partners_json_and_the_api_list_the_same_rows(cli_database: str) -> None:
    client = TestClient(create_app())
    runner = CliRunner()
    with unit_of_work() as session:
        ids = _with_partners(session)
        names = {i: municipality_service.get(session=session, municipality_id=i) for i in ids}
        targets = [(i, m.name, m.region) for i, m in names.items() if m.country == "JP" and m.region]
    assert len(targets) >= 20
    for municipality_id, name, prefecture in targets:
        result = runner.invoke(cli_app, ["partners", name, "--prefecture", prefecture, "--json"])
        assert result.exit_code == 0, result.output
        from_cli = json.loads(result.stdout)
        from_api = client.get(f"/api/v1/municipalities/{municipality_id}").json()["partners"]
        # years_since_signing is computed for today on both sides; the rows are otherwise identical.
        assert from_cli == from_api, name

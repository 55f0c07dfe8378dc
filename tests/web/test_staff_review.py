"""The 伊達 case: resolving a review item whose waiting row would change a stored partnership shows the
change field by field, and nothing stored changes until the overwrite is confirmed."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from tests.staff_support import (
    OWN,
    build_app,
    cookie_client,
    make_user,
    municipality_id,
    staff_database,  # noqa: F401 - fixture
)
from tsunagari.access.principal import Principal
from tsunagari.access.roles import Role
from tsunagari.db import get_engine
from tsunagari.importers.partnerships import PendingPartnership
from tsunagari.importers.partnerships_validation import PartnershipRow
from tsunagari.municipality import service as municipality_service
from tsunagari.names import actions as names_actions
from tsunagari.names import service as names_service
from tsunagari.names.models import ReviewItem
from tsunagari.partnership import service as partnership_service
from tsunagari.partnership.models import PartnershipType
from tsunagari.partnership.schemas import PartnershipCreate
from tsunagari.session import unit_of_work
from tsunagari.web.security import CSRF_FIELD

REVIEWER = Principal(0, "cli:reviewer", "cli:reviewer", Role.reviewer, via="cli")
STORED, IMPORTED = dt.date(2025, 10, 1), dt.date(2001, 5, 5)


def _date_case() -> tuple[int, int, int]:
    """A partnership of 武蔵野市 and 伊達市 (北海道) signed 2025-10-01, and an ambiguous 伊達市 row waiting on
    the review list that says 2001-05-05: (item id, the 北海道 伊達市 id, partnership id)."""
    with unit_of_work(get_engine()) as session:
        home = municipality_id(session, OWN)
        date = next(
            m
            for m in municipality_service.find_by_name(session=session, name="伊達市", country="JP")
            if m.region == "北海道"
        )
        partnership = partnership_service.create(
            session=session,
            data=PartnershipCreate(
                home_municipality_id=home,
                partner_municipality_id=date.id,
                type=PartnershipType.friendship_city,
                signed_on=STORED,
            ),
        )
        resolution = names_service.resolve(session=session, text="伊達市", country="JP")
        assert resolution.status == "ambiguous"
        row = PartnershipRow.from_pending(
            {
                "line": 7,
                "home_municipality_id": home,
                "partner": "伊達市",
                "partner_country": "JP",
                "type": "friendship_city",
                "signed_on": IMPORTED.isoformat(),
                "signed_on_precision": "day",
                "status": "active",
                "source": "test:伊達",
            }
        )
        item = names_service.send_to_review(
            session=session, resolution=resolution, source="test:伊達", pending=PendingPartnership(row)
        )
        return item.id, date.id, partnership.id


def _state(item_id: int, partnership_id: int) -> tuple[str, dt.date | None]:
    with unit_of_work(get_engine()) as session:
        item = session.get(ReviewItem, item_id)
        assert item is not None
        return item.status, partnership_service.get(session=session, partnership_id=partnership_id).signed_on


def test_a_resolution_never_overwrites_a_stored_value_without_confirmation(staff_database: str) -> None:  # noqa: F811
    item_id, date_id, partnership_id = _date_case()
    client, csrf = cookie_client(build_app(), make_user(Role.reviewer))
    url = f"/staff/review/{item_id}/resolve"

    preview = client.post(url, data={CSRF_FIELD: csrf, "target": str(date_id)})
    assert preview.status_code == 200
    [row] = re.findall(r'<tr class="changed overwrite">(.*?)</tr>', preview.text)
    assert "提携日" in row and "2025-10-01" in row and "2001-05-05" in row
    assert _state(item_id, partnership_id) == ("open", STORED)

    fingerprint = re.findall(r'name="fingerprint" value="([^"]+)"', preview.text)[0]
    unticked = client.post(
        url, data={CSRF_FIELD: csrf, "target": str(date_id), "confirm": "yes", "fingerprint": fingerprint}
    )
    assert unticked.status_code == 200 and "上書きの確認にチェック" in unticked.text
    assert _state(item_id, partnership_id) == ("open", STORED)

    # Every surface goes through the same action: without the confirmation it refuses and writes nothing.
    with unit_of_work(get_engine()) as session, pytest.raises(names_actions.OverwriteNotConfirmed):
        names_actions.resolve_review(session=session, actor=REVIEWER, item_id=item_id, target=str(date_id))
    assert _state(item_id, partnership_id) == ("open", STORED)

    confirmed = client.post(
        url,
        data={
            CSRF_FIELD: csrf,
            "target": str(date_id),
            "confirm": "yes",
            "fingerprint": fingerprint,
            "overwrite": "yes",
        },
    )
    assert confirmed.status_code == 303, confirmed.text
    assert _state(item_id, partnership_id) == ("resolved", IMPORTED)


def test_a_resolution_that_only_adds_shows_what_it_creates_first(staff_database: str) -> None:  # noqa: F811
    with unit_of_work(get_engine()) as session:
        resolution = names_service.resolve(session=session, text="府中市", country="JP")
        item = names_service.send_to_review(session=session, resolution=resolution, source="test:府中")
        item_id, target = item.id, next(c for c in item.candidates if c["source"] == "registry")["id"]
    client, csrf = cookie_client(build_app(), make_user(Role.reviewer))
    url = f"/staff/review/{item_id}/resolve"
    preview = client.post(url, data={CSRF_FIELD: csrf, "target": str(target)})
    assert preview.status_code == 200 and 'name="overwrite"' not in preview.text
    with unit_of_work(get_engine()) as session:
        assert session.get(ReviewItem, item_id).status == "open"  # type: ignore[union-attr]
    fingerprint = re.findall(r'name="fingerprint" value="([^"]+)"', preview.text)[0]
    done = client.post(
        url, data={CSRF_FIELD: csrf, "target": str(target), "confirm": "yes", "fingerprint": fingerprint}
    )
    assert done.status_code == 303

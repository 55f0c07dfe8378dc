"""resolve_partner, the one partner resolution every importer uses, and the typed pending actions
answering a review item dispatches to (SQLite and PostgreSQL)."""

from __future__ import annotations

import ast
import importlib
import inspect
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

from sqlalchemy import delete, event
from sqlalchemy.orm import Session

from tsunagari.importers.partnerships import PendingPartnership
from tsunagari.importers.partnerships_validation import PartnershipRow
from tsunagari.municipality import service as municipality_service
from tsunagari.municipality.models import Municipality
from tsunagari.municipality.schemas import MunicipalityCreate
from tsunagari.names import pending as names_pending
from tsunagari.names import service as names_service
from tsunagari.names.partners import SettledNames, resolve_partner
from tsunagari.names.pending import PendingAction, register
from tsunagari.partnership import service as partnership_service
from tsunagari.partnership.models import PartnershipStatus, PartnershipType
from tsunagari.partnership.schemas import PartnershipCreate


def _one(session: Session, name: str, country: str = "JP", region: str | None = None) -> Municipality:
    found = municipality_service.find_by_name(session=session, name=name, country=country, region=region)
    assert len(found) == 1, found
    return found[0]


@contextmanager
def _statements(session: Session) -> Iterator[list[str]]:
    seen: list[str] = []

    def before(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        seen.append(statement)

    engine = session.get_bind().engine
    event.listen(engine, "before_cursor_execute", before)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", before)


def test_an_exact_registry_name_is_the_partner(session: Session) -> None:
    found = resolve_partner(session=session, name="金沢市", country="JP")
    assert found.how == "exact" and found.municipality is not None
    assert found.municipality.name == "金沢市" and not found.new_to_registry


def test_a_name_the_gazetteer_knows_becomes_a_registry_record(session: Session) -> None:
    session.execute(delete(Municipality).where(Municipality.country == "RO"))
    found = resolve_partner(session=session, name="ブラショフ市", country="RO")
    assert found.how == "matched" and found.new_to_registry and found.municipality is not None
    # The written name is learnt: next time it is an exact registry name.
    again = resolve_partner(session=session, name="ブラショフ市", country="RO")
    assert again.how == "exact" and again.municipality is found.municipality


def test_the_english_name_settles_a_name_nothing_else_matches(session: Session) -> None:
    nancy = _one(session, "Nancy", "FR")
    found = resolve_partner(session=session, name="Xqzvwk Ville", name_en="Nancy", country="FR")
    assert found.how == "english" and found.municipality is not None and found.municipality.id == nancy.id


def test_a_name_settled_earlier_is_read_in_one_query(session: Session) -> None:
    kanazawa = _one(session, "金沢市")
    fuchu = _one(session, "府中市", region="東京都")
    partnership_service.create(
        session=session,
        data=PartnershipCreate(
            home_municipality_id=kanazawa.id,
            partner_municipality_id=fuchu.id,
            partner_written_name="府中市",
            type=PartnershipType.sister_city,
        ),
    )
    with _statements(session) as statements:
        settled = SettledNames.load(session=session, home_municipality_ids=[kanazawa.id, fuchu.id])
    assert len([s for s in statements if s.lstrip().upper().startswith("SELECT")]) == 1
    settled_id = settled.get(
        home_municipality_id=kanazawa.id, type_="sister_city", written="府中市", country="JP"
    )
    assert settled_id == fuchu.id
    assert (
        settled.get(home_municipality_id=kanazawa.id, type_="friendship_city", written="府中市", country="JP")
        is None
    )
    found = resolve_partner(session=session, name="府中市", country="JP", settled_partner_id=settled_id)
    assert found.how == "settled" and found.municipality is not None and found.municipality.id == fuchu.id


def test_an_ambiguous_name_goes_to_review_with_a_typed_pending_action(session: Session) -> None:
    found = resolve_partner(
        session=session,
        name="府中市",
        country="JP",
        create=lambda: MunicipalityCreate(name="府中市", country="JP"),
    )
    assert found.how == "review" and found.municipality is None
    assert found.resolution.status == "ambiguous"
    assert sorted(c.region or "" for c in found.resolution.alternatives) == ["広島県", "東京都"]
    row = PartnershipRow(
        line=2,
        home_municipality_id=_one(session, "金沢市").id,
        partner="府中市",
        partner_name_en=None,
        partner_country="JP",
        partner_region=None,
        type=PartnershipType.friendship_city,
        signed_on=None,
        status=PartnershipStatus.active,
        ended_on=None,
        origin=None,
        notes=None,
        source="test",
    )
    item = names_service.send_to_review(
        session=session, resolution=found.resolution, source="test", pending=PendingPartnership(row)
    )
    assert item.pending is not None and item.pending["kind"] == "partnership"
    assert names_pending.parse(item.pending) == PendingPartnership(row)


def test_an_unknown_foreign_name_is_created_only_when_the_importer_makes_partners(session: Session) -> None:
    unknown = "Qxzvwkton Springs"
    reviewed = resolve_partner(session=session, name=unknown, country="US")
    assert reviewed.how == "review" and reviewed.resolution.status == "unresolved"
    created = resolve_partner(
        session=session,
        name=unknown,
        country="US",
        create=lambda: MunicipalityCreate(name=unknown, country="US", source="test"),
    )
    assert created.how == "created" and created.new_to_registry and created.municipality is not None
    assert created.municipality.name == unknown
    # Every Japanese local government is in the registry: an unknown Japanese name is never made up.
    japanese = resolve_partner(
        session=session,
        name="存在しない村",
        country="JP",
        create=lambda: MunicipalityCreate(name="存在しない村", country="JP"),
    )
    assert japanese.how == "review" and japanese.municipality is None


# ----------------------------------------------------------------------------- pending actions
@register
@dataclass(frozen=True)
class _Marker(PendingAction):
    kind: ClassVar[str] = "test_marker"
    note: str
    carried_out: ClassVar[list[tuple[str, int]]] = []

    def as_json(self) -> dict[str, Any]:
        return {"note": self.note}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> _Marker:
        return cls(str(data["note"]))

    def carry_out(self, *, session: Session, municipality: Municipality) -> None:
        self.carried_out.append((self.note, municipality.id))


def test_resolving_a_review_item_dispatches_to_the_registered_handler(session: Session) -> None:
    resolution = names_service.resolve(session=session, text="府中市", country="JP")
    item = names_service.send_to_review(
        session=session, resolution=resolution, source="test", pending=_Marker("hello")
    )
    assert item.pending == {"kind": "test_marker", "note": "hello"}
    target = next(c for c in resolution.alternatives if c.region == "東京都")
    names_service.resolve_review(session=session, item_id=item.id, target=str(target.id))
    assert _Marker.carried_out[-1] == ("hello", target.id)


def test_the_importers_register_their_pending_actions() -> None:
    importlib.import_module("tsunagari.importers")
    kinds = names_pending.registered()
    assert {"partnership", "programme_partner"} <= kinds.keys()
    assert kinds["partnership"].__module__ == "tsunagari.importers.partnerships"
    assert kinds["programme_partner"].__module__ == "tsunagari.importers.cases"


def test_the_names_domain_never_imports_the_importers() -> None:
    """Answering a review item reaches the importers' handlers through the registry, not an import."""
    package = Path(importlib.import_module("tsunagari.names").__file__ or "").parent
    # The HTTP shells in the package (pages, api) are the architecture test's to watch.
    for path in sorted(p for p in package.glob("*.py") if not p.stem.endswith(("pages", "api"))):
        imported: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module:
                imported |= {node.module, *(f"{node.module}.{alias.name}" for alias in node.names)}
            elif isinstance(node, ast.Import):
                imported |= {alias.name for alias in node.names}
        assert not any(name.startswith("tsunagari.importers") for name in imported), (path.name, imported)
    assert "tsunagari.importers" not in inspect.getsource(names_service)

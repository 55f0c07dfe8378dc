"""Bundle export and import, permission-checked: the one way the CLI moves a municipality's records."""

from __future__ import annotations

from sqlalchemy.orm import Session

from tsunagari.access.permissions import NOTHING, Target, require
from tsunagari.access.principal import Principal
from tsunagari.maintenance import bundle
from tsunagari.maintenance import permissions as _rules  # noqa: F401 - registers this domain's rules


def export_bundle(
    *, session: Session, actor: Principal | None, municipality_id: int, with_contacts: bool = False
) -> bytes:
    require("export_bundle", actor, Target("bundle", frozenset({municipality_id})))
    return bundle.export_bundle(session, municipality_id, with_contacts=with_contacts)


def import_bundle(
    *, session: Session, actor: Principal | None, data: bytes, overwrite: bool = False
) -> dict[str, int]:
    require("import_bundle", actor, NOTHING)
    return bundle.import_bundle(session, data, overwrite=overwrite)

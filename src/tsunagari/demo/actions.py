"""Loading the demo data set, permission-checked: the one way `tsunagari demo` writes it."""

from __future__ import annotations

from sqlalchemy.orm import Session

from tsunagari.access.permissions import NOTHING, require
from tsunagari.access.principal import Principal
from tsunagari.demo import permissions as _rules  # noqa: F401 - registers this rule
from tsunagari.demo.service import DemoSummary, load_demo


def load_demo_data(*, session: Session, actor: Principal | None) -> DemoSummary:
    """Load demo.yaml (idempotent) once the actor may: checked once for the whole set, as an import is,
    so the loader stays as fast as the services it calls; the audit trail names the actor."""
    require("load_demo_data", actor, NOTHING)
    return load_demo(session=session)

"""Writes of evaluations, permission-checked: a reviewer saves their own scores of a partnership or a
programme."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy.orm import Session

from tsunagari.access.action_kit import check_version, stale_is_conflict
from tsunagari.access.permissions import Target, require
from tsunagari.access.principal import Principal
from tsunagari.errors import Conflict
from tsunagari.evaluation import permissions as _rules  # noqa: F401 - registers this domain's rules
from tsunagari.evaluation import service as evaluation_service
from tsunagari.evaluation.models import Evaluation


def score_evaluation(
    *,
    session: Session,
    actor: Principal | None,
    kind: str,
    subject_id: int,
    data: Mapping[str, Any],
    version: int | None,
) -> Evaluation:
    """Save the actor's own scores for a partnership or programme; version 0 for a first evaluation."""
    require("score_evaluation", actor, Target("evaluation", record_id=subject_id))
    assert actor is not None  # the rule refuses the public
    existing = evaluation_service.get_evaluation(
        session=session, kind=kind, subject_id=subject_id, reviewer_id=actor.user_id
    )
    if existing is None:
        if version not in (0, None):
            raise Conflict(f"評価はまだ保存されていません (版 0)、あなたの版 {version} / not scored yet")
    else:
        check_version(existing, version)
    with stale_is_conflict():
        return evaluation_service.score(
            session=session,
            kind=kind,
            subject_id=subject_id,
            reviewer_id=actor.user_id,
            reviewer_name=actor.display_name or actor.email,
            data=data,
        )

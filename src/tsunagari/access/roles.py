"""Staff roles and their labels."""

from __future__ import annotations

import enum


class Role(enum.StrEnum):
    admin = "admin"
    editor = "editor"
    """Edits the records of the municipalities it is assigned to."""
    reviewer = "reviewer"
    """Scores evaluations and works the review list."""
    viewer = "viewer"
    """Reads everything staff may read, contacts included."""


ROLE_LABELS_JA: dict[str, str] = {
    "admin": "管理者",
    "editor": "編集者",
    "reviewer": "審査担当",
    "viewer": "閲覧者",
}
ROLE_LABELS_EN: dict[str, str] = {
    "admin": "Administrator",
    "editor": "Editor",
    "reviewer": "Reviewer",
    "viewer": "Viewer",
}

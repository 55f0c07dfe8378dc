"""Links stored for people to follow: http(s) only, so that no `javascript:` or `data:` URL is ever stored
or rendered as a link; shared ground: imports nothing of tsunagari's domains."""

from __future__ import annotations

from typing import Annotated, Final
from urllib.parse import urlsplit

from pydantic import AfterValidator

from tsunagari.common.encoding import control_character

LINK_SCHEMES: Final = ("http", "https")
LINK_REASON: Final = "must be a web address starting with http:// or https://"


def is_web_link(value: str) -> bool:
    """True for an absolute http(s) URL with a host (what a public page may link to)."""
    text = value.strip()
    if not text or control_character(text) is not None or any(c.isspace() for c in text):
        return False
    try:
        parts = urlsplit(text)
    except ValueError:
        return False
    return parts.scheme.lower() in LINK_SCHEMES and bool(parts.netloc)


def _web_link(value: str | None) -> str | None:
    if value is None or not value.strip():
        return None if value is None else value.strip() or None
    if not is_web_link(value):
        raise ValueError(LINK_REASON)
    return value.strip()


WebLink = Annotated[str, AfterValidator(_web_link)]
"""A schema field holding a link: `website: WebLink | None = None`."""


def safe_href(value: object) -> str:
    """A stored value as a page's href: itself when it is a web link, else "" (never `javascript:`)."""
    return value.strip() if isinstance(value, str) and is_web_link(value) else ""

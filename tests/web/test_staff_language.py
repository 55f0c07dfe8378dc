"""The staff pages speak one language at a time, from the message catalogue: every GET page under /staff,
rendered for an administrator in Japanese and in English, has no "日本語 / English" pair in its labels,
headings, buttons or menus, and the English pages' controls are in English."""

from __future__ import annotations

import re
from html.parser import HTMLParser

from fastapi.routing import iter_route_contexts
from fastapi.testclient import TestClient

from tests.staff_support import (
    OWN,
    build_app,
    cookie_client,
    make_user,
    municipality_id,
    new_activity,
    new_contact,
    new_organisation,
    new_partnership,
    new_programme,
    new_visit,
    staff_database,  # noqa: F401 - fixture
)
from tsunagari.access.roles import Role
from tsunagari.db import get_engine
from tsunagari.session import unit_of_work
from tsunagari.web.i18n import split_pair
from tsunagari.web.security import CSRF_FIELD

# Text a person reads as the page's own words (not record data, which may hold any slash).
CHROME_TAGS = frozenset({"title", "h1", "h2", "h3", "label", "legend", "th", "button", "option", "nav"})
PAIR = re.compile(r"[\u3040-\u30ff\u3400-\u9fff）」] / [A-Za-z]")
JAPANESE = re.compile(r"[\u3040-\u30ff\u3400-\u9fff]")
# GET routes that answer a fragment or a file rather than a page, reached through the pages that use them.
NOT_PAGES = {"/staff/echo/{kind}", "/staff/pick/{what}"}


class _Chrome(HTMLParser):
    """The text inside CHROME_TAGS, and the placeholder and aria-label attributes, one string per element."""

    def __init__(self) -> None:
        super().__init__()
        self.open: list[tuple[str, int]] = []
        self.texts: list[tuple[str, str]] = []
        self.links: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        for name in ("placeholder", "aria-label"):
            if values.get(name):
                self.texts.append((f"@{name}", values[name] or ""))
        for name in ("href", "hx-get"):
            if (values.get(name) or "").startswith("/staff"):
                self.links.append(values[name] or "")
        if tag == "option" and self.open and self.open[-1][0] == "option":  # </option> may be left out
            self.open.pop()
        if tag in CHROME_TAGS:
            self.open.append((tag, len(self.texts)))
            self.texts.append((tag, ""))

    def handle_endtag(self, tag: str) -> None:
        while tag != "option" and self.open and self.open[-1][0] == "option":  # closed by its list's end
            self.open.pop()
        while tag in (t for t, _ in self.open):  # closes what an end tag left open inside it too
            if self.open.pop()[0] == tag:
                break

    def handle_data(self, data: str) -> None:
        if self.open:
            tag, index = self.open[-1]
            self.texts[index] = (tag, self.texts[index][1] + data)


def _read(html: str) -> _Chrome:
    parser = _Chrome()
    parser.feed(html)
    return parser


def _pattern(path: str) -> re.Pattern[str]:
    return re.compile("^" + re.sub(r"\\\{[a-z_]+\\\}", r"[^/?]+", re.escape(path)) + r"(\?.*)?$")


def _pages(client: TestClient, extra: list[str]) -> dict[str, str]:
    """Route path → one URL of it, found from the routes and the links of the pages as an admin walks them."""
    routes = [
        str(c.path)
        for c in iter_route_contexts(client.app.routes)  # type: ignore[attr-defined]
        if str(c.path).startswith("/staff") and "GET" in (c.methods or ()) and str(c.path) not in NOT_PAGES
    ]
    chosen: dict[str, str] = {r: r for r in routes if "{" not in r}
    queue = list(chosen.values()) + extra
    seen: set[str] = set()
    while queue:
        url = queue.pop(0)
        if url in seen or len(seen) > 400:
            continue
        seen.add(url)
        for route in routes:
            if route not in chosen and _pattern(route).match(url):
                chosen[route] = url
        response = client.get(url)
        if response.headers.get("content-type", "").startswith("text/html"):
            queue.extend(link for link in _read(response.text).links if link not in seen)
    return chosen


def test_every_staff_page_speaks_one_language(staff_database: str) -> None:  # noqa: F811
    with unit_of_work(get_engine()) as session:
        own = municipality_id(session, OWN)
        made = {
            "partnership": new_partnership(session),
            "contact": new_contact(session),
            "organisation": new_organisation(session),
            "programme": new_programme(session),
            "activity": new_activity(session),
            "visit": new_visit(session),
        }
    admin = make_user(Role.admin, (OWN,))
    extra = [f"/staff/{kind}/{record_id}/edit" for kind, record_id in made.items()] + [
        f"/staff/{kind}/{record_id}/delete" for kind, record_id in made.items()
    ]
    extra += [
        f"/staff/municipality/{own}/edit",
        f"/staff/policy/rules/{own}",
        f"/staff/evaluation/partnership/{made['partnership']}",
        f"/staff/programme/{made['programme']}/partners",
        f"/staff/history/partnership/{made['partnership']}",
        f"/staff/users/{admin.id}/edit",
        f"/staff/partnerships?municipality={own}",
        f"/staff/contacts?municipality={own}",
    ]
    client, _ = cookie_client(build_app(), admin)
    pages = _pages(client, extra)
    missing = sorted(route for route, url in pages.items() if "{" in url)  # a route no walk reached
    assert missing == [], "staff pages the walk did not reach"

    pairs: list[str] = []
    english: list[str] = []
    for route, url in sorted(pages.items()):
        for lang in ("ja", "en"):
            response = client.get(url, params={"lang": lang})
            assert response.status_code < 500, (url, lang)
            if not response.headers.get("content-type", "").startswith("text/html"):
                continue
            for tag, text in _read(response.text).texts:
                text = " ".join(text.split())
                if PAIR.search(text) and split_pair(text):
                    pairs.append(f"{lang} {route} <{tag}> {text}")
                switch = tag == "nav" and "日本語" in text  # the menu holds the switch back to Japanese
                if (
                    lang == "en"
                    and tag in ("button", "legend", "nav")
                    and JAPANESE.search(text)
                    and not switch
                ):
                    english.append(f"{route} <{tag}> {text}")
    assert pairs == [], "a label, heading, button or menu with both languages on one line"
    assert english == [], "Japanese in the controls of an English page"


def test_the_staff_chrome_follows_the_language(staff_database: str) -> None:  # noqa: F811
    client, csrf = cookie_client(build_app(), make_user(Role.admin, (OWN,)))
    ja = client.get("/staff")  # Japanese by default
    assert '<html lang="ja">' in ja.text and "職員ホーム" in ja.text and "ログアウト" in ja.text
    assert "Staff home" not in ja.text and "Log out" not in ja.text
    en = client.get("/staff", params={"lang": "en"})
    assert '<html lang="en">' in en.text and "Staff home" in en.text and "Log out" in en.text
    assert "職員ホーム" not in en.text and "ログアウト" not in en.text
    form = client.get("/staff/partnership/new")  # the choice is kept in the lang cookie
    assert "<legend>Basics</legend>" in form.text and "基本情報" not in form.text
    refused = client.post("/staff/partnership/new", data={CSRF_FIELD: csrf, "signed_on": "令和0年4月1日"})
    assert "not a date" in refused.text and "日付として読めません" not in refused.text

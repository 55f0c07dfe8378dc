"""Every public page in Chromium, Japanese and English, desktop and phone: axe-core (vendored) finds no
serious or critical violation, and in English no Japanese is left outside an element marked lang="ja"
(a name with no English form, a quoted document title); published visits show on the pages of seed 002's
publication duty."""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from tests.app_server import running_app
from tests.browser.test_portal_layout import FOLLOWED, PAGES
from tests.conftest import Databases
from tests.policy.publication_data import PUBLISHED_PURPOSE, Visits, add_visits
from tsunagari.db import make_engine
from tsunagari.session import unit_of_work

pytestmark = pytest.mark.browser

playwright_sync = pytest.importorskip("playwright.sync_api")

# Served by the app itself: the pages' Content-Security-Policy allows scripts from the same origin only.
AXE = "/static/vendor/axe-core-4.14.1/axe.min.js"

# Text nodes with Japanese characters whose nearest lang attribute is not "ja", with where they sit: names
# without an English form and texts kept only in Japanese are marked lang="ja" by the templates.
JAPANESE_OUTSIDE_JA = """() => {
  const cjk = /[\\u3040-\\u30ff\\u3400-\\u9fff\\uff01-\\uff5e]/;
  const found = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  let node;
  while ((node = walker.nextNode())) {
    const parent = node.parentElement;
    if (!parent || parent.closest("script, style, noscript, [hidden]")) continue;
    // A Japanese gloss in brackets beside its English form ("the Ministry of Internal Affairs and
    // Communications (総務省)") is not a mixed form: the English is there.
    const text = /[A-Za-z]{3}/.test(node.textContent)
      ? node.textContent.replace(/[(（][^()（）A-Za-z]*[)）]/g, "")
      : node.textContent;
    if (!cjk.test(text)) continue;
    const marked = parent.closest("[lang]");
    if (marked && marked.getAttribute("lang").startsWith("ja")) continue;
    if (parent.closest("input, textarea")) continue;
    const where = parent.tagName.toLowerCase() + (parent.className ? "." + parent.className : "");
    found.push(where + ": " + node.textContent.trim().slice(0, 40));
  }
  return found;
}"""

AXE_RUN = """async () => {
  const result = await axe.run(document, { resultTypes: ["violations"] });
  return result.violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map((v) => v.id + " (" + v.impact + "): "
      + v.nodes.slice(0, 3).map((n) => n.target.join(" ")).join(", "));
}"""


@pytest.fixture(scope="module")
def served(databases: Databases) -> Iterator[tuple[str, Visits]]:
    url = databases.copy(demo=True)
    engine = make_engine(url)
    try:
        with unit_of_work(engine) as session:
            visits = add_visits(session)
        engine.dispose()
        with running_app(url, what="the portal server") as base:
            yield base, visits
    finally:
        databases.discard(url)


def _paths(browser: object, base: str, visits: Visits) -> list[str]:
    context = browser.new_context()  # type: ignore[attr-defined]
    page = context.new_page()
    found = [
        *PAGES,
        f"/municipalities/{visits.murayama}",
        f"/municipalities/{visits.murayama}/publications",
        f"/partnerships/{visits.partnership}",
        f"/programmes/{visits.programme}",
        f"/embed/municipalities/{visits.murayama}",
    ]
    for listing, selector in FOLLOWED:
        page.goto(f"{base}{listing}")
        href = page.locator(selector).first.get_attribute("href")
        assert href, f"{listing} has no link {selector}"
        found.append(href)
    context.close()
    return found


def _name(path: str) -> str:
    return re.sub(r"[^0-9A-Za-z]+", "-", path.strip("/")) or "home"


@pytest.mark.parametrize(("lang", "width"), [("ja", 1366), ("en", 1366), ("ja", 390), ("en", 390)])
def test_every_public_page_passes_axe_and_english_has_no_stray_japanese(
    served: tuple[str, Visits], browser: object, artifacts_dir: Path, lang: str, width: int
) -> None:
    base, visits = served
    context = browser.new_context(viewport={"width": width, "height": 900})  # type: ignore[attr-defined]
    page = context.new_page()
    problems: dict[str, object] = {}
    for path in _paths(browser, base, visits):
        response = page.goto(f"{base}{path}{'&' if '?' in path else '?'}lang={lang}")
        assert response is not None and response.status == 200, path
        page.wait_for_load_state("networkidle")
        page.add_script_tag(url=f"{base}{AXE}")
        if violations := page.evaluate(AXE_RUN):
            problems[f"{path}: axe"] = violations
        if lang == "en" and (stray := page.evaluate(JAPANESE_OUTSIDE_JA)):
            problems[f"{path}: Japanese in English mode"] = stray
        if width == 1366 and path.endswith("/publications"):
            page.screenshot(path=str(artifacts_dir / f"publications-{lang}.png"), full_page=True)
    context.close()
    assert problems == {}


@pytest.mark.parametrize("width", [1366, 390])
def test_a_published_visit_on_the_municipality_and_publications_pages(
    served: tuple[str, Visits], browser: object, artifacts_dir: Path, width: int
) -> None:
    base, visits = served
    context = browser.new_context(viewport={"width": width, "height": 900})  # type: ignore[attr-defined]
    page = context.new_page()
    page.goto(f"{base}/municipalities/{visits.murayama}")
    block = page.locator(f"#visit-{visits.published}")
    playwright_sync.expect(block.locator(".publication-purpose")).to_contain_text(PUBLISHED_PURPOSE)
    playwright_sync.expect(block.locator(".publication-cost")).to_contain_text("480,000円")
    block.screenshot(path=str(artifacts_dir / f"publication-block-{width}.png"))
    page.goto(f"{base}/municipalities/{visits.murayama}/publications?lang=en")
    playwright_sync.expect(page.locator("table.duties tr.duty-overdue")).to_have_count(1)
    assert not page.evaluate("document.documentElement.scrollWidth > window.innerWidth")
    page.screenshot(path=str(artifacts_dir / f"publications-page-en-{width}.png"), full_page=True)
    context.close()


@pytest.mark.parametrize("width", [1366, 390])
def test_another_site_can_frame_the_widget(
    served: tuple[str, Visits], browser: object, artifacts_dir: Path, width: int
) -> None:
    base, visits = served
    context = browser.new_context(viewport={"width": width, "height": 700})  # type: ignore[attr-defined]
    page = context.new_page()
    widget = f"{base}/embed/municipalities/{visits.murayama}?lang=en"
    # A page of another site (another origin: localhost, not 127.0.0.1) framing the widget, as a
    # municipality's website would.
    host = (
        f"<!doctype html><title>Murayama City</title><h1>Murayama City website</h1>"
        f'<iframe src="{widget}" width="360" height="460" title="partners"></iframe>'
    ).encode()

    class Host(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.end_headers()
            self.wfile.write(host)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Host)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        page.goto(f"http://localhost:{server.server_port}/")
        frame = page.frame_locator("iframe")
        playwright_sync.expect(frame.locator("h1")).to_contain_text("Partners of Murayama")
        playwright_sync.expect(frame.locator("svg circle").first).to_be_attached()
        assert frame.locator(".embed-partners li").count() >= 3
        page.screenshot(path=str(artifacts_dir / f"embed-framed-{width}.png"))
    finally:
        server.shutdown()
        server.server_close()
    context.close()

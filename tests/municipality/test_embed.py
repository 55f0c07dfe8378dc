"""The widget a municipality puts on its own website: /embed/municipalities/{id} lists its partners with a
small map, in Japanese or English, as one document with no outside asset, framable by any site (and no
other page is)."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient


def _murayama(client: TestClient) -> int:
    found = client.get("/api/v1/search", params={"q": "村山市"}).json()["items"]
    return int(next(m["id"] for m in found if m["name"] == "村山市"))


def test_the_widget_lists_partners_with_a_map_and_no_outside_assets(shared_demo_client: TestClient) -> None:
    murayama = _murayama(shared_demo_client)
    page = shared_demo_client.get(f"/embed/municipalities/{murayama}")
    assert page.status_code == 200
    assert "村山市の交流相手" in page.text
    assert "バリー市" in page.text and "ヤクーツク市" in page.text
    assert page.text.count("<circle") >= 3 and "<line" in page.text
    # Self-contained: no script at all, no stylesheet or image from anywhere.
    assert "<script" not in page.text and "<link" not in page.text and "<img" not in page.text
    assert not re.search(r'\ssrc="', page.text)
    # Any site may frame it.
    assert "frame-ancestors *" in page.headers["content-security-policy"]
    assert "x-frame-options" not in page.headers
    english = shared_demo_client.get(f"/embed/municipalities/{murayama}", params={"lang": "en"})
    assert "Partners of Murayama" in english.text and "Barrie" in english.text


def test_only_the_widget_is_framable(shared_demo_client: TestClient) -> None:
    murayama = _murayama(shared_demo_client)
    page = shared_demo_client.get(f"/municipalities/{murayama}")
    assert "frame-ancestors 'none'" in page.headers["content-security-policy"]
    assert page.headers["x-frame-options"] == "DENY"
    missing = shared_demo_client.get("/embed/municipalities/99999999")
    assert missing.status_code == 404

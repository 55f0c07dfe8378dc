"""Sources shown to citizens name the document (武蔵野市「つながれば広がる …」), never the demo's label."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tsunagari.demo.citations import citation


def test_a_seed_label_becomes_the_documents_publisher_and_title() -> None:
    assert (
        citation("seed 000: 武蔵野市「つながれば広がる」")
        == "武蔵野市「つながれば広がる 〜武蔵野市の国内交流・国際交流〜」"
    )
    assert (
        citation("seed 003")
        == "財団法人自治体国際化協会「第5回 姉妹自治体交流表彰（総務大臣賞）受賞団体事例紹介」"
    )
    # Several sources, a repeated one dropped; an unknown id keeps the text after its label.
    assert (
        citation("seed 002: x; seed 002: y; seed 999: 別の資料")
        == "村山市「村山市の都市間交流の方針」; 別の資料"
    )
    assert citation("https://example.org/list") == "https://example.org/list"
    assert citation(None) is None and citation("") is None


def test_public_pages_show_no_internal_source_label(shared_demo_client: TestClient) -> None:
    api = shared_demo_client.get
    musashino = api("/api/v1/search", params={"q": "武蔵野市"}).json()["items"][0]["id"]
    partnerships = api("/api/v1/partnerships", params={"limit": 10}).json()["items"]
    programmes = api("/api/v1/programmes", params={"limit": 10}).json()["items"]
    paths = [
        f"/municipalities/{musashino}",
        *(f"/partnerships/{p['id']}" for p in partnerships),
        *(f"/programmes/{p['id']}" for p in programmes),
    ]
    for path in paths:
        page = api(path)
        assert page.status_code == 200, path
        assert "seed 0" not in page.text, path
    shown = api(f"/municipalities/{musashino}").text
    assert '<li lang="ja">武蔵野市「つながれば広がる 〜武蔵野市の国内交流・国際交流〜」</li>' in shown

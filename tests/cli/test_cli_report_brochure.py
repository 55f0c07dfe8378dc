"""`tsunagari report brochure`: the A4 PDF of a municipality's exchange (profile, each partner with how its
exchange runs and its programmes, maps), its build on both backends, and bad input refused."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

from pypdf import PdfReader
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from tsunagari.cli.main import app
from tsunagari.municipality import service as municipality_service
from tsunagari.reports import brochure
from tsunagari.reports.maps import Place, partner_map

runner = CliRunner()
TODAY = dt.date(2026, 5, 1)


def _musashino(session: Session) -> brochure.Brochure:
    [musashino] = municipality_service.find_by_name(session=session, name="武蔵野市")
    return brochure.build(session=session, municipality=musashino, today=TODAY)


def test_the_brochure_lists_every_partner_with_its_programmes_as_seed_000_does(session: Session) -> None:
    made = _musashino(session)
    # seed 000: nine domestic and six international partners
    assert len(made.domestic) == 9 and len(made.international) == 6
    assert [p.number for p in made.domestic] == list(range(1, 10))
    lubbock = next(p for p in made.international if p.name == "ラボック市")
    assert [prog.title for prog in lubbock.programmes] == ["武蔵野市ジュニア大使親善使節団"]
    assert lubbock.programmes[0].activities_recent > 0 and lubbock.type_label.startswith("交流都市")
    nanto = made.domestic[0]
    assert nanto.name == "南砺市" and nanto.how and "利賀" in nanto.how
    assert [title for title, _ in made.maps] == ["国内の交流先", "海外の交流先"]
    assert all(uri.startswith("data:image/svg+xml;base64,") for _, uri in made.maps)


def test_a_partner_tied_twice_is_one_card_with_both_ties(session: Session) -> None:
    [murayama] = municipality_service.find_by_name(session=session, name="村山市")
    made = brochure.build(session=session, municipality=murayama, today=TODAY)
    akkeshi = [p for p in made.domestic if p.name == "厚岸町"]
    assert len(akkeshi) == 1
    assert "友好都市 1991年7月15日" in akkeshi[0].type_label and "1998年11月9日" in akkeshi[0].type_label


def test_the_map_draws_natural_earth_outlines_and_numbers_the_partners() -> None:
    svg = partner_map(
        Place("武蔵野市", 35.72, 139.57),
        [(1, Place("北京市", 39.9, 116.4)), (2, Place("ラボック市", 33.6, -101.9))],
        title="海外の交流先",
    )
    assert svg.startswith("<svg") and svg.count("<polygon") > 50  # the countries in view
    assert ">1</text>" in svg and ">2</text>" in svg and "武蔵野市" in svg and svg.count("<line") == 2


def test_cli_writes_an_a4_pdf_with_no_near_empty_page(
    cli_database: str, tmp_path: Path, artifacts_dir: Path
) -> None:
    path = tmp_path / "brochure.pdf"
    result = runner.invoke(
        app,
        ["report", "brochure", "--municipality", "武蔵野市", "--site", "https://example.jp", "-o", str(path)],
    )
    assert result.exit_code == 0, result.output
    (artifacts_dir / "brochure-musashino.pdf").write_bytes(path.read_bytes())
    reader = PdfReader(io.BytesIO(path.read_bytes()))
    texts = [page.extract_text() for page in reader.pages]
    for page in reader.pages:  # A4 portrait: 595 × 842 pt
        assert round(float(page.mediabox.width)) == 595 and round(float(page.mediabox.height)) == 842
    assert all(len(text) > 400 for text in texts), [len(t) for t in texts]
    whole = "".join(texts)
    for expected in (
        "武蔵野市の国内交流・国際交流",
        "国内交流",
        "国際交流",
        "南砺市",
        "ラボック市",
        "武蔵野市ジュニア大使親善使節団",
    ):
        assert expected in whole, expected
    links = [
        annotation.get_object()["/A"]["/URI"]
        for page in reader.pages
        for annotation in page.get("/Annots") or []
        if "/A" in annotation.get_object()
    ]
    assert any(link.startswith("https://example.jp/programmes/") for link in links)


def test_cli_refuses_bad_input_naming_the_option(cli_database: str, tmp_path: Path) -> None:
    path = tmp_path / "x.pdf"
    for args, option in (
        (["--municipality", "存在しない市"], "--municipality"),
        (["--municipality", "武蔵野市", "--format", "docx"], "--format"),
        (["--municipality", "武蔵野市", "--site", "example.jp"], "--site"),
    ):
        result = runner.invoke(app, ["report", "brochure", *args, "-o", str(path)])
        assert result.exit_code == 2 and option in result.output, result.output
    assert not path.exists()

"""The indicators' staff pages on the hand-computed fixture: one table across a municipality's ties, sorted
by any column with the 休眠 flag, its programmes, and one tie's or programme's figures whose records open
with a click (a <details> listing the activities, each linked to its record)."""

from __future__ import annotations

import datetime as dt
import re

from tests.staff_support import build_app as staff_app
from tests.staff_support import cookie_client, make_user
from tsunagari.access.roles import Role
from tsunagari.db import get_engine
from tsunagari.session import unit_of_work

from .verification_fixture import HOME, Built, build

SPAN = {"from": "2015", "to": "2020"}


def _built() -> Built:
    with unit_of_work(get_engine()) as session:
        return build(session, dt.date.today())


def _partners_in_order(html: str) -> list[str]:
    table = html.split('<table id="ties"', 1)[1].split("</table>", 1)[0]
    return re.findall(r"/staff/evaluation/indicators/partnership/\d+\?[^\"]*\">([^<]+)</a>", table)


def test_the_table_across_ties_sorts_by_any_column_and_flags_dormant_ties(cli_database: str) -> None:
    built = _built()
    client, _ = cookie_client(staff_app(), make_user(Role.reviewer))
    with client:
        page = client.get("/staff/evaluation/indicators", params={"municipality": HOME, **SPAN})
        assert page.status_code == 200, page.text
        assert set(_partners_in_order(page.text)) == {"アルファ市", "ベータ市", "ガンマ町"}
        assert "3,100,000" in page.text and "60,784" in page.text
        dormant_rows = re.findall(r'<tr class="dormant">\s*<th scope="row"><a [^>]*>([^<]+)</a>', page.text)
        assert sorted(dormant_rows) == ["ガンマ町", "ベータ市"]
        assert f"/staff/evaluation/indicators/programme/{built.programme_a1}?" in page.text
        costly_first = client.get(
            "/staff/evaluation/indicators",
            params={"municipality": HOME, **SPAN, "sort": "public_cost_yen", "desc": "1"},
        )
        assert _partners_in_order(costly_first.text) == ["アルファ市", "ガンマ町", "ベータ市"]
        assert 'aria-sort="descending"' in costly_first.text
        cheap_first = client.get(
            "/staff/evaluation/indicators", params={"municipality": HOME, **SPAN, "sort": "public_cost_yen"}
        )
        assert _partners_in_order(cheap_first.text) == ["ベータ市", "ガンマ町", "アルファ市"]
        # Blank figures (ベータ市 has no activity) sort last either way.
        by_last = client.get(
            "/staff/evaluation/indicators",
            params={"municipality": HOME, **SPAN, "sort": "last_activity", "desc": "1"},
        )
        assert _partners_in_order(by_last.text)[0] == "アルファ市"
        english = client.get(
            "/staff/evaluation/indicators", params={"municipality": HOME, **SPAN, "lang": "en"}
        )
        assert "Continuity (longest run)" in english.text and "Ties of 検証テスト市" in english.text
        for params in ({"sort": "nonsense"}, {"from": "someday"}, {"municipality": "存在しない市"}):
            refused = client.get("/staff/evaluation/indicators", params={"municipality": HOME, **params})
            assert refused.status_code == 422, params
            assert 'aria-invalid="true"' in refused.text or "sort" in refused.text


def test_a_figure_lists_the_records_it_counts_for_a_programme_and_a_tie(cli_database: str) -> None:
    built = _built()
    client, _ = cookie_client(staff_app(), make_user(Role.reviewer))
    with client:
        page = client.get(f"/staff/evaluation/indicators/programme/{built.programme_a1}", params=SPAN)
        assert page.status_code == 200, page.text
        row = page.text.split('<tr id="measure-participants">', 1)[1].split("</tr>", 1)[0]
        assert ">43<" in row and "<details>" in row and "4件の記録" in row
        assert re.search(r'href="/staff/activity/\d+/edit">2021-03-15 公式訪問 2020</a>', row)
        assert "学校交流 2016" not in row
        cost = page.text.split('<tr id="measure-cost_per_participant_yen">', 1)[1].split("</tr>", 1)[0]
        assert "53,488" in cost and "公費 ÷ 参加者数" in cost
        tie = client.get(
            f"/staff/evaluation/indicators/partnership/{built.tie_a}",
            params={**SPAN, "municipality": str(built.home_id)},
        )
        assert tie.status_code == 200
        row = tie.text.split('<tr id="measure-participants">', 1)[1].split("</tr>", 1)[0]
        assert "学校交流 2016" in row and "5件の記録" in row and ">51<" in row
        english = client.get(
            f"/staff/evaluation/indicators/partnership/{built.tie_a}", params={**SPAN, "lang": "en"}
        )
        assert "Public cost per participant" in english.text and "public cost ÷ participants" in english.text
        assert "5 record(s)" in english.text
        missing = client.get("/staff/evaluation/indicators/programme/999999999")
        assert missing.status_code == 404
        scorecard = client.get(f"/staff/evaluation/programme/{built.programme_a1}")
        assert f'href="/staff/evaluation/indicators/programme/{built.programme_a1}"' in scorecard.text

"""Staff pages of networks, their meetings and awards (the edit forms); thin: reads through
`exchange.network_service` and `exchange.award_service`, writes through `exchange.actions`."""

from __future__ import annotations

from typing import Any

from tsunagari.exchange import actions as exchange_actions
from tsunagari.exchange import award_service, network_service
from tsunagari.exchange.models import NETWORK_KIND_LABELS
from tsunagari.web.forms import field, record_json
from tsunagari.web.staff_crud import StaffKind, register_kind
from tsunagari.web.staff_pages import staff_router

router = staff_router()

NETWORK = StaffKind(
    kind="network",
    title="ネットワーク / Network",
    fields=(
        field("name", "名称 / Name"),
        field("name_en", "英語名 / English name"),
        field("kind", "種別 / Kind", "select", tuple(NETWORK_KIND_LABELS)),
        field("description", "概要 / Description", "textarea"),
        field("secretariat_municipality_id", "事務局の自治体ID / Secretariat municipality id", "int"),
        field("secretariat_organisation_id", "事務局の団体ID / Secretariat organisation id", "int"),
        field("secretariat_text", "事務局 (未登録の場合) / Secretariat (if not registered)"),
        field("founded_fy", "設立年度 / Founded (fiscal year)", "int"),
        field("member_count", "会員数 / Members", "int"),
        field("member_count_as_of", "会員数の時点 / Members as of", "date"),
        field("rotation", "開催の順番 / Rotation", "textarea"),
        field("fields", "分野 (カンマ区切り) / Fields (comma-separated)", "list"),
        field("subcommittees", "分科委員会 (カンマ区切り) / Subcommittees (comma-separated)", "list"),
        field("url", "ウェブサイト / Website"),
    ),
    load=lambda s, i: network_service.get_network(session=s, network_id=i),
    create=exchange_actions.create_network,
    update=exchange_actions.update_network,
    delete=exchange_actions.delete_network,
    table="network",
)
MEETING = StaffKind(
    kind="meeting",
    title="ネットワークの会合 / Network meeting",
    fields=(
        field("title", "会合名 / Title"),
        field("fiscal_year", "年度 / Fiscal year", "int"),
        field("held_on", "開催日 / Held on", "date"),
        field("host_municipality_id", "開催自治体ID / Host municipality id", "int"),
        field("place", "場所 / Place"),
        field("participating_count", "参加自治体数 / Participating governments", "int"),
        field("notes", "備考 / Notes", "textarea"),
    ),
    # Creating a meeting names its network; editing moves it not.
    create_only=(field("network_id", "ネットワークID / Network id", "int"),),
    load=lambda s, i: network_service.get_meeting(session=s, meeting_id=i),
    create=exchange_actions.create_meeting,
    update=exchange_actions.update_meeting,
    delete=exchange_actions.delete_meeting,
    table="network_meeting",
)


def _recipient(values: dict[str, Any]) -> dict[str, Any]:
    """Form fields → what the service takes: an award's recipient is one party of two columns."""
    if {"recipient_municipality_id", "recipient_organisation_id"} & set(values):
        values["recipient"] = {
            "municipality_id": values.pop("recipient_municipality_id", None),
            "organisation_id": values.pop("recipient_organisation_id", None),
        }
    return values


def _award_values(record: Any) -> dict[str, Any]:
    values = record_json(record)
    values["partner_municipality_ids"] = [partner.municipality_id for partner in record.partners]
    return values


AWARD = StaffKind(
    kind="award",
    title="表彰 / Award",
    fields=(
        field("name", "表彰名 / Award"),
        field("prize", "賞 / Prize"),
        field("edition", "回 / Edition", "int"),
        field("fiscal_year", "年度 / Fiscal year", "int"),
        field("awarded_by", "表彰者 / Awarded by"),
        field("recipient_municipality_id", "受賞自治体ID / Recipient municipality id", "int"),
        field("recipient_organisation_id", "受賞団体ID / Recipient organisation id", "int"),
        field(
            "partner_municipality_ids",
            "相手自治体ID (カンマ区切り) / Partner municipality ids (comma-separated)",
            "list",
        ),
        field("programme_id", "交流事業ID / Programme id", "int"),
        field("citation", "受賞理由 / Citation", "textarea"),
        field(
            "evaluation_points",
            '評価のポイント (JSON) / Evaluation points, e.g. [{"criterion": "continuity", "text": "…"}]',
            "json",
        ),
        field("url", "ウェブサイト / Website"),
    ),
    load=lambda s, i: award_service.get_award(session=s, award_id=i),
    create=exchange_actions.create_award,
    update=exchange_actions.update_award,
    delete=exchange_actions.delete_award,
    table="award",
    to_service=_recipient,
    current_values=_award_values,
)
for _spec in (NETWORK, MEETING, AWARD):
    register_kind(router, _spec)

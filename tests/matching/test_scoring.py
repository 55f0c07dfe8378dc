"""The match score on a small fixture, where the expected order follows from the weights by hand."""

from __future__ import annotations

import pytest

from tsunagari.matching.scoring import Place, Weights, Wishes, rank, reasons, wished_as
from tsunagari.matching.vocabulary import areas_of_country, features_in

# wish_country 3, wish_back 2, wish_size 1, size 1, features 1.5, fields 1, partners_in_common 3, …
WEIGHTS = Weights()


def place(id: int, country: str, **facts: object) -> Place:
    return Place(id=id, name=f"place {id}", name_en=None, country=country, **facts)  # type: ignore[arg-type]


SUBJECT = place(
    1,
    "JP",
    population=6_000,
    features=frozenset({"mountains", "snow"}),
    fields=frozenset({"education"}),
    partners=frozenset({9}),
    active_partners=frozenset({9}),
    wishes=Wishes(areas=frozenset({"english_speaking"}), population_min=1_000, population_max=20_000),
)


def test_order_follows_from_the_weights() -> None:
    # A (AU): wished (3) + in the size range (1) + same population (1) + both features (1.5 × 2/2)
    #        + the one field (1 × 1/1) = 7.5
    a = place(
        2, "AU", population=6_000, features=frozenset({"mountains", "snow"}), fields=frozenset({"education"})
    )
    # B (US): wished (3) + wishes Japan back (2) + population 60,000 (size 1 × (1 − log10 10) = 0) = 5
    b = place(3, "US", population=60_000, wishes=Wishes(countries=frozenset({"JP"})))
    # C (FR): not wished; a partner in common (3 × 1/3) + one feature of two (1.5 × 1/2) = 1.75
    #        (one partnership of its own is not "many ties": that part starts at three)
    c = place(4, "FR", features=frozenset({"snow"}), partners=frozenset({9}), active_partners=frozenset({9}))
    # D (KR): nothing in common: no score, not listed
    d = place(5, "KR")
    ranked = rank(SUBJECT, [d, c, b, a], WEIGHTS)
    assert [m.candidate.id for m in ranked] == [2, 3, 4]
    assert [m.score for m in ranked] == [7.5, 5.0, 1.75]
    by_kind = {r.kind: r for r in ranked[0].reasons}
    assert set(by_kind) == {"wish_country", "wish_size", "size", "features", "fields"}
    assert by_kind["wish_country"].weight == 3.0 and "英語圏" in by_kind["wish_country"].detail
    wish_back = next(r for r in ranked[1].reasons if r.kind == "wish_back")
    assert "(日本)" in wish_back.detail and "(Japan)" in wish_back.detail_en  # names, not codes
    assert sum(r.points for r in ranked[0].reasons) == ranked[0].score
    assert {r.kind for r in ranked[1].reasons} == {"wish_country", "wish_back"}


def test_weights_change_the_order() -> None:
    a = place(2, "AU", fields=frozenset({"education"}))  # wished 3 + field 1
    c = place(
        4, "FR", fields=frozenset({"education"}), partners=frozenset({9}), active_partners=frozenset({9})
    )
    default = rank(SUBJECT, [a, c], WEIGHTS)
    assert [m.candidate.id for m in default] == [2, 4]
    no_wishes = rank(SUBJECT, [a, c], Weights(wish_country=0))
    assert [m.candidate.id for m in no_wishes] == [4, 2]


def test_an_existing_partner_is_never_suggested() -> None:
    partner = place(
        9,
        "AU",
        population=6_000,
        features=frozenset({"mountains", "snow"}),
        fields=frozenset({"education"}),
        wishes=Wishes(countries=frozenset({"JP"})),
    )
    planned = place(10, "NZ", population=6_000)
    subject = Place(**{**SUBJECT.__dict__, "partners": frozenset({9, 10})})
    assert rank(subject, [partner, planned], WEIGHTS) == []


def test_a_merged_municipality_and_the_subject_itself_are_left_out() -> None:
    merged = place(11, "AU", population=6_000, current=False)
    assert rank(SUBJECT, [SUBJECT, merged], WEIGHTS) == []


def test_seeking_abroad_leaves_out_home_and_domestic_wishes_stay_home() -> None:
    home = place(12, "JP", population=6_000, features=frozenset({"snow"}))
    assert rank(SUBJECT, [home], WEIGHTS) == []
    domestic = Place(**{**SUBJECT.__dict__, "wishes": Wishes(countries=frozenset({"JP"}))})
    abroad = place(13, "AU", population=6_000)
    found = rank(domestic, [home, abroad], WEIGHTS)
    assert [m.candidate.id for m in found] == [12]


def test_distance_counts_only_at_home() -> None:
    # 武蔵野市 and 長岡市 (about 200 km apart): 0.5 × 200/500
    tokyo = place(20, "JP", lat=35.7177, lng=139.5661)
    nagaoka = place(21, "JP", lat=37.4462, lng=138.8512)
    [distance] = [r for r in reasons(tokyo, nagaoka, WEIGHTS) if r.kind == "distance"]
    assert distance.points == pytest.approx(0.5 * 201 / 500, abs=0.01)
    seoul = place(22, "KR", lat=37.5665, lng=126.978)
    assert not [r for r in reasons(tokyo, seoul, WEIGHTS) if r.kind == "distance"]


def test_areas_and_features_in_any_language() -> None:
    assert wished_as(Wishes(areas=frozenset({"oceania"})), "NZ") == "oceania"
    assert wished_as(Wishes(countries=frozenset({"AU"}), areas=frozenset({"oceania"})), "AU") == "AU"
    assert wished_as(Wishes(areas=frozenset({"europe"})), "US") is None
    assert areas_of_country("GB") == {"europe", "english_speaking"}
    assert features_in(["雄大な山々と温泉の町"]) == {"mountains", "hot_springs"}
    assert features_in(["A coastal city with a university"]) == {"coast", "university"}
    assert features_in(["바다와 온천"]) == {"coast", "hot_springs"}
    # Whole words for short English words: "sea" is not in "research" or "season".
    assert features_in(["research season"]) == frozenset()


def test_size_distance_or_many_ties_alone_suggest_nobody() -> None:
    # Same size, far away at home and much twinned, but nothing shared with the subject: not a candidate.
    subject = place(30, "JP", population=6_000, lat=35.7, lng=139.6)
    loner = place(31, "JP", population=6_000, lat=43.1, lng=141.4, active_partners=frozenset({40, 41, 42}))
    assert {r.kind for r in reasons(subject, loner, WEIGHTS)} == {"size", "distance", "many_ties"}
    assert rank(subject, [loner], WEIGHTS) == []


def test_partners_already_in_a_country_count_for_it() -> None:
    subject = place(
        50,
        "JP",
        active_partners=frozenset({51, 52}),
        partners=frozenset({51, 52}),
        partner_countries=(("FR", 1), ("US", 1)),
    )
    french = place(53, "FR")
    [match] = rank(subject, [french, place(54, "DE")], WEIGHTS)
    assert match.candidate.id == 53 and match.score == pytest.approx(0.5 * 1 / 2)

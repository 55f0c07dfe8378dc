"""Countries (ISO 3166-1) and their subdivisions (ISO 3166-2) with Japanese names, from pycountry.

`resolve_country` and `resolve_subdivision` turn what people write (RO, ルーマニア, Romania,
"Ohio, United States") into ISO entries, raising InvalidInput for anything they cannot place.
"""

from __future__ import annotations

import gettext
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import Final

import pycountry

from tsunagari.errors import InvalidInput

COUNTRY_FIELD: Final = "partner_country"
REGION_FIELD: Final = "partner_region"


@dataclass(frozen=True, slots=True)
class Country:
    """An ISO 3166-1 country or territory (plus XK, Kosovo) with every name we accept for it."""

    alpha2: str
    alpha3: str
    name_en: str
    name_ja: str
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Subdivision:
    """An ISO 3166-2 subdivision: prefecture, state, province, region, department …"""

    code: str
    country: str
    name: str
    name_ja: str | None
    type: str
    parent_code: str | None = None
    name_en: str | None = None  # the English short form (Hebei) where ISO writes "Hebei Sheng"

    def label(self, language: str) -> str:
        """The name in a language's own form: 河北省 in Japanese, Hebei in English."""
        return (self.name_ja if language == "ja" else None) or self.name_en or self.name


# Kosovo has no ISO 3166-1 code. XK is the user-assigned code the European Commission, SWIFT
# and GeoNames use; twinning lists name Kosovar cities (Prizren, Peja …), so we accept it.
KOSOVO: Final = Country(
    alpha2="XK",
    alpha3="XKX",
    name_en="Kosovo",
    name_ja="コソボ",
    aliases=("Republic of Kosovo", "コソボ共和国"),
)

# pycountry's Japanese name replaced where it is wrong or not what Japanese readers use:
# a typo (タニザニア), a politically loaded form (中国領・台湾), an outdated one (グルジア,
# renamed ジョージア by Japan in 2015), or a long form where the short one is usual.
NAME_JA_OVERRIDES: Final[dict[str, str]] = {
    "AU": "オーストラリア",
    "FK": "フォークランド諸島",
    "GE": "ジョージア",
    "KG": "キルギス",
    "KR": "大韓民国",
    "TW": "台湾",
    "TZ": "タンザニア連合共和国",
    "VA": "バチカン",
}

# Names people and source files use that are not in ISO 3166 or its Japanese translation.
# Constituent countries of the UK and the like resolve to their state: the partner's country
# for statistics is the sovereign state (or the ISO territory) the city is in.
EXTRA_NAMES: Final[dict[str, tuple[str, ...]]] = {
    "AE": ("UAE", "Emirates", "アラブ首長国連邦"),
    "AT": ("オーストリア共和国",),
    "AU": ("オーストラリア", "豪州", "豪"),
    "BA": ("Bosnia", "Bosnia-Herzegovina", "ボスニア・ヘルツェゴビナ", "ボスニア"),
    "BN": ("Brunei", "ブルネイ"),
    "BO": ("Bolivia", "ボリビア"),
    "BR": ("ブラジル連邦共和国",),
    "BY": ("Byelorussia", "Belorussia", "白ロシア", "ベラルーシ共和国"),
    "CA": ("カナダ",),
    "CD": ("DR Congo", "DRC", "Congo-Kinshasa", "Zaire", "ザイール", "コンゴ民主共和国"),
    "CG": ("Republic of the Congo", "Congo-Brazzaville", "Congo Republic", "コンゴ共和国"),
    "CH": ("Swiss Confederation", "スイス連邦"),
    "CI": ("Ivory Coast", "象牙海岸"),
    "CN": ("PRC", "Mainland China", "中国", "中華人民共和国"),
    "CV": ("Cape Verde", "カーボベルデ"),
    "CZ": ("Czech", "チェコ", "チェコ共和国"),
    "DE": (
        "West Germany",
        "East Germany",
        "ドイツ",
        "ドイツ連邦共和国",
        "独",
        "西ドイツ",
        "東ドイツ",
    ),
    "ER": ("エリトリア",),
    "FI": ("フィンランド共和国",),
    "FK": ("Falkland Islands", "Falklands", "フォークランド諸島"),
    "FM": ("Micronesia", "ミクロネシア"),
    "FR": ("フランス共和国", "仏"),
    "GB": (
        "UK",
        "U.K.",
        "Great Britain",
        "Britain",
        "England",
        "Scotland",
        "Wales",
        "Northern Ireland",
        "イギリス",
        "英国",
        "連合王国",
        "イングランド",
        "スコットランド",
        "ウェールズ",
        "北アイルランド",
    ),
    "GE": ("Georgia (country)", "グルジア", "ジョージア"),
    "GR": ("Hellenic Republic", "Greek Republic", "ギリシア", "ギリシャ共和国"),
    "HK": ("香港特別行政区",),
    "IE": ("Republic of Ireland", "Eire", "Éire", "アイルランド共和国"),
    "IN": ("インド共和国",),
    "IR": ("Iran", "Persia", "イラン"),
    "IT": ("Italian Republic", "イタリア共和国"),
    "KG": ("Kirghizia", "キルギス", "キルギス共和国"),
    "KP": ("North Korea", "DPRK", "北朝鮮"),
    "KR": ("Korea", "South Korea", "Republic of Korea", "韓国", "大韓民国"),
    "LA": ("Laos", "ラオス"),
    "MD": ("Moldova", "Moldavia", "モルドバ"),
    "MK": ("Macedonia", "FYROM", "マケドニア", "北マケドニア共和国"),
    "MM": ("Burma", "ビルマ", "ミャンマー連邦共和国"),
    "MN": ("モンゴル",),
    "MO": ("Macau", "マカオ特別行政区"),
    "MX": ("メキシコ合衆国",),
    "NL": ("Holland", "The Netherlands", "オランダ王国"),
    "NZ": ("ニュージーランド",),
    "PH": ("フィリピン共和国",),
    "PS": (
        "Palestine",
        "State of Palestine",
        "Palestinian Territories",
        "West Bank",
        "Gaza",
        "Gaza Strip",
        "パレスチナ自治区",
        "パレスチナ国",
    ),
    "RU": ("Russia", "ロシア", "ロシア連邦"),
    "SK": ("スロヴァキア",),
    "ST": ("São Tomé and Príncipe", "サントメ・プリンシペ"),
    "SY": ("Syria", "シリア"),
    "SZ": ("Swaziland", "スワジランド"),
    "TH": ("Siam", "タイ王国"),
    "TL": ("East Timor", "東ティモール"),
    "TR": ("Turkey", "Republic of Turkey", "テュルキエ", "トルコ共和国"),
    "TW": ("Taiwan", "Republic of China", "台湾", "中華民国"),
    "TZ": ("Tanzania", "タンザニア"),
    "US": (
        "USA",
        "U.S.A.",
        "U.S.",
        "America",
        "United States",
        "United States of America",
        "アメリカ",
        "アメリカ合衆国",
        "米国",
        "合衆国",
        "米",
    ),
    "VA": ("Vatican", "Vatican City", "バチカン市国", "ローマ教皇庁"),
    "VE": ("Venezuela", "ベネズエラ"),
    "VN": ("Vietnam", "Viet Nam", "ベトナム", "ヴェトナム", "ベトナム社会主義共和国"),
    "ZA": ("南アフリカ共和国",),
}

# Spellings found in the global twinning corpus (Wikipedia lists): typos, endonyms and one
# scraping artefact. Kept apart from EXTRA_NAMES so nobody takes them for good usage.
CORPUS_SPELLINGS: Final[dict[str, tuple[str, ...]]] = {
    "BA": ("Bosnia and Hercegovina",),
    "GR": ("Grece",),
    "IS": ("Island",),  # Iceland in the Nordic languages and German (Norðurþing, Island)
    "IT": ("in Italy",),
    "KZ": ("Kazakhstah",),
    "MG": ("Madagaskar",),
    "SR": ("Surinam",),
    # ISO 3166 has one code for the whole island; the self-declared northern state has none.
    "CY": ("Northern Cyprus", "北キプロス"),
}

# States that no longer exist: a partnership names the present-day country of the city.
DISSOLVED: Final[frozenset[str]] = frozenset(
    {
        "Soviet Union",
        "USSR",
        "U.S.S.R.",
        "Yugoslavia",
        "Czechoslovakia",
        "Serbia and Montenegro",
        "ソ連",
        "ソビエト連邦",
        "ソヴィエト連邦",
        "ユーゴスラビア",
        "チェコスロバキア",
        "セルビア・モンテネグロ",
    }
)

# ISO territories that are also part of a state, for "Place, Country" forms: "Réunion, France"
# is RE, because that is the code GeoNames gives its cities; "Ohio, United States" is US.
TERRITORIES_OF: Final[dict[str, frozenset[str]]] = {
    "AU": frozenset({"CX", "CC", "NF", "HM"}),
    "CN": frozenset({"HK", "MO"}),
    "DK": frozenset({"GL", "FO"}),
    "FI": frozenset({"AX"}),
    "FR": frozenset({"RE", "GP", "MQ", "GF", "YT", "PM", "BL", "MF", "NC", "PF", "WF", "TF"}),
    "GB": frozenset({"GI", "BM", "KY", "VG", "TC", "MS", "AI", "FK", "SH", "IO", "GS", "PN"}),
    "NL": frozenset({"AW", "CW", "SX", "BQ"}),
    "NO": frozenset({"SJ", "BV"}),
    "NZ": frozenset({"CK", "NU", "TK"}),
    "US": frozenset({"PR", "GU", "VI", "AS", "MP", "UM"}),
}

# Endings of a country's Japanese name dropped to make the short form people write
# (フィリピン共和国 -> フィリピン); longest first.
_JA_STATE_ENDINGS: Final = (
    "民主主義人民共和国",
    "社会主義共和国",
    "イスラム共和国",
    "連邦民主共和国",
    "人民民主共和国",
    "連邦共和国",
    "民主共和国",
    "人民共和国",
    "連合共和国",
    "多民族国",
    "連合王国",
    "大公国",
    "共和国",
    "王国",
    "公国",
    "連邦",
)

_LATIN_LETTERS: Final = str.maketrans(
    {"ø": "o", "ł": "l", "đ": "d", "ð": "d", "þ": "th", "æ": "ae", "œ": "oe", "ı": "i"}
)
_KANA_MARKS: Final = "\u3099\u309a"  # voicing marks are part of kana, not diacritics to drop
_VU: Final = (("ヴァ", "バ"), ("ヴィ", "ビ"), ("ヴェ", "ベ"), ("ヴォ", "ボ"), ("ヴ", "ブ"))
_TRAILING_PARENTHESIS: Final = re.compile(r"\s*\(([^()]*)\)\s*$")

# Generic words for a subdivision, dropped when matching ("テキサス州", "Tokyo-to", "Jiangsu
# Sheng").
_REGION_WORDS: Final = (
    "autonomous region",
    "metropolitan city",
    "special city",
    "prefecture",
    "province",
    "state",
    "region",
    "county",
    "oblast",
    "krai",
    "kray",
    "district",
    "department",
    "governorate",
    "municipality",
    "metropolis",
    "city",
    "zizhiqu",
    "sheng",
    "shi",
    "ken",
    "fu",
    "to",
    "do",
)
_REGION_ENDINGS_JA: Final = (
    "特別自治市",
    "特別自治道",
    "広域市",
    "特別市",
    "自治区",
    "自治州",
    "地方",
    "州",
    "省",
    "県",
    "都",
    "府",
    "道",
    "市",
    "区",
)


def fold(text: str) -> str:
    """A matching key: width-, case- and diacritic-insensitive, letters and digits only.

    Kana keep their voicing marks (ガ is not カ); ヴ is folded to ブ because both spellings
    are common (ヴェトナム / ベトナム).
    """
    text = unicodedata.normalize("NFKC", text).casefold().translate(_LATIN_LETTERS)
    text = "".join(
        ch for ch in unicodedata.normalize("NFD", text) if ch in _KANA_MARKS or not unicodedata.combining(ch)
    )
    text = unicodedata.normalize("NFC", text)
    for written, folded in _VU:
        text = text.replace(written, folded)
    text = re.sub(r"^the\s+", "", text.strip()).replace("&", "and")
    return "".join(ch for ch in text if ch.isalnum())


_DISSOLVED_KEYS: Final = frozenset(fold(name) for name in DISSOLVED)


class _Index:
    """Folded name -> codes, where a name of a stronger tier hides weaker uses of it.

    Tiers: 0 codes, 1 ISO names and translations, 2 our curated names, 3 derived short forms.
    Two entries of the same tier sharing a key make it ambiguous rather than first-come.
    """

    def __init__(self) -> None:
        self._entries: dict[str, tuple[int, set[str]]] = {}

    def add(self, name: str, code: str, tier: int) -> None:
        key = fold(name)
        if not key:
            return
        current = self._entries.get(key)
        if current is None or tier < current[0]:
            self._entries[key] = (tier, {code})
        elif tier == current[0]:
            current[1].add(code)

    def get(self, name: str) -> set[str] | None:
        entry = self._entries.get(fold(name))
        return None if entry is None else entry[1]

    def unique(self, name: str) -> str | None:
        codes = self.get(name)
        return next(iter(codes)) if codes is not None and len(codes) == 1 else None


def _translation(domain: str) -> gettext.NullTranslations:
    try:
        return gettext.translation(domain, pycountry.LOCALES_DIR, languages=["ja"])
    except OSError:  # a pycountry build without locales: English names still work
        return gettext.NullTranslations()


def _without_parenthesis(name: str) -> tuple[str, str | None]:
    match = _TRAILING_PARENTHESIS.search(name)
    if match is None:
        return name, None
    return name[: match.start()], match.group(1)


def _english_variants(name: str) -> list[str]:
    """ "Korea, Republic of" -> "Republic of Korea", "Korea"; "Saint Lucia" -> "St Lucia"."""
    variants: list[str] = []
    base, inside = _without_parenthesis(name)
    if inside is not None:
        variants += [base, inside]
    if ", " in base:
        head, tail = base.split(", ", 1)
        variants += [f"{tail} {head}", head]
    for variant in [base, *variants]:
        if variant.startswith("Saint "):
            variants.append("St " + variant.removeprefix("Saint "))
    return variants


def _readable(name: str) -> str:
    """ISO's sorted form made readable: "Palestine, State of" -> "State of Palestine"."""
    head, comma, tail = name.partition(", ")
    if comma and re.search(r"(\bof|\bof the|^British|^U\.S\.)$", tail):
        return re.sub(r"^The ", "", f"{tail} {head}")
    return name


def _japanese_variants(name: str) -> list[str]:
    base, inside = _without_parenthesis(name)
    variants = [base] + ([inside] if inside else [])
    for ending in _JA_STATE_ENDINGS:
        if base.endswith(ending) and len(base) > len(ending) + 1:
            variants.append(base.removesuffix(ending).rstrip("・"))
            break
    return variants


@lru_cache(maxsize=1)
def _countries() -> tuple[dict[str, Country], _Index]:
    ja = _translation("iso3166-1")
    index = _Index()
    names: dict[str, list[str]] = {}

    def add(alpha2: str, name: str, tier: int, *, alias: bool = True) -> None:
        index.add(name, alpha2, tier)
        # Derived short forms and replaced translations match but are not shown as aliases.
        if alias and tier < 3:
            names.setdefault(alpha2, []).append(name)

    records: dict[str, tuple[str, str, str]] = {}
    for item in pycountry.countries:
        alpha2, alpha3 = item.alpha_2, item.alpha_3
        iso_names = [item.name]
        for attribute in ("official_name", "common_name"):
            value = getattr(item, attribute, None)
            if value:
                iso_names.append(value)
        japanese = [ja.gettext(n) for n in iso_names if ja.gettext(n) != n]
        name_en = getattr(item, "common_name", None) or _readable(item.name)
        name_ja = NAME_JA_OVERRIDES.get(alpha2) or (japanese[0] if japanese else name_en)
        records[alpha2] = (alpha3, name_en, name_ja)
        index.add(alpha2, alpha2, 0)
        index.add(alpha3, alpha2, 0)
        for name in iso_names:
            add(alpha2, name, 1)
        for name in japanese:
            add(alpha2, name, 1, alias=alpha2 not in NAME_JA_OVERRIDES)
        add(alpha2, name_ja, 1)
        for name in iso_names:
            for variant in _english_variants(name):
                add(alpha2, variant, 3)
        for name in japanese:
            for variant in _japanese_variants(name):
                add(alpha2, variant, 3)

    records[KOSOVO.alpha2] = (KOSOVO.alpha3, KOSOVO.name_en, KOSOVO.name_ja)
    index.add(KOSOVO.alpha2, KOSOVO.alpha2, 0)
    index.add(KOSOVO.alpha3, KOSOVO.alpha2, 0)
    for name in (KOSOVO.name_en, KOSOVO.name_ja, *KOSOVO.aliases):
        add(KOSOVO.alpha2, name, 1)
    for table in (EXTRA_NAMES, CORPUS_SPELLINGS):
        for alpha2, extra in table.items():
            for name in extra:
                add(alpha2, name, 2)

    countries: dict[str, Country] = {}
    for alpha2, (alpha3, name_en, name_ja) in sorted(records.items()):
        seen = {fold(name_en), fold(name_ja)}
        aliases: list[str] = []
        for name in names.get(alpha2, []):
            key = fold(name)
            # Only names that lead back here: an ambiguous short form is no alias.
            if key not in seen and index.unique(name) == alpha2:
                seen.add(key)
                aliases.append(name)
        countries[alpha2] = Country(alpha2, alpha3, name_en, name_ja, tuple(aliases))
    return countries, index


def all_countries() -> list[Country]:
    """Every ISO 3166-1 entry and XK, by alpha-2 code."""
    return list(_countries()[0].values())


def country(alpha2: str) -> Country:
    """The country with this alpha-2 code (any case); InvalidInput if there is none."""
    found = _countries()[0].get(str(alpha2).strip().upper())
    if found is None:
        raise InvalidInput("not an ISO 3166-1 alpha-2 code", field=COUNTRY_FIELD, value=alpha2)
    return found


def _country_codes(text: str) -> set[str] | None:
    """Codes `text` may mean, trying the whole text, then without a trailing parenthesis,
    then as "Place, Country"."""
    index = _countries()[1]
    codes = index.get(text)
    if codes is not None:
        return codes
    base, inside = _without_parenthesis(unicodedata.normalize("NFKC", text))
    if inside is not None and base.strip():
        return _country_codes(base)
    if "," in text:
        place, state = (part.strip() for part in text.rsplit(",", 1))
        state_codes = _country_codes(state) if state else None
        if state_codes is not None and len(state_codes) == 1:
            state_code = next(iter(state_codes))
            place_codes = _country_codes(place) if place else None
            if place_codes is not None and len(place_codes) == 1:
                place_code = next(iter(place_codes))
                if place_code in TERRITORIES_OF.get(state_code, frozenset()):
                    return place_codes
            return state_codes
    return None


def resolve_country(text: str, *, field: str = COUNTRY_FIELD) -> Country:
    """The country meant by an ISO code or an English or Japanese name, as people write them."""
    written = "" if text is None else str(text).strip()
    if not written:
        raise InvalidInput("a country is required", field=field, value=text)
    if fold(written) in _DISSOLVED_KEYS:
        raise InvalidInput(
            f"{written} no longer exists; give the present-day country of the city",
            field=field,
            value=text,
        )
    codes = _country_codes(written)
    if not codes:
        raise InvalidInput(
            "unknown country: give an ISO 3166 code (RO) or an English or Japanese name",
            field=field,
            value=text,
        )
    countries = _countries()[0]
    if len(codes) > 1:
        choices = ", ".join(f"{countries[c].name_en} ({c})" for c in sorted(codes))
        raise InvalidInput(f"ambiguous country: could be {choices}", field=field, value=text)
    return countries[next(iter(codes))]


def _strip_region_word(text: str) -> str | None:
    """ "テキサス州" -> "テキサス", "Tokyo-to" -> "Tokyo"; None when nothing generic ends it."""
    folded = unicodedata.normalize("NFKC", text).strip()
    for ending in _REGION_ENDINGS_JA:
        if folded.endswith(ending) and len(folded) > len(ending):
            return folded.removesuffix(ending)
    lowered = folded.casefold()
    for word in _REGION_WORDS:
        match = re.search(rf"[\s\-]+{word}\.?$", lowered)
        if match and match.start() > 0:
            return folded[: match.start()]
    return None


@lru_cache(maxsize=1)
def _subdivisions() -> tuple[dict[str, Subdivision], dict[str, _Index]]:
    from tsunagari.reference.japan import load_japanese_local_governments
    from tsunagari.reference.subdivisions import english_and_native_names, japanese_names

    ja = _translation("iso3166-2")
    shipped_ja = japanese_names()
    # ISO's Japanese names of prefectures lack 都/府/県 ("東京"); use the official ones.
    prefectures = {
        f"JP-{record.prefecture_code}": record
        for record in load_japanese_local_governments()
        if record.kind == "prefecture"
    }
    subdivisions: dict[str, Subdivision] = {}
    indexes: dict[str, _Index] = {}
    for item in pycountry.subdivisions:
        code, alpha2 = item.code, item.country_code
        translated = ja.gettext(item.name)
        prefecture = prefectures.get(code)
        name_ja = (
            prefecture.name
            if prefecture is not None
            else next(iter(shipped_ja.get(code, ())), None)
            or (translated if translated != item.name else None)
        )
        name_en, native = english_and_native_names(alpha2).get(code, (None, None))
        subdivision = Subdivision(
            code=code,
            country=alpha2,
            name=item.name,
            name_ja=name_ja,
            type=item.type,
            parent_code=getattr(item, "parent_code", None),
            name_en=prefecture.name_en if prefecture is not None else name_en,
        )
        subdivisions[code] = subdivision
        index = indexes.setdefault(alpha2, _Index())
        index.add(code, code, 0)
        index.add(code.split("-", 1)[1], code, 0)
        written: list[str] = [item.name, *([translated] if translated != item.name else [])]
        if prefecture is not None:
            written += [prefecture.name, prefecture.name_en, prefecture.kana]
        written += [name for name in (*shipped_ja.get(code, ()), name_en, native) if name]
        for name in written:
            index.add(name, code, 1)
            base, inside = _without_parenthesis(name)
            if inside is not None:
                index.add(base, code, 2)
            stripped = _strip_region_word(base)
            if stripped:
                index.add(stripped, code, 2)
    return dict(sorted(subdivisions.items())), indexes


def all_subdivisions() -> list[Subdivision]:
    """Every ISO 3166-2 subdivision, by code."""
    return list(_subdivisions()[0].values())


def subdivision(code: str) -> Subdivision:
    """The subdivision with this ISO 3166-2 code (e.g. JP-13, US-TX); InvalidInput if none."""
    found = _subdivisions()[0].get(str(code).strip().upper())
    if found is None:
        raise InvalidInput("not an ISO 3166-2 code", field=REGION_FIELD, value=code)
    return found


def subdivisions_of(alpha2: str) -> list[Subdivision]:
    """The subdivisions of one country, by code (empty for countries ISO does not divide)."""
    wanted = str(alpha2).strip().upper()
    return [s for s in _subdivisions()[0].values() if s.country == wanted]


def _candidates(index: _Index, forms: Iterable[str]) -> set[str] | None:
    for form in forms:
        codes = index.get(form)
        if codes:
            return codes
    return None


def resolve_subdivision(text: str, alpha2: str, *, field: str = REGION_FIELD) -> Subdivision:
    """The subdivision of country `alpha2` meant by an ISO code or an English or Japanese name."""
    written = "" if text is None else str(text).strip()
    if not written:
        raise InvalidInput("a region is required", field=field, value=text)
    subdivisions, indexes = _subdivisions()
    wanted = str(alpha2).strip().upper()
    index = indexes.get(wanted)
    if index is None:
        raise InvalidInput(f"ISO 3166-2 lists no subdivisions for {wanted}", field=field, value=text)
    base, _ = _without_parenthesis(unicodedata.normalize("NFKC", written))
    forms = [written, base]
    stripped = _strip_region_word(base)
    if stripped:
        forms.append(stripped)
    codes = _candidates(index, forms)
    if not codes:
        raise InvalidInput(
            f"unknown region of {wanted}: give an ISO 3166-2 code or its name",
            field=field,
            value=text,
        )
    if len(codes) > 1:
        choices = ", ".join(f"{subdivisions[c].name} ({c})" for c in sorted(codes))
        raise InvalidInput(f"ambiguous region: could be {choices}", field=field, value=text)
    return subdivisions[next(iter(codes))]

"""Comparison forms and lookup keys for place names written in any script.

Pure functions: no database, no gazetteer; resolving a key to a municipality happens elsewhere.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

import jaconv
import pykakasi
from rapidfuzz import fuzz

__all__ = [
    "SKELETON_PREFIX",
    "SplitName",
    "fold",
    "latin_skeleton",
    "name_keys",
    "parent_keys",
    "romanize_kana",
    "similarity",
    "split_qualified",
    "strip_affixes",
]

# Skeleton keys are far coarser than the others ("Nancy" and "Nice" share one); the prefix keeps
# them from ever equalling a real folded name and lets a caller tell them apart.
SKELETON_PREFIX = "~"

# --- fold -----------------------------------------------------------------------------------

# Only the block of diacritics that Latin, Greek and Cyrillic letters decompose into: stripping
# every combining mark would also delete kana dakuten (ガ → カ) and Indic vowel signs.
_LATIN_DIACRITICS = re.compile("[\u0300-\u036f]")

# Letters whose stroke is part of the base glyph, so NFD leaves nothing to strip. Written by hand
# because unicodedata has no mapping for them and transliteration libraries (unidecode) would
# also rewrite kana and kanji, which we must keep.
_UNDECOMPOSED_LATIN = str.maketrans(
    {
        "ł": "l",
        "ø": "o",
        "đ": "d",
        "ð": "d",
        "ħ": "h",
        "ı": "i",
        "ŧ": "t",
        "æ": "ae",
        "œ": "oe",
        "þ": "th",
    }
)

# Katakana spellings used interchangeably for the same foreign sound (ヴァルナ / バルナ), plus the
# old voiced ヂ/ヅ that modern spelling writes ジ/ズ, plus small ヶ/ヵ which place names write
# interchangeably with ケ/カ (関ヶ原 / 関ケ原). Kept short on purpose: each entry merges spellings
# a Japanese reader treats as the same name; ウィ/ウイ and the like are real differences.
_KANA_VARIANTS = {
    "ヴァ": "バ",
    "ヴィ": "ビ",
    "ヴェ": "ベ",
    "ヴォ": "ボ",
    "ヴュ": "ビュ",
    "ヴ": "ブ",
    "ヂ": "ジ",
    "ヅ": "ズ",
    "ヶ": "ケ",
    "ヵ": "カ",
}
_KANA_VARIANT_RE = re.compile("|".join(sorted(_KANA_VARIANTS, key=len, reverse=True)))

_KATAKANA = "\u30a1-\u30fa\u30fc"
# A hyphen or dash written straight after katakana is a long-vowel mark typed on a keyboard
# (ニュ-ヨ-ク); between spaced words ("ソウル – 江東区") it is punctuation and is left alone.
_DASH_AS_LONG_VOWEL = re.compile(
    f"(?<=[{_KATAKANA}])[-\u2010\u2011\u2012\u2013\u2014\u2015\u2212](?=[{_KATAKANA}]|\\s|$)"
)


class _CharTable(dict[int, str | None]):
    """A str.translate table filled per character on first sight: translate is C, the rule is not."""

    def __init__(self, rule: Callable[[str], str | None]) -> None:
        super().__init__()
        self._rule = rule

    def __missing__(self, code: int) -> str | None:
        mapped = self[code] = self._rule(chr(code))
        return mapped


# Punctuation and separators become spaces; invisible format characters (byte-order marks,
# zero-width spaces, soft hyphens) are deleted.
_SPACES = _CharTable(lambda c: " " if unicodedata.category(c)[0] in "PZ" or c.isspace() else c)
_INVISIBLE = _CharTable(lambda c: None if unicodedata.category(c) == "Cf" else c)


def _to_spaces(text: str) -> str:
    return " ".join(text.translate(_SPACES).split())


@lru_cache(maxsize=200_000)
def fold(text: str) -> str:
    """Comparison form of a name: width, case, Latin diacritics, kana script and spelling
    variants, long-vowel marks and punctuation folded away.

    "Ｂｒａşov" → "brasov", "ゔぁるな" → "バルナ", "ﾅﾝｼｰ" → "ナンシー", "サン・ドニ" → "サン ドニ".
    """
    if text.isascii():
        # Nothing below changes ASCII text except case and punctuation (NFKC, casefold and the
        # kana rules are identities on it): the short way gives the same result.
        return _to_spaces(text.lower())
    # Byte-order marks, zero-width spaces and soft hyphens are invisible, and must go before
    # normalisation so that the letters and marks they separated compose.
    text = text.translate(_INVISIBLE)
    text = unicodedata.normalize("NFKC", text)
    # casefold can produce text NFKC would change again (e.g. "İ" → "i̇"), hence the second pass.
    text = unicodedata.normalize("NFKC", text.casefold())
    text = _LATIN_DIACRITICS.sub("", unicodedata.normalize("NFD", text))
    text = unicodedata.normalize("NFC", text).translate(_UNDECOMPOSED_LATIN)
    text = jaconv.hira2kata(text)
    text = _KANA_VARIANT_RE.sub(lambda m: _KANA_VARIANTS[m.group()], text)
    text = _DASH_AS_LONG_VOWEL.sub("ー", text)
    return _to_spaces(text)


# --- affixes --------------------------------------------------------------------------------

# Longest first so ソウル特別市 loses 特別市, not just 市.
_JA_SUFFIXES = (
    "特別自治市",
    "特別市",
    "広域市",
    "自治区",
    "市",
    "町",
    "村",
    "区",
    "県",
    "府",
    "都",
    "道",
    "州",
    "省",
    "郡",
)
# 道 is a unit suffix for Korean provinces (京畿道) but in 北海道 it is part of the name in every
# language ("Hokkaido"), and 北海道 is the only Japanese unit it ends.
_JA_SUFFIX_EXCEPTIONS = frozenset({"北海道"})

# Word sequences on folded text. Romanised Japanese (-shi, -ku, -machi, -cho, -mura) sits beside
# the Korean -si/-gun/-gu because lists written in English use both ("Musashino-shi").
_LATIN_PREFIXES: tuple[tuple[str, ...], ...] = tuple(
    tuple(p.split())
    for p in (
        "city of",
        "town of",
        "village of",
        "borough of",
        "municipality of",
        "county of",
        "district of",
        "ville de",
        "comune di",
        "citta di",
        "ciudad de",
        "stadt",
        "gemeinde",
        "county",
    )
)
_LATIN_PREFIX_STARTS = frozenset(prefix[0] for prefix in _LATIN_PREFIXES)
_LATIN_SUFFIXES = frozenset(
    {"city", "town", "municipality", "district", "county", "prefecture", "province", "ward"}
    | {"si", "gun", "gu", "shi", "ku", "machi", "cho", "mura"}
)


def _strip_latin_affixes(words: list[str]) -> list[str]:
    # Repeated, because English forms stack: "Klaipėda District Municipality", "City of X City".
    changed = True
    while changed:
        changed = False
        # Most names start with no prefix word at all: skip trying each prefix in turn.
        for prefix in _LATIN_PREFIXES if words[0] in _LATIN_PREFIX_STARTS else ():
            rest = words[len(prefix) :]
            if tuple(words[: len(prefix)]) == prefix and len(" ".join(rest)) >= 2:
                words, changed = rest, True
                break
        if len(words) > 1 and words[-1] in _LATIN_SUFFIXES and len(" ".join(words[:-1])) >= 2:
            words, changed = words[:-1], True
    return words


def _strip_ja_suffix(text: str) -> str:
    if text in _JA_SUFFIX_EXCEPTIONS:
        return text
    for suffix in _JA_SUFFIXES:
        if text.endswith(suffix):
            stem = text[: -len(suffix)].rstrip()
            # A one-character stem is not a name on its own: 津市 stays 津市, 村 stays 村.
            return stem if len(stem) >= 2 else text
    return text


@lru_cache(maxsize=200_000)
def strip_affixes(text: str) -> str:
    """Folded name without administrative affixes ("City of Nara" → "nara", "町田市" → "町田").

    Japanese suffixes are removed once only, so 大町市 → 大町 and 十日町市 → 十日町; a suffix is
    kept when fewer than two characters would remain. Text that folds to nothing is returned as
    given, so a non-empty input never gives an empty result.
    """
    folded = fold(text)
    if not folded:
        return text
    words = _strip_latin_affixes(folded.split(" "))
    return _strip_ja_suffix(" ".join(words))


# --- qualified and district names -----------------------------------------------------------


@dataclass(frozen=True)
class SplitName:
    """A name split from the region or parent city written with it; parts are as written."""

    name: str
    qualifier: str | None
    district: bool


_PARENTHESISED = re.compile(r"(?P<name>.+?)\s*[(（](?P<qualifier>[^()（）]+)[)）]")
# Only a spaced dash separates parent and district; "Saint-Denis" and "Charlottenburg-Wilmersdorf"
# keep theirs.
_SPACED_DASH = re.compile(r"(?P<qualifier>.+?)\s+[-\u2013\u2014\u2015\u2212\uff0d]\s+(?P<name>.+)")
_HAS_DASH = re.compile("[-\u2013\u2014\u2015\u2212\uff0d]")
_COMMA = re.compile(r"(?P<name>[^,，]+?)\s*[,，]\s*(?P<qualifier>.+)")
# Wikipedia writes Vienna's districts "Vienna 9 – Alsergrund": the number belongs to the district.
_DISTRICT_NUMBER = re.compile(r"\s+\d+$")
# An English descriptor added in translation is dropped from the name; the local-language ward
# suffix (-gu, -ku, 区) is part of the name and stays, just as 江東区 keeps its 区.
_ENGLISH_DISTRICT_WORD = re.compile(r"\s+(?:district|ward)$", re.IGNORECASE)
_ROMANISED_WARD = re.compile(r"[-\s](?:gu|ku)$", re.IGNORECASE)

_KANJI = "\u4e00-\u9fff"
# A Japanese compound name: an upper-level unit immediately followed by a municipality. Upper
# units are recognised by shape rather than listed: the four prefectures not ending 県, any two
# or three kanji ending 県, Korean metropolitan cities, Chinese provinces and autonomous regions,
# and states written in katakana. 州 after kanji is not accepted: 蘇州市, 広州市 are cities.
_JA_COMPOUND = re.compile(
    rf"""(?P<qualifier>東京都|北海道|京都府|大阪府|[{_KANJI}]{{2,3}}県
        |.+?(?:特別自治市|特別市|広域市|自治区)
        |[{_KANJI}]{{2,4}}省
        |[\u30a1-\u30fc]+州)
        [\s・･]*
        (?P<name>.+?(?:市|区|郡|町|村))""",
    re.VERBOSE,
)
_JA_UNIT_ENDS = frozenset("市区郡町村")
# Wards of a city (大阪市北区, 蘇州市呉江区).
_JA_CITY_WARD = re.compile(r"(?P<qualifier>.+?市)[\s・･]*(?P<name>.+?区)")


def _names_district(name: str) -> bool:
    if name.endswith("区"):
        return not name.endswith("自治区")
    return bool(_ENGLISH_DISTRICT_WORD.search(name) or _ROMANISED_WARD.search(name))


def _district_name(name: str) -> str:
    return _ENGLISH_DISTRICT_WORD.sub("", name)


def split_qualified(text: str) -> SplitName:
    """Split "Suzhou, Jiangsu", "Seoul – Gangdong", "Saint-Denis (Réunion)" or "ソウル特別市江東区"
    into the place's own name and its region or parent.

    A spaced dash always means a district of the left part; a comma or parentheses only when the
    name carries a ward marker (District, -gu, 区), because "Zugló (Budapest)" and
    "Saint-Denis (Réunion)" look alike and only a gazetteer can tell a district from a region.
    """
    text = text.strip()
    # Each pattern is tried only when the character it needs occurs: most names have none of them.
    if ("(" in text or "（" in text) and (match := _PARENTHESISED.fullmatch(text)):
        name, qualifier = match["name"].strip(), match["qualifier"].strip()
        if qualifier[0].islower():
            # Wikipedia's disambiguators, "Wartburg (district)", "Kętrzyn (rural gmina)", say
            # what kind of place it is, not where: they stay part of the name.
            return SplitName(text, None, False)
        district = _names_district(name)
        return SplitName(_district_name(name) if district else name, qualifier, district)
    if _HAS_DASH.search(text) and (match := _SPACED_DASH.fullmatch(text)):
        qualifier = _DISTRICT_NUMBER.sub("", match["qualifier"].strip())
        return SplitName(_district_name(match["name"].strip()), qualifier, True)
    if ("," in text or "，" in text) and (match := _COMMA.fullmatch(text)):
        name, qualifier = match["name"].strip(), match["qualifier"].strip()
        if not _names_district(name) and _names_district(qualifier) and "," not in qualifier:
            # "Seoul, Gangdong District": the parent was written first.
            name, qualifier = qualifier, name
        district = _names_district(name)
        return SplitName(_district_name(name) if district else name, qualifier, district)
    compact = text.replace(" ", "").replace("\u3000", "")
    # Both Japanese patterns end in a unit suffix.
    for pattern in (_JA_COMPOUND, _JA_CITY_WARD) if compact[-1:] in _JA_UNIT_ENDS else ():
        if match := pattern.fullmatch(compact):
            name = match["name"].lstrip("・･")
            return SplitName(name, match["qualifier"], _names_district(name))
    return SplitName(text, None, False)


# --- romanisation and keys ------------------------------------------------------------------


@lru_cache(maxsize=1)
def _kakasi() -> pykakasi.kakasi:
    # Loading the dictionaries takes about half a second: once per process.
    # pykakasi ships py.typed but leaves its constructor unannotated.
    return pykakasi.kakasi()  # type: ignore[no-untyped-call]


@lru_cache(maxsize=100_000)
def romanize_kana(text: str) -> str:
    """Lower-case Hepburn of kana via pykakasi (ブラショフ → "burashofu"), folded.

    pykakasi reads any kanji too, with Japanese readings: right for Japanese names, wrong for
    Chinese and Korean ones, which is why name_keys romanises kana-only names and nothing else.
    """
    return fold("".join(part["hepburn"] for part in _kakasi().convert(text)))


_KANA_ONLY = re.compile(f"[{_KATAKANA}\u3041-\u3096 ]+")
_LATIN_ONLY = re.compile(r"[a-z0-9 ]*[a-z][a-z0-9 ]*")
# Any kana letter at all (the space in _KANA_ONLY must not make a Latin name look like kana).
_ANY_KANA = re.compile(f"[{_KATAKANA}\u3041-\u3096]")


def _is_kana(folded: str) -> bool:
    return bool(_KANA_ONLY.fullmatch(folded)) and folded.strip(" ー") != ""


# Ordered rewrites making katakana transliterations meet their Latin originals. Each reflects how
# Japanese hears a foreign sound: kh and h are both ハ行; sh is シ; v before a vowel is バ行 but
# syllable-final v is フ (Brasov → ブラショフ, Khabarovsk → ハバロフスク); f and h share フ;
# l and r are one Japanese liquid. ch is kept as its own sound (チ) before c is resolved.
_SKELETON_REWRITES: tuple[tuple[str, re.Pattern[str], str], ...] = tuple(
    # The letter every match starts with: a rewrite is tried only when the name holds it.
    (pattern[0], re.compile(pattern), replacement)
    for pattern, replacement in (
        ("kh", "h"),
        ("ph", "f"),
        ("sh", "s"),
        ("ck", "k"),
        ("ch", "C"),
        ("c(?=[eiy])", "s"),
        ("c", "k"),
        ("C", "c"),
        ("q", "k"),
        ("x", "ks"),
        ("v(?=[aeiouy])", "b"),
        ("v", "f"),
        ("f", "h"),
        ("l", "r"),
    )
)
_NOT_LATIN_LETTER = re.compile("[^a-z]")
_NON_INITIAL_VOWELS = re.compile(r"(?<!^)[aeiouy]")
_DOUBLED = re.compile(r"(.)\1+")


def latin_skeleton(text: str) -> str:
    """Coarse phonetic key shared by a Latin name and its katakana transliteration.

    Brasov and ブラショフ → "brsh"; Khabarovsk and ハバロフスク → "hbrhsk";
    Nancy and ナンシー → "ns"; Lubbock and ラボック → "rbk"; Plzeň and プルゼニ → "przn".
    Kana is romanised first; after the rewrites above, vowels after the first letter go (which
    also removes the vowels Japanese adds after consonants) and doubled letters collapse (ッ,
    ン+n). Only a candidate generator: it misses non-rhotic English (Portland, ポートランド),
    ch/sh/c spellings that vary by source language (Chicago, シカゴ), Hamburg (ハンブルク) and
    exonyms (Vienna, ウィーン), and it gives unrelated names one key (Nancy, Nice).
    """
    folded = fold(text)
    if _ANY_KANA.search(folded):
        folded = romanize_kana(folded)
    letters = _NOT_LATIN_LETTER.sub("", folded)
    for first, pattern, replacement in _SKELETON_REWRITES:
        if first in letters:
            letters = pattern.sub(replacement, letters)
    return _DOUBLED.sub(r"\1", _NON_INITIAL_VOWELS.sub("", letters))


def _name_part_keys(name: str, romanize: bool) -> list[str]:
    stripped = strip_affixes(name)
    keys = [fold(name), stripped]
    skeleton = ""
    if _is_kana(stripped):
        # Japanese writes no spaces and the ・ between words is optional (サン・ドニ / サンドニ).
        keys.append(stripped.replace(" ", ""))
        if romanize:
            keys.append(romanize_kana(stripped))
            skeleton = latin_skeleton(stripped)
    elif _LATIN_ONLY.fullmatch(stripped):
        skeleton = latin_skeleton(stripped)
    if len(skeleton) >= 2:
        keys.append(SKELETON_PREFIX + skeleton)
    return keys


def name_keys(text: str, *, romanize: bool = True) -> list[str]:
    """Lookup keys for a written name, best first, without duplicates or empty keys.

    1. the folded full text; 2. for a qualified name, "<name> <qualifier>" both affix-stripped,
    which "Seoul – Gangdong", "Gangdong-gu, Seoul" and "Gangdong District, Seoul" share;
    3. the folded and affix-stripped name itself ("gangdong", "ブラショフ"); 4. for kana, the
    spaceless form and the Hepburn romanisation; 5. SKELETON_PREFIX + latin_skeleton, which
    ブラショフ市, Brasov and Brașov share. The qualifier's own keys are left out (all Seoul
    districts would otherwise share "seoul"); parent_keys gives them.

    romanize=False leaves out the romanised and skeleton keys of kana names: an index of names
    (the gazetteer) needs only their exact forms, because a kana query is romanised at lookup.
    """
    split = split_qualified(text)
    candidates = [fold(text)]
    if split.qualifier is not None:
        candidates.append(f"{strip_affixes(split.name)} {strip_affixes(split.qualifier)}")
    candidates += _name_part_keys(split.name, romanize)
    keys: list[str] = []
    for key in candidates:
        if key.strip() and key not in keys:
            keys.append(key)
    return keys


@lru_cache(maxsize=100_000)
def name_key_tuple(text: str) -> tuple[str, ...]:
    """name_keys, computed once per distinct text: an import meets the same names again and again."""
    return tuple(name_keys(text))


def parent_keys(text: str) -> list[str]:
    """Lookup keys of the region or parent written with a name ("Seoul" in "Seoul – Gangdong")."""
    qualifier = split_qualified(text).qualifier
    return [] if qualifier is None else name_keys(qualifier)


def similarity(a: str, b: str) -> float:
    """0–1 likeness of two names on their folded, affix-stripped forms.

    rapidfuzz's fuzz.ratio (normalised Indel distance): symmetric and it charges for length, so
    "Nara" and "Narashino" score 0.62. partial_ratio and WRatio would score that pair 0.9–1.0,
    and one name containing another is exactly how unrelated places look alike; token-sorting
    scorers buy nothing because word order inside a place name is fixed. When only one side is
    kana it is romanised first, so cross-script pairs score above zero.
    """
    left, right = strip_affixes(a), strip_affixes(b)
    if left == right:
        return 1.0
    if _is_kana(left) != _is_kana(right):
        left = romanize_kana(left) if _is_kana(left) else left
        right = romanize_kana(right) if _is_kana(right) else right
    return fuzz.ratio(left, right) / 100.0

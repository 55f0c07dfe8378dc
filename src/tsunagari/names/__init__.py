"""Name normalisation and resolution: comparison forms, affixes, qualified names, lookup keys."""

from tsunagari.names.normalize import (
    SKELETON_PREFIX,
    SplitName,
    fold,
    latin_skeleton,
    name_keys,
    parent_keys,
    romanize_kana,
    similarity,
    split_qualified,
    strip_affixes,
)

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

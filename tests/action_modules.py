"""Every module of write actions in the package, found by name (`<domain>/actions.py`, `*_actions.py`), so
a test can hold each of them to having a permission rule per action without a list to keep up to date."""

from __future__ import annotations

import importlib
import pkgutil
from types import ModuleType

import tsunagari


def action_modules() -> list[ModuleType]:
    found = []
    for info in pkgutil.walk_packages(tsunagari.__path__, "tsunagari."):
        last = info.name.rpartition(".")[2]
        if last == "actions" or last.endswith("_actions"):
            found.append(importlib.import_module(info.name))
    return found

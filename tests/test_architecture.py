"""The layout stays as docs/architecture.md draws it: this reads the imports of every module (ast) and
fails on a cycle between packages, on an import from a lower layer up into a higher one, and on SQL or
session writes in the HTTP and command-line shells. The checker is fed bad graphs below to show it
catches them."""

from __future__ import annotations

import ast
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import networkx as nx
import pytest

PACKAGE_ROOT = Path(__file__).resolve().parents[1] / "src" / "tsunagari"

# Modules every layer may import: pure functions over text, codes and settings, importing nothing of the
# domains (checked below like everything else: they sit in the lowest layer).
GROUND_MODULES = frozenset(
    {
        "tsunagari.names.normalize",
        "tsunagari.reference.countries",
        "tsunagari.reference.subdivisions",
        "tsunagari.reference.japan",
        "tsunagari.reference.gazetteer",
    }
)

# Layers, lowest first. A module may import its own layer and those below, never one above. A domain's
# HTTP modules (api, pages) form a layer of their own above its services and the web shell they use.
LAYERS: tuple[frozenset[str], ...] = (
    frozenset({"tsunagari", "config", "errors", "common", "dates", "db", "ground"}),
    frozenset({"audit"}),
    frozenset({"access"}),
    frozenset(
        {
            "reference",
            "municipality",
            "organisation",
            "partnership",
            "exchange",
            "policy",
            "evaluation",
            "names",
            "auth",
            "portal",
            "analytics",
            "matching",
        }
    ),
    frozenset({"models", "session", "migrations", "importers", "demo", "reports", "maintenance", "web"}),
    frozenset({"http"}),
    frozenset({"app", "bench"}),
    frozenset({"cli"}),
)
HTTP_SUFFIX = ":http"

# The web shell knows no domain: it may import the lowest layers, the audit trail, and the accounts it
# authenticates with; everything a domain shows lives in that domain's api and pages modules.
WEB_SHELL_MAY_IMPORT = frozenset({"tsunagari", "config", "errors", "common", "dates", "db", "ground"}) | {
    "audit",
    "access",
    "auth",
    "session",
    "web",
}

# Modules that answer HTTP or the command line: they read through services and write through actions,
# so they never build SQL or write with a session themselves.
SQL_NAMES = frozenset({"select", "insert", "update", "delete", "text", "func"})
# (Committing is not among them: the request's session dependency owns the transaction.)
SESSION_WRITES = frozenset({"add", "add_all", "delete", "merge", "flush", "execute"})


@dataclass
class Module:
    name: str
    imports: set[str] = field(default_factory=set)
    sql_imports: set[str] = field(default_factory=set)
    session_writes: list[int] = field(default_factory=list)
    """Line numbers of session.add/flush/commit/execute… calls."""


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE_ROOT.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def read_module(name: str, source: str) -> Module:
    module = Module(name)
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if node.module.startswith("tsunagari"):
                # "a.b:c": the module a.b.c if there is one, else a.b (c is a name in it).
                module.imports.update(f"{node.module}:{alias.name}" for alias in node.names)
            if node.module.split(".")[0] == "sqlalchemy":
                module.sql_imports.update(alias.name for alias in node.names if alias.name in SQL_NAMES)
        elif isinstance(node, ast.Import):
            module.imports.update(alias.name for alias in node.names if alias.name.startswith("tsunagari"))
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr in SESSION_WRITES
            and isinstance(node.func.value, ast.Name)
            and node.func.value.id in ("session", "db")
        ):
            module.session_writes.append(node.lineno)
    return module


def read_package() -> dict[str, Module]:
    modules = {}
    for path in sorted(PACKAGE_ROOT.rglob("*.py")):
        if "versions" in path.parts:  # Alembic revisions: frozen history, not code that evolves
            continue
        name = _module_name(path)
        modules[name] = read_module(name, path.read_text(encoding="utf-8"))
    return modules


def _known(name: str, modules: Iterable[str]) -> str | None:
    """The module an import names (`from a.b import c` names a.b.c when c is a module, else a.b)."""
    known = set(modules)
    package, _, member = name.partition(":")
    if member and f"{package}.{member}" in known:
        return f"{package}.{member}"
    name = package
    while name and name not in known:
        name = name.rpartition(".")[0]
    return name or None


def is_http(module: str) -> bool:
    """A domain's api and pages modules (exchange/network_pages.py counts as pages)."""
    parts = module.split(".")
    last = parts[-1]
    return (
        len(parts) > 2
        and parts[1] not in ("web", "cli")
        and (last in ("api", "pages") or last.endswith(("_api", "_pages")))
    )


def package_of(module: str) -> str:
    """The node a module counts as in the package graph."""
    for ground in GROUND_MODULES:
        if module == ground or module.startswith(ground + "."):
            return "ground"
    if module == "tsunagari.web.app":
        return "app"
    parts = module.split(".")
    if is_http(module):
        return parts[1] + HTTP_SUFFIX
    return parts[1] if len(parts) > 1 else "tsunagari"


def layer_of(package: str) -> int | None:
    if package.endswith(HTTP_SUFFIX):
        package = "http"
    return next((index for index, layer in enumerate(LAYERS) if package in layer), None)


def is_shell(module: str) -> bool:
    """HTTP and command-line modules: web/, cli/, and every domain's api and pages modules."""
    parts = module.split(".")
    return (len(parts) > 1 and parts[1] in ("web", "cli")) or is_http(module)


def violations(modules: Mapping[str, Module]) -> list[str]:
    found: list[str] = []
    graph: nx.DiGraph[str] = nx.DiGraph()
    for module in modules.values():
        source_package = package_of(module.name)
        graph.add_node(source_package)
        for imported in module.imports:
            target = _known(imported, modules)
            if target is None or target == module.name:
                continue
            target_package = package_of(target)
            if target_package == source_package:
                continue
            graph.add_edge(source_package, target_package, example=f"{module.name} -> {target}")
            source_layer, target_layer = layer_of(source_package), layer_of(target_package)
            if source_layer is None:
                found.append(f"{module.name}: package {source_package!r} has no layer in LAYERS")
            elif target_layer is not None and target_layer > source_layer:
                found.append(
                    f"{module.name} imports {target}: layer {source_layer} may not import {target_layer}"
                )
            if source_package == "web" and target_package not in WEB_SHELL_MAY_IMPORT:
                found.append(f"{module.name} imports {target_package}: the web shell knows no domain")
        if is_shell(module.name):
            if module.sql_imports:
                found.append(
                    f"{module.name} builds SQL ({', '.join(sorted(module.sql_imports))}): ask a service"
                )
            if module.session_writes:
                lines = ", ".join(map(str, module.session_writes))
                found.append(f"{module.name} writes with the session (lines {lines}): call an action")
    # One message per tangle (strongly connected packages), with one cycle through it as the example.
    for tangle in nx.strongly_connected_components(graph):
        if len(tangle) < 2:
            continue
        cycle = nx.find_cycle(graph.subgraph(tangle))
        arrows = "; ".join(graph.edges[a, b]["example"] for a, b in cycle)
        found.append(f"import cycle between packages {', '.join(sorted(tangle))}: e.g. {arrows}")
    return sorted(set(found))


# ----------------------------------------------------------------------------- the real package
def test_the_package_keeps_its_layers_without_cycles() -> None:
    problems = violations(read_package())
    assert problems == [], "\n".join(problems)


def test_every_module_opens_with_a_docstring_saying_its_rule() -> None:
    missing = []
    for path in sorted(PACKAGE_ROOT.rglob("*.py")):
        if "versions" in path.parts:
            continue
        if ast.get_docstring(ast.parse(path.read_text(encoding="utf-8"))) is None:
            missing.append(str(path.relative_to(PACKAGE_ROOT)))
    assert missing == []


# A module past about 600 lines holds more than one idea (STYLE.md): split it by aggregate.
MAX_MODULE_LINES = 650


def test_no_module_holds_more_than_one_idea() -> None:
    too_long = {
        str(path.relative_to(PACKAGE_ROOT)): lines
        for path in sorted(PACKAGE_ROOT.rglob("*.py"))
        if "versions" not in path.parts
        and (lines := len(path.read_text(encoding="utf-8").splitlines())) > MAX_MODULE_LINES
    }
    assert too_long == {}


# ----------------------------------------------------------------------------- the checker itself
def _fake(**sources: str) -> dict[str, Module]:
    return {name: read_module(name, source) for name, source in sources.items()}


def test_the_checker_finds_a_cycle_between_packages() -> None:
    modules = _fake(
        **{
            "tsunagari.names.service": "from tsunagari.importers import pending\n",
            "tsunagari.importers.pending": "from tsunagari.names import service\n",
        }
    )
    problems = violations(modules)
    assert any(p.startswith("import cycle between packages") for p in problems), problems


def test_the_checker_finds_an_import_up_the_layers() -> None:
    modules = _fake(
        **{
            "tsunagari.db": "from tsunagari.audit import service\n",
            "tsunagari.audit.service": "x = 1\n",
        }
    )
    assert violations(modules) == ["tsunagari.db imports tsunagari.audit.service: layer 0 may not import 1"]


def test_the_checker_finds_sql_and_session_writes_in_pages() -> None:
    modules = _fake(
        **{
            "tsunagari.partnership.pages": (
                "from sqlalchemy import select\n"
                "def page(session):\n"
                "    session.add(object())\n"
                "    return session.scalars(select(1))\n"
            )
        }
    )
    problems = violations(modules)
    assert any("builds SQL (select)" in p for p in problems), problems
    assert any("writes with the session (lines 3)" in p for p in problems), problems


@pytest.mark.parametrize(
    "name",
    [
        "tsunagari.web.staff",
        "tsunagari.cli.registry",
        "tsunagari.exchange.api",
        "tsunagari.exchange.network_pages",
    ],
)
def test_shells_are_recognised(name: str) -> None:
    assert is_shell(name)
    assert not is_shell("tsunagari.exchange.programme_service")


def test_the_checker_keeps_domains_out_of_the_web_shell() -> None:
    modules = _fake(
        **{
            "tsunagari.web.rendering": "from tsunagari.partnership import service\n",
            "tsunagari.partnership.service": "x = 1\n",
            "tsunagari.partnership.pages": (
                "from tsunagari.web import rendering\nfrom tsunagari.partnership import service\n"
            ),
        }
    )
    assert violations(modules) == [
        "tsunagari.web.rendering imports partnership: the web shell knows no domain"
    ]

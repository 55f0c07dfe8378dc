"""Entry point of the `tsunagari` command: a table of commands, each module imported when its command runs.

`tsunagari --help` lists the table without importing any command module, and `tsunagari dates parse …`
imports the dates module alone, so neither loads SQLAlchemy, Alembic or the web stack
(tests/cli/test_cli_startup.py checks both, and that each short help below equals the command's own).

To add a top-level command or group: write it in its own module under `tsunagari/cli/` (a function for a
command, a `typer.Typer` for a group), then add one line to `COMMANDS`: its name, `"module:attribute"`,
and the first paragraph of its help exactly as the command's docstring or `Typer(help=…)` has it (a test
fails when they differ). A group whose commands live in several modules lists the others in `extra`
(`import cases` and `import pairs`). Commands added to an existing group's `Typer` need nothing here.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterator, MutableMapping
from dataclasses import dataclass
from typing import Any

import typer
import typer.main
from typer.core import TyperCommand, TyperGroup


@dataclass(frozen=True)
class Entry:
    """One top-level command or group: where it lives, and the short help `tsunagari --help` shows."""

    target: str
    help: str
    extra: tuple[tuple[str, str], ...] = ()
    """Commands of a group written in other modules: (name, "module:function")."""


COMMANDS: dict[str, Entry] = {
    "init": Entry(
        "tsunagari.cli.setup:init",
        "Create or upgrade the database and load the shipped reference data (idempotent).",
    ),
    "demo": Entry(
        "tsunagari.cli.setup:demo",
        "Load the demo dataset built from the seed documents (runs `init` first when needed).",
    ),
    "serve": Entry("tsunagari.cli.setup:serve", "Serve the portal and API (uvicorn)."),
    "partners": Entry(
        "tsunagari.cli.registry:partners",
        "List a municipality's partners: type, signed date (西暦・和暦), status, domestic or international.",
    ),
    "geocode": Entry(
        "tsunagari.cli.names:geocode",
        "Show the best match for a name, its coordinates, confidence and alternatives (writes nothing).",
    ),
    "bench": Entry(
        "tsunagari.cli.bench:bench",
        "Measure the API, the import and the analyses on the global corpus beside Datasette,"
        " sqlite-utils and networkx, in a fresh database, and write the figures to BENCHMARKS.md.",
    ),
    "dates": Entry(
        "tsunagari.cli.dates:app", "日付・年度の解析 / Parse dates (西暦・和暦) and fiscal years (年度)."
    ),
    "analyze": Entry("tsunagari.cli.analyze:app", "分析 / Strategic analyses over the partnership graph."),
    "users": Entry("tsunagari.cli.users:app", "職員アカウント / Staff accounts and API tokens."),
    "policy": Entry("tsunagari.cli.policy:app", "交流の方針 / Visit policy checks (seed 002)."),
    "activities": Entry(
        "tsunagari.cli.activities:app", "実施記録 / Activities of exchange programmes: add, list, import."
    ),
    "review": Entry(
        "tsunagari.cli.names:review_app",
        "要確認リスト / The review list of names that could not be resolved with confidence.",
    ),
    "import": Entry(
        "tsunagari.cli.transfer:import_app",
        "取り込み / Import partnerships, CLAIR case records and global twinning pairs.",
        extra=(
            ("cases", "tsunagari.cli.cases:import_cases_command"),
            ("pairs", "tsunagari.cli.pairs:import_pairs_command"),
            ("bundle", "tsunagari.cli.bundle:import_bundle_command"),
        ),
    ),
    "export": Entry(
        "tsunagari.cli.transfer:export_app",
        "書き出し / Export the registry.",
        extra=(("bundle", "tsunagari.cli.bundle:export_bundle_command"),),
    ),
    "match": Entry(
        "tsunagari.cli.match:match",
        "提携候補 / Partner candidates for a municipality, best first,"
        " with each score's reasons and weights.",
    ),
    "backup": Entry(
        "tsunagari.cli.backup:backup",
        "Back up the whole database while the portal keeps serving (SQLite's online backup; pg_dump).",
    ),
    "restore": Entry(
        "tsunagari.cli.backup:restore",
        "Restore a backup into the configured database; refuses a database holding data unless --force.",
    ),
    "report": Entry(
        "tsunagari.cli.report:app",
        "報告書 / Reports: verification, 事務事業評価シート, the award application and the brochure.",
    ),
}


def _attribute(target: str) -> Any:
    module, _, name = target.partition(":")
    return getattr(importlib.import_module(module), name)


def _command(name: str, function: Any) -> Any:
    """A function as the command Typer would make of it in a group (`app.command(name)(function)`)."""
    single = typer.Typer(add_completion=False)
    single.command(name)(function)
    return typer.main.get_command(single)


def load(name: str, entry: Entry) -> Any:
    """Import the entry's module(s) and build its click command or group."""
    found = _attribute(entry.target)
    if not isinstance(found, typer.Typer):
        return _command(name, found)
    # get_group, not get_command: a group of one command must stay a group (`dates parse`).
    group = typer.main.get_group(found)
    group.name = name
    for sub_name, sub_target in entry.extra:
        group.add_command(_command(sub_name, _attribute(sub_target)), sub_name)
    return group


class LazyCommands(MutableMapping[str, Any]):
    """The commands of the root group: every name of the table, each built on first lookup."""

    def __init__(self, table: dict[str, Entry], loaded: MutableMapping[str, Any]) -> None:
        self.table = table
        self.loaded = dict(loaded)

    def summary(self, name: str) -> Any:
        """What the command list shows for a name, without importing its module."""
        if name in self.loaded:
            return self.loaded[name]
        entry = self.table.get(name)
        return None if entry is None else TyperCommand(name=name, help=entry.help)

    def __getitem__(self, name: str) -> Any:
        if name not in self.loaded:
            if name not in self.table:
                raise KeyError(name)
            self.loaded[name] = load(name, self.table[name])
        return self.loaded[name]

    def __setitem__(self, name: str, command: Any) -> None:
        self.loaded[name] = command

    def __delitem__(self, name: str) -> None:
        del self.loaded[name]

    def __iter__(self) -> Iterator[str]:
        yield from self.table
        yield from (name for name in self.loaded if name not in self.table)

    def __len__(self) -> int:
        return len(self.table.keys() | self.loaded.keys())


class LazyGroup(TyperGroup):
    """The click group of the `tsunagari` command (Click's "lazily loading subcommands" pattern):
    resolving a name imports that command's module only, and the help lists the table's short help."""

    table: dict[str, Entry] = COMMANDS

    def __init__(self, **attributes: Any) -> None:
        super().__init__(**attributes)
        self.lazy_commands = LazyCommands(self.table, self.commands)
        self.commands = self.lazy_commands
        self._listing = False

    def list_commands(self, ctx: Any) -> list[str]:
        return list(self.lazy_commands)

    def get_command(self, ctx: Any, cmd_name: str) -> Any:
        if self._listing:
            return self.lazy_commands.summary(cmd_name)
        return super().get_command(ctx, cmd_name)

    def format_help(self, ctx: Any, formatter: Any) -> None:
        self._listing = True
        try:
            super().format_help(ctx, formatter)
        finally:
            self._listing = False


app = typer.Typer(
    cls=LazyGroup,
    help=(
        "Tsunagari つながり — 自治体間交流の台帳・公開ポータル / "
        "registry and portal for inter-municipal exchange."
    ),
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)


@app.callback()
def _root() -> None:
    # Typer builds a group only for an app with a callback or registered commands; the commands are in
    # COMMANDS, so the group needs this empty callback.
    pass


def main() -> None:
    app()

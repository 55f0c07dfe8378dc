"""`tsunagari --help` and `tsunagari dates parse` import only what they use; the command table's short help
is each command's own."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import typer.main
from typer.testing import CliRunner

from tsunagari.cli import docgen
from tsunagari.cli.main import COMMANDS, LazyGroup, app, load

# What a command that touches no database, page or analysis must never load.
HEAVY = (
    "sqlalchemy",
    "alembic",
    "fastapi",
    "starlette",
    "jinja2",
    "argon2",
    "tsunagari.web",
    "tsunagari.analytics",
)

# Runs the command as the console script does, then writes its exit code and every module it loaded.
RUN_THEN_LIST_MODULES = """
import json, sys
arguments, listing = json.loads(sys.argv[1]), sys.argv[2]
sys.argv = ["tsunagari", *arguments]
from tsunagari.cli.main import main
try:
    main()
    code = 0
except SystemExit as stop:
    code = stop.code
with open(listing, "w") as out:
    json.dump({"code": code, "modules": sorted(sys.modules)}, out)
"""


def run_and_list_modules(
    tmp_path: Path, *args: str
) -> tuple[subprocess.CompletedProcess[str], int, list[str]]:
    listing = tmp_path / "modules.json"
    completed = subprocess.run(
        [sys.executable, "-c", RUN_THEN_LIST_MODULES, json.dumps(args), str(listing)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert completed.returncode == 0, completed.stderr
    found = json.loads(listing.read_text(encoding="utf-8"))
    return completed, found["code"], found["modules"]


def heavy_modules(modules: list[str]) -> list[str]:
    return [name for name in modules if any(name == heavy or name.startswith(heavy + ".") for heavy in HEAVY)]


def test_dates_parse_imports_no_database_web_or_analytics(tmp_path: Path) -> None:
    completed, code, modules = run_and_list_modules(tmp_path, "dates", "parse", "平成4年4月21日", "--json")
    assert code == 0, completed.stderr
    assert json.loads(completed.stdout)["value"] == "1992-04-21"
    assert heavy_modules(modules) == []
    # Only its own command module of the CLI (and what every command shares).
    assert {name for name in modules if name.startswith("tsunagari.cli.")} == {
        "tsunagari.cli.main",
        "tsunagari.cli.common",
        "tsunagari.cli.dates",
    }


def test_invalid_date_still_exits_2_without_loading_the_database(tmp_path: Path) -> None:
    completed, code, modules = run_and_list_modules(tmp_path, "dates", "parse", "2023年2月30日")
    assert code == 2
    assert "2023-02-30" in completed.stderr
    assert heavy_modules(modules) == []


def test_help_lists_every_command_without_importing_any(tmp_path: Path) -> None:
    completed, code, modules = run_and_list_modules(tmp_path, "--help")
    assert code == 0, completed.stderr
    for name in COMMANDS:
        assert f" {name} " in completed.stdout, name
    assert "Parse dates" in completed.stdout and "Export the registry" in completed.stdout
    assert heavy_modules(modules) == []
    assert {name for name in modules if name.startswith("tsunagari.cli.")} == {"tsunagari.cli.main"}


def first_paragraph(text: str | None) -> str:
    return " ".join((text or "").split("\n\n")[0].split())


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_the_table_holds_each_commands_own_short_help(name: str) -> None:
    command: Any = load(name, COMMANDS[name])
    assert COMMANDS[name].help == first_paragraph(command.help)


def fresh_root() -> Any:
    root = typer.main.get_command(app)
    assert isinstance(root, LazyGroup)
    return root


def load_everything(root: Any) -> None:
    for name in list(root.lazy_commands):
        root.lazy_commands[name]


def test_help_is_the_same_as_with_every_command_loaded() -> None:
    lazy_root, loaded_root = fresh_root(), fresh_root()
    load_everything(loaded_root)
    # The plain layout (docs/cli.md) ...
    assert docgen.help_text(["tsunagari"], lazy_root) == docgen.help_text(["tsunagari"], loaded_root)
    assert lazy_root.lazy_commands.loaded == {}
    # ... and the Rich one a terminal shows.
    assert rich_help(lazy_root) == rich_help(loaded_root)
    assert lazy_root.lazy_commands.loaded == {}


def invoke(root: Any, *args: str) -> tuple[int | str | None, str]:
    """Run a click group the way the console script does and return its exit code and output."""
    with CliRunner().isolation(env={"COLUMNS": "100"}) as streams:
        with pytest.raises(SystemExit) as stop:
            root.main(list(args), prog_name="tsunagari")
        return stop.value.code, streams[0].getvalue().decode()


def rich_help(root: Any) -> str:
    code, output = invoke(root, "--help")
    assert code == 0, output
    return output


def test_a_group_is_loaded_whole_with_the_commands_other_modules_add() -> None:
    root = fresh_root()
    code, output = invoke(root, "import", "--help")
    assert code == 0, output
    for name in ("partnerships", "cases", "pairs"):
        assert name in output
    assert set(root.lazy_commands.loaded) == {"import"}


def test_a_group_of_one_command_stays_a_group() -> None:
    result = CliRunner().invoke(app, ["dates", "parse", "H23.3.31", "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["value"] == "2011-03-31"


def test_a_mistyped_command_is_refused_with_a_suggestion() -> None:
    result = CliRunner().invoke(app, ["dats"])
    assert result.exit_code == 2
    assert "Did you mean 'dates'?" in result.output
    nested = CliRunner().invoke(app, ["import", "pair"])
    assert nested.exit_code == 2
    assert "Did you mean 'pairs'?" in nested.output

"""Documentation stays true to the code: CLI reference, settings, README commands."""

from __future__ import annotations

from pathlib import Path

from tsunagari.cli import docgen
from tsunagari.config import Settings

ROOT = Path(__file__).resolve().parents[1]


def test_cli_reference_is_generated_from_the_current_help() -> None:
    expected = docgen.render()
    actual = (ROOT / "docs" / "cli.md").read_text(encoding="utf-8")
    assert actual == expected, "docs/cli.md is stale: run `python -m tsunagari.cli.docgen > docs/cli.md`"


def test_every_command_has_help() -> None:
    for path, command in docgen.command_paths():
        assert (command.help or "").strip(), f"{' '.join(path)} has no help text"


def test_every_setting_is_documented() -> None:
    documented = (ROOT / "docs" / "configuration.md").read_text(encoding="utf-8")
    for name in Settings.model_fields:
        assert f"TSUNAGARI_{name.upper()}" in documented, name


def test_readme_opens_with_the_two_commands() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    head = readme[: readme.index("## The `tsunagari` command")]
    assert "make run" in head and "make test" in head


def test_every_cli_command_is_in_the_readme_or_reference() -> None:
    reference = (ROOT / "docs" / "cli.md").read_text(encoding="utf-8")
    for path, _ in docgen.command_paths():
        assert f"`{' '.join(path)}`" in reference

"""Writes docs/cli.md from the commands' own --help, so the reference cannot drift from the code.

Run `python -m tsunagari.cli.docgen > docs/cli.md`; a test fails when the file is out of date.
"""

from __future__ import annotations

from typing import Any

import typer.core
import typer.main

from tsunagari.cli.main import app


# Typer ships its own copy of click, so commands are typed loosely and groups found by duck typing.
def _walk(command: Any, path: list[str]) -> list[tuple[list[str], Any]]:
    found = [(path, command)]
    subcommands = getattr(command, "commands", None)
    if subcommands:
        for name in sorted(subcommands):
            found.extend(_walk(subcommands[name], [*path, name]))
    return found


def command_paths() -> list[tuple[list[str], Any]]:
    root = typer.main.get_command(app)
    return _walk(root, ["tsunagari"])


def help_text(path: list[str], command: Any) -> str:
    context = command.context_class(
        command, info_name=" ".join(path), terminal_width=100, max_content_width=100
    )
    # Typer draws help in Rich boxes for terminals; the plain click layout suits Markdown.
    saved = typer.core.HAS_RICH
    typer.core.HAS_RICH = False
    try:
        return str(command.get_help(context))
    finally:
        typer.core.HAS_RICH = saved


def render() -> str:
    lines = [
        "# `tsunagari` command reference",
        "",
        "Generated from `--help` by `python -m tsunagari.cli.docgen > docs/cli.md`; do not edit by hand.",
        "Exit codes: 0 success, 2 invalid input (report on stderr), 1 any other failure.",
        "",
    ]
    for path, command in command_paths():
        lines += [
            f"## `{' '.join(path)}`",
            "",
            "```text",
            help_text(path, command).rstrip(),
            "```",
            "",
        ]
    return "\n".join(lines)


if __name__ == "__main__":
    print(render(), end="")

"""Entry point of the `tsunagari` command; each area's commands live in their own module."""

from __future__ import annotations

import typer

from tsunagari.cli import (
    activities,
    analyze,
    bench,
    cases,
    dates,
    names,
    pairs,
    policy,
    registry,
    setup,
    transfer,
    users,
)

app = typer.Typer(
    help=(
        "Tsunagari つながり — 自治体間交流の台帳・公開ポータル / "
        "registry and portal for inter-municipal exchange."
    ),
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
app.command()(setup.init)
app.command()(setup.demo)
app.command()(setup.serve)
app.command()(registry.partners)
app.command()(names.geocode)
app.command()(bench.bench)
app.add_typer(dates.app, name="dates")
app.add_typer(analyze.app, name="analyze")
app.add_typer(users.app, name="users")
app.add_typer(policy.app, name="policy")
app.add_typer(activities.app, name="activities")
app.add_typer(names.review_app, name="review")
transfer.import_app.command("cases")(cases.import_cases_command)
transfer.import_app.command("pairs")(pairs.import_pairs_command)
app.add_typer(transfer.import_app, name="import")
app.add_typer(transfer.export_app, name="export")


def main() -> None:
    app()

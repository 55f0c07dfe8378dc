"""`tsunagari users add|list|disable|token` through a local Typer app (main.py registers it separately)."""

from __future__ import annotations

import json

import typer
from typer.testing import CliRunner

from tsunagari.auth import service as auth_service
from tsunagari.cli import users
from tsunagari.db import get_engine
from tsunagari.session import unit_of_work

runner = CliRunner()
app = typer.Typer()
app.add_typer(users.app, name="users")


def test_add_list_token_disable(cli_database: str) -> None:
    added = runner.invoke(
        app,
        [
            "users",
            "add",
            "Editor@Example.jp",
            "--role",
            "editor",
            "--municipality",
            "武蔵野市",
            "--password-stdin",
        ],
        input="a sufficiently long password\n",
    )
    assert added.exit_code == 0, added.output
    listed = runner.invoke(app, ["users", "list", "--json"])
    assert listed.exit_code == 0, listed.output
    [row] = [r for r in json.loads(listed.stdout) if r["email"] == "editor@example.jp"]
    assert row["role"] == "editor" and row["municipalities"] == ["武蔵野市"] and row["active"] is True
    issued = runner.invoke(app, ["users", "token", "editor@example.jp"])
    assert issued.exit_code == 0, issued.output
    token = issued.stdout.strip()
    with unit_of_work(get_engine()) as session:
        user = auth_service.user_for_token(session=session, token=token)
        assert user is not None and user.email == "editor@example.jp"
        assert (
            auth_service.authenticate(
                session=session, email="editor@example.jp", password="a sufficiently long password"
            ).id
            == user.id
        )
    disabled = runner.invoke(app, ["users", "disable", "editor@example.jp"])
    assert disabled.exit_code == 0, disabled.output
    with unit_of_work(get_engine()) as session:
        assert auth_service.user_for_token(session=session, token=token) is None


def test_invalid_input_exits_2(cli_database: str) -> None:
    no_place = runner.invoke(app, ["users", "add", "e@example.jp", "--role", "editor"])
    assert no_place.exit_code == 2
    unknown = runner.invoke(
        app, ["users", "add", "e@example.jp", "--role", "editor", "--municipality", "存在しない市"]
    )
    assert unknown.exit_code == 2
    short = runner.invoke(app, ["users", "add", "e@example.jp", "--password-stdin"], input="short\n")
    assert short.exit_code == 2
    missing = runner.invoke(app, ["users", "disable", "nobody@example.jp"])
    assert missing.exit_code == 1

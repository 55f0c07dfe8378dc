"""`tsunagari import partnerships` and `tsunagari export partnerships` (being written)."""

from __future__ import annotations

import typer

import_app = typer.Typer(help="取り込み / Import partnerships, CLAIR case records and global twinning pairs.")
export_app = typer.Typer(help="書き出し / Export the registry.")

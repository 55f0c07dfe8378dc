"""`tsunagari dates …`: parse dates and fiscal years the way importers do."""

from __future__ import annotations

import re

import typer

from tsunagari.cli.common import console, handle_errors, print_json
from tsunagari.dates import parse_date, parse_fiscal_years

app = typer.Typer(help="日付・年度の解析 / Parse dates (西暦・和暦) and fiscal years (年度).")

# 年度, FY or a schedule word (隔年, 毎年, 継続, 2年に1度, 3年ごと) marks a fiscal-year expression;
# anything else is a calendar date.
_FISCAL_MARK = re.compile(
    r"年度|^\s*FY|隔年|毎年|継続|年\s*(?:おき|ごと|毎|に\s*[1１一]\s*[度回])", re.IGNORECASE
)


@app.command("parse")
@handle_errors
def parse(
    text: str = typer.Argument(..., help="e.g. 平成4年4月21日, H23.3.31, 1992-04-21, 平成19~21年度"),
    json_output: bool = typer.Option(False, "--json", help="Print JSON for scripts."),
) -> None:
    """Parse a date (keeping its precision) or a fiscal-year expression; exit 2 if it is invalid."""
    if _FISCAL_MARK.search(text):
        fiscal = parse_fiscal_years(text, field="text")
        if json_output:
            print_json(fiscal.as_json(text))
        else:
            console.print(f"{text} → {fiscal.label_ja()}")
        return
    parsed = parse_date(text, field="text")
    if json_output:
        print_json(parsed.as_json(text))
    else:
        console.print(
            f"{parsed.iso()} ({parsed.precision}) — {parsed.seireki()} / {parsed.wareki()}"
            + (" 現在" if parsed.as_of else "")
        )

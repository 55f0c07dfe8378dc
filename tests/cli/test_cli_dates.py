"""`tsunagari dates parse` end to end, through the installed console script."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

SCRIPT = Path(sys.executable).with_name("tsunagari")


def run(*args: str) -> subprocess.CompletedProcess[str]:
    command = [str(SCRIPT)] if SCRIPT.exists() else [shutil.which("tsunagari") or "tsunagari"]
    return subprocess.run([*command, *args], capture_output=True, text=True, timeout=60)


@pytest.mark.parametrize(
    ("text", "value", "precision", "wareki", "as_of"),
    [
        ("平成 4年 4月 21 日", "1992-04-21", "day", "平成4年4月21日", False),
        ("H23.3.31", "2011-03-31", "day", "平成23年3月31日", False),
        ("2010年10月現在", "2010-10", "month", "平成22年10月", True),
        ("昭和63年", "1988", "year", "昭和63年", False),
    ],
)
def test_json_shape(text: str, value: str, precision: str, wareki: str, as_of: bool) -> None:
    result = run("dates", "parse", text, "--json")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == {
        "input": text,
        "value": value,
        "precision": precision,
        "wareki": wareki,
        "as_of": as_of,
    }


def test_fiscal_year_range_json() -> None:
    result = run("dates", "parse", "平成19~21年度", "--json")
    assert result.returncode == 0, result.stderr
    parsed = json.loads(result.stdout)
    assert (parsed["first_fy"], parsed["last_fy"], parsed["ongoing"]) == (2007, 2009, False)
    assert {
        "input",
        "first_fy",
        "last_fy",
        "ongoing",
        "every_n_years",
        "series_since_fy",
    } <= parsed.keys()


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("平成31年5月1日", "令和元年"),
        ("昭和64年1月8日", "1989-01-07"),
        ("2023年2月30日", "2023-02-30"),
    ],
)
def test_invalid_dates_exit_2_with_the_reason_on_stderr(text: str, fragment: str) -> None:
    result = run("dates", "parse", text, "--json")
    assert result.returncode == 2
    assert result.stdout == ""
    assert fragment in result.stderr

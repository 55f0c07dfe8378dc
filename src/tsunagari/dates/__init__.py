"""Dates with their precision, 和暦 (Japanese era calendar) and 年度 (fiscal years)."""

from tsunagari.dates.fiscal import (
    FiscalYears,
    fiscal_year_label,
    fiscal_year_of,
    parse_fiscal_years,
)
from tsunagari.dates.parser import (
    ERAS,
    Era,
    PartialDate,
    Precision,
    parse_date,
    wareki_year,
)

__all__ = [
    "ERAS",
    "Era",
    "FiscalYears",
    "PartialDate",
    "Precision",
    "fiscal_year_label",
    "fiscal_year_of",
    "parse_date",
    "parse_fiscal_years",
    "wareki_year",
]

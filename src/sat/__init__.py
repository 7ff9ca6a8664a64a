"""SAT workbook: structured analytic techniques (ACH, indicators, scenarios) over plain case files."""

__version__ = "0.1.0"

"""docs/formats/limits.md states the limits the code uses: each figure in the table is the constant's value."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from sat import cli, errors, inputs, yamlio
from sat.ach import achz, excel
from sat.scenarios import scw
from sat.scenarios.cib import limits as size_limits
from sat.store import ratings_csv

DOC = Path(__file__).resolve().parents[2] / "docs" / "formats" / "limits.md"


@pytest.mark.parametrize(
    ("row", "value"),
    [
        ("A text file read", inputs.MAX_TEXT_BYTES),
        ("Nesting of YAML", yamlio.MAX_DEPTH),
        ("Digits of a number in YAML", yamlio.MAX_INT_DIGITS),
        ("Columns of a ratings file", ratings_csv.MAX_RATINGS_COLUMNS),
        ("One CSV field", csv.field_size_limit()),
        ("Problems in one ratings", ratings_csv.MAX_FILE_PROBLEMS),
        ("An `.achz` file", achz.MAX_DECOMPRESSED),
        ("XML elements", achz.MAX_ELEMENTS),
        ("Hypotheses of an `.achz`", achz.MAX_HYPOTHESES),
        ("One text (title", achz.MAX_TEXT_CHARS),
        ("An `.xlsx` workbook, compressed", excel.MAX_FILE_BYTES),
        ("An `.xlsx` workbook, unpacked", excel.MAX_UNCOMPRESSED),
        ("Rows of a matrix sheet", excel.MAX_ROWS),
        ("Columns of a matrix sheet", excel.MAX_COLUMNS),
        ("A `.scw` or `.sl` file", scw.MAX_BYTES),
        ("Descriptors of a CIB model", size_limits.MAX_DESCRIPTORS),
        ("Variants of one descriptor", size_limits.MAX_VARIANTS),
        ("Variants of all descriptors", size_limits.MAX_TOTAL_VARIANTS),
        ("Scenarios an exact CIB search lists", size_limits.MAX_LISTED),
        ("Bound tables", size_limits.MAX_SEARCH_TABLE_BYTES),
        ("`sat ach score --draws`", cli.MAX_DRAWS),
        ("Problems printed", cli.MAX_PRINTED),
        ("Characters of a value shown", errors.MAX_SHOWN),
    ],
)
def test_the_limits_table_gives_the_values_the_code_uses(row: str, value: int) -> None:
    (line,) = [line for line in DOC.read_text().splitlines() if line.startswith("| " + row)]
    limit = line.split("|")[2].strip()
    assert limit.startswith(f"{value:,}"), (line, value)

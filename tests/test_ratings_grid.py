"""The vectorised ratings reader gives exactly what the line-by-line reader gives, or steps aside."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import sat.store as store
import sat.store.ratings_csv as ratings_csv
from sat.model import RATINGS_DTYPE
from sat.ratings_grid import GRID_CODES, read_grid

HIDS = ["H1", "H2", "H3"]
EIDS = ["E1", "E2", "E3", "E4"]


def slow(path: Path, hids: list[str], eids: list[str], monkeypatch: pytest.MonkeyPatch):
    with monkeypatch.context() as m:
        m.setattr(ratings_csv, "read_grid", lambda *args: None)
        return store.read_ratings_csv(path, hids, eids, path.name)


@pytest.mark.parametrize(
    "text",
    [
        "evidence,H1,H2,H3\nE1,CC,C,N\nE2,I,II,NA\nE3,,,\nE4,C,,II\n",
        "evidence,H1,H2,H3\nE1,CC,C,N\nE2,I,II,NA\nE3,,,\nE4,C,,II",  # no final line end
        "\ufeffevidence,H1,H2,H3\nE1,CC,C,N\n",  # a spreadsheet's byte-order mark
        "evidence,H3,H1\nE4,C,II\nE2,NA,CC\n",  # rows and columns in another order, some missing
        "evidence,H1,H2,H3\n",  # a header only
        "evidence,H1,H2,H3\r\nE1,CC,C,N\r\nE2,,II,\r\n",  # Windows line ends, as Python's csv module writes
    ],
)
def test_regular_grids_read_as_the_line_reader_reads_them(tmp_path, monkeypatch, text):
    path = tmp_path / "a.csv"
    path.write_text(text, encoding="utf-8")
    assert read_grid(path.read_bytes(), HIDS, EIDS) is not None
    fast, problems = store.read_ratings_csv(path, HIDS, EIDS, "a.csv")
    expected, expected_problems = slow(path, HIDS, EIDS, monkeypatch)
    assert problems == expected_problems == []
    pd.testing.assert_frame_equal(fast, expected)


@pytest.mark.parametrize(
    "text",
    [
        "evidence,H1,H2,H3\rE1,CC,C,N\r",  # old Mac line ends
        'evidence,H1,H2,H3\nE1,"CC",C,N\n',  # quotes
        "evidence,H1,H2,H3\nE1,cc,c,n\n",  # lower case
        "evidence,H1,H2,H3\nE1, C,C,N\n",  # a space
        "evidence,H1,H2,H3\nE1,CC,C\n",  # a short line
        "evidence,H1,H2,H3\nE1,CC,C,N,II\n",  # a long line
        "evidence,H1,H2,H3\nE1,CC,C,N\n\nE2,C,C,C\n",  # a blank line
        "evidence,H1,H2,H3\nE1,CC,C,N\nE1,C,C,C\n",  # a duplicate row
        "evidence,H1,H2,H3\nE9,CC,C,N\n",  # an unknown evidence id
        "evidence,H1,H1,H3\nE1,CC,C,N\n",  # a duplicate column
        "evidence,H1,H2,H9\nE1,CC,C,N\n",  # an unknown hypothesis
        "evidence,H1,H2,H3\nE1,CCC,C,N\n",  # an unknown code
        "evidence,H1,H2,H3\nE1,X,C,N\n",
        "item,H1,H2,H3\nE1,C,C,N\n",  # another first column
    ],
)
def test_anything_irregular_goes_to_the_line_reader(tmp_path, monkeypatch, text):
    path = tmp_path / "a.csv"
    path.write_text(text, encoding="utf-8")
    assert read_grid(path.read_bytes(), HIDS, EIDS) is None
    got = store.read_ratings_csv(path, HIDS, EIDS, "a.csv")
    expected = slow(path, HIDS, EIDS, monkeypatch)
    assert got[1] == expected[1]
    if expected[0] is not None:
        pd.testing.assert_frame_equal(got[0], expected[0])


def test_a_large_random_grid_matches_the_line_reader(tmp_path, monkeypatch):
    rng = np.random.default_rng(2)
    hids = [f"H{i}" for i in range(40)]
    eids = [f"E{i:04d}" for i in range(600)]
    cells = np.array(GRID_CODES, dtype=object)[rng.integers(0, len(GRID_CODES), size=(600, 40))]
    frame = pd.DataFrame(cells, index=pd.Index(eids, name="evidence"), columns=hids, dtype=object)
    path = tmp_path / "big.csv"
    frame.to_csv(path, lineterminator="\n")
    assert read_grid(path.read_bytes(), hids, eids) is not None
    fast, _ = store.read_ratings_csv(path, hids, eids, "big.csv")
    expected, _ = slow(path, hids, eids, monkeypatch)
    pd.testing.assert_frame_equal(fast, expected)
    pd.testing.assert_frame_equal(fast, frame.astype(RATINGS_DTYPE))

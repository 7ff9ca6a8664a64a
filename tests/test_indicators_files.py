"""The indicator files (indicators.yaml, observations.csv), the board, `sat indicators` and `sat validate`."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest

from sat.cli import main
from sat.errors import ValidationError
from sat.indicators.board import load_board
from sat.indicators.files import append_observation
from sat.paths import (
    cases_dir,  # the pristine copy the test session reads (see conftest.py)
)

TINY_INDICATORS = """\
targets: hypotheses
prior: ach
indicators:
  - id: I1
    text: The owner's fuel receipt turns up
    from: H2-m1
    criteria: {observable: high, valid: medium}
    ratings: {H1: U, H2: HL, H3: C}
  - id: I2
    text: Harbour crew talk about the night
    group: harbour
    ratings: {H1: L, H2: U}
  - id: I3
    text: Harbour log shows a night shift
    group: harbour
    ratings: {H1: HL, H2: HU, H3: C}
"""
HEADER = "indicator,date,status,credibility,sources,note\n"


def write(folder: Path, indicators: str = TINY_INDICATORS, observations: str | None = None) -> None:
    (folder / "indicators.yaml").write_text(indicators)
    if observations is not None:
        (folder / "observations.csv").write_text(HEADER + observations)


def problems_of(folder: Path) -> list[str]:
    with pytest.raises(ValidationError) as info:
        load_board(folder)
    return [str(p) for p in info.value.problems]


ANN = np.array([0.38, 0.05, 0.005]) / 0.435  # tests/test_ach_scoring.py
BOB = np.array([0.32, 0.08, 0.0125]) / 0.4125
ACH = (ANN + BOB) / 2


def test_prior_from_ach_and_timeline_by_hand(tiny):
    write(
        tiny,
        observations="I1,2022-02-01,observed,high,S9,\nI3,2022-03-01,absent,high,,\nI2,2022-03-01,observed,high,,\n",
    )
    board = load_board(tiny)
    assert [board.prior[h] for h in ("H1", "H2", "H3")] == pytest.approx(ACH.tolist())
    assert board.warnings == [
        "tiny/indicators.yaml:12: indicators[1].ratings: no rating for H3 (read as C, could)".replace(
            "tiny/", f"{_shown(tiny)}/"
        )
    ]
    line = board.timeline().probabilities
    # 1 Feb: I1 observed -> P(obs|H) = .3, .9, .5 (tiny's credibility weights are all 1)
    first = ACH * np.array([0.3, 0.9, 0.5])
    assert line.iloc[1].tolist() == pytest.approx((first / first.sum()).tolist())
    # 1 Mar: harbour group: I3 absent (ln 9 spread) beats I2 observed (ln 7/3) -> 1 - (.9, .1, .5)
    second = first * np.array([0.1, 0.9, 0.5])
    assert line.iloc[2].tolist() == pytest.approx((second / second.sum()).tolist())
    out = board.to_json()
    assert out["targets"] == ["H1", "H2", "H3"]
    assert [e["date"] for e in out["timeline"]] == ["2022-02-01", "2022-03-01"]
    assert [i["status"] for i in out["indicators"]] == ["observed", "observed", "absent"]
    assert out["indicators"][2]["diagnosticity"] == pytest.approx(np.log(9), abs=1e-6)
    assert out["timeline"][1]["moved_most"][0]["indicator"] == "I3"
    early = board.to_json(as_of=__import__("datetime").date(2022, 2, 15))
    assert len(early["timeline"]) == 1 and early["indicators"][2]["status"] == "unknown"


def _shown(folder: Path) -> str:
    import os

    relative = os.path.relpath(folder)
    return str(folder) if relative.startswith("..") else relative


def test_uniform_and_given_priors(tiny):
    write(tiny, TINY_INDICATORS.replace("prior: ach", "prior: uniform"))
    assert load_board(tiny).prior == pytest.approx({"H1": 1 / 3, "H2": 1 / 3, "H3": 1 / 3})
    write(tiny, TINY_INDICATORS.replace("prior: ach", "prior: {H1: 2, H2: 1, H3: 1}"))
    assert load_board(tiny).prior == pytest.approx({"H1": 0.5, "H2": 0.25, "H3": 0.25})
    write(tiny, TINY_INDICATORS.replace("prior: ach\n", ""))
    assert load_board(tiny).prior["H1"] == pytest.approx(1 / 3)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (("targets: hypotheses\n", ""), "indicators.yaml:1: targets: is required (one of: hypotheses, scenarios)"),
        (
            ("targets: hypotheses", "targets: people"),
            "indicators.yaml:1: targets: must be one of: hypotheses, scenarios (value: 'people')",
        ),
        (("prior: ach", "prior: {H1: 1, H9: 1}"), "prior.H9: prior for a target that is not one of the hypotheses"),
        (("prior: ach", "prior: {H1: 1}"), "prior: give a prior for every target, or write uniform (value: 'H2, H3')"),
        (("prior: ach", "prior: {H1: 1, H2: 0, H3: 1}"), "prior.H2: must be a positive number (value: 0)"),
        (("prior: ach", "mapping: {HL: 0.2, U: 0.6}"), "mapping: must not increase from HL to HU"),
        (("prior: ach", "mapping: {HL: 1.0}"), "mapping.HL: must be a probability strictly between 0 and 1"),
        (("prior: ach", "mapping: {XX: 0.5}"), "mapping.XX: unknown rating (expected one of: HL, L, C, U, HU)"),
        (("prior: ach", "rule: max"), "rule: must be one of: llr, spread, home (value: 'max')"),
        (("prior: ach", "coverage: 2.5"), "coverage: must be a whole number from 0 to 1000 (value: 2.5)"),
        (("id: I2", "id: I1"), "indicators.yaml:9: indicators[1].id: duplicate id (first used on line 4)"),
        (("id: I2", "id: 'bad id'"), "indicators[1].id: must start with a letter or digit"),
        (
            ("H3: C}", "H3: C, H7: L}"),
            "indicators.yaml:8: indicators[0].ratings.H7: rating for a target that is not in the case (value: 'H7')",
        ),
        (("H2: HL", "H2: XX"), "indicators[0].ratings.H2: must be one of: HL, L, C, U, HU (value: 'XX')"),
        (
            ("from: H2-m1", "from: H2-m2"),
            "indicators.yaml:6: indicators[0].from: names no target, hypothesis "
            "milestone (e.g. H1-m2) or scenario indicator (value: 'H2-m2')",
        ),
        (("valid: medium", "valid: great"), "indicators[0].criteria.valid: must be one of: low, medium, high"),
        (("valid: medium", "vivid: high"), "indicators[0].criteria.vivid: unknown field"),
        (
            ("group: harbour\n    ratings: {H1: L, H2: U}", "group: harbour\n    colour: red"),
            "indicators[1].colour: unknown field",
        ),
        (("    text: Harbour log shows a night shift\n", ""), "indicators[2].text: is required"),
    ],
)
def test_bad_indicators_yaml_is_reported_with_line_field_and_value(tiny, change, message):
    old, new = change
    assert old in TINY_INDICATORS
    write(tiny, TINY_INDICATORS.replace(old, new, 1))
    found = problems_of(tiny)
    assert any(message in p for p in found), found


def test_prior_ach_needs_hypotheses_and_ratings(tiny):
    shutil.rmtree(tiny / "ratings")
    write(tiny)
    assert any(
        "indicators.yaml: prior: 'ach' needs ACH ratings in the case (ratings/<analyst>.csv) (value: 'ach')" in p
        for p in problems_of(tiny)
    )


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        (
            "I9,2022-02-01,observed,high,,\n",
            "observations.csv:2: indicator: refers to an indicator id that is not defined (value: 'I9')",
        ),
        (
            "I1,2022-02-30,observed,high,,\n",
            "observations.csv:2: date: must be a date written YYYY-MM-DD (value: '2022-02-30')",
        ),
        (
            "I1,2022-02-01,seen,high,,\n",
            "observations.csv:2: status: must be one of: observed, absent, unknown (value: 'seen')",
        ),
        ("I1,2022-02-01,,high,,\n", "observations.csv:2: status: is required"),
        ("I1,2022-02-01,observed,sure,,\n", "observations.csv:2: credibility: must be one of: low, medium, high"),
        ("I1,2022-02-01,observed\n", "observations.csv:2: row: has 3 cells but the header has 6"),
        ("I1,,observed,high,,\nI2,2022-01-01,absent,,,\n", "observations.csv:2: date: is required"),
    ],
)
def test_bad_observations_are_reported_with_line(tiny, rows, message):
    write(tiny, observations=rows)
    found = problems_of(tiny)
    assert any(message in p for p in found), found


def test_observation_header_and_orphan_file(tiny):
    write(tiny)
    (tiny / "observations.csv").write_text("indicator,when,status\n")
    assert any(
        "observations.csv:1: header: expected the header indicator,date,status,credibility,sources,note" in p
        for p in problems_of(tiny)
    )
    (tiny / "indicators.yaml").unlink()
    result = main(["validate", str(tiny)])
    assert result == 2


def test_empty_credibility_is_medium(tiny):
    write(tiny, observations="I1,2022-02-01,observed,,,\n")
    assert load_board(tiny).observations.loc[0, "credibility"] == "medium"


def test_append_observation_is_atomic_and_validated(tiny):
    write(tiny, observations="I1,2022-02-01,observed,high,,\n")
    before = (tiny / "observations.csv").read_text()
    with pytest.raises(ValidationError) as info:
        append_observation(tiny, {"indicator": "I9", "date": "2022-13-01", "status": "seen"}, ["I1", "I2", "I3"])
    shown = [str(p) for p in info.value.problems]
    assert "observations.csv: indicator: refers to an indicator id that is not defined (value: 'I9')" in shown
    assert "observations.csv: date: must be a date written YYYY-MM-DD (value: '2022-13-01')" in shown
    assert (tiny / "observations.csv").read_text() == before
    append_observation(
        tiny,
        {
            "indicator": "I2",
            "date": "2022-03-01",
            "status": "absent",
            "credibility": "low",
            "sources": "S1, S2",
            "note": 'said "no", then left',
        },
        ["I1", "I2", "I3"],
    )
    row = 'I2,2022-03-01,absent,low,"S1, S2","said ""no"", then left"\n'
    assert (tiny / "observations.csv").read_text() == before + row
    assert load_board(tiny).status().loc["I2", "status"] == "absent"
    (tiny / "observations.csv").unlink()
    append_observation(tiny, {"indicator": "I1", "date": "2022-03-01", "status": "unknown"}, ["I1"])
    assert (tiny / "observations.csv").read_text() == HEADER + "I1,2022-03-01,unknown,medium,,\n"


def test_cli_json_contract(tiny, capsys):
    write(tiny, observations="I1,2022-02-01,observed,high,,\nI2,2022-01-10,absent,low,,\n")
    assert main(["indicators", str(tiny), "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert set(out) >= {"targets", "prior", "indicators", "timeline"}
    assert [e["date"] for e in out["timeline"]] == ["2022-01-10", "2022-02-01"]
    assert set(out["timeline"][0]["probabilities"]) == {"H1", "H2", "H3"}
    assert {"id", "diagnosticity", "status"} <= set(out["indicators"][0])
    assert main(["indicators", str(tiny), "--as-of", "2022-01-20", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert len(out["timeline"]) == 1 and out["indicators"][0]["status"] == "unknown"


def test_cli_table_and_errors(tiny, capsys):
    write(tiny, observations="I1,2022-02-01,observed,high,,\n")
    assert main(["indicators", str(tiny)]) == 0
    text = capsys.readouterr().out
    assert "Coverage: H1 1, H2 1, H3 0" in text and "2022-02-01" in text
    write(tiny, TINY_INDICATORS.replace("H2: HL", "H2: XX"))
    assert main(["indicators", str(tiny)]) == 2
    assert "indicators[0].ratings.H2: must be one of" in capsys.readouterr().err
    assert main(["validate", str(tiny)]) == 2
    with pytest.raises(SystemExit):
        main(["indicators", str(tiny), "--as-of", "soon"])


def test_validate_reports_the_board(tiny, capsys):
    write(tiny, observations="I1,2022-02-01,observed,high,,\n")
    assert main(["validate", str(tiny)]) == 0
    out = capsys.readouterr().out
    assert "indicators: valid (3 indicators over 3 hypotheses, 1 observations)" in out
    assert "warning: " in out and "no rating for H3" in out


def test_bundled_boards_are_valid_and_cite_sources():
    for case, kind, n_targets in (("karish", "hypotheses", None), ("syria-militias", "scenarios", 4)):
        board = load_board(cases_dir() / case)
        assert board.spec.targets == kind and not board.warnings
        assert board.observations["sources"].str.len().min() > 0
        assert (board.observations["date"] > board.case.as_of).all()  # after the as-of date: never ACH evidence
        if n_targets:
            assert len(board.targets) == n_targets
    karish = load_board(cases_dir() / "karish")
    assert set(karish.targets) == {h.id for h in karish.case.hypotheses}


def test_scenario_targets_need_scenarios_yaml(tiny):
    write(
        tiny,
        TINY_INDICATORS.replace("targets: hypotheses", "targets: scenarios").replace("prior: ach", "prior: uniform"),
    )
    assert any("targets: the case has no scenarios.yaml to take scenario ids from" in p for p in problems_of(tiny))


def test_problems_of_every_file_are_reported_together(tiny):
    case_file = tiny / "case.yaml"
    case_file.write_text(case_file.read_text().replace("question: Which crew moved the boat overnight?\n", ""))
    write(tiny, TINY_INDICATORS.replace("H2: HL", "H2: XX"), observations="I9,2022-02-01,observed,high,,\n")
    found = problems_of(tiny)
    assert any("case.yaml" in p and "question: is required" in p for p in found)
    assert any("indicators[0].ratings.H2: must be one of" in p for p in found)
    assert any("observations.csv:2: indicator: refers to an indicator id that is not defined" in p for p in found)


def syria(tmp_path: Path) -> Path:
    target = tmp_path / "syria"
    shutil.copytree(cases_dir() / "syria-militias", target)
    return target


def test_scenario_board_targets_homes_and_bad_references(tmp_path):
    folder = syria(tmp_path)
    board = load_board(folder)
    assert board.targets == ["q-condominium", "q-iran-fills", "q-referee", "q-exposed"]
    table = board.validator_table()
    # `from` names a quadrant's indicator -> that quadrant is home; a cone indicator -> the best-rated quadrant
    assert table.loc["cond-no-clashes", "home"] == "q-condominium"
    assert table.loc["drawdown-assets", "home"] == "q-iran-fills"
    text = (folder / "indicators.yaml").read_text()
    text = text.replace("from: fill-positions", "from: no-such-indicator").replace("prior: uniform", "prior: ach")
    text = text.replace("q-exposed: U}\n    notes: The x axis itself", "q-gone: U}\n    notes: The x axis itself")
    (folder / "indicators.yaml").write_text(text)
    found = problems_of(folder)
    assert any("prior: 'ach' needs targets: hypotheses" in p for p in found)
    assert any("indicators[5].from: names no target" in p and "no-such-indicator" in p for p in found)
    assert any("indicators[0].ratings.q-gone: rating for a target that is not in the case" in p for p in found)


def test_malformed_yaml_is_one_problem_and_observations_do_not_cascade(tiny):
    write(tiny, "targets: [hypotheses\n", observations="I1,2022-02-01,observed,high,,\n")
    found = problems_of(tiny)
    assert len(found) == 1 and "indicators.yaml" in found[0] and "malformed YAML" in found[0]


def test_top_level_must_be_a_mapping(tiny):
    write(tiny, "- just a list\n")
    assert any("indicators.yaml:1: (top level): must be a mapping of field: value" in p for p in problems_of(tiny))


def quoted_rows(text: str, heading: str, columns: int) -> list[tuple[str, list[str]]]:
    """(date, figures) of each dated row of the table under ``heading``: the ``columns`` cells before the last."""
    import re

    section = text[text.index(heading) :]
    section = section[: section.index("\n\n", section.index("|---"))]
    rows = []
    for line in section.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if re.fullmatch(r"\d{4}-\d\d-\d\d", cells[0]):
            rows.append((cells[0], cells[1:][-columns - 1 : -1]))
    return rows


def board_at(board, line, date: str):
    import datetime as dt

    day = dt.date.fromisoformat(date)
    return line.iloc[0] if day == board.case.as_of else line.loc[max(d for d in line.index[1:] if d <= day)]


def test_karish_readme_quotes_the_board():
    """Every row of the README's retrospective table is the board's timeline at that date (H3, H4, H6)."""
    from sat.language import percent_text

    board = load_board(cases_dir() / "karish")
    line = board.timeline().probabilities
    text = (cases_dir() / "karish" / "README.md").read_text(encoding="utf-8")
    rows = quoted_rows(text, "## Retrospective exercise", 3)
    assert len(rows) == 6
    for date, shown in rows:
        assert shown == [percent_text(float(board_at(board, line, date)[h])) for h in ("H3", "H4", "H6")], date
    section = text[text.index("## Retrospective exercise") :]
    assert f"{len(board.spec.indicators)} indicators" in section
    assert f"{len(board.observations)} dated observations" in section
    assert all(percent_text(float(line.iloc[0][h])) == "under 1%" for h in ("H1", "H2", "H5"))


def test_syria_retrospective_quotes_the_board():
    """Every row of the retrospective's board table is the timeline at that date, for the four futures."""
    from sat.language import percent_text

    board = load_board(cases_dir() / "syria-militias")
    line = board.timeline().probabilities
    text = (cases_dir() / "syria-militias" / "retrospective.md").read_text(encoding="utf-8")
    rows = quoted_rows(text, "## The indicator board", 4)
    assert len(rows) == 9
    for date, shown in rows:
        assert shown == [percent_text(float(p)) for p in board_at(board, line, date)], date
    assert f"{len(board.observations)} dated observations" in text

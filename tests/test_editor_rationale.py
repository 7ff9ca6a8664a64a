"""The rationale of a cell: written beside the grid, saved through the store, shown in the report (no kernel)."""

from __future__ import annotations

from pathlib import Path

import pytest

from sat import edits
from sat.ach.analysis import score_case
from sat.ach.narrative import rationale_html
from sat.errors import ValidationError
from sat.store import load_case, save_rationale
from sat.widgets.app import AchEditor
from sat.widgets.grid import cell_key
from sat.widgets.session import EditSession


def select(editor: AchEditor, evidence: str, hypothesis: str) -> None:
    """What moving to a cell in the browser sends."""
    editor.grid.receive({"event": "select", "kind": "cell", "evidence": evidence, "hypothesis": hypothesis})


def test_a_reason_written_in_the_session_reaches_the_notes_file_and_the_report(tiny: Path) -> None:
    session = EditSession.open(tiny, "ann")
    path = session.set_rationale("E1", "H2", "  The knot is a harbour knot; owners rarely tie it.  ")
    assert path == tiny / "ratings" / "ann.notes.csv"
    expected = "evidence,hypothesis,rationale\nE1,H2,The knot is a harbour knot; owners rarely tie it.\n"
    assert path.read_text() == expected
    case = load_case(tiny)
    assert session.rationale("E1", "H2") == "The knot is a harbour knot; owners rarely tie it."
    html = rationale_html(case, score_case(case, sensitivity_analysis=False))
    assert "<td>ann</td><td>I (inconsistent)</td><td>The knot is a harbour knot; owners rarely tie it.</td>" in html
    assert "Owners learn harbour knots, so this fits the owner too" in html  # bob's, as before


def test_changing_and_clearing_a_reason_keeps_one_row_per_cell(tiny: Path) -> None:
    session = EditSession.open(tiny, "bob")
    session.set_rationale("E3", "H1", "No alarm: the crew had the keys")
    session.set_rationale("E1", "H2", "Changed my mind about the knot")
    notes = tiny / "ratings" / "bob.notes.csv"
    assert notes.read_text().splitlines()[1:] == [
        "E1,H2,Changed my mind about the knot",
        "E3,H1,No alarm: the crew had the keys",
    ]
    session.set_rationale("E1", "H2", "   ")
    assert notes.read_text().splitlines()[1:] == ["E3,H1,No alarm: the crew had the keys"]
    assert load_case(tiny).rationale["bob"].to_dict("records") == [
        {"evidence": "E3", "hypothesis": "H1", "rationale": "No alarm: the crew had the keys"}
    ]


def test_a_new_analyst_gets_an_empty_ratings_file_so_the_folder_stays_valid(tiny: Path) -> None:
    session = EditSession.open(tiny, "cyd")
    session.set_rationale("E2", "H3", "Nothing in E2 bears on a third party")
    case = load_case(tiny)
    assert case.matrix("cyd").to_numpy().tolist() == [[""] * 3] * 3
    assert edits.rationale_of(case, "cyd", "E2", "H3") == "Nothing in E2 bears on a third party"


def test_a_reason_for_a_cell_that_does_not_exist_is_refused(tiny: Path) -> None:
    session = EditSession.open(tiny, "ann")
    with pytest.raises(ValidationError) as info:
        session.set_rationale("E9", "H1", "why")
    (problem,) = info.value.problems
    assert (problem.field, problem.message, problem.value, problem.code) == (
        "cell",
        "no such evidence item or hypothesis in the case",
        "E9 / H1",
        "reference",
    )
    assert not (tiny / "ratings" / "ann.notes.csv").exists()


def test_the_store_validates_a_rationale_table(tiny: Path) -> None:
    case = load_case(tiny)
    bad = edits.with_rationale(case, "ann", "E1", "H1", "fine").rationale["ann"]
    bad.loc[1] = ["E7", "H1", "no such evidence"]
    with pytest.raises(ValidationError) as info:
        save_rationale(case, "ann", bad)
    assert [(p.line, p.field, p.value, p.code) for p in info.value.problems] == [(3, "evidence", "E7", "reference")]
    with pytest.raises(ValidationError, match="rationale file without a ratings file"):
        save_rationale(case, "nobody", bad.iloc[:1])


def test_the_editor_shows_and_saves_the_reason_beside_the_grid(tiny: Path) -> None:
    editor = AchEditor(tiny, "bob")
    assert editor.grid.notes == {cell_key("E1", "H2"): "Owners learn harbour knots, so this fits the owner too"}
    assert editor.rationale.text.disabled
    select(editor, "E1", "H2")
    box = editor.rationale
    assert box.cell == ("E1", "H2") and not box.text.disabled
    assert box.text.value == "Owners learn harbour knots, so this fits the owner too"
    assert "C (consistent)" in box.heading.value and "The mooring line was retied" in box.heading.value
    select(editor, "E3", "H3")
    assert box.text.value == ""
    box.text.value = "NA: an alarm log says nothing about who"
    assert box.save() == []
    assert "Saved" in box.message.value and editor.status_state == "saved"
    assert "bob.notes.csv" in editor.status.value
    assert editor.grid.notes[cell_key("E3", "H3")] == "NA: an alarm log says nothing about who"
    assert edits.rationale_of(load_case(tiny), "bob", "E3", "H3") == "NA: an alarm log says nothing about who"


def test_other_analysts_reasons_are_shown_but_not_in_blind_rating(tiny: Path) -> None:
    editor = AchEditor(tiny, "ann")
    select(editor, "E1", "H2")
    assert "<b>bob</b>: Owners learn harbour knots" in editor.rationale.others.value
    assert editor.rationale.text.value == ""
    blind = AchEditor(tiny, "ann", blind=True)
    select(blind, "E1", "H2")
    assert blind.rationale.others.value == ""


def test_rating_a_selected_cell_updates_the_rating_shown_with_its_reason(tiny: Path) -> None:
    editor = AchEditor(tiny, "ann")
    select(editor, "E2", "H1")
    assert "N (neutral or ambiguous)" in editor.rationale.heading.value
    editor.grid.receive({"event": "rate", "evidence": "E2", "hypothesis": "H1", "code": "CC", "seq": 1})
    assert "CC (very consistent)" in editor.rationale.heading.value

"""Editor modes without a kernel: blind rating, comparison with the group, and edits from elsewhere (conflicts)."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd

from sat.store import load_case, save_ratings
from sat.widgets import AchEditor
from sat.widgets.ordering import blind_seed, shuffled_hypotheses, unrated_first


def click(editor: AchEditor, evidence: str, hypothesis: str, code: str) -> None:
    editor.grid.receive({"event": "rate", "evidence": evidence, "hypothesis": hypothesis, "code": code})


# --- blind rating ----------------------------------------------------------------------------------------------


def test_blind_order_is_fixed_per_analyst_and_differs_between_analysts():
    ids = [f"H{i}" for i in range(1, 9)]
    assert shuffled_hypotheses(ids, "ann", "tiny") == shuffled_hypotheses(ids, "ann", "tiny")
    assert shuffled_hypotheses(ids, "ann", "tiny") != shuffled_hypotheses(ids, "bob", "tiny")
    assert sorted(shuffled_hypotheses(ids, "ann", "tiny")) == ids
    assert blind_seed("ann", "tiny") != blind_seed("ann", "karish")


def test_unrated_rows_come_first_in_case_order():
    matrix = pd.DataFrame(
        [["C", "N"], ["", "I"], ["C", "C"], ["", ""]], index=["E1", "E2", "E3", "E4"], columns=["H1", "H2"]
    )
    assert unrated_first(matrix) == ["E2", "E4", "E1", "E3"]


def test_blind_mode_hides_scores_and_others_until_the_matrix_is_complete(tiny):
    editor = AchEditor(tiny, "cara", blind=True)
    editor.compare_toggle.value = True
    assert editor.compare_toggle.disabled
    assert [h["id"] for h in editor.grid.hypotheses] == shuffled_hypotheses(["H1", "H2", "H3"], "cara", "tiny")
    assert editor.scores is None
    assert "Blind rating" in editor.panel.value and "0 of 9" in editor.panel.value
    assert "Incons." not in editor.panel.value
    assert editor.grid.marks == {} and editor.grid.tips == {} and editor.grid.linchpins == []
    for eid in ("E1", "E2", "E3"):
        for hid in ("H1", "H2", "H3"):
            if (eid, hid) != ("E3", "H3"):
                click(editor, eid, hid, "N")
    assert editor.scores is None and "8 of 9" in editor.panel.value
    click(editor, "E3", "H3", "NA")
    assert editor.scores is not None
    assert "Incons." in editor.panel.value  # revealed once complete
    assert editor.grid.marks == {}  # the other analysts stay hidden in blind mode


def test_blind_mode_puts_open_rows_first(tiny):
    (tiny / "ratings" / "cara.csv").write_text("evidence,H1,H2,H3\nE1,C,C,C\nE2,N,,\n")
    editor = AchEditor(tiny, "cara", blind=True)
    assert [e["id"] for e in editor.grid.evidence] == ["E2", "E3", "E1"]
    editor.blind_toggle.value = False
    assert [e["id"] for e in editor.grid.evidence] == ["E1", "E2", "E3"]
    assert [h["id"] for h in editor.grid.hypotheses] == ["H1", "H2", "H3"]


# --- comparison ------------------------------------------------------------------------------------------------


def test_comparison_highlights_the_disputed_cells(tiny):
    editor = AchEditor(tiny, "ann", compare=True)
    # ann vs bob: E1/H2 I vs C (two steps: large), E2/H2 N vs I and E3/H1 CC vs C (one step: mild);
    # E3/H3 I vs NA: NA split.
    assert editor.grid.marks == {"E1\tH2": "large", "E2\tH2": "mild", "E3\tH1": "mild", "E3\tH3": "na"}
    assert editor.grid.tips["E1\tH2"] == "ann: I, bob: C (large disagreement)"
    assert editor.grid.tips["E3\tH3"] == "ann: I, bob: NA (split on NA)"
    assert "You and the group (ann, bob)" in editor.panel.value
    assert "Cells in dispute: 4" in editor.panel.value
    click(editor, "E1", "H2", "C")
    assert "E1\tH2" not in editor.grid.marks
    assert "Cells in dispute: 3" in editor.panel.value
    editor.compare_toggle.value = False
    assert editor.grid.marks == {} and "You and the group" not in editor.panel.value


def test_comparison_alone_says_why_there_is_nothing_to_compare(tiny):
    (tiny / "ratings" / "bob.csv").unlink()
    (tiny / "ratings" / "bob.notes.csv").unlink()
    editor = AchEditor(tiny, "ann", compare=True)
    assert "at least one other analyst" in editor.panel.value
    assert editor.grid.marks == {}


# --- edits from elsewhere --------------------------------------------------------------------------------------


def test_a_hand_edit_is_detected_not_overwritten_and_can_be_reloaded(tiny):
    editor = AchEditor(tiny, "ann")
    path = tiny / "ratings" / "ann.csv"
    hand_edit = path.read_text().replace("E2,N,N,N", "E2,II,N,N")
    path.write_text(hand_edit)
    click(editor, "E1", "H1", "CC")
    assert path.read_text() == hand_edit
    assert editor.status_state == "conflict"
    assert "ratings/ann.csv changed on disk" in editor.status.value
    assert "E1 × H1 = CC was not saved" in editor.status.value
    assert editor.reload_button.layout.display != "none"
    assert editor.grid.readonly and editor.grid.code_at("E1", "H1") == "C"
    editor.reload_button.click()
    assert editor.grid.code_at("E2", "H1") == "II" and not editor.grid.readonly
    assert editor.reload_button.layout.display == "none"
    click(editor, "E1", "H1", "CC")
    assert editor.status_state == "saved"
    assert load_case(tiny).matrix("ann").loc[["E1", "E2"], "H1"].tolist() == ["CC", "II"]


def test_two_editors_on_one_file_do_not_overwrite_each_other(tiny):
    first, second = AchEditor(tiny, "ann"), AchEditor(tiny, "ann")
    click(first, "E1", "H2", "CC")
    click(second, "E1", "H3", "CC")
    assert second.status_state == "conflict"
    assert load_case(tiny).matrix("ann").loc["E1"].tolist() == ["C", "CC", "II"]
    second.reload()
    click(second, "E1", "H3", "CC")
    assert load_case(tiny).matrix("ann").loc["E1"].tolist() == ["C", "CC", "CC"]
    click(first, "E2", "H1", "C")
    assert first.status_state == "conflict"


def test_structure_changed_in_another_tab_blocks_ratings_until_reload(tiny):
    first, second = AchEditor(tiny, "ann"), AchEditor(tiny, "bob")
    second.forms["evidence"].select("E3")
    second.forms["evidence"].ask_remove()
    assert second.forms["evidence"].remove() == []
    click(first, "E3", "H1", "N")  # E3 no longer exists on disk
    assert first.status_state == "conflict"
    assert "case.yaml" in first.status.value
    assert load_case(tiny).evidence_ids == ["E1", "E2"]
    assert first.reload()
    assert [e["id"] for e in first.grid.evidence] == ["E1", "E2"]


def test_a_removal_does_not_overwrite_another_analysts_newer_ratings(tiny):
    editor = AchEditor(tiny, "ann")
    bob = AchEditor(tiny, "bob")
    click(bob, "E2", "H1", "CC")
    before = (tiny / "ratings" / "bob.csv").read_text()
    form = editor.forms["hypothesis"]
    form.select("H3")
    form.ask_remove()
    problems = form.remove()
    assert problems and "reload first" in problems[0].message
    assert (tiny / "ratings" / "bob.csv").read_text() == before
    assert load_case(tiny).hypothesis_ids == ["H1", "H2", "H3"]


def test_reload_of_a_broken_file_reports_the_problem(tiny):
    editor = AchEditor(tiny, "ann")
    (tiny / "ratings" / "ann.csv").write_text("evidence,H1,H2,H3\nE1,maybe,I,II\n")
    assert not editor.reload()
    assert editor.status_state == "error"
    assert "unknown rating code" in editor.status.value


def test_external_changes_lists_the_changed_files(tiny: Path):
    editor = AchEditor(tiny, "ann")
    assert editor.session.external_changes() == []
    (tiny / "ratings" / "bob.csv").write_text((tiny / "ratings" / "bob.csv").read_text() + "\n")
    assert editor.session.external_changes() == [tiny.resolve() / "ratings" / "bob.csv"]


KILLED_WRITER = """
import itertools, sys
from sat.widgets.session import EditSession
session = EditSession.open(sys.argv[1], "ann")
for i in itertools.count():
    session.set_rating("E1", "H1", ("CC", "II")[i % 2])
    session.set_rating("E2", "H2", ("C", "I")[i % 2])
"""


def test_killing_the_kernel_mid_write_never_corrupts_the_file(tiny):
    path = tiny / "ratings" / "ann.csv"
    original = path.read_bytes()
    proc = subprocess.Popen([sys.executable, "-c", KILLED_WRITER, str(tiny)])
    try:
        deadline = time.monotonic() + 30
        while path.read_bytes() == original and time.monotonic() < deadline:
            time.sleep(0.01)
        time.sleep(0.3)  # let it write a few hundred times, then kill it wherever it is
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait()
    case = load_case(tiny)  # parses: a whole old or new file, never a torn one
    matrix = case.matrix("ann")
    assert matrix.loc["E1", "H1"] in ("CC", "II") and matrix.loc["E2", "H2"] in ("C", "I", "N")
    assert matrix.loc["E3"].tolist() == ["CC", "NA", "I"]
    # A write cut short can leave only a hidden temporary file, which readers ignore and the next save removes.
    extra = {p.name for p in (tiny / "ratings").iterdir()} - {"ann.csv", "bob.csv", "bob.notes.csv"}
    assert all(name.startswith(".ann.csv.") and name.endswith(".tmp") for name in extra)
    save_ratings(case, "ann")
    assert {p.name for p in (tiny / "ratings").iterdir()} == {"ann.csv", "bob.csv", "bob.notes.csv"}

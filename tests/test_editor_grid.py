"""The ACH editor without a kernel: rating cells as a click would, autosave, live scores, escaping, failures."""

from __future__ import annotations

import html
from pathlib import Path

import pandas as pd

from sat import fileio
from sat.ach.analysis import score_case
from sat.store import load_case
from sat.widgets import AchEditor
from sat.widgets.grid_assets import grid_css


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file of a case folder with its bytes."""
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def click(editor: AchEditor, evidence: str, hypothesis: str, code: str) -> None:
    """What the browser sends when the analyst clicks a cell with a rating selected, or presses its key."""
    editor.grid.receive({"event": "rate", "evidence": evidence, "hypothesis": hypothesis, "code": code})


def test_opening_and_switching_modes_write_nothing(tiny):
    before = snapshot(tiny)
    editor = AchEditor(tiny, "ann")
    editor.compare_toggle.value = True
    editor.blind_toggle.value = True
    editor.blind_toggle.value = False
    AchEditor(tiny, "newcomer")
    assert snapshot(tiny) == before


def test_grid_shows_the_matrix_in_case_order_with_full_text_on_hover(tiny):
    editor = AchEditor(tiny, "ann")
    assert [h["id"] for h in editor.grid.hypotheses] == ["H1", "H2", "H3"]
    assert [e["id"] for e in editor.grid.evidence] == ["E1", "E2", "E3"]
    assert editor.grid.codes == [["C", "I", "II"], ["N", "N", "N"], ["CC", "NA", "I"]]
    assert editor.grid.hypotheses[1]["tip"].startswith("H2: The owner moved it")
    assert "The owner's fuel receipt" in editor.grid.hypotheses[1]["tip"]
    assert "credibility high" in editor.grid.evidence[0]["tip"]


def test_grid_colours_are_the_reports():
    css = grid_css()
    assert ".satg-c-CC { background: #1a9850; color: #ffffff; }" in css
    assert ".satg-c-I { background: #fdae61; color: #000000; }" in css
    assert ".satg-c-empty { background: #ffffff;" in css


def test_a_click_saves_the_csv_at_once_and_moves_the_scores(tiny):
    editor = AchEditor(tiny, "ann")
    seen: list[str] = []
    editor.status.observe(lambda _c: seen.append(editor.status_state), names="value")
    before = editor.scores.hypotheses["posterior"].copy()
    click(editor, "E2", "H1", "CC")
    text = (tiny / "ratings" / "ann.csv").read_text()
    assert text == "evidence,H1,H2,H3\nE1,C,I,II\nE2,CC,N,N\nE3,CC,NA,I\n"
    assert seen == ["saving", "saved"]
    assert editor.grid.code_at("E2", "H1") == "CC"
    expected = score_case(load_case(tiny), "ann").hypotheses
    pd.testing.assert_frame_equal(editor.scores.hypotheses, expected)
    assert not editor.scores.hypotheses["posterior"].equals(before)
    leader = expected.sort_values("rank").iloc[0]
    assert f"{leader['posterior']:.1%}" in editor.panel.value


def test_clearing_a_cell_writes_an_empty_rating(tiny):
    editor = AchEditor(tiny, "ann")
    click(editor, "E1", "H3", "")
    assert (tiny / "ratings" / "ann.csv").read_text().splitlines()[1] == "E1,C,I,"
    assert editor.grid.code_at("E1", "H3") == ""


def test_first_rating_of_a_new_analyst_creates_their_file_only(tiny):
    others = snapshot(tiny)
    editor = AchEditor(tiny, "cara")
    click(editor, "E3", "H2", "NA")
    assert (tiny / "ratings" / "cara.csv").read_text() == "evidence,H1,H2,H3\nE1,,,\nE2,,,\nE3,,NA,\n"
    assert {k: v for k, v in snapshot(tiny).items() if "cara" not in k} == others
    assert load_case(tiny).analysts == ["ann", "bob", "cara"]


def test_an_unknown_code_is_refused_and_nothing_is_written(tiny):
    editor = AchEditor(tiny, "ann")
    before = snapshot(tiny)
    click(editor, "E1", "H1", "maybe")
    assert editor.status_state == "error"
    assert "unknown rating code" in editor.status.value
    assert snapshot(tiny) == before
    assert editor.grid.code_at("E1", "H1") == "C"


def test_a_failed_write_leaves_the_old_file_whole(tiny, monkeypatch):
    editor = AchEditor(tiny, "ann")
    before = snapshot(tiny)

    def interrupted(src, dst):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(fileio.os, "replace", interrupted)
    click(editor, "E1", "H1", "II")
    assert editor.status_state == "error"
    assert "No space left on device" in editor.status.value
    assert snapshot(tiny) == before  # no partial file, no temporary file left behind
    assert editor.grid.code_at("E1", "H1") == "C"


def test_invalid_analyst_name_opens_nothing(tiny):
    editor = AchEditor(tiny, "../ann")
    assert editor.session is None
    assert editor.status_state == "error"
    assert "analyst names use only letters, digits" in editor.open_message.value


def test_analyst_text_is_escaped_in_the_panel(tiny):
    yaml = (
        (tiny / "case.yaml").read_text().replace("title: The harbour crew moved it", "title: <script>alert(1)</script>")
    )
    (tiny / "case.yaml").write_text(yaml)
    editor = AchEditor(tiny, "ann")
    assert "<script>alert(1)" not in editor.panel.value
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in editor.panel.value
    assert "<script>alert(1)" not in editor.header.value


def test_header_click_opens_the_item_in_its_form(tiny):
    editor = AchEditor(tiny, "ann")
    editor.grid.receive({"event": "select", "kind": "evidence", "id": "E2"})
    form = editor.forms["evidence"]
    assert form.picker.value == "E2"
    assert form.fields["summary"].value == "The owner says he was asleep"
    assert editor.sidebar.selected_index == 2


def test_readonly_grid_ignores_clicks(tiny):
    editor = AchEditor(tiny, "ann")
    editor.grid.readonly = True
    before = snapshot(tiny)
    click(editor, "E1", "H1", "II")
    assert snapshot(tiny) == before


def test_each_rating_message_is_acknowledged_with_the_codes_saved_or_refused(tiny):
    """The page keeps a click's rating painted until ``ack`` reaches its number, so the acknowledgement must come
    for refused messages too, and in the same sync as the codes."""
    editor = AchEditor(tiny, "ann")
    synced: list[set[str]] = []
    original = editor.grid.send_state
    editor.grid.send_state = lambda key=None: (
        synced.append({key} if isinstance(key, str) else set(key or ["*"])),
        original(key),
    )[1]
    editor.grid.receive({"event": "rate", "evidence": "E1", "hypothesis": "H1", "code": "CC", "seq": 1})
    assert editor.grid.ack == 1 and editor.grid.code_at("E1", "H1") == "CC"
    assert any({"codes", "ack"} <= keys for keys in synced)
    editor.grid.receive({"event": "rate", "evidence": "E1", "hypothesis": "H1", "code": "maybe", "seq": 2})
    assert editor.grid.ack == 2 and editor.grid.code_at("E1", "H1") == "CC"  # refused, still acknowledged
    editor.grid.readonly = True
    editor.grid.receive({"event": "rate", "evidence": "E1", "hypothesis": "H1", "code": "II", "seq": 3})
    assert editor.grid.ack == 3 and editor.grid.code_at("E1", "H1") == "CC"
    editor.grid.receive({"event": "rate", "evidence": "E1", "hypothesis": "H1", "code": "II", "seq": 2})
    assert editor.grid.ack == 3  # a late duplicate never moves it back


def write_large_case(folder: Path, hypotheses: int = 20, evidence: int = 200) -> None:
    """A synthetic case of the size the editor must handle, with one analyst's full matrix."""
    import numpy as np

    lines = ["id: large", "title: Large", "question: Which?", "as_of: 2024-01-01", "hypotheses:"]
    lines += [f"  - {{id: H{h:02d}, title: Hypothesis {h}}}" for h in range(hypotheses)]
    lines += ["evidence:"] + [f"  - {{id: E{e:03d}, summary: Item {e}}}" for e in range(evidence)]
    (folder / "ratings").mkdir(parents=True)
    (folder / "case.yaml").write_text("\n".join(lines) + "\n")
    codes = np.random.default_rng(1).choice(["CC", "C", "N", "I", "II", "NA"], size=(evidence, hypotheses))
    header = "evidence," + ",".join(f"H{h:02d}" for h in range(hypotheses))
    rows = [f"E{e:03d}," + ",".join(codes[e]) for e in range(evidence)]
    (folder / "ratings" / "ann.csv").write_text("\n".join([header, *rows]) + "\n")


def test_a_20_by_200_matrix_lays_out_and_saves(tmp_path):
    write_large_case(tmp_path / "large")
    editor = AchEditor(tmp_path / "large", "ann")
    assert len(editor.grid.codes) == 200 and all(len(row) == 20 for row in editor.grid.codes)
    old = editor.grid.code_at("E150", "H07")
    new = "II" if old != "II" else "CC"
    click(editor, "E150", "H07", new)
    assert load_case(tmp_path / "large").matrix("ann").loc["E150", "H07"] == new
    assert editor.scores is not None and len(editor.scores.hypotheses) == 20


def test_panel_shows_linchpins_and_checks_from_the_reports_functions(tiny):
    editor = AchEditor(tiny, "ann")
    sens = score_case(load_case(tiny), "ann").sensitivity
    assert editor.scores.sensitivity.linchpins == sens.linchpins == ["E3", "E1"]
    assert "Linchpins: E3, E1" in editor.panel.value
    assert editor.grid.linchpins == ["E3", "E1"]  # flagged in the row headers
    assert sens.sentences[0] in editor.panel.value  # "If E3 were deceptive ..., H2 would lead ..."
    assert "and 1 more in the report" in editor.panel.value
    for warning in score_case(load_case(tiny), "ann").warnings:
        assert html.escape(warning.message) in editor.panel.value

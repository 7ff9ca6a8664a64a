"""Editor forms without a kernel: add, edit and remove items and cases through the data layer's validation."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from sat import store
from sat.edits import next_id
from sat.store import load_case, parse_evidence
from sat.widgets import AchEditor

FIXTURES = Path(__file__).resolve().parent / "fixtures"


def snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def fill(form, **values) -> None:
    for key, value in values.items():
        form.fields[key].value = value


def test_add_evidence_through_the_form_shows_a_new_row(tiny):
    editor = AchEditor(tiny, "ann")
    ratings_before = {k: v for k, v in snapshot(tiny).items() if k.startswith("ratings")}
    form = editor.forms["evidence"]
    assert form.selected is None and form.fields["id"].value == "E4"
    fill(
        form,
        summary="A second witness saw lights at 2 am",
        date="2022-01-14",
        type="humint",
        sources=("S1",),
        credibility="low",
    )
    form.save_button.click()
    assert form.message.value.count("Saved E4") == 1
    assert form.selected == "E4" and form.fields["id"].disabled  # the new item stays in the form for edits
    case = load_case(tiny)
    added = case.evidence_item("E4")
    assert (added.summary, str(added.date), added.type, added.sources, added.credibility, added.relevance) == (
        "A second witness saw lights at 2 am",
        "2022-01-14",
        "humint",
        ("S1",),
        "low",
        "medium",
    )
    assert [e["id"] for e in editor.grid.evidence] == ["E1", "E2", "E3", "E4"]
    assert editor.grid.code_at("E4", "H1") == ""
    assert {k: v for k, v in snapshot(tiny).items() if k.startswith("ratings")} == ratings_before
    assert editor.status_state == "saved"


@pytest.mark.parametrize(
    ("values", "field", "message"),
    [
        ({"summary": ""}, "evidence[3].summary", "must not be empty"),
        ({"summary": "x", "date": "2022-13-40"}, "evidence[3].date", "must be a date written YYYY-MM-DD"),
        ({"summary": "x", "id": "bad id!"}, "evidence[3].id", "must start with a letter or digit"),
    ],
)
def test_invalid_evidence_shows_the_data_layers_message_and_writes_nothing(tiny, values, field, message):
    editor = AchEditor(tiny, "ann")
    before = snapshot(tiny)
    form = editor.forms["evidence"]
    fill(form, **values)
    problems = form.save()
    data = {k: v for k, v in {**form.fieldset.values()}.items() if k in ("id", "summary") or v not in ("", [], ())}
    _, expected = parse_evidence(data, "tiny/case.yaml", "evidence[3]")
    assert problems == expected
    assert any(p.field == field and p.message.startswith(message) for p in problems)
    assert field in form.message.value and message in form.message.value
    assert snapshot(tiny) == before
    assert editor.status_state != "saved"


def test_duplicate_hypothesis_id_is_refused_by_check_case(tiny):
    editor = AchEditor(tiny, "ann")
    before = snapshot(tiny)
    form = editor.forms["hypothesis"]
    fill(form, id="H1", title="Again")
    problems = form.save()
    assert [(p.field, p.message.split(" (")[0]) for p in problems] == [("hypotheses[3].id", "duplicate id")]
    assert "duplicate id" in form.message.value
    assert snapshot(tiny) == before


def test_edit_a_hypothesis_keeps_its_id_and_ratings(tiny):
    editor = AchEditor(tiny, "ann")
    ratings_before = (tiny / "ratings" / "ann.csv").read_bytes()
    form = editor.forms["hypothesis"]
    form.select("H2")
    assert form.fields["id"].disabled
    assert form.fields["milestones"].value == "The owner's fuel receipt for that night turns up"
    fill(form, title="The owner moved it himself", milestones="Fuel receipt turns up\nA neighbour saw him")
    assert form.save() == []
    h2 = load_case(tiny).hypothesis("H2")
    assert h2.title == "The owner moved it himself"
    assert h2.milestones == ("Fuel receipt turns up", "A neighbour saw him")
    assert (tiny / "ratings" / "ann.csv").read_bytes() == ratings_before
    assert editor.grid.hypotheses[1]["title"] == "The owner moved it himself"


def test_removing_a_hypothesis_asks_first_then_drops_it_from_every_analyst(tiny):
    editor = AchEditor(tiny, "ann")
    before = snapshot(tiny)
    form = editor.forms["hypothesis"]
    form.select("H2")
    form.remove_button.click()
    assert form.confirm_box.layout.display == "flex"
    assert "3 ratings by ann, 3 ratings by bob, 1 written rationale" in form.confirm_text.value
    assert snapshot(tiny) == before  # nothing happens before the confirmation
    form.confirm_button.click()
    assert (tiny / "ratings" / "ann.csv").read_text() == "evidence,H1,H3\nE1,C,II\nE2,N,N\nE3,CC,I\n"
    assert (tiny / "ratings" / "bob.csv").read_text() == "evidence,H1,H3\nE1,C,II\nE2,N,N\nE3,C,NA\n"
    assert (tiny / "ratings" / "bob.notes.csv").read_text() == "evidence,hypothesis,rationale\n"
    case = load_case(tiny)
    assert case.hypothesis_ids == ["H1", "H3"]
    assert [h["id"] for h in editor.grid.hypotheses] == ["H1", "H3"]
    assert form.selected is None


def test_cancelled_removal_changes_nothing(tiny):
    editor = AchEditor(tiny, "ann")
    before = snapshot(tiny)
    form = editor.forms["evidence"]
    form.select("E1")
    form.remove_button.click()
    form.cancel_button.click()
    assert form.confirm_box.layout.display == "none"
    assert form.remove() == []
    assert snapshot(tiny) == before


def test_removing_evidence_drops_its_rows_and_rationale(tiny):
    editor = AchEditor(tiny, "bob")
    form = editor.forms["evidence"]
    form.select("E1")
    form.ask_remove()
    assert form.remove() == []
    assert (tiny / "ratings" / "ann.csv").read_text() == "evidence,H1,H2,H3\nE2,N,N,N\nE3,CC,NA,I\n"
    assert (tiny / "ratings" / "bob.notes.csv").read_text() == "evidence,hypothesis,rationale\n"
    assert load_case(tiny).evidence_ids == ["E2", "E3"]


def test_removal_interrupted_before_case_yaml_leaves_a_valid_case(tiny, monkeypatch):
    editor = AchEditor(tiny, "ann")

    def fail(*_args, **_kwargs):
        raise OSError(5, "Input/output error")

    monkeypatch.setattr(store, "save_case", fail)
    form = editor.forms["hypothesis"]
    form.select("H3")
    form.ask_remove()
    problems = form.remove()
    assert "could not be written" in problems[0].message
    assert editor.status_state == "error"
    monkeypatch.undo()
    case = load_case(tiny)  # ratings already rewritten, case.yaml not: still a valid case
    assert case.hypothesis_ids == ["H1", "H2", "H3"]
    assert case.matrix("ann").loc["E1", "H3"] == ""


def test_removing_a_cited_source_removes_the_citations(tiny):
    editor = AchEditor(tiny, "ann")
    form = editor.forms["source"]
    form.select("S1")
    form.ask_remove()
    assert "cited by E1" in form.confirm_text.value
    assert form.remove() == []
    case = load_case(tiny)
    assert [s.id for s in case.sources] == ["S2"]
    assert case.evidence_item("E1").sources == ()


def test_add_source_then_cite_it(tiny):
    editor = AchEditor(tiny, "ann")
    form = editor.forms["source"]
    fill(form, id="S3", title="Fuel dock ledger", reliability="C", date="2022-01-13")
    assert form.save() == []
    assert ("S3: Fuel dock ledger", "S3") in editor.forms["evidence"].fields["sources"].options
    assert load_case(tiny).source("S3").reliability == "C"


def test_case_details_are_validated_as_case_yaml(tiny):
    editor = AchEditor(tiny, "ann")
    before = snapshot(tiny)
    fill(editor.details, as_of="15 January")
    problems = editor.details.save()
    assert [(p.field, p.message) for p in problems] == [("as_of", "must be a date written YYYY-MM-DD")]
    assert "must be a date written YYYY-MM-DD" in editor.details.message.value
    assert snapshot(tiny) == before
    fill(editor.details, as_of="2022-01-16", question="Who moved the boat on the night of 14 January?")
    assert editor.details.save() == []
    case = load_case(tiny)
    assert (str(case.as_of), case.question) == ("2022-01-16", "Who moved the boat on the night of 14 January?")
    assert "14 January" in editor.header.value


def test_new_case_from_scratch_through_the_same_forms(tmp_path, monkeypatch):
    monkeypatch.setenv("SAT_ROOT", str(tmp_path))
    (tmp_path / "data" / "cases").mkdir(parents=True)
    editor = AchEditor("", "ann")
    assert editor.session is None
    form = editor.new_case
    fill(form, id="Bad Case", title="T", question="Q?", as_of="2024-02-01")
    assert [p.value for p in form.save()] == ["Bad Case"]
    assert not any((tmp_path / "data" / "cases").iterdir())
    fill(form, id="harbour", title="The harbour fire", question="Who set the fire?", as_of="2024-02-01")
    assert form.save() == []
    folder = tmp_path / "data" / "cases" / "harbour"
    assert editor.session is not None and editor.session.folder == folder.resolve()
    for hid, title in (("H1", "Arson"), ("H2", "Accident")):
        fill(editor.forms["hypothesis"], id=hid, title=title)
        assert editor.forms["hypothesis"].save() == []
        editor.forms["hypothesis"].select(None)
    fill(editor.forms["evidence"], summary="Petrol smell reported")
    assert editor.forms["evidence"].save() == []
    editor.grid.receive({"event": "rate", "evidence": "E1", "hypothesis": "H1", "code": "CC"})
    case = load_case(folder)
    assert case.hypothesis_ids == ["H1", "H2"] and case.evidence_ids == ["E1"]
    assert case.matrix("ann").loc["E1"].tolist() == ["CC", ""]
    assert editor.scores is not None and editor.scores.leader == "H1"
    again = AchEditor("", "bob")
    fill(again.new_case, id="harbour", title="x", question="y", as_of="2024-02-01")
    assert [p.message for p in again.new_case.save()] == ["a case with this id already exists"]


def test_new_case_with_a_bad_id_shows_the_data_layers_message(tmp_path, monkeypatch):
    monkeypatch.setenv("SAT_ROOT", str(tmp_path))
    (tmp_path / "data" / "cases").mkdir(parents=True)
    editor = AchEditor("", "ann")
    fill(editor.new_case, id="Bad Case", title="T", question="", as_of="")
    problems = editor.new_case.save()
    _, expected = store.parse_case({"id": "Bad Case", "title": "T", "question": "", "as_of": ""}, "Bad Case/case.yaml")
    assert problems == expected and len(problems) == 3
    assert "must not be empty" in editor.new_case.message.value
    assert not any((tmp_path / "data" / "cases").iterdir())


def test_next_id_follows_the_case_numbering():
    assert next_id(["E01", "E23"], "E") == "E24"
    assert next_id(["S009"], "S") == "S010"
    assert next_id([], "H") == "H1"
    assert next_id(["Hx", "H2"], "H") == "H3"


def test_open_bar_switches_case_and_analyst(tmp_path, monkeypatch):
    monkeypatch.setenv("SAT_ROOT", str(tmp_path))
    cases = tmp_path / "data" / "cases"
    shutil.copytree(FIXTURES / "tiny", cases / "tiny")
    shutil.copytree(FIXTURES / "tiny", cases / "other")
    other = cases / "other" / "case.yaml"
    other.write_text(other.read_text().replace("id: tiny", "id: other"))
    editor = AchEditor("tiny", "ann")
    assert editor.open_case.options == ("other", "tiny") and editor.open_case.value == "tiny"
    editor.open_case.value = "other"
    editor.open_analyst.value = "bob"
    editor.open_button.click()
    assert editor.session.folder == (cases / "other").resolve() and editor.session.analyst == "bob"
    assert editor.grid.codes[0] == ["C", "C", "II"]
    editor.open_analyst.value = "not a name"
    editor.open_button.click()
    assert editor.session.analyst == "bob" and editor.status_state == "error"
    assert "analyst names use only letters" in editor.open_message.value


def test_forms_cover_every_field_the_data_layer_knows():
    # A field the forms lacked would be dropped from case.yaml when an item is edited.
    from sat.widgets import forms

    assert [f.key for f in forms.HYPOTHESIS_FIELDS] == list(store.HYPOTHESIS_FIELDS)
    assert [f.key for f in forms.EVIDENCE_FIELDS] == list(store.EVIDENCE_FIELDS)
    assert [f.key for f in forms.SOURCE_FIELDS] == list(store.SOURCE_FIELDS)

"""Opening the editor as the right person, without a kernel: who you are, which case, and an exercise's locks."""

from __future__ import annotations

from pathlib import Path

import pytest

from sat.widgets import AchEditor, ach_editor
from sat.widgets.app import STRUCTURE_LOCKED, WHO_ARE_YOU
from sat.widgets.opening import Opening, query_parameters, resolve


def click(editor: AchEditor, evidence: str, hypothesis: str, code: str) -> None:
    editor.grid.receive({"event": "rate", "evidence": evidence, "hypothesis": hypothesis, "code": code})


def tab_titles(editor: AchEditor) -> list[str]:
    return [editor.sidebar.get_title(i) for i in range(len(editor.sidebar.children))]


# --- where the case and the analyst come from -------------------------------------------------------------------


def test_query_string_is_parsed_with_or_without_question_mark_and_last_value_wins():
    assert query_parameters("?case=karish&analyst=ann") == {"case": "karish", "analyst": "ann"}
    assert query_parameters("analyst=a&analyst=b&blind=") == {"analyst": "b", "blind": ""}
    assert query_parameters("") == {}


def test_nobody_and_no_case_by_default():
    assert resolve(env={}) == Opening()


def test_the_hub_user_is_the_analyst_and_cannot_be_changed_in_the_editor():
    how = resolve(env={"JUPYTERHUB_USER": "trainee1", "QUERY_STRING": "analyst=levant_desk&case=karish"})
    assert (how.analyst, how.analyst_fixed, how.case) == ("trainee1", True, "karish")


def test_a_hub_user_name_that_is_not_a_valid_analyst_name_is_not_used():
    how = resolve(env={"JUPYTERHUB_USER": "ann.smith@example.org"})
    assert (how.analyst, how.analyst_fixed) == ("", False)


def test_the_callers_values_win_over_the_url_and_the_hub():
    how = resolve("tiny", "cara", env={"JUPYTERHUB_USER": "trainee1", "QUERY_STRING": "case=karish&analyst=x"})
    assert (how.case, how.analyst, how.analyst_fixed) == ("tiny", "cara", False)


def test_the_url_can_ask_for_blind_rating_but_cannot_lift_an_exercise_lock():
    assert resolve(env={"QUERY_STRING": "blind=yes"}).blind
    assert not resolve(env={"QUERY_STRING": "blind=0"}).blind
    query = {"QUERY_STRING": "blind=0&lock_blind=0&lock_structure=0"}
    locked = resolve(lock_blind=True, lock_structure=True, env=query)
    assert (locked.blind, locked.lock_blind, locked.lock_structure) == (True, True, True)


# --- what the editor shows ---------------------------------------------------------------------------------------


def test_without_a_name_the_editor_asks_who_you_are_and_writes_nothing(tiny: Path):
    before = sorted(p.name for p in (tiny / "ratings").iterdir())
    editor = AchEditor(tiny, "")
    assert editor.session is None
    assert WHO_ARE_YOU in editor.header.value
    assert tab_titles(editor) == ["Case"]
    assert not editor.rate("E1", "H1", "C")
    assert sorted(p.name for p in (tiny / "ratings").iterdir()) == before


def test_the_notebook_function_takes_case_and_analyst_from_the_url(tiny: Path, monkeypatch):
    monkeypatch.setenv("QUERY_STRING", f"case={tiny}&analyst=newcomer")
    monkeypatch.delenv("JUPYTERHUB_USER", raising=False)
    editor = ach_editor()
    assert editor.session is not None and editor.session.analyst == "newcomer"
    click(editor, "E1", "H1", "I")
    assert (tiny / "ratings" / "newcomer.csv").is_file()


def test_on_a_hub_clicks_go_to_the_users_own_file_not_the_experts(tiny: Path, monkeypatch):
    expert = (tiny / "ratings" / "ann.csv").read_text()
    monkeypatch.setenv("JUPYTERHUB_USER", "trainee1")
    monkeypatch.delenv("QUERY_STRING", raising=False)
    editor = ach_editor(tiny)
    assert editor.open_analyst.disabled and editor.open_analyst.value == "trainee1"
    click(editor, "E1", "H1", "II")
    assert (tiny / "ratings" / "ann.csv").read_text() == expert
    assert "E1,II" in (tiny / "ratings" / "trainee1.csv").read_text()


def test_an_exercise_locks_blind_rating_on(tiny: Path):
    editor = AchEditor(tiny, "cara", lock_blind=True)
    assert editor.blind and editor.blind_toggle.disabled
    assert "set by the exercise" in editor.header.value
    assert editor.scores is None and "Blind rating" in editor.panel.value
    editor.open_button.click()  # reopening the same case folder through the Case tab keeps it on
    assert editor.session is not None and editor.session.folder == tiny.resolve()
    assert "Opened tiny;" in editor.status.value  # the case id, also when the folder is an exercise's case/
    assert editor.blind and editor.blind_toggle.disabled


@pytest.mark.parametrize("kind", ["hypothesis", "evidence", "source"])
def test_an_exercise_locks_the_structure_so_trainees_only_rate(tiny: Path, kind: str):
    case_yaml = (tiny / "case.yaml").read_text()
    editor = AchEditor(tiny, "cara", lock_structure=True)
    assert tab_titles(editor) == ["Scores", "Case"]
    assert editor.details not in editor.sidebar.children[-1].children
    assert editor.new_case not in editor.sidebar.children[-1].children
    saver, remover = editor._saver(kind), editor._remover(kind)
    first = {"hypothesis": "H1", "evidence": "E1", "source": "S1"}[kind]
    for problems in (saver({"id": "X9", "title": "x", "summary": "x"}, None), remover(first)):
        assert [p.message for p in problems] == [STRUCTURE_LOCKED]
    assert [p.message for p in editor._save_details({"title": "x"})] == [STRUCTURE_LOCKED]
    assert [p.message for p in editor._create_case({"id": "new"})] == [STRUCTURE_LOCKED]
    assert (tiny / "case.yaml").read_text() == case_yaml
    click(editor, "E1", "H1", "C")
    assert editor.status_state == "saved"
    assert "E1,C" in (tiny / "ratings" / "cara.csv").read_text()

"""Exercises, keys, packs, grading of a class, feedback pages, gradebook and calibration drills."""

from __future__ import annotations

import csv
import io
import json
import re
import shutil
from pathlib import Path

import pandas as pd
import pytest
import yaml

from sat.cli import main
from sat.errors import ValidationError
from sat.paths import repo_root
from sat.training import grade_class, load_exercise, pack_exercise
from sat.training.ach_grade import Submission, read_submissions
from sat.training.calibration import load_bank, read_forecasts, score_drill, term_feedback, with_term
from sat.training.exercise import exercises_dir, key_material
from sat.training.feedback import gradebook_csv
from sat.training.key import derive_key, derive_key_file, load_key
from sat.training.questions import credit, derive_question_key, load_question_key
from sat.training.simulate import simulated_forecasts, write_simulated_class, write_simulated_drill

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = Path(__file__).resolve().parent / "fixtures" / "training"
BUNDLED = sorted(p.name for p in (ROOT / "data" / "exercises").iterdir() if (p / "exercise.yaml").is_file())


@pytest.fixture
def tiny(tmp_path: Path) -> Path:
    target = tmp_path / "tiny-ach"
    shutil.copytree(FIXTURES / "tiny-ach", target)
    return target


def problems_of(call) -> list[str]:
    with pytest.raises(ValidationError) as info:
        call()
    return [str(p) for p in info.value.problems]


# --- the hand-graded exercise ------------------------------------------------------------------------------------


def test_tiny_exercise_is_graded_as_worked_by_hand():
    """Every number of one trainee's grade, worked by hand (see the fixture files):

    cells: credits E1/H1 1, E1/H2 .5 (I for II), E2/H1 1 (CC inside C/CC), E2/H2 0 (unrated), E3 1 and 1 -> 4.5/6;
    kappa on the five rated pairs (CC,CC) (I,II) (CC,C) (N,N) (N,N) = 37/42; tau 1 and top H1 from the stated
    probabilities; E1 found diagnostic (LR 4.75 >= 2) and E3 non-diagnostic; no linchpin in the key, so that part
    is left out; accuracy: normative .9/.1 against .8/.2, distance .02 -> 1 - .01.
    """
    result = grade_class(FIXTURES / "tiny-ach", [FIXTURES / "class"])
    (grade,) = result.grades
    assert grade.key_label.startswith("key tiny-ach v3 (sha256 ")
    assert grade.agreement == pytest.approx(0.75)
    assert grade.kappa == pytest.approx(37 / 42)
    assert grade.tau == 1.0 and grade.leader == "H1" and grade.top_ok
    assert grade.unrated == 1
    assert grade.found == {"diagnostic": ["E1"], "non_diagnostic": ["E3"], "linchpins": []}
    assert grade.distance == pytest.approx(0.02) and grade.mae == pytest.approx(0.1)
    assert grade.points == pytest.approx(
        {
            "cells": 7.5,
            "kappa": 10 * 37 / 42,
            "ranking": 10,
            "top": 10,
            "diagnostic": 10,
            "non_diagnostic": 10,
            "linchpins": 0,
            "accuracy": 9.9,
        }
    )
    assert grade.maximum["linchpins"] == 0
    assert grade.total == pytest.approx(7.5 + 10 * 37 / 42 + 40 + 9.9)
    assert grade.out_of == 70


def test_without_stated_probabilities_the_matrix_posterior_is_graded(tiny, tmp_path):
    klass = tmp_path / "class"
    klass.mkdir()
    shutil.copy(FIXTURES / "class" / "ana.csv", klass / "bo.csv")
    (grade,) = grade_class(tiny, [klass]).grades
    posterior = grade.scores.hypotheses["posterior"]
    assert grade.probabilities == pytest.approx({"H1": posterior["H1"], "H2": posterior["H2"]})


def test_one_step_credit_and_weights_come_from_the_key(tiny):
    text = (tiny / "key.yaml").read_text().replace("version: 3", "version: 4\none_step_credit: 0.25")
    text = text.replace("E3: {H1: N, H2: N}", "E3: {H1: N, H2: {rating: N, weight: 2}}")
    (tiny / "key.yaml").write_text(text)
    (grade,) = grade_class(tiny, [FIXTURES / "class"]).grades
    # credits 1, .25, 1, 0, 1, 1 with weights 1, 1, 1, 1, 1, 2: (1 + .25 + 1 + 0 + 1 + 2) / 7
    assert grade.agreement == pytest.approx(5.25 / 7)
    assert "v4" in grade.key_label


def test_the_key_hash_changes_with_the_key(tiny):
    before = grade_class(tiny, [FIXTURES / "class"]).grades[0].key_label
    (tiny / "key.yaml").write_text((tiny / "key.yaml").read_text() + "\n# a comment\n")
    after = grade_class(tiny, [FIXTURES / "class"]).grades[0].key_label
    assert before != after and before.split("(")[0] == after.split("(")[0]


# --- keys ------------------------------------------------------------------------------------------------------


def test_bad_keys_are_reported_with_file_line_and_field(tiny):
    (tiny / "key.yaml").write_text(
        "exercise: tiny-ach\n"
        "rubric: {cells: -1, essays: 3}\n"
        "cells:\n"
        "  E1: {H1: CX, H2: {accept: [II, Q]}}\n"
        "  E9: {H1: C}\n"
        "  E2: {H3: C}\n"
        "ranking: [H1]\n"
        "top: [H7]\n"
    )
    found = problems_of(lambda: grade_class(tiny, [FIXTURES / "class"]))
    text = "\n".join(found)
    assert "key.yaml:1: version: must be a whole number" in text
    assert "key.yaml:2: rubric.cells: must be points, 0 or more (value: -1" in text
    assert "key.yaml:2: rubric.essays: unknown field" in text
    assert "key.yaml:4: cells.E1.H1: unknown rating code" in text and "'CX'" in text
    assert "cells.E1.H2.accept: unknown rating code" in text
    assert "key.yaml:5: cells.E9: refers to an evidence id that is not in the case (value: 'E9')" in text
    assert "key.yaml:6: cells.E2.H3: refers to a hypothesis id that is not in the case" in text
    assert "key.yaml:7: ranking: must list every hypothesis once" in text
    assert "key.yaml:8: top: refers to a hypothesis id that is not defined (value: 'H7')" in text


def test_a_key_missing_cells_is_refused(tiny):
    text = (tiny / "key.yaml").read_text().replace("  E3: {H1: N, H2: N}\n", "")
    (tiny / "key.yaml").write_text(text)
    assert any(
        "no key for 2 cell(s): E3/H1, E3/H2" in p for p in problems_of(lambda: grade_class(tiny, [FIXTURES / "class"]))
    )


def test_a_yaml_comma_slip_in_a_why_is_caught(tiny):
    text = (
        (tiny / "key.yaml")
        .read_text()
        .replace('why: "E1 rules out H2 <script>x</script>"', "why: E1 rules out H2, plainly")
    )
    (tiny / "key.yaml").write_text(text)
    assert any(
        "cells.E1.H2.plainly: unknown field" in p for p in problems_of(lambda: grade_class(tiny, [FIXTURES / "class"]))
    )


def test_accuracy_points_need_a_normative_section(tiny):
    text = (tiny / "key.yaml").read_text()
    (tiny / "key.yaml").write_text(text[: text.index("normative:")])
    assert any(
        "rubric.accuracy: gives points for accuracy but the key has no normative section" in p
        for p in problems_of(lambda: grade_class(tiny, [FIXTURES / "class"]))
    )


def test_normative_priors_must_be_probabilities_summing_to_one(tiny):
    text = (tiny / "key.yaml").read_text().replace("priors: {H1: 0.5, H2: 0.5}", "priors: {H1: 0.7, H2: 0.5}")
    (tiny / "key.yaml").write_text(text)
    assert any(
        "normative.priors: must sum to 1 (value: 1.2)" in p
        for p in problems_of(lambda: grade_class(tiny, [FIXTURES / "class"]))
    )


def test_karish_key_is_the_derivation_of_the_current_case(tmp_path):
    """The committed key must be what `sat exercise derive-key karish-ach` gives for the case as it is now (run it
    again after the case's ratings change: the version goes up)."""
    copy = tmp_path / "karish-ach"
    shutil.copytree(ROOT / "data" / "exercises" / "karish-ach", copy)
    _, version, changed = derive_key_file(load_exercise(copy, need_key=False))
    assert not changed, "data/exercises/karish-ach/key.yaml is stale: run `sat exercise derive-key karish-ach`"
    assert version >= 1


def test_derivation_marks_disagreements_as_either_defensible(tmp_path):
    copy = tmp_path / "karish-ach"
    shutil.copytree(ROOT / "data" / "exercises" / "karish-ach", copy)
    text = (copy / "key.yaml").read_text()
    (copy / "key.yaml").write_text(text.replace("version: ", "version: 1").replace("why: 'Either", "why: 'Or"))
    _, version, changed = derive_key_file(load_exercise(copy, need_key=False))
    assert changed and version > 1
    ex = load_exercise(copy)
    case = ex.case()
    key = load_key(ex.key_path, case, "key.yaml")
    from sat.store import load_case

    full = load_case("karish")
    levant, russia = full.matrix("levant_desk"), full.matrix("russia_desk")
    for (eid, hid), cell in key.cells.items():
        a, b = levant.at[eid, hid], russia.at[eid, hid]
        if a == b:
            assert cell.accept == (a,)
        else:
            assert {a, b} <= set(cell.accept) and cell.why.startswith("Either is defensible.")
    # E18/H1 is the two-step gap (II against N): the rating between them is accepted too.
    assert set(key.cells[("E18", "H1")].accept) == {"II", "I", "N"}


@pytest.mark.parametrize("exercise", ["cuba-1962", "berth-seven"])
def test_hand_written_keys_agree_with_what_their_own_matrix_implies(exercise):
    ex = load_exercise(exercise)
    case = ex.case()
    key = load_key(ex.key_path, case, "key.yaml")
    case.ratings = {
        "key": pd.DataFrame(
            [[key.cells[(e, h)].rating for h in case.hypothesis_ids] for e in case.evidence_ids],
            index=pd.Index(case.evidence_ids, name="evidence"),
            columns=case.hypothesis_ids,
            dtype=object,
        )
    }
    derived = derive_key(case, ["key"], exercise, {})
    assert list(key.diagnostic) == derived["diagnostic"]
    assert list(key.non_diagnostic) == derived["non_diagnostic"]
    assert list(key.linchpins) == derived["linchpins"]
    assert list(key.ranking) == derived["ranking"]
    assert set(derived["top"]) <= set(key.top)


def test_berth_seven_key_computes_the_bayesian_answer():
    ex = load_exercise("berth-seven")
    key = load_key(ex.key_path, ex.case(), "key.yaml")
    total = 0.00588 + 0.00513 + 0.0001188
    assert key.normative == pytest.approx({"H1": 0.00588 / total, "H2": 0.00513 / total, "H3": 0.0001188 / total})


# --- packs -------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("exercise", BUNDLED)
def test_pack_contains_no_key_value_and_no_rationale(exercise, tmp_path):
    pack = pack_exercise(exercise, tmp_path / "pack")
    ex = load_exercise(exercise)
    files = {p.relative_to(pack).as_posix(): p.read_text(encoding="utf-8") for p in pack.rglob("*") if p.is_file()}
    squashed = {name: re.sub(r"\s+", " ", text) for name, text in files.items()}
    everything = "\n".join(squashed.values())
    assert "key.yaml" not in files and "instructor.md" not in files
    if ex.kind == "ach":
        assert set(files) == {"exercise.yaml", "instructions.md", "case/case.yaml"}
        assert (pack / "case" / "ratings").is_dir() and not any((pack / "case" / "ratings").iterdir())
        case = ex.case()
        key = load_key(ex.key_path, case, "key.yaml")
        for cell in key.cells.values():
            if cell.why:
                assert re.sub(r"\s+", " ", cell.why) not in everything
        for eid in case.evidence_ids:  # no row of the key as a ratings line, in any separator
            codes = [key.cells[(eid, h)].rating for h in case.hypothesis_ids]
            for sep in (",", ";", "\t", " "):
                assert sep.join([eid, *codes]) not in everything
        assert "note:" not in files["exercise.yaml"] and "key_from" not in files["exercise.yaml"]
        assert key.note and re.sub(r"\s+", " ", key.note) not in everything
    elif ex.kind == "questions":
        qkey = load_question_key(ex.key_path, "key.yaml")
        assert set(files) == {
            "exercise.yaml",
            "instructions.md",
            "answers.yaml",
            "case/case.yaml",
            "cib.yaml",
            "drivers.yaml",
        }
        for q in qkey.questions:
            assert re.sub(r"\s+", " ", q.why) not in everything
        template = yaml.safe_load(files["answers.yaml"])["answers"]
        assert list(template) == [q.id for q in qkey.questions] and all(v is None for v in template.values())
        drivers = yaml.safe_load(files["drivers.yaml"])["drivers"]
        assert all(set(d) == {"id", "name", "category", "end_states"} for d in drivers)  # no ratings
        assert "predetermined" not in files["drivers.yaml"] and "futures" not in files["cib.yaml"]
    else:
        bank = load_bank(ex.key_path)
        assert set(files) == {"exercise.yaml", "instructions.md", "questions.yaml"}
        for q in bank.questions:
            assert re.sub(r"\s+", " ", q.note) not in everything
        assert "resolution:" not in files["questions.yaml"]
        trainee = load_bank(pack / "questions.yaml")
        assert all(q.resolution is None for q in trainee.questions)
        assert [q.id for q in trainee.questions] == [q.id for q in bank.questions]
    assert key_material(ex)  # the check had something to look for


def test_pack_refuses_a_pack_with_key_material_and_writes_nothing(tiny, tmp_path):
    with (tiny / "instructions.md").open("a") as handle:
        handle.write("\nHint: E1 rules out H2 <script>x</script>\n")
    found = problems_of(lambda: pack_exercise(tiny, tmp_path / "pack"))
    assert any("pack: contains key material (value: 'E1 rules out H2" in p for p in found)
    assert not (tmp_path / "pack").exists()
    assert not list(tmp_path.glob(".pack*"))


def test_pack_never_writes_over_other_files(tmp_path):
    (tmp_path / "pack").mkdir()
    (tmp_path / "pack" / "mine.txt").write_text("x")
    assert any(
        "--to: must be a new or empty folder" in p
        for p in problems_of(lambda: pack_exercise("cuba-1962", tmp_path / "pack"))
    )


def test_pack_then_grade_round_trip(tmp_path):
    """A trainee rates the packed case with the workbook's own store, and the class is graded from those folders."""
    from sat.store import load_case, save_ratings

    klass = tmp_path / "class"
    ex = load_exercise("cuba-1962")
    key = load_key(ex.key_path, ex.case(), "key.yaml")
    for name in ("ana", "ben"):
        pack = pack_exercise("cuba-1962", klass / name)
        case = load_case(pack / "case")
        matrix = case.empty_matrix()
        for (eid, hid), cell in key.cells.items():
            matrix.at[eid, hid] = cell.rating if name == "ana" else "II"
        save_ratings(case, name, matrix)
    result = grade_class("cuba-1962", [klass], out=tmp_path / "out")
    grades = {g.trainee: g for g in result.grades}
    assert grades["ana"].agreement == 1.0 and grades["ana"].kappa == pytest.approx(1.0)
    assert grades["ben"].agreement < 0.25 and grades["ben"].total < grades["ana"].total / 2
    assert (tmp_path / "out" / "feedback" / "ana.html").is_file()


# --- submissions ------------------------------------------------------------------------------------------------


def test_bad_submissions_are_all_reported(tiny, tmp_path):
    klass = tmp_path / "class"
    klass.mkdir()
    (klass / "ana.csv").write_text("evidence,H1,H2\nE1,CC,maybe\nE7,C,C\n")
    (klass / "bo.csv").write_text("evidence,H1,H2\nE1,CC,I\n")
    (klass / "bo.answers.yaml").write_text("probabilities: {H1: 0.9, H2: 0.3, H9: 1}\n")
    (klass / "bad name.csv").write_text("evidence,H1,H2\n")
    found = "\n".join(problems_of(lambda: grade_class(tiny, [klass, tmp_path / "missing"])))
    assert "missing: submission: no such file or folder" in found
    assert "ana.csv:2: H2: unknown rating code for E1" in found and "'maybe'" in found
    assert "ana.csv:3: evidence: rating for an evidence id that is not in case.yaml (value: 'E7')" in found
    assert "bo.answers.yaml:1: probabilities.H9: refers to a hypothesis id that is not in the case" in found
    assert "bo.answers.yaml:1: probabilities: must sum to 1 (within 0.01)" in found
    assert "bad name.csv: file: trainee file names use only letters" in found


def test_grade_writes_nothing_when_a_submission_is_bad(tiny, tmp_path):
    klass = tmp_path / "class"
    klass.mkdir()
    shutil.copy(FIXTURES / "class" / "ana.csv", klass / "ana.csv")
    (klass / "bo.csv").write_text("evidence,H1,H2\nE1,CC,XX\n")
    problems_of(lambda: grade_class(tiny, [klass], out=tmp_path / "out"))
    assert not (tmp_path / "out").exists()


def test_two_files_for_one_trainee_are_refused(tiny, tmp_path):
    for folder in ("a", "b"):
        (tmp_path / folder).mkdir()
        shutil.copy(FIXTURES / "class" / "ana.csv", tmp_path / folder / "ana.csv")
    assert any(
        "a second file for trainee ana" in p
        for p in problems_of(lambda: read_submissions(load_exercise(tiny).case(), [tmp_path / "a", tmp_path / "b"]))
    )


# --- feedback, class view, gradebook -----------------------------------------------------------------------------


def test_feedback_pages_are_offline_and_escaped(tiny, tmp_path):
    result = grade_class(tiny, [FIXTURES / "class"], out=tmp_path / "out")
    page = (tmp_path / "out" / "feedback" / "ana.html").read_text()
    assert "<script" not in page.lower()
    assert "E1 rules out H2 &lt;script&gt;x&lt;/script&gt;" in page  # the key's why, escaped
    assert "First &lt;b&gt;hypothesis&lt;/b&gt;" in page
    assert "sha256 " + result.grades[0].key_label.split("sha256 ")[1][:12] in page
    assert "66.2 / 70 points" in page
    assert "80% [likely]" in page  # the stated probability, the number first and the ICD 203 term in brackets
    for tag in re.findall(r"<(?:link|img|iframe|object)\b[^>]*>", page):
        raise AssertionError(f"external resource in a feedback page: {tag}")
    assert not re.search(r"(?:src|href)=[\"']https?:", page)
    klass = (tmp_path / "out" / "class.html").read_text()
    assert "<svg" in klass and "<script" not in klass.lower()


def test_gradebook_is_formula_safe_and_complete(tmp_path):
    result = grade_class(FIXTURES / "tiny-ach", [FIXTURES / "class"], out=tmp_path / "out")
    rows = list(csv.DictReader(io.StringIO((tmp_path / "out" / "gradebook.csv").read_text())))
    assert rows[0]["trainee"] == "ana" and float(rows[0]["total"]) == pytest.approx(66.21)
    assert rows[0]["points_accuracy"] == "9.9" and "points_linchpins" not in rows[0]
    assert rows[0]["key"] == result.grades[0].key_label
    frame = pd.DataFrame([{"trainee": '=HYPERLINK("x")', "note": "+1", "n": -3, "ok": True}])
    text = gradebook_csv(frame)
    assert "'=HYPERLINK" in text and ",'+1," in text and ",-3," in text and ",yes" in text


def test_class_of_200_is_graded_with_a_readable_class_view(tmp_path):
    ex = load_exercise("karish-ach")
    case = ex.case()
    key = load_key(ex.key_path, case, "key.yaml")
    write_simulated_class(case, key, tmp_path / "class", trainees=200, seed=3)
    result = grade_class(ex, [tmp_path / "class"], out=tmp_path / "out")
    assert len(result.grades) == 200 and len(result.gradebook) == 200
    assert len(list((tmp_path / "out" / "feedback").glob("*.html"))) == 200
    klass = (tmp_path / "out" / "class.html").read_text()
    assert "200 trainees" in klass and klass.count("<svg") == 2


def test_simulated_class_is_seeded():
    ex = load_exercise("karish-ach")
    case = ex.case()
    key = load_key(ex.key_path, case, "key.yaml")
    from sat.training.simulate import simulated_matrices

    a = simulated_matrices(case, key, 3, seed=5)
    b = simulated_matrices(case, key, 3, seed=5)
    c = simulated_matrices(case, key, 3, seed=6)
    assert all(a[n].equals(b[n]) for n in a) and not all(a[n].equals(c[n]) for n in a)


def test_rating_distribution_counts_shares(tiny):
    from sat.training.ach_grade import rating_distribution

    case = load_exercise(tiny).case()
    m1 = pd.DataFrame([["CC", "I"], ["C", ""], ["N", "N"]], index=case.evidence_ids, columns=case.hypothesis_ids)
    m2 = pd.DataFrame([["CC", "II"], ["NA", ""], ["N", "I"]], index=case.evidence_ids, columns=case.hypothesis_ids)
    share = rating_distribution(case, [Submission("a", m1), Submission("b", m2)])
    assert share.loc["E1/H1", "CC"] == 1.0
    assert share.loc["E1/H2", ["I", "II"]].tolist() == [0.5, 0.5]
    assert share.loc["E2/H2", "unrated"] == 1.0
    assert share.loc["E2/H1", ["C", "NA"]].tolist() == [0.5, 0.5]


# --- the command line ---------------------------------------------------------------------------------------------


def test_cli_pack_grade_and_list(tmp_path, capsys):
    assert main(["exercise", "list"]) == 0
    listed = capsys.readouterr().out
    assert all(name in listed for name in BUNDLED)
    assert main(["exercise", "pack", "berth-seven", "--to", str(tmp_path / "pack")]) == 0
    assert "no key material" in capsys.readouterr().out
    assert main(["grade", str(FIXTURES / "tiny-ach"), str(FIXTURES / "class" / "ana.csv"), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["trainees"][0]["total"] == pytest.approx(66.209524)
    assert main(["grade", str(FIXTURES / "tiny-ach"), str(FIXTURES / "class"), "--out", str(tmp_path / "o")]) == 0
    out = capsys.readouterr().out
    assert re.search(r"ana\s+66\.2\s+70", out) and "gradebook.csv" in out


def test_cli_check(tiny, capsys):
    for name in BUNDLED:
        assert main(["exercise", "check", name]) == 0
    out = capsys.readouterr().out
    assert re.search(r"karish-ach: valid \(ach; \d+ items x \d+ hypotheses", out)
    assert "berth-seven: valid (ach; 5 items x 3 hypotheses" in out and "a computed answer" in out
    assert "calibration-2023: valid (calibration; 12 questions (12 resolved), 7 terms" in out
    assert "syria-scenarios: valid (questions; 4 questions; key syria-scenarios v1" in out
    (tiny / "key.yaml").write_text("exercise: tiny-ach\nversion: 1\ncells: {E1: {H1: ZZ}}\n")
    assert main(["exercise", "check", str(tiny)]) == 2
    assert "cells.E1.H1: unknown rating code" in capsys.readouterr().err


def test_problem_codes_are_in_the_vocabulary():
    """Every reason code the training readers give (to ``problem(...)`` or ``Problem(...)``) is one of CODES."""
    import ast

    from sat.validation import CODES

    used = set()
    for path in (ROOT / "src" / "sat" / "training").glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if not isinstance(node, ast.Call):
                continue
            name = getattr(node.func, "attr", getattr(node.func, "id", ""))
            if name not in ("problem", "Problem"):
                continue
            codes = [k.value for k in node.keywords if k.arg == "code"]
            position = 5 if name == "problem" else 6  # field, message, value, line, code (Problem: file first)
            if len(node.args) >= position:
                codes.append(node.args[position - 1])
            used |= {c.value for c in codes if isinstance(c, ast.Constant)}
    assert used and used <= set(CODES), used - set(CODES)


def test_cli_bad_input_exits_2_without_traceback(tiny, capsys):
    (tiny / "key.yaml").write_text("exercise: tiny-ach\nversion: 1\ncells: {E1: {H1: ZZ}}\n")
    assert main(["grade", str(tiny), str(FIXTURES / "class")]) == 2
    err = capsys.readouterr().err
    assert "key.yaml:3: cells.E1.H1: unknown rating code" in err and "Traceback" not in err
    assert main(["grade", "no-such-exercise", "x.csv"]) == 2
    assert "no exercise with that id" in capsys.readouterr().err
    assert main(["exercise", "derive-key", "cuba-1962"]) == 2
    assert "key_from: this exercise's key is written by hand" in capsys.readouterr().err


def test_exercise_yaml_problems(tmp_path):
    folder = tmp_path / "ex"
    folder.mkdir()
    (folder / "exercise.yaml").write_text("id: Bad Id\ntitle: ''\nkind: essay\nminutes: -5\nextra: 1\n")
    found = "\n".join(problems_of(lambda: load_exercise(folder)))
    assert "exercise.yaml:1: id: must be lower-case letters" in found
    assert "exercise.yaml:2: title: must not be empty" in found
    assert "exercise.yaml:3: kind: must be one of: ach, calibration, questions (value: 'essay')" in found
    assert "exercise.yaml:4: minutes: must be a number of minutes above 0" in found
    assert "exercise.yaml:5: extra: unknown field" in found
    assert "instructions.md: is missing" in found


def test_exercises_dir_is_in_the_repository():
    assert exercises_dir() == repo_root() / "data" / "exercises"  # the pristine copy the tests read


# --- calibration drills -------------------------------------------------------------------------------------------


BANK = """\
bank: tiny-bank
title: Two questions
version: 2
questions:
  - {id: q1, text: Will it rain?, resolution: "yes"}
  - {id: q2, text: Which colour?, options: [red, green, blue], resolution: blue, note: It was blue.}
  - {id: q3, text: Unresolved?}
terms: [likely, unlikely]
"""


def write_drill(tmp_path: Path, answers: dict[str, str]) -> tuple[Path, Path]:
    (tmp_path / "bank.yaml").write_text(BANK)
    klass = tmp_path / "drill"
    klass.mkdir()
    for name, text in answers.items():
        (klass / f"{name}.yaml").write_text(text)
    return tmp_path / "bank.yaml", klass


def test_drill_scores_by_hand(tmp_path):
    bank_path, klass = write_drill(
        tmp_path,
        {
            "ana": "forecasts: {q1: 0.8, q2: {red: 0.2, green: 0.2, blue: 0.6}, q3: 0.5}\n"
            "terms: {likely: 0.7, unlikely: 0.5}\n",
            "bo": "forecasts: {q1: 0.4, q2: {red: 0.5, green: 0.5, blue: 0}}\n",
            "cy": "forecasts: {q1: 0.6}\n",
        },
    )
    bank = load_bank(bank_path)
    scores = score_drill(bank, read_forecasts(bank, [klass]))
    # ana: q1 (.8-1)^2 + (.2-0)^2 = .08; q2 .04 + .04 + .16 = .24. bo: q1 .72; q2 .25 + .25 + 1 = 1.5. cy: q1 .32.
    assert scores.brier.loc["ana"].tolist() == pytest.approx([0.08, 0.24])
    assert scores.brier.loc["bo"].tolist() == pytest.approx([0.72, 1.5])
    assert scores.brier.at["cy", "q1"] == pytest.approx(0.32) and pd.isna(scores.brier.at["cy", "q2"])
    table = scores.table
    # Medians: q1 median(.08, .72, .32) = .32; q2 median(.24, 1.5) = .87.
    assert table.at["ana", "brier"] == pytest.approx(0.16)
    assert table.at["ana", "relative_to_median"] == pytest.approx(((0.08 - 0.32) + (0.24 - 0.87)) / 2)
    assert table.at["cy", "relative_to_median"] == pytest.approx(0.0)
    assert table.at["ana", "answered"] == 2 and table.at["cy", "answered"] == 1
    # Murphy over ana's five probability statements (q1: .8/1, .2/0; q2: .2/0, .2/0, .6/1), exact by value:
    # groups .2 (n 3, observed 0), .6 (n 1, 1), .8 (n 1, 1); base 2/5.
    # REL = (3*.04 + .16 + .04)/5 = .064; RES = (3*.16 + .36 + .36)/5 = .24; UNC = .24.
    assert table.at["ana", "reliability"] == pytest.approx(0.064)
    assert table.at["ana", "resolution"] == pytest.approx(0.24)
    assert table.at["ana", "uncertainty"] == pytest.approx(0.24)
    assert table.at["ana", "terms_in_range"] == 1 and table.at["ana", "terms_given"] == 2


def test_terms_drill_feedback_against_icd_203():
    assert term_feedback("likely", 0.7) == '"likely": you said 70%, inside ICD 203\'s 55-80%.'
    assert term_feedback("unlikely", 0.5) == (
        '"unlikely": you said 50%, 5 points above ICD 203\'s 20-45%; to a '
        'reader of ICD 203 your number reads as "roughly even chance".'
    )
    assert with_term(0.7) == "70% [likely]"


def test_bad_banks_and_forecasts_are_reported(tmp_path):
    (tmp_path / "bank.yaml").write_text(
        "bank: b\ntitle: t\nquestions:\n  - {id: q1, text: x, resolution: maybe}\n  - {id: q1, text: y, options: [a]}\n"
        "terms: [probable-ish]\n"
    )
    found = "\n".join(problems_of(lambda: load_bank(tmp_path / "bank.yaml")))
    assert "bank.yaml:1: version: must be a whole number" in found
    assert "bank.yaml:4: questions[0].resolution: must be one of the options: yes, no (value: 'maybe')" in found
    assert "bank.yaml:5: questions[1].id: duplicate id (first used on line 4)" in found
    assert "bank.yaml:5: questions[1].options: needs two or more different options" in found
    assert "terms: not an ICD 203 term" in found
    bank_path, klass = write_drill(tmp_path / "d", {}) if (tmp_path / "d").mkdir() is None else None
    (klass / "ana.yaml").write_text(
        "forecasts:\n  q1: 1.2\n  q2: {red: 0.5, pink: 0.1}\n  q9: 0.5\n  q3: {yes: 0.4, no: 0.4}\nterms: {likely: 2}\n"
    )
    bank = load_bank(bank_path)
    found = "\n".join(problems_of(lambda: read_forecasts(bank, [klass])))
    assert "ana.yaml:2: forecasts.q1: must be a probability between 0 and 1 (value: 1.2)" in found
    assert "ana.yaml:3: forecasts.q2.pink: not an option of this question" in found
    assert "ana.yaml:4: forecasts.q9: refers to a question id that is not in the bank" in found
    assert "ana.yaml:5: forecasts.q3: the options' probabilities must sum to 1" in found
    assert "ana.yaml:6: terms.likely: must be a probability between 0 and 1 (value: 2)" in found


def test_bundled_drill_graded_end_to_end(tmp_path, capsys):
    ex = load_exercise("calibration-2023")
    bank = load_bank(ex.key_path)
    write_simulated_drill(bank, tmp_path / "class", trainees=20, seed=2)
    assert main(["grade", "calibration-2023", str(tmp_path / "class"), "--out", str(tmp_path / "out")]) == 0
    out = capsys.readouterr().out
    assert "trainee20" in out and "gradebook.csv" in out
    page = (tmp_path / "out" / "feedback" / "trainee01.html").read_text()
    assert "<svg" in page and "What do the words mean to you?" in page and "<script" not in page
    assert "[" in page and "%" in page
    klass = (tmp_path / "out" / "class.html").read_text()
    assert "What the words mean to the class" in klass
    book = list(csv.DictReader(io.StringIO((tmp_path / "out" / "gradebook.csv").read_text())))
    assert len(book) == 20 and book[0]["bank"].startswith("bank calibration-2023 v1 (sha256 ")
    assert main(["grade", "calibration-2023", str(tmp_path / "class" / "trainee01.yaml"), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    (row,) = data["trainees"]
    assert row["trainee"] == "trainee01" and row["answered"] >= 1 and 0 <= row["brier"] <= 2
    assert row["relative_to_median"] == 0.0  # alone in the class: the median is their own score


def test_simulated_forecasts_are_valid_and_seeded():
    bank = load_bank(load_exercise("calibration-2023").key_path)
    assert simulated_forecasts(bank, 4, seed=1) == simulated_forecasts(bank, 4, seed=1)
    for data in simulated_forecasts(bank, 10, seed=1).values():
        for value in data["forecasts"].values():
            if isinstance(value, dict):
                assert sum(value.values()) == pytest.approx(1.0, abs=0.01)
            else:
                assert 0 <= value <= 1


# --- question exercises (the scenario exercise) -------------------------------------------------------------------


def test_syria_key_is_the_derivation_of_the_worked_scenarios(tmp_path):
    copy = tmp_path / "syria-scenarios"
    shutil.copytree(ROOT / "data" / "exercises" / "syria-scenarios", copy)
    path, _, changed = derive_question_key(load_exercise(copy))
    assert not changed, (
        "data/exercises/syria-scenarios/key.yaml is stale: run `sat exercise derive-key syria-scenarios`"
    )
    key = load_question_key(path, "key.yaml")
    answers = {q.id: q.answer for q in key.questions}
    assert answers == {
        "axes": ["israel-campaign", "russia-bandwidth"],
        "predetermined": ["iran-commitment", "regime-cohesion"],
        "cib-consistent": 3.0,
        "cib-strongest": [2, 2, 3, 2, 4, 2, 2, 2],
    }


def test_question_credit_by_hand():
    from sat.training.questions import Question

    assert credit(Question("a", "p", "set", ["x", "y"]), ["x", "z"]) == pytest.approx(1 / 3)  # 1 shared of 3
    assert credit(Question("a", "p", "set", ["x", "y"]), ["y", "x"]) == 1.0
    assert credit(Question("a", "p", "number", 3.0), 3) == 1.0
    assert credit(Question("a", "p", "number", 3.0), 4) == 0.0
    assert credit(Question("a", "p", "number", 0.5, tolerance=0.05), 0.54) == 1.0
    assert credit(Question("a", "p", "sequence", [2, 2, 3]), [2, 1]) == pytest.approx(1 / 3)
    assert credit(Question("a", "p", "set", ["x"]), None) == 0.0


def test_scenario_exercise_graded_by_hand(tmp_path, capsys):
    """axes {russia-bandwidth, regime-cohesion} against {israel-campaign, russia-bandwidth}: 1 shared of 3 -> 10/3;
    predetermined exact 10; count 3 exact 10; strongest 7 of 8 descriptors -> 8.75; total 32.083 of 40."""
    klass = tmp_path / "class"
    klass.mkdir()
    (klass / "ana.yaml").write_text(
        "answers:\n  axes: [russia-bandwidth, regime-cohesion]\n"
        "  predetermined: [iran-commitment, regime-cohesion]\n  cib-consistent: 3\n"
        "  cib-strongest: [2, 2, 3, 2, 4, 1, 2, 2]\n"
    )
    (klass / "bo.yaml").write_text("answers:\n  cib-consistent: 2\n")
    result = grade_class("syria-scenarios", [klass], out=tmp_path / "out")
    grades = {g.trainee: g for g in result.grades}
    assert grades["ana"].points == pytest.approx(
        {"axes": 10 / 3, "predetermined": 10, "cib-consistent": 10, "cib-strongest": 8.75}
    )
    assert grades["ana"].total == pytest.approx(32.083333, abs=1e-6) and grades["ana"].out_of == 40
    assert grades["bo"].total == 0.0
    page = (tmp_path / "out" / "feedback" / "ana.html").read_text()
    assert "32.1 / 40 points" in page and "regime-cohesion, russia-bandwidth" in page and "<script" not in page
    assert "3 (1); 2 (1)" in (tmp_path / "out" / "class.html").read_text()
    book = list(csv.DictReader(io.StringIO((tmp_path / "out" / "gradebook.csv").read_text())))
    assert book[0]["points_cib-strongest"] == "8.75"


def test_bad_answers_and_question_keys_are_reported(tmp_path):
    klass = tmp_path / "class"
    klass.mkdir()
    (klass / "ana.yaml").write_text("answers:\n  axes: russia-bandwidth\n  cib-consistent: three\n  essay: 1\n")
    found = "\n".join(problems_of(lambda: grade_class("syria-scenarios", [klass])))
    assert "ana.yaml:2: answers.axes: must be a list (value: 'russia-bandwidth')" in found
    assert "ana.yaml:3: answers.cib-consistent: must be a number (value: 'three')" in found
    assert "ana.yaml:4: answers.essay: refers to a question id that is not in the exercise" in found
    (tmp_path / "key.yaml").write_text(
        "exercise: x\nversion: 1\nquestions:\n  - {id: q, prompt: p, type: essay, answer: 1, derived: guess}\n"
    )
    found = "\n".join(problems_of(lambda: load_question_key(tmp_path / "key.yaml", "key.yaml")))
    assert "key.yaml:4: questions[0].type: must be one of: set, number, sequence (value: 'essay')" in found
    assert "key.yaml:4: questions[0].derived: unknown rule" in found

"""Edits that keep the analyst's file: only the changed item's lines change, comments and formatting stay, and a
save with no change leaves case.yaml byte-identical (both bundled cases)."""

from __future__ import annotations

import dataclasses
import difflib
import shutil
from pathlib import Path

import pytest

from sat import edits
from sat.model import Evidence, Hypothesis, Source
from sat.store import load_case, save_case
from sat.store.saving import case_to_dict
from sat.store.yaml_edit import update_yaml
from sat.widgets.session import EditSession
from sat.yamlio import loads_yaml

ROOT = Path(__file__).resolve().parents[1]
CASES = ["karish", "syria-militias"]


@pytest.fixture(params=CASES)
def case_dir(request: pytest.FixtureRequest, tmp_path: Path) -> Path:
    target = tmp_path / request.param
    shutil.copytree(ROOT / "data" / "cases" / request.param, target)
    return target


def changes(before: str, after: str) -> tuple[list[str], list[str]]:
    """Lines removed and lines added, as a unified diff counts them."""
    diff = list(difflib.unified_diff(before.splitlines(), after.splitlines(), lineterm="", n=0))
    removed = [line[1:] for line in diff if line.startswith("-") and not line.startswith("---")]
    added = [line[1:] for line in diff if line.startswith("+") and not line.startswith("+++")]
    return removed, added


def comments(text: str) -> list[str]:
    return [line for line in text.splitlines() if line.lstrip().startswith("#")]


def test_saving_with_no_change_is_byte_identical(case_dir: Path) -> None:
    before = (case_dir / "case.yaml").read_bytes()
    case = load_case(case_dir)
    save_case(case, case_dir)
    assert (case_dir / "case.yaml").read_bytes() == before
    session = EditSession.open(case_dir, "tester")
    details = {"title": case.title, "question": case.question, "as_of": case.as_of, "description": case.description}
    assert session.put_details(details) == []
    assert (case_dir / "case.yaml").read_bytes() == before


def test_adding_an_evidence_item_only_adds_its_lines(case_dir: Path) -> None:
    before = (case_dir / "case.yaml").read_text()
    case = load_case(case_dir)
    new_id = edits.next_id(case.evidence_ids, "E")
    item = Evidence(
        id=new_id,
        summary="A convoy was seen at the border",
        type="imagery",
        sources=(case.sources[0].id,),
        credibility="high",
    )
    save_case(edits.with_evidence(case, item), case_dir)
    after = (case_dir / "case.yaml").read_text()
    removed, added = changes(before, after)
    expected = [
        f"- id: {new_id}",
        "  summary: A convoy was seen at the border",
        "  type: imagery",
        "  sources:",
        f"    - {case.sources[0].id}",
        "  credibility: high",
        "  relevance: medium",
    ]
    if case.evidence:
        assert removed == [] and added == ["  " + line for line in expected]
    else:  # `evidence: []` becomes a block list holding the one item
        assert removed == ["evidence: []"] and added == ["evidence:", *("  " + line for line in expected)]
    assert comments(after) == comments(before)
    assert load_case(case_dir).evidence_item(new_id) == item


def test_changing_a_hypothesis_title_changes_one_line(case_dir: Path) -> None:
    case = load_case(case_dir)
    if not case.hypotheses:
        pytest.skip("this case has no hypotheses")
    before = (case_dir / "case.yaml").read_text()
    first = case.hypotheses[0]
    save_case(edits.with_hypothesis(case, dataclasses.replace(first, title="A clearer title"), first.id), case_dir)
    removed, added = changes(before, (case_dir / "case.yaml").read_text())
    assert removed == [f"    title: {first.title}"] and added == ["    title: A clearer title"]


def test_changing_a_source_grade_changes_one_line_and_keeps_comments(case_dir: Path) -> None:
    case = load_case(case_dir)
    before = (case_dir / "case.yaml").read_text()
    last = case.sources[-1]
    grade = "D" if last.reliability != "D" else "E"
    save_case(edits.with_source(case, dataclasses.replace(last, reliability=grade), last.id), case_dir)
    after = (case_dir / "case.yaml").read_text()
    removed, added = changes(before, after)
    assert removed == [f"    reliability: {last.reliability}"] and added == [f"    reliability: {grade}"]
    assert comments(after) == comments(before)


def test_removing_a_source_removes_its_lines_and_its_citations_only(case_dir: Path) -> None:
    case = load_case(case_dir)
    before = (case_dir / "case.yaml").read_text()
    gone = case.sources[-1]
    cited = edits.citing(case, gone.id)
    save_case(edits.without_source(case, gone.id), case_dir)
    after = (case_dir / "case.yaml").read_text()
    removed, added = changes(before, after)
    fields = len(case_to_dict(case)["sources"][-1])
    repeaters = [s.id for s in case.sources if s.re_reports == gone.id]  # their re_reports line goes too
    assert removed[len(cited) + len(repeaters)] == f"  - id: {gone.id}"
    assert len(removed) == len(cited) + len(repeaters) + fields
    assert [line.split(":")[0] for line in added] == ["    sources"] * len(cited)  # each citing item's list
    assert comments(after) == comments(before)
    assert load_case(case_dir).sources == edits.without_source(case, gone.id).sources


def test_removing_an_evidence_item_takes_its_lines_and_ratings_row(karish: Path) -> None:
    session = EditSession.open(karish, "levant_desk")
    before = (karish / "case.yaml").read_text()
    eid = session.case.evidence_ids[3]
    assert session.remove_evidence(eid) == []
    removed, added = changes(before, (karish / "case.yaml").read_text())
    assert added == [] and f"  - id: {eid}" in removed
    assert all(not r.strip() or r.startswith(("    ", "  - ")) or r.lstrip().startswith("#") for r in removed)
    assert eid not in load_case(karish).evidence_ids


def test_a_new_hypothesis_goes_after_the_last_one_and_a_removed_one_leaves_no_trace(tiny: Path) -> None:
    before = (tiny / "case.yaml").read_text()
    case = load_case(tiny)
    save_case(edits.with_hypothesis(case, Hypothesis("H4", "Nobody moved it: it drifted")), tiny)
    after = (tiny / "case.yaml").read_text()
    added = "  - id: H4\n    title: 'Nobody moved it: it drifted'\n"
    assert after == before.replace("    title: Someone else moved it\n", "    title: Someone else moved it\n" + added)
    save_case(edits.without_hypothesis(load_case(tiny), "H4"), tiny)
    assert (tiny / "case.yaml").read_text() == before


def test_reordered_items_rewrite_their_list_only(tiny: Path) -> None:
    case = load_case(tiny)
    before = (tiny / "case.yaml").read_text()
    reordered = dataclasses.replace(case, hypotheses=list(reversed(case.hypotheses)))
    save_case(reordered, tiny)
    after = (tiny / "case.yaml").read_text()
    assert [h.id for h in load_case(tiny).hypotheses] == ["H3", "H2", "H1"]
    head, tail = before.split("hypotheses:")[0], before.split("\nevidence:")[1]
    assert after.startswith(head) and after.endswith(tail)


def test_a_file_the_splice_cannot_follow_is_written_afresh(tiny: Path) -> None:
    text = "{id: tiny, title: T, question: Q, as_of: 2022-01-15}\n"
    case = load_case(tiny)
    old = {"id": "tiny", "title": "T", "question": "Q", "as_of": case.as_of}
    assert update_yaml(text, loads_yaml(text, "case.yaml"), old, {**old, "title": "U"}) is None
    (tiny / "case.yaml").write_text(text.replace("as_of", "hypotheses: [{id: H1, title: x}], as_of"))
    (tiny / "ratings" / "ann.csv").unlink()
    (tiny / "ratings" / "bob.csv").unlink()
    (tiny / "ratings" / "bob.notes.csv").unlink()
    flow = load_case(tiny)
    save_case(dataclasses.replace(flow, title="U"), tiny)
    assert load_case(tiny).title == "U" and (tiny / "case.yaml").read_text().startswith("id: tiny\ntitle: U\n")


def test_a_flow_list_keeps_its_style_and_a_block_scalar_its_neighbours(tiny: Path) -> None:
    case = load_case(tiny)
    e1 = case.evidence_item("E1")
    save_case(edits.with_evidence(case, dataclasses.replace(e1, sources=("S1", "S2")), "E1"), tiny)
    text = (tiny / "case.yaml").read_text()
    assert "    sources: [S1, S2]\n" in text
    assert "description: |\n  A training case with figures that can be checked on paper.\n" in text
    source = Source("S3", "A third source", reliability="C")
    save_case(edits.with_source(load_case(tiny), source), tiny)
    assert (tiny / "case.yaml").read_text().count("# ") == text.count("# ")

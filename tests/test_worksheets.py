"""Key Assumptions Check and Quality of Information Check: file formats, hand-computed figures, links into ACH and
indicators, exports and the command line.

The tiny case (tests/fixtures/tiny) takes credibility at face value, so its likelihood-mode figures are plain Bayes
with P(E|H) = CC .95, C .80, N .50 (also NA), I .20, II .05. Ratings:
ann  E1 C,I,II  E2 N,N,N  E3 CC,NA,I        bob  E1 C,C,II  E2 N,I,N  E3 C,NA,NA
"""

from __future__ import annotations

import json
import math
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from openpyxl import load_workbook

from sat.ach.analysis import score_case
from sat.ach.sensitivity import CHANGES
from sat.cli import main
from sat.errors import ValidationError
from sat.store import load_case, save_case
from sat.worksheets import key_assumptions as kac
from sat.worksheets import quality as qoic
from sat.worksheets.analysis import assumptions_check, quality_check
from sat.worksheets.assumptions_file import load_assumptions, read_assumptions
from sat.worksheets.excel import export_workbook
from sat.worksheets.links import apply_to_case, write_candidates

ROOT = Path(__file__).resolve().parents[1]


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text, old
    path.write_text(text.replace(old, new, 1))


def problems_of(case_dir: Path) -> list[str]:
    with pytest.raises(ValidationError) as info:
        load_case(case_dir)
    return [str(p) for p in info.value.problems]


REGISTER_SOURCES = """sources:
  - id: S1
    title: Harbour camera still
    publisher: Harbour office
    reliability: B
    type: official
    information_date: 2022-01-14
    access: first-hand
  - id: S2
    title: Interview with the owner
    reliability: F
    access: second-hand
    bias: The owner has reason to deny it
  - id: S3
    title: Local paper repeating the harbour office
    reliability: C
    re_reports: S1
    type: news
  - id: S4
    title: Retracted blog post
    reliability: E
    status: recalled
    ambiguity: Withdrawn by its author
"""


@pytest.fixture
def register(tiny: Path) -> Path:
    """The tiny case with a source register: S3 re-reports S1, S4 was recalled, E4 conflicts with E2."""
    text = (tiny / "case.yaml").read_text()
    head, _ = text.split("sources:\n", 1)
    scoring = text[text.index("scoring:") :]
    head = head.replace(
        "    sources: [S1]\n    credibility: high",
        "    sources: [S1, S3]\n    credibility: high\n    information_credibility: 1",
    )
    head = head.replace(
        "    sources: [S2]\n    credibility: low",
        "    sources: [S1, S2]\n    credibility: low\n    information_credibility: 2",
    )
    head += (
        "  - id: E4\n    summary: A deckhand says the harbour crew were ashore\n    type: humint\n"
        "    sources: [S4, S2]\n    conflicts_with: [E2]\n    information_credibility: 6\n"
    )
    (tiny / "case.yaml").write_text(head + REGISTER_SOURCES + scoring)
    return tiny


# --- the source register in case.yaml ---------------------------------------------------------------------------


def test_register_fields_are_read_and_saved_back(register):
    case = load_case(register)
    s1, s2, s3, s4 = case.sources
    assert (s1.type, str(s1.information_date), s1.access, s1.status) == (
        "official",
        "2022-01-14",
        "first-hand",
        "current",
    )
    assert (s2.access, s2.bias) == ("second-hand", "The owner has reason to deny it")
    assert s3.re_reports == "S1" and (s4.status, s4.ambiguity) == ("recalled", "Withdrawn by its author")
    e4 = case.evidence_item("E4")
    assert (e4.information_credibility, e4.conflicts_with) == (6, ("E2",))
    save_case(case)
    again = load_case(register)
    assert again.sources == case.sources and again.evidence == case.evidence


def test_register_problems_name_line_field_and_value(register):
    case_file = register / "case.yaml"
    edit(case_file, "access: first-hand", "access: eyewitness")
    edit(case_file, "type: official", "type: blog")
    edit(case_file, "re_reports: S1", "re_reports: S9")
    edit(case_file, "status: recalled", "status: deleted")
    edit(case_file, "information_credibility: 6", "information_credibility: 7")
    edit(case_file, "information_credibility: 2", "information_credibility: probably")
    edit(case_file, "conflicts_with: [E2]", "conflicts_with: [E2, E9, E4]")
    found = problems_of(register)
    assert any("sources[0].access: must be one of: first-hand, second-hand (value: 'eyewitness')" in p for p in found)
    assert any("sources[0].type: must be one of: news, wire, official" in p and "'blog'" in p for p in found)
    assert any("sources[2].re_reports: refers to a source id that is not defined (value: 'S9')" in p for p in found)
    assert any("sources[3].status: must be one of: current, corrected, recalled (value: 'deleted')" in p for p in found)
    assert any(
        "evidence[3].information_credibility: must be a whole number from 1" in p and "(value: 7)" in p for p in found
    )
    assert any("evidence[1].information_credibility" in p and "'probably'" in p for p in found)
    assert any(
        "evidence[3].conflicts_with: refers to an evidence id that is not defined (value: 'E9')" in p for p in found
    )
    assert any("evidence[3].conflicts_with: an item cannot conflict with itself (value: 'E4')" in p for p in found)
    assert all(":" in p.split(" ")[0] for p in found)  # every problem has a line number


def test_re_reporting_loop_is_refused(register):
    edit(
        register / "case.yaml",
        "    reliability: B\n    type: official",
        "    reliability: B\n    re_reports: S3\n    type: official",
    )
    found = problems_of(register)
    assert any("re-reporting chain loops back on itself (S1 -> S3 -> S1)" in p for p in found)


def test_information_credibility_mapping_is_a_case_setting(register):
    edit(register / "case.yaml", "scoring:\n", "scoring:\n  information_credibility: {6: medium}\n")
    case = load_case(register)
    assert qoic.credibility_mapping(case) == {1: "high", 2: "high", 3: "medium", 4: "low", 5: "low", 6: "medium"}
    edit(register / "case.yaml", "{6: medium}", "{7: high, 2: certain}")
    found = problems_of(register)
    assert any("scoring.information_credibility.7: unknown grade" in p for p in found)
    assert any(
        "scoring.information_credibility.2: must be one of: low, medium, high (value: 'certain')" in p for p in found
    )


# --- Quality of Information Check: origins, marks, groups, mapping ---------------------------------------------


def test_chains_collapse_to_their_origin_and_recalled_sources_count_for_none(register):
    case = load_case(register)
    assert qoic.origin_map(case.sources) == {"S1": "S1", "S2": "S2", "S3": "S1", "S4": "S4"}
    marks = qoic.item_marks(case)
    # E1 cites S1 and S3, but S3 repeats S1: one origin, not two.
    assert marks.loc["E1", "origins"] == "S1" and marks.loc["E1", "mark"] == "single-source"
    # E1 is graded 1 ("confirmed by other sources") on one origin: the register says so.
    assert "fewer than two independent origins" in marks.loc["E1", "grade_check"]
    # E2 cites two independent origins but E4 contradicts it; E4's recalled S4 is no origin.
    assert marks.loc["E2", "n_origins"] == 2 and marks.loc["E2", "mark"] == "conflicting"
    assert marks.loc["E4", "origins"] == "S2" and marks.loc["E4", "recalled"] == "S4"
    assert marks.loc["E4", "mark"] == "conflicting" and marks.loc["E4", "conflicts_with"] == "E2"
    assert marks.loc["E3", "mark"] == "unsupported"
    assert marks.loc["E2", "second_hand"] == "S2"
    assert qoic.mark(2, False) == "corroborated" and qoic.mark(1, False) == "single-source"


def test_credibility_mapping_and_its_application_change_only_those_lines(register):
    case = load_case(register)
    marks = qoic.item_marks(case)
    # E2: grade 2 maps to high, ACH says low; E4: grade 6 maps to low, ACH has the default medium.
    assert qoic.credibility_changes(case) == {"E2": "high", "E4": "low"}
    assert list(marks.index[marks["credibility_differs"]]) == ["E2", "E4"]
    before = (register / "case.yaml").read_text().split("\n")
    _, changes = apply_to_case(case, credibility=True)
    assert changes == {"E2": {"credibility": "high"}, "E4": {"credibility": "low"}}
    after = (register / "case.yaml").read_text().split("\n")
    assert len(after) == len(before) + 1  # E4 had no credibility line: one is added after its id
    changed = [(a, b) for a, b in zip(before, after) if a != b]
    assert changed[0] == ("    credibility: low", "    credibility: high")
    again = load_case(register)
    assert again.evidence_item("E2").credibility == "high" and again.evidence_item("E4").credibility == "low"
    assert apply_to_case(again, credibility=True)[1] == {}


def test_dependence_groups_are_offered_and_applied(register):
    case_file = register / "case.yaml"
    edit(case_file, "    sources: [S1, S2]\n", "    sources: [S3]\n")  # E2 now rests on S1 only, through S3
    case = load_case(register)
    [offer] = qoic.dependence_offers(case)
    assert (offer.origin, offer.members, offer.name) == ("S1", ("E1", "E2"), "origin-S1")
    text = case_file.read_text()
    _, changes = apply_to_case(case, groups=True)
    assert changes == {"E1": {"group": "origin-S1"}, "E2": {"group": "origin-S1"}}
    assert case_file.read_text().replace("    group: origin-S1\n", "") == text
    assert qoic.dependence_offers(load_case(register)) == []


def test_a_group_some_members_share_is_offered_and_split_groups_are_left_alone(register):
    case_file = register / "case.yaml"
    edit(case_file, "    sources: [S1, S2]\n", "    sources: [S3]\n    group: boat\n")
    case = load_case(register)
    assert [o.name for o in qoic.dependence_offers(case)] == ["boat"]
    assert qoic.group_changes(case) == {"E1": "boat"}
    edit(case_file, "    information_credibility: 1\n", "    information_credibility: 1\n    group: knot\n")
    case = load_case(register)
    [offer] = qoic.dependence_offers(case)
    assert offer.groups == ("knot", "boat") and qoic.group_changes(case) == {}


def test_leader_support_is_the_log_likelihood_ratio_traced_to_origins(tiny):
    case = load_case(tiny)
    check = quality_check(case)
    support = check.support
    assert (support.leader, support.rival) == ("H1", "H2")
    # E1: ann ln(.8/.2), bob ln(.8/.8); E2: ann 0, bob ln(.5/.2); E3: ann ln(.95/.5), bob ln(.8/.5).
    expected = {"E1": math.log(4) / 2, "E2": math.log(2.5) / 2, "E3": (math.log(1.9) + math.log(1.6)) / 2}
    for eid, value in expected.items():
        assert support.items[eid] == pytest.approx(value)
    # The items add up to the mean log posterior odds: ann .38/.05, bob .32/.08 (uniform priors).
    assert support.items.sum() == pytest.approx((math.log(7.6) + math.log(4)) / 2)
    total = sum(expected.values())
    origins = support.origins
    assert list(origins.index) == ["S1", qoic.NO_SOURCE, "S2"]
    assert origins.loc["S1", "share"] == pytest.approx(math.log(2) / total)
    assert origins.loc[qoic.NO_SOURCE, "items"] == "E3"


def test_support_splits_an_item_over_its_origins():
    import pandas as pd

    frame = qoic.support_by_origin(
        pd.Series({"E1": 0.6, "E2": -0.4, "E3": 0.2}), {"E1": ("S1", "S2"), "E2": ("S1",), "E3": ("S2",)}
    )
    assert frame["weight"].to_dict() == pytest.approx({"S2": 0.5, "S1": 0.3})
    assert frame.loc["S2", "items"] == "E1, E3" and frame["share"].sum() == pytest.approx(1.0)


def test_source_summary_statement_counts_from_the_register(register):
    write_assumptions(register)
    case = load_case(register)
    check = quality_check(case, load_assumptions(case))
    text = "\n".join(check.statement)
    assert "rests on 4 source(s), which trace back to 2 independent origin(s)" in text  # S3 -> S1; S4 recalled
    assert "1 B (usually reliable); 1 C (fairly reliable); 1 E (unreliable); 1 F (reliability cannot be judged)" in text
    assert "Access of the originator: 1 first-hand, 2 not recorded, 1 second-hand." in text
    assert "Of 4 evidence item(s), 3 carry an information-credibility grade" in text
    assert "S4 was recalled and no longer counts as an origin" in text
    assert "the reliability of S2 cannot be judged" in text
    assert "reporting conflicts between E2 and E4" in text
    assert "By key judgment: J1 single-source (S1)" in text
    assert "the ACH credibility of E2, E4 differs from the level their 1-6 grade maps to" in text
    assert "Expertise relied on: the ratings of 2 analyst(s) (ann, bob)." in text
    assert "owes most of its support against H2 to" in text


# --- assumptions.yaml -------------------------------------------------------------------------------------------

ASSUMPTIONS = """# The tiny case's key assumptions
analytic_line: The harbour crew moved the boat.
judgments:
  - id: J1
    text: The knot is the harbour's
    evidence: [E1]
assumptions:
  - id: A1
    text: Only the harbour crew tie that knot
    kind: unstated
    evidence: [E1]
    sources: [S1]
    stands_behind: [E3]
    confidence: low
    impact: high
    category: unsupported
    disposition: collect
    undermined_by: [An owner seen tying a harbour knot, A second crew with harbour training]
  - id: A2
    text: The owner's word can be weighed at all
    stands_behind: [E2, E3]
    confidence: high
    impact: low
    category: solid
  - id: A3
    text: Nobody else had keys
    category: correct-with-caveats
    less_so_now: Keys were copied last year
    undermined_by: [A third key turns up]
"""


def write_assumptions(folder: Path, text: str = ASSUMPTIONS) -> Path:
    path = folder / "assumptions.yaml"
    path.write_text(text)
    return path


def test_assumptions_file_is_read(tiny):
    write_assumptions(tiny)
    worksheet = load_assumptions(load_case(tiny))
    a1, _, a3 = worksheet.assumptions
    assert worksheet.analytic_line == "The harbour crew moved the boat."
    assert (a1.kind, a1.confidence, a1.impact, a1.category, a1.disposition) == (
        "unstated",
        "low",
        "high",
        "unsupported",
        "collect",
    )
    assert a1.stands_behind == ("E3",) and a1.sources == ("S1",)
    assert (a3.kind, a3.confidence, a3.impact, a3.less_so_now) == (
        "stated",
        "medium",
        "medium",
        "Keys were copied last year",
    )
    assert worksheet.judgments[0].evidence == ("E1",)
    assert load_assumptions(load_case(tiny)) is not None


def test_assumptions_problems_are_collected_with_line_field_and_value(tiny):
    bad = (
        ASSUMPTIONS.replace("    disposition: collect\n", "")
        .replace("confidence: high", "confidence: sure")
        .replace("    evidence: [E1]\n    sources: [S1]", "    evidence: [E7]\n    sources: [S1]")
        .replace("  - id: A3\n", "  - id: A2\n    colour: red\n")
        .replace("    category: solid\n", "")
    )
    write_assumptions(tiny, bad)
    _, problems = read_assumptions(load_case(tiny))
    found = [str(p) for p in problems]
    assert any(
        p.endswith(
            "assumptions[0].disposition: is required for an unsupported assumption (one of: collect, test, bound, flag)"
        )
        for p in found
    )
    assert any("assumptions[1].confidence: must be one of: low, medium, high (value: 'sure')" in p for p in found)
    assert any(
        "assumptions[0].evidence: refers to an evidence id that is not defined (value: 'E7')" in p for p in found
    )
    assert any("assumptions[2].id: duplicate id (first used on line" in p for p in found)
    assert any("assumptions[2].colour: unknown field" in p for p in found)
    assert any("assumptions[1].category: is required" in p for p in found)
    assert all("assumptions.yaml:" in p for p in found)
    assert {p.code for p in problems} >= {"required", "choice", "reference", "duplicate", "unknown-field"}
    assert all(p.line for p in problems)


def test_validate_and_report_refuse_a_bad_worksheet(tiny):
    write_assumptions(tiny, "analytic_line: [not, text]\nassumptions: {}\n")
    result = subprocess.run(
        [sys.executable, "-m", "sat.cli", "validate", str(tiny)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "assumptions.yaml:1: analytic_line: must be text" in result.stderr
    assert "assumptions.yaml:2: assumptions: must be a list" in result.stderr
    from sat.report import render_case

    with pytest.raises(ValidationError):
        render_case(tiny, out_dir=tiny / "out")
    assert not (tiny / "out").exists()


# --- Key Assumptions Check --------------------------------------------------------------------------------------


def test_grid_collection_needs_and_indicator_candidates(tiny):
    write_assumptions(tiny)
    worksheet = load_assumptions(load_case(tiny))
    grid = kac.grid(worksheet)
    assert grid.loc["high", "low"] == "A1" and grid.loc["low", "high"] == "A2" and grid.loc["medium", "medium"] == "A3"
    assert (grid != "").to_numpy().sum() == 3
    assert [a.id for a in kac.collection_needs(worksheet)] == ["A1"]
    assert [(c.id, c.assumption) for c in kac.indicator_candidates(worksheet)] == [
        ("KAC-A1-1", "A1"),
        ("KAC-A1-2", "A1"),
        ("KAC-A3-1", "A3"),
    ]


def test_sweep_removes_what_each_assumption_stands_behind(tiny):
    write_assumptions(tiny)
    case = load_case(tiny)
    scores = score_case(case)
    check = assumptions_check(case, load_assumptions(case), scores)
    one, two = check.sweep
    # Without E3: ann .8*.5 : .2*.5 : .05*.5, bob .8*.5 : .8*.2 : .05*.5, each normalised, then averaged.
    ann, bob = np.array([0.4, 0.1, 0.025]) / 0.525, np.array([0.4, 0.16, 0.025]) / 0.585
    assert list(one.posteriors.values()) == pytest.approx(list((ann + bob) / 2))
    # The single-item row is the sensitivity analysis's own "removed" change.
    removed = scores.sensitivity.posteriors[list(CHANGES).index("removed"), case.evidence_ids.index("E3")]
    assert list(one.posteriors.values()) == pytest.approx(list(removed), abs=1e-15)
    # Without E2 and E3: ann .8 : .2 : .05, bob .8 : .8 : .05.
    ann, bob = np.array([0.8, 0.2, 0.05]) / 1.05, np.array([0.8, 0.8, 0.05]) / 1.65
    assert two.removed == ("E2", "E3") and list(two.posteriors.values()) == pytest.approx(list((ann + bob) / 2))
    assert not one.leader_changes and one.new_leader == "H1"
    assert one.sentence.startswith("Without E3 (A1), H1 would still lead: 72%")


def test_sweep_follows_a_group_re_election(tiny):
    """Removing a group's representative lets the next member count, exactly as ACH's sensitivity does."""
    edit(tiny / "case.yaml", "    credibility: high\n", "    credibility: high\n    group: g\n")
    edit(tiny / "case.yaml", "    type: absence-of-evidence\n", "    type: absence-of-evidence\n    group: g\n")
    write_assumptions(tiny, ASSUMPTIONS.replace("stands_behind: [E2, E3]", "stands_behind: [E1]"))
    case = load_case(tiny)
    scores = score_case(case)
    rows = assumptions_check(case, load_assumptions(case), scores).sweep
    removed = scores.sensitivity.posteriors[list(CHANGES).index("removed")]
    for row in rows:
        [item] = row.removed
        assert list(row.posteriors.values()) == pytest.approx(list(removed[case.evidence_ids.index(item)]))


def test_cue_phrases_are_found_longest_first_and_only_as_words():
    cues = kac.find_cues(
        [
            ("E1.notes", "They will always come back, based on what we saw."),
            ("E2.notes", "It Would Have To Be the owner."),
            ("E3.notes", "The branch was rebased on main; nothing here."),
        ]
    )
    assert [(c.place, c.phrase) for c in cues] == [
        ("E1.notes", "will always"),
        ("E1.notes", "based on"),
        ("E2.notes", "would have to be"),
    ]
    assert cues[0].snippet == "They will always come back, based on what we saw."


def test_cue_phrases_are_searched_in_the_case_and_the_worksheet(tiny):
    edit(
        tiny / "case.yaml",
        "summary: The owner says he was asleep",
        "summary: The owner says he was asleep, as he will always say",
    )
    write_assumptions(tiny, ASSUMPTIONS.replace("Nobody else had keys", "Anyone else would have to be a thief"))
    case = load_case(tiny)
    places = [(c.place, c.phrase) for c in assumptions_check(case, load_assumptions(case)).cues]
    assert places == [("E2.summary", "will always"), ("A3.text", "would have to be")]


# --- the links: indicators.yaml ---------------------------------------------------------------------------------


def test_candidates_create_indicators_yaml_and_are_not_written_twice(tiny):
    write_assumptions(tiny)
    case = load_case(tiny)
    candidates = kac.indicator_candidates(load_assumptions(case))
    path, added = write_candidates(case, candidates)
    assert added == ["KAC-A1-1", "KAC-A1-2", "KAC-A3-1"]
    from sat.yamlio import load_yaml

    data = load_yaml(path)
    assert data["targets"] == "hypotheses"
    assert [(i["id"], i["text"]) for i in data["indicators"]] == [(c.id, c.text) for c in candidates]
    text = path.read_text()
    assert write_candidates(case, candidates) == (path, [])
    assert path.read_text() == text


def test_candidates_are_appended_to_an_existing_file_without_touching_it(tiny):
    write_assumptions(tiny)
    existing = (
        "# my indicators\ntargets: hypotheses\nprior: uniform\nindicators:\n"
        "- id: I01   # keep this comment\n  text: Fuel receipt found\n  ratings: {H1: U, H2: HL, H3: U}\n"
    )
    (tiny / "indicators.yaml").write_text(existing)
    case = load_case(tiny)
    _, added = write_candidates(case, kac.indicator_candidates(load_assumptions(case)))
    text = (tiny / "indicators.yaml").read_text()
    assert text.startswith(existing) and len(added) == 3
    assert "\n- id: KAC-A1-1\n  text: An owner seen tying a harbour knot\n" in text


def test_candidates_are_refused_where_appending_would_break_the_file(tiny):
    write_assumptions(tiny)
    existing = "targets: hypotheses\nindicators:\n  - id: I01\n    text: Fuel receipt found\nprior: uniform\n"
    (tiny / "indicators.yaml").write_text(existing)
    case = load_case(tiny)
    with pytest.raises(ValidationError) as info:
        write_candidates(case, kac.indicator_candidates(load_assumptions(case)))
    assert "indicators: must be the last top-level field of the file" in str(info.value)
    (tiny / "indicators.yaml").write_text("targets: hypotheses\nindicators: [{id: I01, text: x}]\n")
    with pytest.raises(ValidationError, match="must be a block-style list"):
        write_candidates(case, kac.indicator_candidates(load_assumptions(case)))
    assert (tiny / "indicators.yaml").read_text() == "targets: hypotheses\nindicators: [{id: I01, text: x}]\n"


def test_flow_style_items_are_not_edited_in_place(register):
    edit(
        register / "case.yaml",
        "  - id: E3\n    summary: No alarm was logged\n",
        "  - {id: E3, summary: No alarm was logged, information_credibility: 5}\n",
    )
    edit(register / "case.yaml", "    type: absence-of-evidence\n", "")
    case = load_case(register)
    before = (register / "case.yaml").read_text()
    with pytest.raises(ValidationError, match="a flow-style item cannot be edited in place"):
        apply_to_case(case, credibility=True)
    assert (register / "case.yaml").read_text() == before


# --- export and command line -------------------------------------------------------------------------------------


def test_xlsx_export_has_both_worksheets_and_no_formula(tiny, tmp_path):
    write_assumptions(tiny, ASSUMPTIONS.replace("Only the harbour crew tie that knot", '=HYPERLINK("http://x")'))
    case = load_case(tiny)
    worksheet = load_assumptions(case)
    path = export_workbook(tmp_path / "w.xlsx", quality_check(case, worksheet), assumptions_check(case, worksheet))
    book = load_workbook(path)
    assert book.sheetnames == [
        "Assumptions",
        "Grid",
        "Collection needs",
        "Indicator candidates",
        "Sweep",
        "Cues",
        "Source register",
        "Items",
        "Judgments",
        "Dependence groups",
        "Leader support",
        "Statement",
    ]
    assert book["Assumptions"]["B2"].value == '\'=HYPERLINK("http://x")'
    assert all(
        not (isinstance(c.value, str) and c.value.startswith("=")) for s in book for row in s.iter_rows() for c in row
    )
    assert book["Sweep"]["A2"].value == "A1"


def test_cli_worksheets(tiny, capsys, tmp_path):
    assert main(["worksheets", "quality", str(tiny), "--json"]) == 0
    document = json.loads(capsys.readouterr().out)
    assert document["leader_support"]["leader"] == "H1"
    assert document["credibility_mapping"] == {
        "1": "high",
        "2": "high",
        "3": "medium",
        "4": "low",
        "5": "low",
        "6": "low",
    }
    assert main(["worksheets", "assumptions", str(tiny)]) == 2
    assert "no assumptions.yaml" in capsys.readouterr().err
    write_assumptions(tiny)
    assert main(["worksheets", "assumptions", str(tiny), "--json"]) == 0
    document = json.loads(capsys.readouterr().out)
    assert document["collection_needs"] == ["A1"] and len(document["sweep"]) == 2
    assert main(["worksheets", "indicators", str(tiny)]) == 0
    assert "3 candidate(s) added" in capsys.readouterr().out
    assert main(["worksheets", "apply", str(tiny)]) == 2
    assert "say what to apply" in capsys.readouterr().err
    assert main(["worksheets", "export", str(tiny), "--out", str(tmp_path / "x.xlsx")]) == 0
    assert (tmp_path / "x.xlsx").is_file()
    assert main(["validate", str(tiny)]) == 0
    checked = next(line for line in capsys.readouterr().out.splitlines() if line.startswith("checked: "))
    assert checked.startswith("checked: case.yaml, ") and checked.endswith(", assumptions.yaml")


# --- the bundled cases ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("case_id", ["karish", "syria-militias"])
def test_bundled_cases_carry_both_worksheets(case_id):
    case = load_case(ROOT / "data" / "cases" / case_id)
    worksheet = load_assumptions(case)
    assert worksheet is not None and worksheet.assumptions and worksheet.judgments
    assert all(s.type and s.access for s in case.sources)
    check = assumptions_check(case, worksheet)
    assert check.needs and check.candidates
    assert quality_check(case, worksheet).statement


def test_karish_sweep_rows_match_the_ach_sensitivity(karish):
    case = load_case(karish)
    scores = score_case(case)
    rows = assumptions_check(case, load_assumptions(case), scores).sweep
    removed = scores.sensitivity.posteriors[list(CHANGES).index("removed")]
    singles = [r for r in rows if len(r.removed) == 1]
    assert {r.removed[0] for r in singles} == {"E19", "E20"}
    for row in singles:
        assert list(row.posteriors.values()) == pytest.approx(list(removed[case.evidence_ids.index(row.removed[0])]))


# --- forms ------------------------------------------------------------------------------------------------------


def test_register_fields_and_grades_are_edited_in_the_ach_editor(tiny):
    from sat.widgets import AchEditor

    editor = AchEditor(tiny, "ann")
    form = editor.forms["source"]
    form.select("S2")
    form.fields["access"].value = "second-hand"
    form.fields["bias"].value = "The owner has reason to deny it"
    form.fields["re_reports"].value = "S1"
    form.fields["status"].value = "corrected"
    assert form.save() == []
    s2 = load_case(tiny).source("S2")
    assert (s2.access, s2.bias, s2.re_reports, s2.status) == (
        "second-hand",
        "The owner has reason to deny it",
        "S1",
        "corrected",
    )
    form.fields["re_reports"].value = "S2"
    problems = form.save()
    assert any("loops back on itself" in p.message for p in problems) and "loops back" in form.message.value
    evidence = editor.forms["evidence"]
    evidence.select("E2")
    evidence.fields["information_credibility"].value = 4
    evidence.fields["conflicts_with"].value = ("E1",)
    assert evidence.save() == []
    e2 = load_case(tiny).evidence_item("E2")
    assert (e2.information_credibility, e2.conflicts_with) == (4, ("E1",))


def test_assumptions_form_adds_edits_and_removes_through_the_reader(tiny):
    from sat.worksheets.editor import AssumptionsForm

    write_assumptions(tiny)
    form = AssumptionsForm(load_case(tiny))
    assert form.selected is None and form.fields["id"].value == "A4"
    form.fields["text"].value = "The tide did not move it"
    form.fields["category"].value = "unsupported"
    problems = form.save()
    assert [p.field for p in problems] == ["assumptions[3].disposition"] and "Not saved" in form.message.value
    assert load_assumptions(load_case(tiny)).assumptions[-1].id == "A3"
    form.fields["disposition"].value = "test"
    form.fields["stands_behind"].value = ("E3",)
    assert form.save() == [] and form.selected == "A4"
    worksheet = load_assumptions(load_case(tiny))
    added = worksheet.assumption("A4")
    assert (added.category, added.disposition, added.stands_behind) == ("unsupported", "test", ("E3",))
    form.picker.value = "A1"
    assert form.fields["confidence"].value == "low" and form.fields["id"].disabled
    form.fields["confidence"].value = "high"
    form.line.value = "The harbour crew moved it, probably."
    assert form.save() == []
    worksheet = load_assumptions(load_case(tiny))
    assert worksheet.assumption("A1").confidence == "high"
    assert worksheet.analytic_line == "The harbour crew moved it, probably."
    assert form.remove() == [] and [a.id for a in load_assumptions(load_case(tiny)).assumptions] == ["A2", "A3", "A4"]


def test_worksheet_reports_render_offline_with_analyst_text_escaped(tiny, tmp_path):
    from sat.report import render_case

    write_assumptions(
        tiny,
        ASSUMPTIONS.replace("Only the harbour crew tie that knot", "<script>alert(1)</script> only the crew tie it"),
    )
    edit(tiny / "case.yaml", "    reliability: F\n", "    reliability: F\n    bias: '<img src=x onerror=alert(2)>'\n")
    paths = render_case(tiny, out_dir=tmp_path / "out")
    assert [p.name for p in paths] == ["tiny-ach.html", "tiny-key-assumptions.html", "tiny-quality-of-information.html"]
    kac_html, qoic_html = paths[1].read_text(), paths[2].read_text()
    for html in (kac_html, qoic_html):
        assert "<script" not in html.lower() and "<img src=x" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; only the crew tie it" in kac_html
    assert "data:image/png;base64," in kac_html  # the confidence x impact figure travels inside the file
    assert "&lt;img src=x onerror=alert(2)&gt;" in qoic_html
    assert "Source summary statement" in paths[0].read_text()  # and at the end of the ACH report


def test_removing_a_source_clears_the_re_reports_that_named_it(register):
    from sat import edits

    case = load_case(register)
    without = edits.without_source(case, "S1")
    assert [(s.id, s.re_reports) for s in without.sources] == [("S2", None), ("S3", None), ("S4", None)]
    save_case(without, register)
    assert load_case(register).source("S3").re_reports is None


def test_indicator_candidates_join_the_board_and_the_board_still_validates(karish: Path) -> None:
    """The Key Assumptions Check's candidates are read back by the indicators reader itself, unrated (a warning,
    not a problem), and a second run adds nothing."""
    from sat.indicators.board import load_board
    from sat.store import check_folder

    before = [i.id for i in load_board(karish).spec.indicators]
    assert main(["worksheets", "indicators", str(karish)]) == 0
    after = [i.id for i in load_board(karish).spec.indicators]
    added = after[len(before) :]
    assert after[: len(before)] == before and added and all(i.startswith("KAC-") for i in added)
    assert list(check_folder(karish).problems) == []
    text = (karish / "indicators.yaml").read_text(encoding="utf-8")
    assert main(["worksheets", "indicators", str(karish)]) == 0
    assert (karish / "indicators.yaml").read_text(encoding="utf-8") == text

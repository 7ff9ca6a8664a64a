"""scenarios.yaml: loading, every bad-input path with its message (file, line, field, value), atomic round trip."""

from __future__ import annotations

from pathlib import Path

import pytest

from sat.errors import Problem, ValidationError
from sat.scenarios.scenario_file import SCENARIOS_FILE, load_scenarios, save_scenarios, scenarios_to_data

CASE_YAML = """\
id: tiny
title: Tiny scenario case
question: What happens next?
as_of: 2023-01-01
hypotheses: []
evidence: []
sources:
  - id: src1
    title: A source
    reliability: B
"""

VALID = """\
horizon: one year
framework: STEEP
drivers:
  - id: alpha
    name: Alpha
    category: Political
    description: first driver
    impact: 5
    uncertainty: 4
    end_states: [A low, A high]
    sources: [src1]
  - id: beta
    name: Beta
    category: economic
    description: second driver
    impact: 4
    uncertainty: 5
    end_states: [B low, B high]
  - id: gamma
    name: Gamma
    category: Social
    description: third driver
    impact: 4
    uncertainty: 1
    end_states: [G low, G high]
futures:
  x_axis: alpha
  y_axis: beta
  independence: different causes
  robust_moves: [watch both]
  quadrants:
    - id: q1
      name: Calm
      x: A low
      y: B low
      narrative: quiet
      indicators: [{id: i1, text: nothing moves}]
      implications: [little]
    - id: q2
      name: Boom
      x: A low
      y: B high
      narrative: growth
      indicators: [{id: i2, text: prices rise}]
      implications: [much]
    - id: q3
      name: Storm
      x: A high
      y: B low
      narrative: unrest
      indicators: [{id: i3, text: protests}]
      implications: [some]
      options: [prepare]
    - id: q4
      name: Both
      x: A high
      y: B high
      narrative: everything
      indicators: [{id: i4, text: all of it}]
      implications: [most]
multiple:
  screen:
    - {drivers: [beta, alpha], states: [B high, A high], plausible: true, consequential: true, novel: true, not_yet_considered: false, shortlisted: true, name: Hot, reason: worst case}
    - {drivers: [alpha, gamma], states: [A low, G low], plausible: true}
cone:
  assumptions:
    - {driver: alpha, state: A low, assumption: alpha stays low}
    - {driver: gamma, state: G high, assumption: gamma stays high}
  baseline: {id: base, name: Base, narrative: as now}
  alternatives:
    - id: alt1
      name: Alpha rises
      flips: [alpha]
      narrative: alpha goes high
      indicators: [{id: i5, text: alpha up}]
  wild_cards:
    - {id: w1, name: Meteor, description: out of the blue}
"""  # noqa: E501 (the screen line is one flow mapping, as an analyst writes it)


def make_case(root: Path, scenarios: str = VALID, case_yaml: str = CASE_YAML) -> Path:
    folder = root / "tiny"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "case.yaml").write_text(case_yaml, encoding="utf-8")
    (folder / SCENARIOS_FILE).write_text(scenarios, encoding="utf-8")
    return folder


def problems_of(tmp_path: Path, text: str, case_yaml: str = CASE_YAML) -> list[Problem]:
    folder = make_case(tmp_path, text, case_yaml)
    with pytest.raises(ValidationError) as info:
        load_scenarios(folder)
    return info.value.problems


def line_of(text: str, fragment: str, occurrence: int = 1) -> int:
    """1-based line of the n-th line containing ``fragment``."""
    hits = [n for n, line in enumerate(text.splitlines(), start=1) if fragment in line]
    return hits[occurrence - 1]


def only(problems: list[Problem], field: str) -> Problem:
    found = [p for p in problems if p.field == field]
    assert len(found) == 1, f"expected one problem on {field}, got {problems}"
    return found[0]


def test_valid_file_loads(tmp_path: Path) -> None:
    s = load_scenarios(make_case(tmp_path))
    assert (s.case.id, s.case.title, s.case.question) == ("tiny", "Tiny scenario case", "What happens next?")
    assert str(s.case.as_of) == "2023-01-01" and s.case.source_ids == {"src1"} and s.horizon == "one year"
    assert [d.id for d in s.drivers] == ["alpha", "beta", "gamma"]
    assert s.drivers[1].category == "Economic"  # categories match case-insensitively and are normalised
    assert s.futures.quadrant("A high", "B low").name == "Storm"
    assert s.screen[0].drivers == ("beta", "alpha") and s.screen[1].novel is None
    assert [a.flips for a in s.cone.alternatives] == [("alpha",)]
    assert s.cib is None and s.bridge is None


def test_round_trip_is_atomic_and_lossless(tmp_path: Path) -> None:
    folder = make_case(tmp_path)
    first = load_scenarios(folder)
    save_scenarios(first)
    second = load_scenarios(folder)
    assert scenarios_to_data(second) == scenarios_to_data(first)
    assert second == first
    assert [p.name for p in folder.iterdir() if p.name.endswith(".tmp")] == []


def test_save_refuses_an_invalid_object(tmp_path: Path) -> None:
    from dataclasses import replace

    folder = make_case(tmp_path)
    s = load_scenarios(folder)
    broken = replace(s, drivers=(replace(s.drivers[0], impact=9), *s.drivers[1:]))
    before = (folder / SCENARIOS_FILE).read_text()
    with pytest.raises(ValidationError, match="impact"):
        save_scenarios(broken)
    assert (folder / SCENARIOS_FILE).read_text() == before


def test_problem_names_the_file_relative_to_the_working_directory(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    problems = problems_of(tmp_path, VALID.replace("impact: 5", "impact: 6"))
    assert only(problems, "drivers[0].impact").file == "tiny/scenarios.yaml"


@pytest.mark.parametrize(
    ("old", "new", "field", "message", "value", "line_fragment"),
    [
        ("impact: 5", "impact: 6", "drivers[0].impact", "whole number from 1 to 5", 6, "impact: 6"),
        ("uncertainty: 4", "uncertainty: 0", "drivers[0].uncertainty", "whole number from 1 to 5", 0, "uncertainty: 0"),
        ("uncertainty: 4", "uncertainty: high", "drivers[0].uncertainty", "whole number", "high", "uncertainty: high"),
        ("impact: 5", "impact: 4.5", "drivers[0].impact", "whole number", 4.5, "impact: 4.5"),
        (
            "category: Political",
            "category: Military",
            "drivers[0].category",
            "not a STEEP category",
            "Military",
            "category: Military",
        ),
        ("framework: STEEP", "framework: SWOT", "framework", "must be one of STEEP, PMESII", "SWOT", "framework:"),
        ("id: beta", "id: alpha", "drivers[1].id", "duplicate driver id", "alpha", ("id: alpha", 2)),
        ("id: beta", "id: Beta!", "drivers[1].id", "must start with a letter or digit", "Beta!", "id: Beta!"),
        ("[A low, A high]", "[A low, A low]", "drivers[0].end_states", "must differ", "A low", "[A low, A low]"),
        ("[A low, A high]", "[A low, A mid, A high]", "drivers[0].end_states", "exactly two", 3, "A mid"),
        (
            "sources: [src1]",
            "sources: [nowhere]",
            "drivers[0].sources[0]",
            "refers to a source id that is not defined",
            "nowhere",
            "sources: [nowhere]",
        ),
        (
            "    name: Alpha\n",
            "    name: Alpha\n    colour: red\n",
            "drivers[0].colour",
            "unknown field",
            "colour",
            "colour: red",
        ),
        (
            "x_axis: alpha",
            "x_axis: delta",
            "futures.x_axis",
            "refers to a driver id that is not defined",
            "delta",
            "x_axis: delta",
        ),
        ("y_axis: beta", "y_axis: alpha", "futures.y_axis", "must be different drivers", "alpha", "y_axis: alpha"),
        ("y_axis: beta", "y_axis: gamma", "futures.y_axis", "predetermined element", "gamma", "y_axis: gamma"),
        (
            "      y: B high\n      narrative: growth",
            "      y: B higher\n      narrative: growth",
            "futures.quadrants[1].y",
            "not an end state of axis driver 'beta'",
            "B higher",
            "y: B higher",
        ),
        (
            "      indicators: [{id: i2, text: prices rise}]\n",
            "",
            "futures.quadrants[1].indicators",
            "every scenario needs observable indicators",
            None,
            "id: q2",
        ),
        (
            "indicators: [{id: i3, text: protests}]",
            "indicators: []",
            "futures.quadrants[2].indicators",
            "every scenario needs observable indicators",
            None,
            "indicators: []",
        ),
        (
            "{id: i4, text: all of it}",
            "{id: i1, text: all of it}",
            "futures.quadrants[3].indicators[0].id",
            "duplicate indicator id",
            "i1",
            "{id: i1, text: all of it}",
        ),
        ("      narrative: unrest\n", "", "futures.quadrants[2].narrative", "is required", None, "id: q3"),
        (
            "implications: [much]",
            "implications: much",
            "futures.quadrants[1].implications",
            "must be a list",
            "much",
            "implications: much",
        ),
        (
            "independence: different causes",
            "independence: ''",
            "futures.independence",
            "non-empty text",
            "",
            "independence:",
        ),
        (
            "[beta, alpha], states: [B high, A high]",
            "[beta, omega], states: [B high, A high]",
            "multiple.screen[0].drivers[1]",
            "refers to a driver id that is not defined",
            "omega",
            "omega",
        ),
        (
            "states: [A low, G low]",
            "states: [A low, G mid]",
            "multiple.screen[1].states[1]",
            "not an end state of driver 'gamma'",
            "G mid",
            "G mid",
        ),
        (
            "states: [A low, G low], plausible: true",
            "states: [A low, G low], plausible: maybe",
            "multiple.screen[1].plausible",
            "true, false or left out",
            "maybe",
            "plausible: maybe",
        ),
        (", reason: worst case", "", "multiple.screen[0].reason", "needs the reason it was kept", None, "Hot"),
        (
            "plausible: true, consequential: true, novel: true",
            "plausible: false, consequential: true, novel: true",
            "multiple.screen[0].shortlisted",
            "only a quadrant judged plausible",
            False,
            "Hot",
        ),
        (
            "{driver: gamma, state: G high",
            "{driver: gamma, state: G top",
            "cone.assumptions[1].state",
            "not an end state of driver 'gamma'",
            "G top",
            "G top",
        ),
        (
            "{driver: gamma, state: G high",
            "{driver: alpha, state: A high",
            "cone.assumptions[1].driver",
            "one assumption only",
            "alpha",
            "A high, assumption",
        ),
        (
            "flips: [alpha]",
            "flips: [beta]",
            "cone.alternatives[0].flips[0]",
            "no assumption in cone.assumptions",
            "beta",
            "flips: [beta]",
        ),
        (
            "flips: [alpha]",
            "flips: [zeta]",
            "cone.alternatives[0].flips[0]",
            "refers to a driver id that is not defined",
            "zeta",
            "flips: [zeta]",
        ),
        ("flips: [alpha]", "flips: []", "cone.alternatives[0].flips", "at least one assumption", None, "flips: []"),
        (
            "      indicators: [{id: i5, text: alpha up}]\n",
            "",
            "cone.alternatives[0].indicators",
            "every scenario needs observable indicators",
            None,
            "id: alt1",
        ),
        (
            "{id: w1, name: Meteor",
            "{id: base, name: Meteor",
            "cone.wild_cards[0].id",
            "duplicate scenario id",
            "base",
            "Meteor",
        ),
        ("horizon: one year", "horizon: one year\nhorizn: typo", "horizn", "unknown field", "horizn", "horizn"),
    ],
)
def test_bad_input_is_reported_with_location(
    tmp_path: Path, old: str, new: str, field: str, message: str, value: object, line_fragment: str | tuple[str, int]
) -> None:
    assert old in VALID
    text = VALID.replace(old, new, 1)
    problem = only(problems_of(tmp_path, text), field)
    assert message in problem.message
    assert problem.value == value
    fragment, occurrence = line_fragment if isinstance(line_fragment, tuple) else (line_fragment, 1)
    assert problem.line == line_of(text, fragment, occurrence)
    assert problem.file.endswith("tiny/scenarios.yaml")
    assert field in str(problem) and f":{problem.line}:" in str(problem)


def test_quadrants_must_cover_exactly_the_four_combinations(tmp_path: Path) -> None:
    text = VALID.replace("      x: A low\n      y: B high", "      x: A low\n      y: B low")
    problems = problems_of(tmp_path, text)
    assert any(
        p.field == "futures.quadrants[1]"
        and "second quadrant at (A low, B low)" in p.message
        and p.line == line_of(text, "id: q2")
        for p in problems
    )
    gap = only(problems, "futures.quadrants")
    assert "no quadrant for alpha=A low and beta=B high" in gap.message and gap.value == "A low / B high"
    assert gap.line == line_of(text, "quadrants:")


def test_the_same_quadrant_judged_twice_in_either_order(tmp_path: Path) -> None:
    extra = "    - {drivers: [alpha, beta], states: [A high, B high], plausible: true}\n"
    text = VALID.replace("cone:\n", extra + "cone:\n")
    problem = only(problems_of(tmp_path, text), "multiple.screen[2]")
    assert "already judged in multiple.screen[0]" in problem.message
    assert problem.value == "alpha=A high | beta=B high"


def test_all_problems_are_reported_at_once(tmp_path: Path) -> None:
    text = (
        VALID.replace("impact: 5", "impact: 9")
        .replace("category: Social", "category: Weather")
        .replace("flips: [alpha]", "flips: [zeta]")
        .replace("x_axis: alpha", "x_axis: nobody")
    )
    fields = {p.field for p in problems_of(tmp_path, text)}
    assert {"drivers[0].impact", "drivers[2].category", "cone.alternatives[0].flips[0]", "futures.x_axis"} <= fields


def test_drivers_section_is_required(tmp_path: Path) -> None:
    text = "framework: STEEP\n"
    problem = only(problems_of(tmp_path, text), "drivers")
    assert "required" in problem.message and problem.line == 1


def test_not_a_mapping_and_malformed_yaml(tmp_path: Path) -> None:
    problem = only(problems_of(tmp_path, "- just\n- a list\n"), "(top level)")
    assert "mapping of sections" in problem.message and problem.value == "a list"
    problem = only(problems_of(tmp_path, "drivers: [\n  - id: x\n"), "yaml")
    assert "malformed YAML" in problem.message and problem.line is not None


def test_missing_scenarios_file(tmp_path: Path) -> None:
    folder = make_case(tmp_path)
    (folder / SCENARIOS_FILE).unlink()
    with pytest.raises(ValidationError) as info:
        load_scenarios(folder)
    (problem,) = info.value.problems
    assert problem.field == "file" and problem.message == "file not found"
    assert problem.file.endswith("tiny/scenarios.yaml")


def test_case_yaml_problems_are_reported_with_the_scenario_problems(tmp_path: Path) -> None:
    case_yaml = CASE_YAML.replace("as_of: 2023-01-01", "as_of: someday")
    problems = problems_of(tmp_path, VALID.replace("impact: 5", "impact: 0"), case_yaml)
    fields = {(Path(p.file).name, p.field) for p in problems}
    assert ("case.yaml", "as_of") in fields and ("scenarios.yaml", "drivers[0].impact") in fields


def test_bridge_needs_futures_and_cib(tmp_path: Path) -> None:
    text = (
        VALID + "bridge:\n  x: {descriptor: D, variants: {A low: v1, A high: v2}}\n"
        "  y: {descriptor: E, variants: {B low: w1, B high: w2}}\n"
    )
    problem = only(problems_of(tmp_path, text), "bridge")
    assert "needs a cib section" in problem.message and problem.line == line_of(text, "bridge:")


CIB = """\
cib:
  name: tiny model
  descriptors:
    - {name: da, title: Alpha as a descriptor, variants: [lo, hi]}
    - {name: db, variants: [down, up]}
    - {name: dc, variants: [c1, c2, c3]}
  judgments:
    - from: da
      to: dc
      rationale: alpha drives c
      impacts:
        lo: [2, 0, -2]
        hi: [-2, 0, 2]
    - from: db
      to: da
      impacts:
        down: [1, -1]
        up: [-1, 1]
bridge:
  x:
    descriptor: da
    variants: {A low: lo, A high: hi}
  y:
    descriptor: db
    variants: {B low: down, B high: up}
"""


def test_cib_and_bridge_load(tmp_path: Path) -> None:
    s = load_scenarios(make_case(tmp_path, VALID + CIB))
    assert [d.name for d in s.cib.descriptors] == ["da", "db", "dc"]
    assert s.cib.descriptors[0].description == "Alpha as a descriptor"
    assert s.cib.block("da", "dc").tolist() == [[2, 0, -2], [-2, 0, 2]]
    assert s.cib_rationales == {(0, 2): "alpha drives c"}
    assert (s.bridge.x.driver, s.bridge.x.descriptor, dict(s.bridge.x.variants)) == (
        "alpha",
        "da",
        {"A low": "lo", "A high": "hi"},
    )
    assert s.bridge.y.variants["B high"] == "up"


def test_round_trip_with_cib_keeps_the_section_and_writes_changes(tmp_path: Path) -> None:
    from dataclasses import replace

    folder = make_case(tmp_path, VALID + CIB)
    first = load_scenarios(folder)
    save_scenarios(first)
    second = load_scenarios(folder)
    assert second.cib == first.cib and second.cib_rationales == first.cib_rationales and second == first
    judgments = first.cib.judgments.copy()
    judgments[first.cib.variant_index("dc", "c1"), first.cib.variant_index("da", "hi")] = 3
    save_scenarios(replace(first, cib=first.cib.with_judgments(judgments)))
    third = load_scenarios(folder)
    assert third.cib.block("dc", "da").tolist() == [[0, 3], [0, 0], [0, 0]]
    assert third.cib_rationales == {(0, 2): "alpha drives c"}


@pytest.mark.parametrize(
    ("old", "new", "field", "message", "value", "line_fragment"),
    [
        (
            "descriptor: da",
            "descriptor: dz",
            "bridge.x.descriptor",
            "no CIB descriptor with this name",
            "dz",
            "descriptor: dz",
        ),
        (
            "{A low: lo, A high: hi}",
            "{A low: lo, A high: top}",
            "bridge.x.variants.A high",
            "not a variant of descriptor 'da'",
            "top",
            "A high: top",
        ),
        (
            "{A low: lo, A high: hi}",
            "{A low: lo, A top: hi}",
            "bridge.x.variants.A top",
            "not an end state of axis driver 'alpha'",
            "A top",
            "A top: hi",
        ),
        (
            "{B low: down, B high: up}",
            "{B low: down, B high: down}",
            "bridge.y.variants",
            "two end states map to the same variant",
            "down, down",
            "variants: {B low: down, B high: down}",
        ),
        (
            "    descriptor: db\n    variants: {B low: down, B high: up}",
            "    descriptor: da\n    variants: {B low: lo, B high: hi}",
            "bridge.y.descriptor",
            "both axes map to the same descriptor",
            "da",
            ("descriptor: da", 2),
        ),
        ("  y:\n    descriptor: db", "  z:\n    descriptor: db", "bridge.z", "unknown field", "z", "  z:"),
    ],
)
def test_bad_bridge(
    tmp_path: Path, old: str, new: str, field: str, message: str, value: object, line_fragment: str | tuple[str, int]
) -> None:
    text = VALID + CIB
    assert old in CIB
    text = text.replace(old, new, 1)
    problems = problems_of(tmp_path, text)
    problem = only(problems, field)
    assert message in problem.message and problem.value == value
    fragment, occurrence = line_fragment if isinstance(line_fragment, tuple) else (line_fragment, 1)
    assert problem.line == line_of(text, fragment, occurrence)


def test_unmapped_end_state(tmp_path: Path) -> None:
    text = (VALID + CIB).replace("{A low: lo, A high: hi}", "{A low: lo}")
    problems = problems_of(tmp_path, text)
    problem = only(problems, "bridge.x.variants")
    assert "end state 'A high' of 'alpha' is not mapped" in problem.message and problem.value == "A high"


def test_cib_problems_come_with_the_other_problems(tmp_path: Path) -> None:
    text = (VALID + CIB).replace("impact: 5", "impact: 7").replace("to: dc", "to: dq")
    problems = problems_of(tmp_path, text)
    fields = {p.field for p in problems}
    assert "drivers[0].impact" in fields and "cib.judgments[0].to" in fields
    cib_problem = only(problems, "cib.judgments[0].to")
    assert cib_problem.value == "dq" and cib_problem.line == line_of(text, "to: dq")
    assert cib_problem.file.endswith("tiny/scenarios.yaml")


@pytest.mark.parametrize(
    ("old", "new", "field", "message", "value", "line_fragment"),
    [
        # structure of the driver table
        ("    name: Alpha\n", "", "drivers[0].name", "is required", None, "id: alpha"),
        ("impact: 5", "impact: true", "drivers[0].impact", "whole number", True, "impact: true"),
        (
            "  - id: gamma\n",
            "  - just text\n  - id: gamma\n",
            "drivers[2]",
            "must be a mapping",
            "just text",
            "just text",
        ),
        (
            "[A low, A high]",
            "A low or high",
            "drivers[0].end_states",
            "must be a list",
            "A low or high",
            "end_states: A low or high",
        ),
        # the 2x2
        ("    - id: q2\n", "    - id: q1\n", "futures.quadrants[1].id", "duplicate quadrant id", "q1", ("id: q1", 2)),
        (
            "{id: i3, text: protests}",
            "{id: I 3, text: protests}",
            "futures.quadrants[2].indicators[0].id",
            "must start with a letter or digit",
            "I 3",
            "I 3",
        ),
        (
            "{id: i3, text: protests}",
            "just a string",
            "futures.quadrants[2].indicators[0]",
            "must be a mapping",
            "just a string",
            "just a string",
        ),
        (
            "  quadrants:\n    - id: q1",
            "  quadrantz:\n    - id: q1",
            "futures.quadrantz",
            "unknown field",
            "quadrantz",
            "quadrantz:",
        ),
        # the screen
        (
            "[beta, alpha], states: [B high, A high]",
            "[alpha, alpha], states: [A high, A high]",
            "multiple.screen[0].drivers",
            "must differ",
            "alpha",
            "[alpha, alpha]",
        ),
        (
            "drivers: [alpha, gamma], states: [A low, G low]",
            "drivers: [alpha, gamma], states: [A low]",
            "multiple.screen[1]",
            "exactly two drivers and one end state of each",
            "2 drivers, 1 states",
            "states: [A low]",
        ),
        (", name: Hot", "", "multiple.screen[0].name", "needs a name", None, "worst case"),
        ("  screen:\n", "  screens:\n", "multiple.screens", "unknown field", "screens", "screens:"),
        # the cone
        ("  baseline: {id: base, name: Base, narrative: as now}\n", "", "cone.baseline", "is required", None, "cone:"),
        (
            "{id: base, name: Base, narrative: as now}",
            "{id: base, name: Base}",
            "cone.baseline.narrative",
            "is required",
            None,
            "baseline:",
        ),
        (
            "flips: [alpha]",
            "flips: [alpha, alpha]",
            "cone.alternatives[0].flips[1]",
            "flipped twice",
            "alpha",
            "flips: [alpha, alpha]",
        ),
        (
            "      name: Alpha rises\n",
            "      name: Alpha rises\n      colour: blue\n",
            "cone.alternatives[0].colour",
            "unknown field",
            "colour",
            "colour: blue",
        ),
        (
            "{id: w1, name: Meteor, description: out of the blue}",
            "{id: w1, name: Meteor}",
            "cone.wild_cards[0].description",
            "is required",
            None,
            "Meteor",
        ),
        (
            "  assumptions:\n    - {driver: alpha, state: A low, assumption: alpha stays low}\n"
            "    - {driver: gamma, state: G high, assumption: gamma stays high}\n",
            "  assumptions: []\n",
            "cone.assumptions",
            "empty",
            None,
            "assumptions: []",
        ),
    ],
)
def test_more_bad_input(
    tmp_path: Path, old: str, new: str, field: str, message: str, value: object, line_fragment: str | tuple[str, int]
) -> None:
    assert old in VALID
    text = VALID.replace(old, new, 1)
    problem = only(problems_of(tmp_path, text), field)
    assert message in problem.message
    assert problem.value == value
    fragment, occurrence = line_fragment if isinstance(line_fragment, tuple) else (line_fragment, 1)
    assert problem.line == line_of(text, fragment, occurrence)


def test_same_flips_twice(tmp_path: Path) -> None:
    extra = (
        "    - id: alt2\n      name: Alpha again\n      flips: [alpha]\n      narrative: again\n"
        "      indicators: [{id: i6, text: again}]\n"
    )
    text = VALID.replace("  wild_cards:\n", extra + "  wild_cards:\n")
    problem = only(problems_of(tmp_path, text), "cone.alternatives[1].flips")
    assert "same flips as cone.alternatives[0]" in problem.message and problem.value == "alpha"
    assert problem.line == line_of(text, "flips: [alpha]", 2)


def test_sections_of_the_wrong_shape(tmp_path: Path) -> None:
    text = "framework: PMESII\ndrivers: {id: x}\nfutures: [a, b]\nmultiple: yes\ncone: 3\n"
    problems = problems_of(tmp_path, text)
    got = {(p.field, p.message.split(" of field")[0], p.line) for p in problems}
    assert ("drivers", "must be a list", 2) in got
    assert ("futures", "must be a mapping", 3) in got
    assert ("multiple", "must be a mapping", 4) in got
    assert ("cone", "must be a mapping", 5) in got


def test_empty_driver_table(tmp_path: Path) -> None:
    problem = only(problems_of(tmp_path, "framework: STEEP\ndrivers: []\n"), "drivers")
    assert problem.message == "the driver table is empty" and problem.line == 2


@pytest.mark.parametrize(
    ("old", "new", "field", "message", "value", "line_fragment"),
    [
        (
            "  x:\n    descriptor: da\n    variants: {A low: lo, A high: hi}\n",
            "",
            "bridge.x",
            "is required",
            None,
            "bridge:",
        ),
        ("    variants: {A low: lo, A high: hi}\n", "", "bridge.x.variants", "is required", None, "  x:"),
        (
            "{A low: lo, A high: hi}",
            "[lo, hi]",
            "bridge.x.variants",
            "must be a mapping",
            "a list",
            "variants: [lo, hi]",
        ),
        (
            "{A low: lo, A high: hi}",
            "{A low: lo, A high: 3}",
            "bridge.x.variants.A high",
            "must name a variant",
            3,
            "variants: {A low: lo, A high: 3}",
        ),
    ],
)
def test_more_bad_bridges(
    tmp_path: Path, old: str, new: str, field: str, message: str, value: object, line_fragment: str
) -> None:
    assert old in CIB
    text = (VALID + CIB).replace(old, new, 1)
    problem = only(problems_of(tmp_path, text), field)
    assert message in problem.message and problem.value == value
    assert (
        problem.line
        == [
            n
            for n, line in enumerate(text.splitlines(), 1)
            if line.startswith(line_fragment) or line.strip().startswith(line_fragment)
        ][-1]
    )

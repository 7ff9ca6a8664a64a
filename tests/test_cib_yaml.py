"""The cib: section of scenarios.yaml: reading, writing back, ensembles, and every validation message."""

from __future__ import annotations

import textwrap

import numpy as np
import pytest

from sat.errors import ValidationError
from sat.scenarios.cib import CIBMatrix, Descriptor
from sat.scenarios.cib.file import (
    cib_ensemble_from_yaml,
    cib_ensemble_to_yaml,
    cib_from_yaml,
    cib_to_yaml,
    load_cib,
    load_cib_section,
    read_cib_section,
)
from sat.scenarios.scw import write_scw
from sat.yamlio import dump_yaml, loads_yaml

GOOD = """\
cib:
  name: Syria test
  descriptors:
    - name: russian_commitment
      title: Russia's military commitment in Syria
      variants: [sustained, reduced]
    - name: israel_campaign
      variants: [contained, escalating, halted]
  judgments:
    - from: russian_commitment
      to: israel_campaign
      rationale: Moscow restrains escalation while it stays.
      impacts:
        sustained: [2, -1, -1]
        reduced: [-1, 2, -1]
    - from: israel_campaign
      to: russian_commitment
      impacts:
        contained: [1, -1]
        escalating: [-1, 1]
        halted: [0.5, -0.5]
  experts:
    - name: analyst_b
      judgments:
        - from: russian_commitment
          to: israel_campaign
          impacts:
            sustained: [1, 0, -1]
            reduced: [0, 0, 0]
"""


def section(text: str):
    return loads_yaml(textwrap.dedent(text), "s.yaml")["cib"]


def problems(text: str) -> list[str]:
    with pytest.raises(ValidationError) as excinfo:
        cib_from_yaml(section(text), "s.yaml")
    return [str(p) for p in excinfo.value.problems]


def test_read_good_section():
    parsed = read_cib_section(section(GOOD), "s.yaml")
    m = parsed.matrix
    assert m.name == "Syria test"
    assert m.descriptors[0] == Descriptor(
        "russian_commitment", ("sustained", "reduced"), "Russia's military commitment in Syria"
    )
    assert m.block("russian_commitment", "israel_campaign").tolist() == [[2, -1, -1], [-1, 2, -1]]
    assert m.block(1, 0).tolist() == [[1, -1], [-1, 1], [0.5, -0.5]]
    assert parsed.rationales == {(0, 1): "Moscow restrains escalation while it stays."}
    expert = parsed.experts[0]
    assert expert.name == "analyst_b" and expert.descriptors == m.descriptors
    assert expert.block(0, 1).tolist() == [[1, 0, -1], [0, 0, 0]]
    assert expert.block(1, 0).tolist() == [[0, 0], [0, 0], [0, 0]]  # pairs left out mean no impact
    assert [x.name for x in cib_ensemble_from_yaml(section(GOOD), "s.yaml")] == ["Syria test", "analyst_b"]


def test_write_and_read_back():
    parsed = read_cib_section(section(GOOD), "s.yaml")
    data = cib_to_yaml(parsed.matrix, parsed.rationales)
    again = read_cib_section(loads_yaml(dump_yaml({"cib": data}), "t.yaml")["cib"], "t.yaml")
    assert again.matrix == parsed.matrix and again.rationales == parsed.rationales
    assert data["judgments"][1]["impacts"]["halted"] == [0.5, -0.5]
    assert data["judgments"][0]["impacts"]["sustained"] == [2, -1, -1]
    assert isinstance(data["judgments"][0]["impacts"]["sustained"][0], int)
    both = cib_ensemble_to_yaml(parsed.ensemble)
    again = cib_ensemble_from_yaml(loads_yaml(dump_yaml({"cib": both}), "t.yaml")["cib"], "t.yaml")
    assert again == parsed.ensemble


def test_self_impacts_cannot_be_written():
    ds = (Descriptor("A", ("a", "b")),)
    with pytest.raises(ValueError, match="self-impacts"):
        cib_to_yaml(CIBMatrix(ds, np.eye(2)))


def test_every_problem_is_reported_with_line_field_and_value():
    text = """\
    cib:
      colour: blue
      descriptors:
        - name: a
          variants: [x, y]
        - name: b
          variants: [p, p]
        - name: a
          variants: [m, n]
        - variants: [u]
        - name: c
          variants: []
          note: hi
        - name: d
          variants: [d1, d2]
      judgments:
        - from: a
          to: zz
          impacts: {x: [1], y: [1]}
        - from: a
          to: a
          impacts: {x: [1, 2], y: [1, 2]}
        - from: a
          to: d
          impacts:
            x: [1, two]
            w: [1, 1]
        - from: a
          to: d
          impacts: {x: [0, 0], y: [0, 0]}
        - from: d
          to: a
          impacts:
            d1: [1, 2, 3]
            d2: [.nan, true]
        - from: b
          to: a
          impacts: {p: [1, 1]}
        - to: a
          rationale: [not, text]
          impacts: nope
    """
    assert problems(text) == [
        "s.yaml:2: cib.colour: unknown field (expected one of: name, descriptors, judgments, experts) "
        "(value: 'colour')",
        "s.yaml:7: cib.descriptors[1].variants[1]: duplicate variant name (value: 'p')",
        "s.yaml:8: cib.descriptors[2].name: duplicate descriptor name (value: 'a')",
        "s.yaml:10: cib.descriptors[3].name: is required: a short name",
        "s.yaml:13: cib.descriptors[4].note: unknown field (expected one of: name, title, variants) (value: 'note')",
        "s.yaml:12: cib.descriptors[4].variants: is required: a non-empty list of variant names (value: 'a list')",
        "s.yaml:18: cib.judgments[0].to: refers to a descriptor id that is not defined (value: 'zz')",
        "s.yaml:21: cib.judgments[1]: a section from a descriptor to itself is not allowed (value: 'a')",
        "s.yaml:26: cib.judgments[2].impacts.x[1]: must be a number (value: 'two')",
        "s.yaml:27: cib.judgments[2].impacts.w: unknown variant of a (value: 'w')",
        "s.yaml:25: cib.judgments[2].impacts: missing rows for variants of a (value: 'y')",
        "s.yaml:28: cib.judgments[3]: duplicate section (first at cib.judgments[2]) (value: 'a -> d')",
        "s.yaml:34: cib.judgments[4].impacts.d1: must list 2 numbers, one per variant of a (x, y) (value: 3)",
        "s.yaml:35: cib.judgments[4].impacts.d2[0]: must be a number (value: nan)",
        "s.yaml:35: cib.judgments[4].impacts.d2[1]: must be a number (value: True)",
        "s.yaml:39: cib.judgments[6].from: is required: a descriptor name",
        "s.yaml:40: cib.judgments[6].rationale: must be text (value: 'a list')",
    ]


def test_expert_problems():
    text = """\
    cib:
      descriptors:
        - {name: a, variants: [x, y]}
        - {name: b, variants: [p, q]}
      experts:
        - name: e1
          judgments: [{from: a, to: b, impacts: {x: [1, 1]}}]
        - name: e1
          judgments: {}
        - judgments: []
        - just text
    """
    assert problems(text) == [
        "s.yaml:7: cib.experts[0].judgments[0].impacts: missing rows for variants of a (value: 'y')",
        "s.yaml:8: cib.experts[1].name: duplicate expert name (value: 'e1')",
        "s.yaml:9: cib.experts[1].judgments: must be a list of judgment sections (value: 'a mapping')",
        "s.yaml:10: cib.experts[2].name: is required: the expert's name",
        "s.yaml:11: cib.experts[3]: must be a mapping with name and judgments (value: 'just text')",
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("cib: [1, 2]\n", ["s.yaml:1: cib: must be a mapping with descriptors and judgments (value: 'a list')"]),
        (
            "cib:\n  name: 3\n  descriptors: []\n",
            [
                "s.yaml:2: cib.name: must be text (value: 3)",
                "s.yaml:3: cib.descriptors: is required: a non-empty list of {name, title, variants} (value: 'a list')",
            ],
        ),
        (
            "cib:\n  descriptors:\n    - {name: a, title: [t], variants: [x, '']}\n    - 5\n",
            [
                "s.yaml:3: cib.descriptors[0].title: must be text (value: 'a list')",
                "s.yaml:3: cib.descriptors[0].variants[1]: must be a non-empty name (value: '')",
                "s.yaml:4: cib.descriptors[1]: must be a mapping with name and variants (value: 5)",
            ],
        ),
        (
            "cib:\n  descriptors: [{name: a, variants: [x]}]\n  judgments: {a: b}\n  experts: 7\n",
            [
                "s.yaml:3: cib.judgments: must be a list of judgment sections (value: 'a mapping')",
                "s.yaml:4: cib.experts: must be a list of {name, judgments} (value: 7)",
            ],
        ),
        (
            "cib:\n  descriptors: [{name: a, variants: [x]}, {name: b, variants: [y]}]\n"
            "  judgments: [{from: a, to: b}, 3, {from: [a], to: b, impacts: {x: [1]}, why: no}]\n",
            [
                "s.yaml:3: cib.judgments[0].impacts: is required: one row per variant of a",
                "s.yaml:3: cib.judgments[1]: must be a mapping with from, to and impacts (value: 3)",
                "s.yaml:3: cib.judgments[2].why: unknown field (expected one of: from, to, rationale, impacts) "
                "(value: 'why')",
                "s.yaml:3: cib.judgments[2].from: must be a descriptor name (value: 'a list')",
            ],
        ),
    ],
)
def test_small_bad_sections(text, expected):
    with pytest.raises(ValidationError) as excinfo:
        cib_from_yaml(loads_yaml(text, "s.yaml")["cib"], "s.yaml")
    assert [str(p) for p in excinfo.value.problems] == expected


def test_plain_dicts_work_without_line_numbers():
    data = {
        "descriptors": [{"name": "a", "variants": ["x", "y"]}, {"name": "b", "variants": ["p"]}],
        "judgments": [{"from": "b", "to": "a", "impacts": {"p": [1, "no"]}}],
    }
    with pytest.raises(ValidationError) as excinfo:
        cib_from_yaml(data, "data")
    assert [str(p) for p in excinfo.value.problems] == [
        "data: cib.judgments[0].impacts.p[1]: must be a number (value: 'no')"
    ]


# -- loading from a path --------------------------------------------------------------------------------------------
def test_load_from_yaml_and_scw(tmp_path):
    (tmp_path / "scenarios.yaml").write_text("horizon: 2025\n" + GOOD)
    m = load_cib(tmp_path / "scenarios.yaml")
    assert m.name == "Syria test"
    write_scw(tmp_path / "m.scw", m)
    assert load_cib(tmp_path / "m.scw") == m
    assert len(load_cib_section(tmp_path / "scenarios.yaml").ensemble) == 2


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        ("x.yaml", "horizon: 2025\n", "x.yaml:1: cib: no cib: section in this file"),
        ("x.yml", "- 1\n", "x.yml:1: cib: no cib: section in this file"),
        ("x.txt", "", "x.txt: file: unsupported file type: use a .scw project or a .yaml file (value: '.txt')"),
        (
            "x.yaml",
            "cib: [\n",
            "x.yaml:2: yaml: malformed YAML: did not find expected node content (near the field 'cib')",
        ),
    ],
)
def test_load_errors(tmp_path, name, content, expected):
    (tmp_path / name).write_text(content)
    with pytest.raises(ValidationError) as excinfo:
        load_cib(tmp_path / name, shown_as=name)
    assert [str(p) for p in excinfo.value.problems] == [expected]

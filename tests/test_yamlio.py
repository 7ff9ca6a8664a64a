"""The YAML reader: the fast event-based path must give exactly what PyYAML's safe loader (with line tracking)
gives, and fall back to it for everything it does not handle itself."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
import yaml

from sat.errors import ValidationError
from sat.yamlio import LineDict, LineList, _Fallback, _fast_load, _Loader, dump_yaml, line_of, loads_yaml, own_line

ROOT = Path(__file__).resolve().parents[1]

TRICKY = [
    "'<<': a quoted merge-looking key is plain text\n",
    "a: 1\nb: -2.5e3\nc: .inf\nd: 0x1F\ne: 0o17\nf: 1_000\ng: 1:20\n",
    "yes_no: [yes, No, on, OFF, y, n, true, False]\n",
    "nulls: [~, null, Null, '', \"\", ]\nempty:\n",
    "when: 2022-06-05\nstamp: 2022-06-05 10:30:00\nzoned: 2022-06-05T10:30:00+02:00\nnot_date: 2022-6-5x\n",
    "quoted: ['1', \"2\", 'yes', \"null\", '2022-06-05']\nplain: 12abc\n",
    "text: |\n  two\n  lines\nfolded: >\n  one\n  line\n",
    "- a\n- [b, c]\n- {d: e, f: [g]}\n- - nested\n  - list\n",
    "top:\n  - id: E1\n    sources: [S1, S2]\n  - id: E2\n    notes: |\n      more\n",
    'unicode: "Ḥizbullāh ← \'Karish\'"\nkey with spaces: "value with: colon"\n',
    "7: int key\n2022-01-01: date key\ntrue: bool key\n~: null key\n1.5: float key\n",
    "just a scalar\n",
    "",
    "# only a comment\n",
    "bang: ! 12\n",
    "explicit: !!str 123\n",
    "? [complex]\n: key\n",
    "=: value tag\n",
]


def _same(fast: Any, full: Any) -> None:
    """Equal values, equal types, equal line maps, all the way down."""
    assert type(fast) is type(full), (fast, full)
    if isinstance(full, LineDict):
        assert fast.line == full.line and fast.lines == full.lines
        assert list(fast) == list(full)
        for key in full:
            _same(fast[key], full[key])
    elif isinstance(full, LineList):
        assert fast.line == full.line and fast.lines == full.lines
        assert len(fast) == len(full)
        for a, b in zip(fast, full):
            _same(a, b)
    else:
        assert fast == full or (fast != fast and full != full)  # NaN equals itself here


def _full(text: str) -> Any:
    return yaml.load(text, Loader=_Loader)


@pytest.mark.parametrize("text", TRICKY[:15])
def test_fast_path_matches_the_full_loader(text: str) -> None:
    _same(_fast_load(text), _full(text))


@pytest.mark.parametrize("text", TRICKY[15:])
def test_anchors_tags_merge_and_complex_keys_go_to_the_full_loader(text: str) -> None:
    with pytest.raises(_Fallback):
        _fast_load(text)
    try:
        expected = _full(text)
    except yaml.YAMLError:
        with pytest.raises(ValidationError):
            loads_yaml(text, "t.yaml")
    else:
        _same(loads_yaml(text, "t.yaml"), expected)


REFUSED = [
    ("anchor: &a {x: 1}\nalias: *a\n", 1, "anchor", "anchors and aliases"),
    ("base: &b {x: 1}\nderived:\n  <<: *b\n  y: 2\n", 1, "base", "anchors and aliases"),
    ("a: 1\nb: !!int abc\n", 2, "b", "explicit YAML tags"),
    ("when: !!timestamp garbage\n", 1, "when", "explicit YAML tags"),
    ("x: !!seq {a: 1}\n", 1, "x", "explicit YAML tags"),
    ("x: !!python/object:os.system ls\n", 1, "x", "explicit YAML tags"),
    ("x: " + "[" * 70 + "]" * 70 + "\n", 1, "x", "levels deep"),
]


@pytest.mark.parametrize(("text", "line", "field", "message"), REFUSED)
def test_aliases_tags_and_deep_nesting_are_refused_before_anything_is_built(
    text: str, line: int, field: str, message: str
) -> None:
    with pytest.raises(ValidationError) as caught:
        loads_yaml(text, "t.yaml")
    (problem,) = caught.value.problems
    assert (problem.file, problem.line, problem.field) == ("t.yaml", line, field)
    assert message in problem.message and problem.code in ("syntax", "limit")


def _bundled_yaml() -> list[str]:
    """Every YAML file in a folder of the repository, outside virtual environments (.venv is not walked)."""
    tops = [top for top in ROOT.iterdir() if top.is_dir() and top.name != ".venv"]
    return sorted(
        p.relative_to(ROOT).as_posix() for top in tops for p in top.glob("**/*.yaml") if ".venv" not in p.parts
    )


@pytest.mark.parametrize("path", _bundled_yaml())
def test_fast_path_matches_on_every_bundled_file(path: str) -> None:
    text = (ROOT / path).read_text(encoding="utf-8")
    _same(_fast_load(text), _full(text))


def test_round_trip_of_written_yaml_keeps_types() -> None:
    data = {
        "id": "x",
        "as_of": dt.date(2022, 11, 15),
        "n": 3,
        "p": 0.25,
        "flag": False,
        "none": None,
        "items": [{"id": "E1", "text": "a\nb"}, "yes", "1.5"],
    }
    _same(_fast_load(dump_yaml(data)), _full(dump_yaml(data)))
    assert loads_yaml(dump_yaml(data), "t.yaml") == data


def test_duplicate_key_is_reported_with_its_line() -> None:
    with pytest.raises(ValidationError) as caught:
        loads_yaml("a: 1\nb: 2\na: 3\n", "case.yaml")
    problem = caught.value.problems[0]
    assert (problem.file, problem.line) == ("case.yaml", 3) and "duplicate key 'a'" in problem.message


@pytest.mark.parametrize(("text", "line"), [("a: 1\nas_of: 2024-13-45\n", 2), ("when: 2023-02-30 10:00:00\n", 1)])
def test_impossible_date_is_a_yaml_problem_not_a_crash(text: str, line: int) -> None:
    with pytest.raises(ValidationError) as caught:
        loads_yaml(text, "case.yaml")
    problem = caught.value.problems[0]
    assert problem.line == line and "is not a real date" in problem.message


def test_second_document_is_refused() -> None:
    with pytest.raises(ValidationError) as caught:
        loads_yaml("a: 1\n---\nb: 2\n", "case.yaml")
    assert caught.value.problems[0].line == 2  # the second '---'


def test_syntax_error_names_the_line() -> None:
    with pytest.raises(ValidationError) as caught:
        loads_yaml("a: 1\nb: [2, 3\nc: 4\n", "case.yaml")
    assert caught.value.problems[0].line is not None


def test_line_of_and_own_line_for_loaded_and_plain_data() -> None:
    data = loads_yaml("title: x\nitems:\n  - a\n  - {id: b}\n", "t.yaml")
    assert line_of(data, "items") == 2 and line_of(data["items"], 1) == 4 and own_line(data["items"][1]) == 4
    assert line_of(data["items"], "id") is None  # a list has no keys
    assert line_of({"title": "x"}, "title") is None and own_line({"title": "x"}) is None  # a form's plain dict

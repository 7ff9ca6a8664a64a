"""Every free-text field of the training files (exercise, key, case of an exercise, question bank, forecasts) goes
through the same escaping test as the reports: a payload in the field never becomes live markup in the feedback
pages, the class view or the gradebook, and never reaches matplotlib as mathtext.

For each field, each payload is written into a copy of the files, the class is graded with ``sat grade --out``,
and every page is parsed: no element or attribute that can run script, no ``javascript:`` link, and the payload's
visible text present (escaped) where the field is shown.
"""

from __future__ import annotations

import contextlib
import html
import io
import shutil
from html.parser import HTMLParser
from pathlib import Path

import pytest
import yaml

from sat.cli import main
from sat.training import load_exercise
from sat.training.calibration import load_bank
from sat.training.simulate import write_simulated_drill

ROOT = Path(__file__).resolve().parents[2]
TRAINING = ROOT / "tests" / "fixtures" / "training"
PAYLOADS = [
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "<svg onload=alert(1)>",
    '<a href="javascript:alert(1)">x</a>',
    "$\\x$ and $\\frac{",
]
LIVE_TAGS = {"script", "img", "iframe", "object", "embed", "a", "form", "input", "link", "meta", "base"}


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.bad: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in LIVE_TAGS - {"meta"} or (tag == "meta" and any(k == "http-equiv" for k, _ in attrs)):
            self.bad.append(tag)
        for name, value in attrs:
            if name.startswith("on") or (value or "").strip().lower().startswith("javascript:"):
                self.bad.append(f"{tag} {name}={value}")


def _live_markup(page: str) -> list[str]:
    parser = _Tags()
    parser.feed(page)
    return parser.bad


def _grade(exercise: Path | str, submissions: Path, out: Path) -> None:
    err = io.StringIO()
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
        status = main(["grade", str(exercise), str(submissions), "--out", str(out)])
    assert status == 0, err.getvalue()


def _pages(out: Path) -> dict[str, str]:
    return {p.relative_to(out).as_posix(): p.read_text() for p in out.rglob("*.html")}


def _set(path: Path, keys: list[str | int], value: str) -> None:
    data = yaml.safe_load(path.read_text())
    node = data
    for key in keys[:-1]:
        node = node[key]
    node[keys[-1]] = value
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False))


ACH_FIELDS = [
    ("exercise.yaml", ["title"]),
    ("case/case.yaml", ["title"]),
    ("case/case.yaml", ["question"]),
    ("case/case.yaml", ["hypotheses", 0, "title"]),
    ("case/case.yaml", ["hypotheses", 1, "title"]),
    ("case/case.yaml", ["evidence", 0, "summary"]),
    ("key.yaml", ["cells", "E1", "H2", "why"]),
]


@pytest.mark.parametrize("payload", PAYLOADS)
def test_ach_exercise_fields_never_become_live_markup(tmp_path, payload):
    exercise = tmp_path / "tiny-ach"
    shutil.copytree(TRAINING / "tiny-ach", exercise)
    for n, (file, keys) in enumerate(ACH_FIELDS):
        _set(exercise / file, keys, f"Field{n} {payload} end")
    _grade(exercise, TRAINING / "class", tmp_path / "out")
    pages = _pages(tmp_path / "out")
    assert set(pages) == {"class.html", "feedback/ana.html"}
    for name, page in pages.items():
        assert _live_markup(page) == [], name
    shown = "".join(pages.values())
    for n in (0, 3, 6):  # the exercise title, a hypothesis title and the key's why: shown, as text
        assert f"Field{n} {html.escape(payload)} end" in shown, n
    assert "=cmd" not in (tmp_path / "out" / "gradebook.csv").read_text()


@pytest.fixture(scope="module")
def drill_class(tmp_path_factory) -> Path:
    bank = load_bank(load_exercise("calibration-2023").key_path)
    return write_simulated_drill(bank, tmp_path_factory.mktemp("drill") / "class", trainees=3, seed=1)


DRILL_FIELDS = [
    ("exercise.yaml", ["title"]),
    ("questions.yaml", ["title"]),
    ("questions.yaml", ["questions", 0, "text"]),
    ("questions.yaml", ["questions", 0, "note"]),
]


@pytest.mark.parametrize("payload", PAYLOADS)
def test_calibration_drill_fields_never_become_live_markup(tmp_path, drill_class, payload):
    exercise = tmp_path / "calibration-2023"
    shutil.copytree(load_exercise("calibration-2023").folder, exercise)
    for n, (file, keys) in enumerate(DRILL_FIELDS):
        _set(exercise / file, keys, f"Field{n} {payload} end")
    _grade(exercise, drill_class, tmp_path / "out")
    pages = _pages(tmp_path / "out")
    assert "class.html" in pages and len(pages) == 4
    for name, page in pages.items():
        assert _live_markup(page) == [], name
    shown = "".join(pages.values())
    for n in (0, 2):  # the drill's title and a question's text: shown, as text
        assert f"Field{n} {html.escape(payload)} end" in shown, n

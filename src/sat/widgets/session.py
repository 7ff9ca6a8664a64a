"""One analyst editing one case folder: every change validated and written through the data layer as it happens.

Ratings go to ``ratings/<analyst>.csv`` and structure to ``case.yaml``, each write atomic
(:mod:`sat.fileio`), each guarded against files changed on disk behind the editor's back (:mod:`.guard`).
A structural removal rewrites the affected ratings and rationale files first and ``case.yaml`` last, so the folder
is a valid case after every single write: a kill between two writes can lose only the removal in flight.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from .. import edits, store
from ..errors import Problem, ValidationError
from ..model import RATING_CODES, UNRATED, Case
from ..paths import ANALYST_NAME, CASE_FILE, cases_dir
from .guard import FileGuard

#: Form fields that may be left empty (they are then left out, as in a hand-written case.yaml).
OPTIONAL_EMPTY: tuple[object, ...] = ("", None, [], ())


def check_analyst(analyst: str) -> list[Problem]:
    """The data layer's rule for analyst names (they become file names)."""
    if ANALYST_NAME.match(analyst or ""):
        return []
    return [
        Problem(
            f"{store.RATINGS_DIR}/{analyst}.csv",
            "analyst",
            "analyst names use only letters, digits, '-' and '_'",
            analyst,
            code="id",
        )
    ]


def form_data(fields: Mapping[str, Any], required: tuple[str, ...]) -> dict[str, Any]:
    """A form's values as a case.yaml mapping: empty optional fields left out, required ones kept for the message."""
    return {k: v for k, v in fields.items() if k in required or v not in OPTIONAL_EMPTY}


class EditSession:
    """A loaded case, the analyst editing it, and the on-disk versions this editor knows."""

    def __init__(self, case: Case, analyst: str):
        problems = check_analyst(analyst)
        if problems:
            raise ValidationError(problems)
        if case.folder is None:
            raise ValueError("an editing session needs a case loaded from a folder")
        self.case = case
        self.analyst = analyst
        self.guard = FileGuard()
        self.guard.remember(self._known_files())

    @classmethod
    def open(cls, case: str | Path, analyst: str) -> EditSession:
        """Load a case (id or folder) through the data layer and start editing it as ``analyst``."""
        return cls(store.load_case(case), analyst)

    # --- where things are ---------------------------------------------------------------------------------------

    @property
    def folder(self) -> Path:
        assert self.case.folder is not None
        return self.case.folder

    @property
    def case_file(self) -> Path:
        return self.folder / CASE_FILE

    def ratings_path(self, analyst: str | None = None) -> Path:
        return self.folder / store.RATINGS_DIR / f"{analyst or self.analyst}.csv"

    def notes_path(self, analyst: str) -> Path:
        return self.folder / store.RATINGS_DIR / f"{analyst}{store.NOTES_SUFFIX}"

    def _known_files(self) -> list[Path]:
        ratings = sorted((self.folder / store.RATINGS_DIR).glob("*.csv"))
        return [self.case_file, self.ratings_path(), *ratings]

    # --- state --------------------------------------------------------------------------------------------------

    @property
    def matrix(self) -> pd.DataFrame:
        """This analyst's ratings aligned to the case (all unrated before the first rating is saved)."""
        if self.analyst in self.case.ratings:
            return self.case.matrix(self.analyst)
        return self.case.empty_matrix()

    @property
    def others(self) -> list[str]:
        """The other analysts who have a ratings file."""
        return [a for a in self.case.analysts if a != self.analyst]

    def external_changes(self) -> list[Path]:
        """Files of this case changed on disk since this editor loaded or wrote them."""
        return self.guard.changed(self._known_files())

    def reload(self) -> None:
        """Read the case again from disk (after an external change); raises ValidationError if it is now invalid."""
        self.case = store.load_case(self.folder)
        self.guard.forget_all()
        self.guard.remember(self._known_files())

    # --- ratings ------------------------------------------------------------------------------------------------

    def set_rating(self, evidence_id: str, hypothesis_id: str, code: str) -> Path:
        """Rate one cell (``""`` clears it) and write this analyst's ratings file; return its path."""
        code = store.normalise_code(code)
        file = f"{store.RATINGS_DIR}/{self.analyst}.csv"
        if code not in RATING_CODES and code != UNRATED:
            raise ValidationError(
                [
                    Problem(
                        file,
                        hypothesis_id,
                        f"unknown rating code for {evidence_id} (expected one of: {', '.join(RATING_CODES)}, or empty)",
                        code,
                        code="choice",
                    )
                ]
            )
        if evidence_id not in self.case.evidence_ids or hypothesis_id not in self.case.hypothesis_ids:
            raise ValidationError(
                [
                    Problem(
                        file,
                        "cell",
                        "no such evidence item or hypothesis in the case",
                        f"{evidence_id} / {hypothesis_id}",
                        code="reference",
                    )
                ]
            )
        path = self.ratings_path()
        self.guard.check([self.case_file, path])
        matrix = self.matrix.copy()
        matrix.loc[evidence_id, hypothesis_id] = code
        store.save_ratings(self.case, self.analyst, matrix)
        self.guard.remember([path])
        return path

    def rationale(self, evidence_id: str, hypothesis_id: str, analyst: str | None = None) -> str:
        """The written reason of ``analyst`` (this one by default) for rating a cell, or ``""``."""
        return edits.rationale_of(self.case, analyst or self.analyst, evidence_id, hypothesis_id)

    def set_rationale(self, evidence_id: str, hypothesis_id: str, text: str) -> Path:
        """Write why this analyst rated a cell as they did (empty text removes it) to
        ``ratings/<analyst>.notes.csv`` through the store; return its path. The report's "why" table reads it."""
        file = f"{store.RATINGS_DIR}/{self.analyst}{store.NOTES_SUFFIX}"
        if evidence_id not in self.case.evidence_ids or hypothesis_id not in self.case.hypothesis_ids:
            raise ValidationError(
                [
                    Problem(
                        file,
                        "cell",
                        "no such evidence item or hypothesis in the case",
                        f"{evidence_id} / {hypothesis_id}",
                        code="reference",
                    )
                ]
            )
        path, ratings = self.notes_path(self.analyst), self.ratings_path()
        self.guard.check([self.case_file, ratings, path])
        new = edits.with_rationale(self.case, self.analyst, evidence_id, hypothesis_id, text)
        if self.analyst not in self.case.ratings:  # a rationale file needs its ratings file, even an empty one
            store.save_ratings(new, self.analyst, self.matrix)
        store.save_rationale(new, self.analyst, new.rationale[self.analyst])
        self.case = new
        self.guard.remember([ratings, path])
        return path

    # --- structure ----------------------------------------------------------------------------------------------

    def _file(self) -> str:
        return f"{self.case.id}/{CASE_FILE}"

    def _put(
        self,
        fields: Mapping[str, Any],
        original_id: str | None,
        key: str,
        parse: Callable[..., tuple[Any, list[Problem]]],
        attach: Callable[[Case, Any, str | None], Case],
        required: tuple[str, ...],
    ) -> list[Problem]:
        items = getattr(self.case, key)
        ids = [i.id for i in items]
        index = ids.index(original_id) if original_id in ids else len(ids)
        item, problems = parse(form_data(fields, required), self._file(), f"{key}[{index}]")
        if item is None:
            return problems
        if original_id is not None and item.id != original_id:
            return [
                Problem(
                    self._file(),
                    f"{key}[{index}].id",
                    "ids cannot be changed once given (remove the item and add a new one)",
                    item.id,
                    code="id",
                )
            ]
        return self._commit(attach(self.case, item, original_id))

    def put_hypothesis(self, fields: Mapping[str, Any], original_id: str | None = None) -> list[Problem]:
        """Add a hypothesis (``original_id`` None) or replace one; return the data layer's problems (empty = saved)."""
        return self._put(
            fields, original_id, "hypotheses", store.parse_hypothesis, edits.with_hypothesis, ("id", "title")
        )

    def put_evidence(self, fields: Mapping[str, Any], original_id: str | None = None) -> list[Problem]:
        """Add or replace an evidence item; return the data layer's problems (empty = saved)."""
        return self._put(fields, original_id, "evidence", store.parse_evidence, edits.with_evidence, ("id", "summary"))

    def put_source(self, fields: Mapping[str, Any], original_id: str | None = None) -> list[Problem]:
        """Add or replace a source; return the data layer's problems (empty = saved)."""
        return self._put(fields, original_id, "sources", store.parse_source, edits.with_source, ("id", "title"))

    def put_details(self, fields: Mapping[str, Any]) -> list[Problem]:
        """Change the case's title, question, as-of date or description; return the problems (empty = saved)."""
        data = store.case_to_dict(self.case)
        for key in ("title", "question", "as_of", "description"):
            data.pop(key, None)
        data.update(form_data(fields, ("title", "question", "as_of")))
        data["id"] = self.case.id
        parsed, problems = store.parse_case(data, self._file())
        if parsed is None:
            return problems
        return self._commit(_keep_ratings(parsed, self.case))

    def remove_hypothesis(self, hid: str) -> list[Problem]:
        """Remove a hypothesis and its column from every analyst's ratings and rationale."""
        return self._commit(edits.without_hypothesis(self.case, hid))

    def remove_evidence(self, eid: str) -> list[Problem]:
        """Remove an evidence item and its row from every analyst's ratings and rationale."""
        return self._commit(edits.without_evidence(self.case, eid))

    def remove_source(self, sid: str) -> list[Problem]:
        """Remove a source and its citations from the evidence."""
        return self._commit(edits.without_source(self.case, sid))

    def _commit(self, new: Case) -> list[Problem]:
        """Validate ``new`` as case.yaml would be, then write what changed: ratings and rationale, case.yaml last."""
        problems = store.check_case(new)
        if problems:
            return problems
        ratings = {a: m for a, m in new.ratings.items() if not m.equals(self.case.ratings.get(a))}
        notes = {a: n for a, n in new.rationale.items() if not n.equals(self.case.rationale.get(a))}
        targets = [self.ratings_path(a) for a in ratings] + [self.notes_path(a) for a in notes]
        self.guard.check([self.case_file, *targets])
        for analyst, matrix in ratings.items():
            store.save_ratings(new, analyst, matrix)
        for analyst, frame in notes.items():
            store.save_rationale(new, analyst, frame)
        store.save_case(new, self.folder)
        self.case = new
        self.guard.remember([self.case_file, *targets])
        return []

    def removal_impact(self, kind: str, item_id: str) -> str:
        """What removing an item takes with it, in words, for the confirmation an analyst sees first."""
        if kind == "source":
            cited = edits.citing(self.case, item_id)
            return (
                f"Source {item_id} is cited by {', '.join(cited)}; those citations are removed too."
                if cited
                else f"Source {item_id} is not cited by any evidence item."
            )
        axis = "columns" if kind == "hypothesis" else "index"
        rated = {
            a: int((m.filter(items=[item_id], axis=axis) != UNRATED).to_numpy().sum())
            for a, m in self.case.ratings.items()
        }
        rated = {a: n for a, n in rated.items() if n}
        column = "hypothesis" if kind == "hypothesis" else "evidence"
        notes = sum(int((n[column] == item_id).sum()) for n in self.case.rationale.values())
        if not rated and not notes:
            return f"Nobody has rated {item_id} yet."
        parts = [f"{n} rating{'s' * (n != 1)} by {a}" for a, n in sorted(rated.items())]
        if notes:
            parts.append(f"{notes} written rationale{'s' * (notes != 1)}")
        return f"Removing {item_id} also deletes {', '.join(parts)} from the analysts' files."


def _keep_ratings(parsed: Case, old: Case) -> Case:
    parsed.ratings, parsed.rationale, parsed.folder = old.ratings, old.rationale, old.folder
    parsed.versions = old.versions
    return parsed


def create_case(fields: Mapping[str, Any], root: Path | None = None) -> tuple[Path | None, list[Problem]]:
    """Create ``<cases>/<id>/case.yaml`` from the new-case form; return its folder, or the problems found."""
    data = form_data(fields, ("id", "title", "question", "as_of"))
    case_id = str(data.get("id", "")).strip()
    parsed, problems = store.parse_case(data, f"{case_id or 'case'}/{CASE_FILE}")
    if parsed is None:
        return None, problems
    folder = (root or cases_dir()) / parsed.id
    if folder.exists():
        return None, [
            Problem(f"{parsed.id}/{CASE_FILE}", "id", "a case with this id already exists", parsed.id, code="duplicate")
        ]
    store.save_case(parsed, folder)
    return folder, []

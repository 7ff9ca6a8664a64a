"""One case's indicator board: its indicators, their targets, the observation log and everything computed from them.

:func:`load_board` reads ``case.yaml`` (and ``scenarios.yaml`` for scenario targets), ``indicators.yaml`` and
``observations.csv`` through the data layer and raises one ValidationError listing every problem of every file.
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from ..errors import Problem, SatError, ValidationError
from ..language import icd203_term
from ..model import Case
from ..paths import resolve_case
from ..store.folder import CaseContext
from ..validation import Problems
from ..yamlio import load_yaml
from . import tracking, updating, validator
from .files import (
    INDICATORS_FILE,
    OBSERVATIONS_FILE,
    IndicatorSet,
    milestone_ids,
    parse_indicators,
    read_observations,
)


@dataclass
class Board:
    """A validated indicator board of one case."""

    case: Case
    folder: Path
    spec: IndicatorSet
    targets: list[str]
    target_names: dict[str, str]
    observations: pd.DataFrame  # columns tracking.COLUMNS, file order
    prior: dict[str, float]
    scenario_homes: dict[str, str] = field(default_factory=dict)  # scenario indicator id -> its scenario

    @property
    def warnings(self) -> list[str]:
        return list(self.spec.warnings)

    @property
    def ratings(self) -> pd.DataFrame:
        """Indicators x targets of rating codes ("" where missing)."""
        return pd.DataFrame(
            [[i.ratings.get(t, "") for t in self.targets] for i in self.spec.indicators],
            index=pd.Index(self.spec.ids, name="indicator"),
            columns=self.targets,
            dtype=object,
        )

    @property
    def criteria(self) -> pd.DataFrame:
        return pd.DataFrame(
            [[i.criteria.get(c, "") for c in validator.CRITERIA] for i in self.spec.indicators],
            index=pd.Index(self.spec.ids, name="indicator"),
            columns=list(validator.CRITERIA),
        )

    def validator_table(self) -> pd.DataFrame:
        """Every diagnosticity rule per indicator, the targets it points to, and the diagnostic flag."""
        ratings = self.ratings
        homes = validator.home_targets(ratings, [self._home(i.origin) for i in self.spec.indicators])
        return validator.validate(ratings, homes, self.spec.mapping, self.spec.rule, self.spec.threshold)

    def _home(self, origin: str) -> str | None:
        """The target an indicator's ``from`` names (a target, or the hypothesis of a milestone ``H1-m2``)."""
        if origin in self.targets:
            return origin
        head = origin.rsplit("-m", 1)[0]
        if head in self.targets:
            return head
        return self.scenario_homes.get(origin)

    def coverage(self) -> pd.DataFrame:
        return validator.coverage(self.validator_table(), self.targets, self.spec.coverage)

    def timeline(self, until: dt.date | None = None) -> updating.Timeline:
        return updating.timeline(
            self.ratings,
            [i.group for i in self.spec.indicators],
            self.observations,
            self.prior,
            self.spec.mapping,
            self.case.scoring.credibility,
            until,
        )

    def status(self, date: dt.date | None = None) -> pd.DataFrame:
        return tracking.status_at(self.observations, self.spec.ids, date)

    def to_json(self, as_of: dt.date | None = None) -> dict[str, Any]:
        """The ``sat indicators --json`` object (see the README): targets, prior, indicators, timeline."""
        table = self.validator_table()
        status = self.status(as_of)
        line = self.timeline(as_of)
        entries = []
        for date, row in line.probabilities.iloc[1:].iterrows():
            movers = line.movers[date]
            entries.append(
                {
                    "date": date.isoformat(),
                    "probabilities": {t: round(float(p), 6) for t, p in row.items()},
                    "terms": {t: icd203_term(float(p)) for t, p in row.items()},
                    "moved_most": [
                        {"indicator": m.indicator, "status": m.status, "shift": round(float(m.shift), 6)}
                        for m in movers.itertuples()
                        if m.shift > 0
                    ][:3],
                }
            )
        return {
            "case": self.case.id,
            "as_of": as_of.isoformat() if as_of else None,
            "targets": self.targets,
            "prior": {t: round(p, 6) for t, p in self.prior.items()},
            "mapping": dict(self.spec.mapping),
            "rule": self.spec.rule,
            "threshold": self.spec.threshold,
            "indicators": [
                {
                    "id": iid,
                    "diagnosticity": round(float(table.loc[iid, "llr"]), 6),
                    "spread": float(table.loc[iid, "spread"]),
                    "home": table.loc[iid, "home"],
                    "home_vs_other": float(table.loc[iid, "home_vs_other"]),
                    "diagnostic": bool(table.loc[iid, "diagnostic"]),
                    "points_to": list(table.loc[iid, "points_to"]),
                    "status": status.loc[iid, "status"],
                }
                for iid in self.spec.ids
            ],
            "coverage": {t: int(n) for t, n in self.coverage()["count"].items()},
            "timeline": entries,
            "warnings": self.warnings,
        }


def _shown(path: Path) -> str:
    relative = os.path.relpath(path)
    return str(path) if relative.startswith("..") else relative


def scenario_targets(folder: Path) -> tuple[dict[str, str], dict[str, str]]:
    """(target id -> name, scenario indicator id -> the scenario it belongs to) of a case's ``scenarios.yaml``.

    The targets are one set of mutually exclusive futures: the four quadrants of the 2x2, or in a case without a
    2x2 the cone's baseline and alternatives (wild cards sit outside either set). An indicator of any scenario,
    cone scenario or wild card may be named as an indicator's ``from``.
    """
    from ..scenarios.scenario_file import load_scenarios

    s = load_scenarios(folder)
    cone: list[Any] = list(s.cone.scenarios) if s.cone else []
    wild: list[Any] = list(s.cone.wild_cards) if s.cone else []
    quadrants: list[Any] = list(s.futures.quadrants) if s.futures else []
    names = {x.id: x.name for x in (quadrants or cone)}
    homes = {i.id: x.id for x in (*quadrants, *cone, *wild) for i in x.indicators}
    return names, homes


def _written_ids(data: Any) -> list[str]:
    """Indicator ids as written, so observations can be checked even when indicators.yaml has other problems."""
    raw = data.get("indicators") if isinstance(data, dict) else None
    return (
        [str(i["id"]).strip() for i in raw if isinstance(i, dict) and i.get("id") is not None]
        if isinstance(raw, list)
        else []
    )


def _parse(path: Path, folder: Path, case: Case | None) -> tuple[IndicatorSet, dict[str, str], dict[str, str]]:
    """``indicators.yaml`` validated against the case's targets: (the set, target id -> name, scenario indicator
    id -> its scenario). Targets whose file is invalid are not checked (that file reports its own problems)."""
    shown = _shown(path)
    scenario_names: dict[str, str] | None = None
    scenario_homes: dict[str, str] = {}
    if (folder / "scenarios.yaml").is_file():
        try:
            scenario_names, scenario_homes = scenario_targets(folder)
        except ValidationError:
            scenario_names = None  # scenarios.yaml (or case.yaml) reports its own problems
    hypotheses = case.hypotheses if case is not None else []
    spec = parse_indicators(
        load_yaml(path, shown_as=shown),
        shown,
        {
            "hypotheses": [h.id for h in hypotheses] if case is not None else None,
            "scenarios": list(scenario_names) if scenario_names is not None else None,
        },
        {"hypotheses": milestone_ids(hypotheses), "scenarios": set(scenario_homes)},
    )
    problems = Problems()
    if spec.targets == "scenarios" and not (folder / "scenarios.yaml").is_file():
        problems.append(
            Problem(
                shown,
                "targets",
                "the case has no scenarios.yaml to take scenario ids from",
                "scenarios",
                None,
                "reference",
            )
        )
    if spec.prior == "ach" and case is not None and not (case.ratings and case.evidence):
        problems.append(
            Problem(
                shown, "prior", "'ach' needs ACH ratings in the case (ratings/<analyst>.csv)", "ach", None, "reference"
            )
        )
    problems.raise_if_any()
    names = {h.id: h.title for h in hypotheses} if spec.targets == "hypotheses" else dict(scenario_names or {})
    return spec, names, scenario_homes


def check_indicators_file(path: Path, context: CaseContext) -> list[Problem]:
    """The problems of a case's ``indicators.yaml`` (the validator of :mod:`sat.store.registry`)."""
    try:
        _parse(path, context.folder, context.case)
    except ValidationError as exc:
        return exc.problems
    return []


def check_observations_file(path: Path, context: CaseContext) -> list[Problem]:
    """The problems of a case's ``observations.csv`` (the validator of :mod:`sat.store.registry`). Indicator ids
    are those written in ``indicators.yaml``; when that file cannot be read at all its own problem is enough."""
    indicators = context.folder / INDICATORS_FILE
    if not indicators.is_file():
        return [
            Problem(
                _shown(path), "file", f"observations without {INDICATORS_FILE} to define their indicators", code="file"
            )
        ]
    try:
        data = load_yaml(indicators, shown_as=_shown(indicators))
    except ValidationError:
        return []
    return list(read_observations(path, _shown(path), _written_ids(data))[1])


def load_board(case: str | os.PathLike[str]) -> Board:
    """Load a case's indicator board after checking every file of the folder (:func:`sat.store.check_folder`, as
    ``sat validate`` does): one ValidationError lists every problem of every file."""
    from ..store import check_folder

    folder = resolve_case(case)
    path = folder / INDICATORS_FILE
    if not path.is_file():
        raise SatError(f"case {folder.name!r}: no {INDICATORS_FILE}")
    checked = check_folder(folder)
    checked.raise_if_any()
    loaded = checked.context.case
    assert loaded is not None
    spec, names, scenario_homes = _parse(path, folder, loaded)
    rows: list[Any] = []
    if (folder / OBSERVATIONS_FILE).is_file():
        rows = read_observations(folder / OBSERVATIONS_FILE, _shown(folder / OBSERVATIONS_FILE), spec.ids)[0]
    targets = list(names)
    prior = _prior(loaded, spec, targets, _shown(path))
    observations = pd.DataFrame([vars(o) for o in rows], columns=list(tracking.COLUMNS))
    return Board(loaded, folder, spec, targets, names, observations, prior, scenario_homes)


def load_optional(folder: Path) -> Board | None:
    """The board of a case folder that has ``indicators.yaml``, or None."""
    return load_board(folder) if (folder / INDICATORS_FILE).is_file() else None


def describe(folder: Path) -> list[str]:
    """What ``sat validate`` adds about a folder's indicator board: a summary and the warnings (nothing when the
    case has none)."""
    board = load_optional(folder)
    if board is None:
        return []
    return [
        f"indicators: valid ({len(board.spec.indicators)} indicators over {len(board.targets)} "
        f"{board.spec.targets}, {len(board.observations)} observations)",
        *(f"warning: {w}" for w in board.warnings),
    ]


def _prior(case: Case, spec: IndicatorSet, targets: list[str], shown: str) -> dict[str, float]:
    """The prior over targets: uniform, the file's numbers normalised, or the ACH group posterior."""
    if spec.prior == "uniform":
        return {t: 1.0 / len(targets) for t in targets}
    if isinstance(spec.prior, dict):
        total = sum(spec.prior.values())
        return {t: spec.prior[t] / total for t in targets}
    from ..ach.analysis import score_case

    posterior = score_case(case, sensitivity_analysis=False).hypotheses["posterior"]
    return {t: float(posterior[t]) for t in targets}

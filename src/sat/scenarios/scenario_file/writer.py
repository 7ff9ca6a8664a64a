"""Writing ``scenarios.yaml``: the model back to the file layout, validated once more, written atomically."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from ...errors import ValidationError
from ...fileio import atomic_write_text
from ...yamlio import dump_yaml, loads_yaml
from ..cone import ConeScenario
from ..futures import Indicator
from ..multiple import CRITERIA, ScreenJudgment
from .model import Scenarios
from .reader import parse_scenarios


def scenarios_to_data(s: Scenarios) -> dict[str, Any]:
    """Plain YAML-ready data for ``s`` in the file layout."""
    data: dict[str, Any] = {}
    if s.horizon:
        data["horizon"] = s.horizon
    data["framework"] = s.framework
    data["drivers"] = [
        {
            "id": d.id,
            "name": d.name,
            "category": d.category,
            "description": d.description,
            "impact": d.impact,
            "uncertainty": d.uncertainty,
            "end_states": list(d.end_states),
            **({"sources": list(d.sources)} if d.sources else {}),
        }
        for d in s.drivers
    ]
    if s.futures is not None:
        f = s.futures
        data["futures"] = {
            "x_axis": f.x_axis,
            "y_axis": f.y_axis,
            "independence": f.independence,
            "robust_moves": list(f.robust_moves),
            "quadrants": [
                {
                    "id": q.id,
                    "name": q.name,
                    "x": q.x_state,
                    "y": q.y_state,
                    "narrative": q.narrative,
                    "indicators": _indicators_out(q.indicators),
                    "implications": list(q.implications),
                    "options": list(q.options),
                }
                for q in f.quadrants
            ],
        }
    if s.screen:
        data["multiple"] = {"screen": [_judgment_out(j) for j in s.screen]}
    if s.cone is not None:
        c = s.cone
        data["cone"] = {
            "assumptions": [{"driver": a.driver, "state": a.state, "assumption": a.text} for a in c.assumptions],
            "baseline": _cone_scenario_out(c.baseline, baseline=True),
            "alternatives": [_cone_scenario_out(a) for a in c.alternatives],
            "wild_cards": [
                {"id": w.id, "name": w.name, "description": w.description, "indicators": _indicators_out(w.indicators)}
                for w in c.wild_cards
            ],
        }
    if s.cib is not None:
        data["cib"] = _cib_out(s)
    if s.bridge is not None:
        data["bridge"] = {
            axis: {"descriptor": b.descriptor, "variants": dict(b.variants)}
            for axis, b in (("x", s.bridge.x), ("y", s.bridge.y))
        }
    return data


def save_scenarios(s: Scenarios, path: str | os.PathLike[str] | None = None) -> Path:
    """Validate ``s`` once more and write it atomically to ``path`` (default: where it was read from)."""
    target = Path(path) if path is not None else s.path
    text = dump_yaml(scenarios_to_data(s))
    _, problems = parse_scenarios(loads_yaml(text, str(target)), str(target), s.case, target)
    if problems:
        raise ValidationError(list(problems))
    atomic_write_text(target, text)
    return target


def _cib_out(s: Scenarios) -> Any:
    """The ``cib:`` section: as read when the model is unchanged (keeps zero blocks' rationales and experts'
    notes), else written afresh from the model by the CIB writer."""
    from ..cib.file import cib_ensemble_to_yaml, cib_to_yaml, read_cib_section

    assert s.cib is not None, "only called for scenarios with a CIB model"
    if s.cib_raw is not None:
        try:
            raw = read_cib_section(s.cib_raw, str(s.path))
        except ValidationError:
            raw = None
        if (
            raw is not None
            and raw.ensemble == [s.cib, *s.cib_experts]
            and dict(raw.rationales) == dict(s.cib_rationales)
        ):
            return s.cib_raw
    data = cib_ensemble_to_yaml([s.cib, *s.cib_experts]) if s.cib_experts else cib_to_yaml(s.cib)
    fresh = cib_to_yaml(s.cib, s.cib_rationales)
    data["judgments"] = fresh["judgments"]
    return data


def _indicators_out(indicators: tuple[Indicator, ...]) -> list[dict[str, str]]:
    return [{"id": i.id, "text": i.text} for i in indicators]


def _judgment_out(j: ScreenJudgment) -> dict[str, Any]:
    out: dict[str, Any] = {"drivers": list(j.drivers), "states": list(j.states)}
    for criterion in CRITERIA:
        out[criterion] = getattr(j, criterion)
    out["shortlisted"] = j.shortlisted
    if j.name:
        out["name"] = j.name
    if j.reason:
        out["reason"] = j.reason
    return out


def _cone_scenario_out(s: ConeScenario, baseline: bool = False) -> dict[str, Any]:
    out: dict[str, Any] = {"id": s.id, "name": s.name}
    if not baseline:
        out["flips"] = list(s.flips)
    out["narrative"] = s.narrative
    out["indicators"] = _indicators_out(s.indicators)
    return out

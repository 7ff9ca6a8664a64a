"""Reading ``scenarios.yaml``: every problem of the file (and of its case.yaml) collected and raised at once."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from ...errors import Problem, ValidationError
from ...paths import resolve_case
from ...yamlio import line_of, load_yaml
from ..drivers import FRAMEWORKS
from .model import SCENARIOS_FILE, TOP_KEYS, CaseInfo, Scenarios
from .sections import Checker, read_bridge, read_cone, read_drivers, read_futures, read_multiple, shown_value


def load_scenarios(case: str | os.PathLike[str]) -> Scenarios:
    """Load and validate ``scenarios.yaml`` of a case (a case id or folder).

    The focal question and the source ids drivers may cite come from the case's ``case.yaml`` (read through
    :func:`sat.store.load_case`). Raises one ValidationError listing every problem of both files.
    """
    from ...store import load_case

    folder = resolve_case(case)
    problems: list[Problem] = []
    info = CaseInfo(id=folder.name)
    try:
        loaded = load_case(folder)
        info = CaseInfo(loaded.id, loaded.title, loaded.question, loaded.as_of,
                        frozenset(s.id for s in loaded.sources))
    except ValidationError as exc:
        problems.extend(exc.problems)
    path = folder / SCENARIOS_FILE
    shown = shown_path(path)
    try:
        scenarios = parse_scenarios(load_yaml(path, shown_as=shown, inside=folder), shown, info, path)
    except ValidationError as exc:
        problems.extend(exc.problems)
    if problems:
        raise ValidationError(problems)
    return scenarios


def shown_path(path: Path) -> str:
    """A path as named in messages: relative to the current directory when inside it, else absolute."""
    relative = os.path.relpath(path)
    return str(path) if relative.startswith("..") else relative


def parse_scenarios(
    data: Any,
    file: str,
    case: CaseInfo | None = None,
    path: Path | None = None,
) -> Scenarios:
    """Validate loaded YAML (``LineDict`` keeps line numbers; a plain dict works without them).

    ``case``: the case the file belongs to; its ``source_ids`` are the ids a driver may cite.
    """
    check = Checker(file)
    if not isinstance(data, dict):
        raise ValidationError([Problem(file, "(top level)", "the file must be a mapping of sections",
                                       shown_value(data))])
    check.unknown_keys(data, TOP_KEYS, "")
    horizon = check.text(data, "horizon", "horizon", required=False)
    framework = check.text(data, "framework", "framework") or ""
    if framework and framework not in FRAMEWORKS:
        check.add("framework", f"must be one of {', '.join(FRAMEWORKS)}", framework, line_of(data, "framework"))
        framework = ""
    case = case if case is not None else CaseInfo()
    drivers = read_drivers(check, data, framework, case.source_ids)
    by_id = {d.id: d for d in drivers}
    indicator_ids: dict[str, str] = {}
    futures = read_futures(check, data.get("futures"), line_of(data, "futures"), by_id, indicator_ids) \
        if "futures" in data else None
    screen = read_multiple(check, data.get("multiple"), line_of(data, "multiple"), by_id) if "multiple" in data else ()
    cone = read_cone(check, data.get("cone"), line_of(data, "cone"), by_id, indicator_ids) if "cone" in data else None
    section = None
    if "cib" in data:
        from ..cib.file import read_cib_section  # on demand: files without a CIB model never load the CIB reader

        try:
            section = read_cib_section(data["cib"], file)
        except ValidationError as exc:
            check.problems.extend(exc.problems)
    cib = section.matrix if section is not None else None
    bridge = None
    if "bridge" in data:
        bridge = read_bridge(check, data.get("bridge"), line_of(data, "bridge"), futures, by_id, cib, "cib" in data)
    check.raise_if_any()
    return Scenarios(
        case=case,
        path=path if path is not None else Path(file),
        horizon=horizon or "",
        framework=framework,
        drivers=tuple(drivers),
        futures=futures,
        screen=tuple(screen),
        cone=cone,
        cib=cib,
        cib_experts=section.experts if section is not None else (),
        cib_rationales=dict(section.rationales) if section is not None else {},
        bridge=bridge,
        cib_raw=data.get("cib"),
    )


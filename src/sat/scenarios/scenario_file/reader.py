"""Reading ``scenarios.yaml``: every problem of the file (and of its case.yaml) collected, then raised once."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ...paths import resolve_case
from ...validation import Problems
from ...yamlio import line_of, load_yaml
from ..drivers import FRAMEWORKS
from .model import SCENARIOS_FILE, TOP_KEYS, CaseInfo, Scenarios
from .sections import Checker, read_bridge, read_cone, read_drivers, read_futures, read_multiple

if TYPE_CHECKING:
    from ...errors import Problem
    from ...store.folder import CaseContext


def load_scenarios(case: str | os.PathLike[str]) -> Scenarios:
    """Load and validate ``scenarios.yaml`` of a case (a case id or folder).

    The focal question and the source ids drivers may cite come from the case's ``case.yaml`` (read through
    :func:`sat.store.read_case`). Raises one ValidationError listing every problem of both files.
    """
    from ...store.folder import read_case

    context, problems = read_case(resolve_case(case))
    path = context.folder / SCENARIOS_FILE
    scenarios, found = _read(path, context)
    problems.extend(found)
    problems.raise_if_any()
    assert scenarios is not None
    return scenarios


def check_file(path: Path, context: CaseContext) -> list[Problem]:
    """The problems of one ``scenarios.yaml`` in its case folder (the validator of :mod:`sat.store.registry`)."""
    return list(_read(path, context)[1])


def case_info(context: CaseContext) -> CaseInfo:
    """What the scenarios need from the case: when ``case.yaml`` has problems, its id and the source ids as
    written (so that a driver citing a source that is itself invalid is not reported again)."""
    case = context.case
    if case is None:
        return CaseInfo(id=context.folder.name, source_ids=context.source_ids)
    return CaseInfo(case.id, case.title, case.question, case.as_of, frozenset(s.id for s in case.sources))


def _read(path: Path, context: CaseContext) -> tuple[Scenarios | None, Problems]:
    from ...errors import ValidationError

    shown = shown_path(path)
    try:
        data = load_yaml(path, shown_as=shown, inside=path.parent)
    except ValidationError as exc:
        return None, Problems(exc.problems)
    return parse_scenarios(data, shown, case_info(context), path)


def shown_path(path: Path) -> str:
    """A path as named in messages: relative to the current directory when inside it, else absolute."""
    relative = os.path.relpath(path)
    return str(path) if relative.startswith("..") else relative


def parse_scenarios(
    data: Any,
    file: str,
    case: CaseInfo | None = None,
    path: Path | None = None,
) -> tuple[Scenarios | None, Problems]:
    """Validate loaded YAML (``LineDict`` keeps line numbers; a plain dict works without them): the scenarios
    (None when there is any problem) and every problem found.

    ``case``: the case the file belongs to; its ``source_ids`` are the ids a driver may cite.
    """
    from ...errors import ValidationError

    check = Checker(file)
    problems = check.problems
    if not isinstance(data, dict):
        check.add("(top level)", "the file must be a mapping of sections", data, 1, "type")
        return None, problems
    check.unknown_keys(data, TOP_KEYS, "")
    horizon = check.string(data, "horizon", "horizon", required=False)
    framework = check.string(data, "framework", "framework") or ""
    if framework and framework not in FRAMEWORKS:
        check.add(
            "framework", f"must be one of {', '.join(FRAMEWORKS)}", framework, line_of(data, "framework"), "choice"
        )
        framework = ""
    case = case if case is not None else CaseInfo()
    drivers = read_drivers(check, data, framework, case.source_ids)
    by_id = {d.id: d for d in drivers}
    indicator_ids: dict[str, str] = {}
    futures = (
        read_futures(check, data.get("futures"), line_of(data, "futures"), by_id, indicator_ids)
        if "futures" in data
        else None
    )
    screen = read_multiple(check, data.get("multiple"), line_of(data, "multiple"), by_id) if "multiple" in data else []
    cone = read_cone(check, data.get("cone"), line_of(data, "cone"), by_id, indicator_ids) if "cone" in data else None
    section = None
    if "cib" in data:
        from ..cib.file import read_cib_section  # on demand: files without a CIB model never load the CIB reader

        try:
            section = read_cib_section(data["cib"], file)
        except ValidationError as exc:
            problems.extend(exc.problems)
    cib = section.matrix if section is not None else None
    bridge = None
    if "bridge" in data:
        bridge = read_bridge(
            check, data.get("bridge"), line_of(data, "bridge"), futures, by_id, cib, "futures" in data, "cib" in data
        )
    if problems:
        return None, problems
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
    ), problems

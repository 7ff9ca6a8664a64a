"""``case.yaml``: the case, its hypotheses, evidence, sources and scoring settings read from YAML (or a form's dict).

Every parser returns the item (None when it has problems) and every problem found, through :mod:`sat.validation`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .. import model
from ..errors import Problem
from ..model import Case, Evidence, Hypothesis, Scoring, Source
from ..paths import CASE_ID
from ..validation import FieldReader, Problems, field_name, is_number, shown
from ..yamlio import line_of, own_line

CASE_FIELDS = ("id", "title", "question", "as_of", "description", "hypotheses", "evidence", "sources", "scoring")
HYPOTHESIS_FIELDS = ("id", "title", "description", "milestones")
EVIDENCE_FIELDS = (
    "id",
    "summary",
    "date",
    "type",
    "sources",
    "credibility",
    "relevance",
    "group",
    "notes",
    "information_credibility",
    "conflicts_with",
)
SOURCE_FIELDS = (
    "id",
    "title",
    "publisher",
    "date",
    "url",
    "reliability",
    "type",
    "information_date",
    "access",
    "bias",
    "re_reports",
    "status",
    "ambiguity",
)
SCORING_FIELDS = (
    "likelihoods",
    "priors",
    "credibility",
    "uncertainty",
    "analyst_uncertainty",
    "information_credibility",
)


def _open_item(
    data: Any, file: str, where: str, line: int | None, fields: tuple[str, ...]
) -> tuple[FieldReader, dict[Any, Any] | None]:
    """A reader for one list item, which must be a mapping with only the given fields."""
    r = FieldReader(file)
    item = r.mapping(data, where, line)
    if item is not None:
        r.unknown(item, fields, where)
    return r, item


def parse_hypothesis(
    data: Any, file: str, where: str, line: int | None = None
) -> tuple[Hypothesis | None, list[Problem]]:
    """One hypothesis from its YAML mapping (or a form's dict), with the problems found."""
    r, item = _open_item(data, file, where, line, HYPOTHESIS_FIELDS)
    if item is None:
        return None, r.problems
    problems = r.problems
    hid = r.identifier(item, "id", where)
    title = r.text(item, "title", where, required=True)
    hypothesis = Hypothesis(
        id=hid,
        title=title,
        description=r.text(item, "description", where),
        milestones=r.text_list(item, "milestones", where),
    )
    return (hypothesis if not problems else None), problems


def parse_evidence(data: Any, file: str, where: str, line: int | None = None) -> tuple[Evidence | None, list[Problem]]:
    """One evidence item from its YAML mapping (or a form's dict), with the problems found."""
    r, item = _open_item(data, file, where, line, EVIDENCE_FIELDS)
    if item is None:
        return None, r.problems
    problems = r.problems
    group = r.text(item, "group", where) or None
    evidence = Evidence(
        id=r.identifier(item, "id", where),
        summary=r.text(item, "summary", where, required=True),
        date=r.date(item, "date", where),
        type=r.choice(item, "type", where, model.EVIDENCE_TYPES, "other") or "other",
        sources=r.text_list(item, "sources", where),
        credibility=r.choice(item, "credibility", where, model.LEVELS, "medium") or "medium",
        relevance=r.choice(item, "relevance", where, model.LEVELS, "medium") or "medium",
        group=group,
        notes=r.text(item, "notes", where),
        information_credibility=_information_credibility(r, item, where),
        conflicts_with=r.text_list(item, "conflicts_with", where),
    )
    return (evidence if not problems else None), problems


def _information_credibility(r: FieldReader, item: dict[Any, Any], where: str) -> int | None:
    """Admiralty information credibility: a whole number 1-6, or None when absent."""
    value = item.get("information_credibility")
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value not in model.INFORMATION_CREDIBILITY:
        r.problem(
            field_name(where, "information_credibility"),
            "must be a whole number from 1 (confirmed by other sources) to 6 (truth cannot be judged)",
            shown(value),
            line_of(item, "information_credibility"),
            "choice",
        )
        return None
    return value


def parse_source(data: Any, file: str, where: str, line: int | None = None) -> tuple[Source | None, list[Problem]]:
    """One source from its YAML mapping (or a form's dict), with the problems found."""
    r, item = _open_item(data, file, where, line, SOURCE_FIELDS)
    if item is None:
        return None, r.problems
    problems = r.problems
    reliability = r.choice(item, "reliability", where, tuple(model.RELIABILITY), None)
    source = Source(
        id=r.identifier(item, "id", where),
        title=r.text(item, "title", where, required=True),
        publisher=r.text(item, "publisher", where),
        date=r.date(item, "date", where),
        url=r.text(item, "url", where),
        reliability=reliability,
        type=r.choice(item, "type", where, model.SOURCE_TYPES, None),
        information_date=r.date(item, "information_date", where),
        access=r.choice(item, "access", where, model.ACCESS, None),
        bias=r.text(item, "bias", where),
        re_reports=r.text(item, "re_reports", where) or None,
        status=r.choice(item, "status", where, model.SOURCE_STATUS, "current") or "current",
        ambiguity=r.text(item, "ambiguity", where),
    )
    return (source if not problems else None), problems


def _parse_list(
    r: FieldReader,
    data: dict[Any, Any],
    key: str,
    kind: str,
    parse: Callable[[Any, str, str, int | None], tuple[Any, list[Problem]]],
) -> list[Any]:
    """The valid items of one list; an item with problems is left out and its id rejected (references to it are
    not reported again)."""
    value = data.get(key)
    if value is None:
        return []
    if not isinstance(value, list):
        r.problem(key, "must be a list", shown(value), line_of(data, key), "type")
        return []
    items = []
    seen: dict[str, int | None] = {}
    for index, entry in enumerate(value):
        line = line_of(value, index)
        item, problems = parse(entry, r.file, f"{key}[{index}]", line)
        r.problems.extend(problems)
        raw_id = entry.get("id") if isinstance(entry, dict) else None
        if raw_id is not None:
            sid = str(raw_id).strip()
            if sid in seen:
                r.problem(
                    f"{key}[{index}].id", f"duplicate id (first used on line {seen[sid]})", sid, line, "duplicate"
                )
            else:
                seen[sid] = line
        if item is not None:
            items.append(item)
        elif raw_id is not None:
            r.problems.reject(kind, str(raw_id).strip())
    return items


def _parse_scoring(r: FieldReader, data: dict[Any, Any], hypothesis_ids: set[str]) -> Scoring:
    raw = data.get("scoring")
    if raw is None:
        return Scoring()
    section = r.mapping(raw, "scoring", line_of(data, "scoring"))
    if section is None:
        return Scoring()
    r.unknown(section, SCORING_FIELDS, "scoring")
    likelihoods = dict(model.DEFAULT_LIKELIHOODS)
    raw_lk = section.get("likelihoods")
    if raw_lk is not None:
        lk = r.mapping(raw_lk, "scoring.likelihoods", line_of(section, "likelihoods"))
        if lk is not None:
            for code, value in lk.items():
                field = f"scoring.likelihoods.{code}"
                if str(code) not in model.SCORED_CODES:
                    r.problem(
                        field,
                        f"unknown rating code (expected one of: {', '.join(model.SCORED_CODES)})",
                        code,
                        line_of(lk, code),
                        "choice",
                    )
                elif not is_number(value) or not 0 < float(value) <= 1:
                    r.problem(
                        field,
                        "must be a probability greater than 0 and at most 1",
                        shown(value),
                        line_of(lk, code),
                        "number",
                    )
                else:
                    likelihoods[str(code)] = float(value)
            ordered = [likelihoods[c] for c in model.SCORED_CODES]
            if all(is_number(v) for v in ordered) and any(a < b for a, b in zip(ordered, ordered[1:])):
                r.problem(
                    "scoring.likelihoods",
                    "must not increase from CC to II (CC >= C >= N >= I >= II)",
                    {c: likelihoods[c] for c in model.SCORED_CODES},
                    own_line(lk),
                )
    priors: dict[str, float] | None = None
    raw_priors = section.get("priors")
    if raw_priors is not None:
        pr = r.mapping(raw_priors, "scoring.priors", line_of(section, "priors"))
        if pr is not None:
            priors = {}
            for hid, value in pr.items():
                field = f"scoring.priors.{hid}"
                if not r.refs([str(hid)], field, line_of(pr, hid), "hypothesis", hypothesis_ids):
                    pass
                elif not is_number(value) or float(value) <= 0:
                    r.problem(field, "must be a positive number", shown(value), line_of(pr, hid), "number")
                else:
                    priors[str(hid)] = float(value)
            missing = sorted(hypothesis_ids - set(map(str, pr)))
            if missing:
                r.problem(
                    "scoring.priors",
                    "give a prior for every hypothesis, or none (uniform)",
                    ", ".join(missing),
                    own_line(pr),
                    "required",
                )
    credibility = dict(model.DEFAULT_CREDIBILITY)
    raw_cred = section.get("credibility")
    if raw_cred is not None:
        cred = r.mapping(raw_cred, "scoring.credibility", line_of(section, "credibility"))
        for level, value in (cred or {}).items():
            field = f"scoring.credibility.{level}"
            if str(level) not in model.LEVELS:
                r.problem(
                    field,
                    f"unknown credibility level (expected one of: {', '.join(model.LEVELS)})",
                    level,
                    line_of(cred, level),
                    "choice",
                )
            elif not is_number(value) or not 0 <= float(value) <= 1:
                r.problem(field, "must be a probability between 0 and 1", shown(value), line_of(cred, level), "number")
            else:
                credibility[str(level)] = float(value)
    uncertainty = model.DEFAULT_UNCERTAINTY
    if "uncertainty" in section:
        uncertainty = _probability(r, section, "uncertainty", "scoring.uncertainty", uncertainty)
    per_analyst: dict[str, float] = {}
    raw_pa = section.get("analyst_uncertainty")
    if raw_pa is not None:
        pa = r.mapping(raw_pa, "scoring.analyst_uncertainty", line_of(section, "analyst_uncertainty"))
        for name in pa if pa is not None else {}:
            per_analyst[str(name)] = _probability(r, pa or {}, name, f"scoring.analyst_uncertainty.{name}", uncertainty)
    return Scoring(
        likelihoods=likelihoods,
        priors=priors,
        credibility=credibility,
        uncertainty=uncertainty,
        analyst_uncertainty=per_analyst,
        information_credibility=_information_mapping(r, section),
    )


def _information_mapping(r: FieldReader, section: dict[Any, Any]) -> dict[int, str]:
    """``scoring.information_credibility``: grade (1-6) -> ACH credibility level, over the defaults."""
    mapping = dict(model.DEFAULT_INFORMATION_MAPPING)
    raw = section.get("information_credibility")
    if raw is None:
        return mapping
    table = r.mapping(raw, "scoring.information_credibility", line_of(section, "information_credibility"))
    for grade, level in (table or {}).items():
        field = f"scoring.information_credibility.{grade}"
        if isinstance(grade, bool) or grade not in model.INFORMATION_CREDIBILITY:
            r.problem(
                field, "unknown grade (expected a whole number from 1 to 6)", grade, line_of(table, grade), "choice"
            )
        elif level not in model.LEVELS:
            r.problem(
                field, f"must be one of: {', '.join(model.LEVELS)}", shown(level), line_of(table, grade), "choice"
            )
        else:
            mapping[grade] = level
    return mapping


def _check_register(r: FieldReader, root: dict[Any, Any], evidence_ids: set[str], sources: list[Source]) -> None:
    """Cross-references of the Quality of Information Check: ``conflicts_with`` names other evidence items, and
    ``re_reports`` names another source without closing a loop (a chain must end at an origin)."""
    raw_evidence = root.get("evidence")
    for index, entry in enumerate(raw_evidence if isinstance(raw_evidence, list) else []):
        if not isinstance(entry, dict) or entry.get("conflicts_with") is None:
            continue
        where = f"evidence[{index}].conflicts_with"
        listed = FieldReader(r.file).text_list(entry, "conflicts_with", "")  # its own problems are already reported
        if str(entry.get("id", "")).strip() in listed:
            r.problem(
                where,
                "an item cannot conflict with itself",
                str(entry.get("id")).strip(),
                line_of(entry, "conflicts_with"),
                "reference",
            )
        others = [eid for eid in listed if eid != str(entry.get("id", "")).strip()]
        r.refs(others, where, line_of(entry, "conflicts_with"), "evidence", evidence_ids)
    repeats = {s.id: s.re_reports for s in sources if s.re_reports}
    known = {s.id for s in sources}
    raw_sources = root.get("sources")
    lines = {
        str(e.get("id", "")).strip(): (i, line_of(e, "re_reports"))
        for i, e in enumerate(raw_sources if isinstance(raw_sources, list) else [])
        if isinstance(e, dict)
    }
    for sid, target in repeats.items():
        index, line = lines.get(sid, (0, None))
        where = f"sources[{index}].re_reports"
        if not r.refs([target], where, line, "source", known):
            continue
        seen, current = [sid], target
        while current in repeats and current not in seen:
            seen.append(current)
            current = repeats[current]
        if current in seen:
            r.problem(
                where,
                "re-reporting chain loops back on itself (" + " -> ".join([*seen, current]) + ")",
                target,
                line,
                "reference",
            )


def _probability(r: FieldReader, data: dict[Any, Any], key: Any, field: str, default: float) -> float:
    value = data.get(key)
    if not is_number(value) or not 0 <= float(value) <= 1:
        r.problem(field, "must be a probability between 0 and 1", shown(value), line_of(data, key), "number")
        return default
    return float(value)


def parse_case(data: Any, file: str) -> tuple[Case | None, list[Problem]]:
    """A case (without ratings) from the parsed ``case.yaml``; every problem found is returned."""
    problems = Problems()
    r = FieldReader(file, problems)
    root = r.mapping(data, "case.yaml", 1)
    if root is None:
        return None, problems
    r.unknown(root, CASE_FIELDS, "")
    case_id = r.identifier(root, "id", "", pattern=CASE_ID.pattern)
    title = r.text(root, "title", "", required=True)
    question = r.text(root, "question", "", required=True)
    as_of = r.date(root, "as_of", "", required=True)
    hypotheses = _parse_list(r, root, "hypotheses", "hypothesis", parse_hypothesis)
    evidence = _parse_list(r, root, "evidence", "evidence", parse_evidence)
    sources = _parse_list(r, root, "sources", "source", parse_source)
    source_ids = {s.id for s in sources}
    raw = root.get("evidence")
    raw_evidence = raw if isinstance(raw, list) else []
    for index, entry in enumerate(raw_evidence):
        if isinstance(entry, dict):
            cited = FieldReader(file).text_list(entry, "sources", "")  # its own problems are already reported
            r.refs(cited, f"evidence[{index}].sources", line_of(entry, "sources"), "source", source_ids)
    _check_register(r, root, {e.id for e in evidence}, sources)
    scoring = _parse_scoring(r, root, {h.id for h in hypotheses})
    case = Case(
        id=case_id,
        title=title,
        question=question,
        as_of=as_of,
        description=r.text(root, "description", ""),
        hypotheses=hypotheses,
        evidence=evidence,
        sources=sources,
        scoring=scoring,
    )
    return (case if not problems else None), problems

"""Both worksheets of a case computed in one call each, as the command line, the notebooks and the reports show them.

Every number comes from the pure functions of :mod:`sat.worksheets.quality`, :mod:`sat.worksheets.key_assumptions`
and the ACH scores of :func:`sat.ach.analysis.score_case` (no second copy of the scoring or the sensitivity).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from ..language import icd203_term
from ..model import INFORMATION_CREDIBILITY, RELIABILITY, Case
from . import key_assumptions as kac
from . import quality as qoic
from .assumptions_file import KeyAssumptions


def ach_ready(case: Case) -> bool:
    """Whether the case can be scored (two hypotheses, evidence and ratings)."""
    return len(case.hypotheses) >= 2 and bool(case.evidence) and bool(case.ratings)


@dataclass
class LeaderSupport:
    """The leading hypothesis's support against the runner-up, per item and traced to origins."""

    leader: str
    rival: str
    p_leader: float
    items: pd.Series  # evidence id -> log-likelihood ratio leader : rival, as ACH counts it
    origins: pd.DataFrame  # origin -> weight, share, items


@dataclass
class QualityCheck:
    """The Quality of Information Check of a case."""

    case: Case
    marks: pd.DataFrame
    judgments: pd.DataFrame
    offers: list[qoic.GroupOffer]
    support: LeaderSupport | None
    analysts: list[str] = field(default_factory=list)

    @property
    def statement(self) -> list[str]:
        """The ICD 206-style source summary statement, one paragraph per string."""
        return source_summary(self)

    def register(self) -> pd.DataFrame:
        """The source register: one row per source with every register field and the items that cite it."""
        origins = qoic.origin_map(self.case.sources)
        cited: dict[str, list[str]] = {}
        for e in self.case.evidence:
            for sid in e.sources:
                cited.setdefault(sid, []).append(e.id)
        rows = [
            {
                "source": s.id,
                "title": s.title,
                "publisher": s.publisher,
                "type": s.type or "",
                "published": s.date.isoformat() if s.date else "",
                "information_date": s.information_date.isoformat() if s.information_date else "",
                "access": s.access or "",
                "reliability": s.reliability or "",
                "bias": s.bias,
                "re_reports": s.re_reports or "",
                "origin": origins[s.id],
                "status": s.status,
                "ambiguity": s.ambiguity,
                "items": ", ".join(cited.get(s.id, [])),
            }
            for s in self.case.sources
        ]
        return pd.DataFrame(rows).set_index("source") if rows else pd.DataFrame()

    def to_json(self) -> dict[str, Any]:
        """The JSON document of ``sat worksheets quality --json``."""
        marks = self.marks
        return {
            "case": self.case.id,
            "items": [
                {
                    "id": eid,
                    "origins": [o for o in row["origins"].split(", ") if o],
                    "mark": row["mark"],
                    "information_credibility": None
                    if pd.isna(row["information_credibility"])
                    else int(row["information_credibility"]),
                    "ach_credibility": row["ach_credibility"],
                    "mapped_credibility": row["mapped_credibility"] or None,
                }
                for eid, row in marks.iterrows()
            ],
            "judgments": [
                {"id": jid, "origins": [o for o in row["origins"].split(", ") if o], "mark": row["mark"]}
                for jid, row in self.judgments.iterrows()
            ],
            "dependence_groups": [
                {"origin": o.origin, "members": list(o.members), "group": o.name} for o in self.offers
            ],
            "credibility_mapping": {str(k): v for k, v in qoic.credibility_mapping(self.case).items()},
            "leader_support": None
            if self.support is None
            else {
                "leader": self.support.leader,
                "rival": self.support.rival,
                "origins": [
                    {
                        "origin": o,
                        "weight": round(float(r["weight"]), 6),
                        "share": round(float(r["share"]), 6),
                        "items": r["items"].split(", "),
                    }
                    for o, r in self.support.origins.iterrows()
                ],
            },
            "statement": self.statement,
        }


def quality_check(case: Case, worksheet: KeyAssumptions | None = None, scores: Any = None) -> QualityCheck:
    """The Quality of Information Check of ``case``; ``scores`` (ACH scores of all analysts) are computed when the
    case can be scored and none are given."""
    judgments = qoic.judgment_marks(case, worksheet.judgments if worksheet else [])
    support = None
    analysts: list[str] = []
    if scores is None and ach_ready(case):
        from ..ach.analysis import score_case

        scores = score_case(case, sensitivity_analysis=False)
    if scores is not None:
        analysts = list(scores.analysts)
        support = leader_support(case, scores)
    return QualityCheck(case, qoic.item_marks(case), judgments, qoic.dependence_offers(case), support, analysts)


def leader_support(case: Case, scores: Any) -> LeaderSupport:
    """The leader's support against the runner-up per item (log-likelihood ratio as ACH counts it) and by origin."""
    from ..ach.analysis import encoded_stack
    from ..ach.scoring import LikelihoodModel

    ranked = list(scores.hypotheses.sort_values("rank").index)
    leader, rival = ranked[0], ranked[1]
    hids = case.hypothesis_ids
    contributions, _ = LikelihoodModel.for_case(case).contributions(encoded_stack(case, scores.analysts))
    items = pd.Series(
        qoic.item_support(contributions, hids.index(leader), hids.index(rival)),
        index=pd.Index(case.evidence_ids, name="evidence"),
        name="support",
    )
    origins = qoic.origin_map(case.sources)
    recalled = {s.id for s in case.sources if s.status == "recalled"}
    item_origins = {e.id: qoic.origins_of(e.sources, origins, recalled) for e in case.evidence}
    return LeaderSupport(
        leader,
        rival,
        float(scores.hypotheses.loc[leader, "posterior"]),
        items,
        qoic.support_by_origin(items, item_origins),
    )


def _ids(frame: pd.DataFrame, mask: Any) -> list[str]:
    return [str(i) for i in frame.index[mask]]


def _listing(ids: list[str], limit: int = 12) -> str:
    shown = ", ".join(ids[:limit])
    return shown + (f" and {len(ids) - limit} more" if len(ids) > limit else "")


def source_summary(check: QualityCheck) -> list[str]:
    """An ICD 206-style source summary statement (ICD 206, 2015; TRADECRAFT.md §5a): the source base, its strengths
    and weaknesses, the sources most important to the key judgments, what corroborates or conflicts, and the
    expertise relied on. Plain text, one paragraph per string; every figure is counted from the register."""
    case, marks = check.case, check.marks
    sources = case.sources
    if not sources and marks.empty:
        return ["The case lists no sources and no evidence, so there is no source base to describe."]
    origins = qoic.origin_map(sources)
    n_origins = len({origins[s.id] for s in sources if s.status != "recalled"})
    grades = Counter(s.reliability for s in sources)
    grade_text = (
        "; ".join(f"{n} {g} ({RELIABILITY[g]})" for g, n in sorted(grades.items(), key=lambda x: x[0] or "Z") if g)
        or "none graded"
    )
    if grades.get(None):
        grade_text += f"; {grades[None]} not graded"
    access = Counter(s.access or "not recorded" for s in sources)
    access_text = ", ".join(f"{n} {a}" for a, n in sorted(access.items()))
    parts = [
        (
            f"The analysis rests on {len(sources)} source(s), which trace back to {n_origins} independent "
            f"origin(s) once re-reports are followed to where they began. Source reliability (Admiralty A-F): "
            f"{grade_text}. Access of the originator: {access_text}."
        )
    ]
    graded = marks["information_credibility"].dropna() if not marks.empty else pd.Series(dtype=float)
    if len(marks):
        cred = Counter(int(g) for g in graded)
        cred_text = "; ".join(f"{n} graded {g} ({INFORMATION_CREDIBILITY[g]})" for g, n in sorted(cred.items()))
        parts[0] += (
            f" Of {len(marks)} evidence item(s), {len(graded)} carry an information-credibility grade "
            f"(1-6){': ' + cred_text if cred_text else ''}; the two axes are kept apart."
        )
    strengths = []
    if len(marks):
        corroborated = _ids(marks, marks["mark"] == "corroborated")
        if corroborated:
            strengths.append(
                f"{len(corroborated)} item(s) are corroborated by two or more independent origins "
                f"({_listing(corroborated)})"
            )
    good = [s.id for s in sources if s.reliability in ("A", "B")]
    if good:
        strengths.append(f"{len(good)} of {len(sources)} source(s) are graded A or B")
    first = [s.id for s in sources if s.access == "first-hand"]
    if first:
        strengths.append(f"{len(first)} report first-hand ({_listing(first)})")
    parts.append("Strengths: " + ("; ".join(strengths) + "." if strengths else "none stand out."))
    weak = []
    if len(marks):
        single = _ids(marks, marks["mark"] == "single-source")
        if single:
            weak.append(f"{len(single)} item(s) rest on a single origin ({_listing(single)})")
        bare = _ids(marks, marks["mark"] == "unsupported")
        if bare:
            weak.append(
                f"{len(bare)} item(s) cite no source at all, being assumptions, deductions or the like "
                f"({_listing(bare)})"
            )
    unjudged = [s.id for s in sources if s.reliability == "F"]
    if unjudged:
        weak.append(f"the reliability of {_listing(unjudged)} cannot be judged")
    undated = [s.id for s in sources if s.date is None]
    if undated:
        weak.append(f"{_listing(undated)} carry no confirmed publication date")
    late = [s.id for s in sources if s.date and case.as_of and s.date > case.as_of]
    if late:
        weak.append(f"{_listing(late)} were published after the as-of date ({case.as_of})")
    second = [s.id for s in sources if s.access == "second-hand"]
    if second:
        weak.append(f"{_listing(second)} report second-hand")
    for status in ("recalled", "corrected"):
        hit = [s.id for s in sources if s.status == status]
        if hit:
            plural = len(hit) > 1
            weak.append(
                f"{_listing(hit)} {'were' if plural else 'was'} {status}"
                + (f" and no longer {'count' if plural else 'counts'} as an origin" if status == "recalled" else "")
            )
    ambiguous = [s.id for s in sources if s.ambiguity]
    if ambiguous:
        weak.append(f"the register notes ambiguity in {_listing(ambiguous)}")
    parts.append("Weaknesses: " + ("; ".join(weak) + "." if weak else "none recorded in the register."))
    important = []
    if check.support is not None and len(check.support.origins):
        s = check.support
        top = [f"{o} ({r['share']:.0%}: {r['items']})" for o, r in s.origins.head(3).iterrows()]
        important.append(
            f"The leading hypothesis, {s.leader} ({icd203_term(s.p_leader)}, {s.p_leader:.0%}), owes "
            f"most of its support against {s.rival} to {', '.join(top)}."
        )
    if len(check.judgments):
        listed = "; ".join(
            f"{j} {r['mark']}" + (f" ({r['origins']})" if r["origins"] else "") for j, r in check.judgments.iterrows()
        )
        important.append(f"By key judgment: {listed}.")
    if important:
        parts.append("Sources most important to the key judgments: " + " ".join(important))
    conflict = []
    if len(marks):
        pairs = sorted(
            {tuple(sorted((str(e), o))) for e, row in marks.iterrows() for o in row["conflicts_with"].split(", ") if o}
        )
        if pairs:
            conflict.append("reporting conflicts between " + "; ".join(f"{a} and {b}" for a, b in pairs))
        against = [f"{j} (against: {r['against']})" for j, r in check.judgments.iterrows() if r["against"]]
        if against:
            conflict.append("evidence cuts against " + "; ".join(against))
        differs = _ids(marks, marks["credibility_differs"].astype(bool))
        if differs:
            conflict.append(
                f"the ACH credibility of {_listing(differs)} differs from the level their 1-6 grade maps "
                f"to (see the mapping)"
            )
    parts.append(
        "Corroboration and conflict: "
        + ("; ".join(conflict) + "." if conflict else "no conflicting reporting is recorded.")
    )
    if check.analysts:
        parts.append(
            f"Expertise relied on: the ratings of {len(check.analysts)} analyst(s) ({', '.join(check.analysts)})."
        )
    return parts


@dataclass
class AssumptionsCheck:
    """The Key Assumptions Check of a case."""

    case: Case
    worksheet: KeyAssumptions
    grid: pd.DataFrame
    needs: list[Any]
    candidates: list[kac.Candidate]
    sweep: list[kac.SweepRow]
    cues: list[kac.Cue]

    def table(self) -> pd.DataFrame:
        """One row per assumption with every worksheet field."""
        rows = [
            {
                "assumption": a.id,
                "text": a.text,
                "kind": a.kind,
                "basis": a.basis,
                "evidence": ", ".join(a.evidence),
                "sources": ", ".join(a.sources),
                "confidence": a.confidence,
                "impact": a.impact,
                "category": a.category,
                "disposition": a.disposition or "",
                "less_so_now": a.less_so_now,
                "undermined_by": "; ".join(a.undermined_by),
            }
            for a in self.worksheet.assumptions
        ]
        return pd.DataFrame(rows).set_index("assumption") if rows else pd.DataFrame()

    def to_json(self) -> dict[str, Any]:
        """The JSON document of ``sat worksheets assumptions --json``."""
        return {
            "case": self.case.id,
            "analytic_line": self.worksheet.analytic_line,
            "assumptions": [
                {
                    "id": a.id,
                    "category": a.category,
                    "confidence": a.confidence,
                    "impact": a.impact,
                    "disposition": a.disposition,
                }
                for a in self.worksheet.assumptions
            ],
            "collection_needs": [a.id for a in self.needs],
            "indicator_candidates": [{"id": c.id, "text": c.text, "assumption": c.assumption} for c in self.candidates],
            "sweep": [
                {
                    "assumption": r.assumption,
                    "removed": list(r.removed),
                    "leader": r.new_leader,
                    "leader_changes": r.leader_changes,
                    "posteriors": {h: round(p, 6) for h, p in r.posteriors.items()},
                }
                for r in self.sweep
            ],
            "cues": [{"place": c.place, "phrase": c.phrase, "snippet": c.snippet} for c in self.cues],
        }


def assumptions_check(case: Case, worksheet: KeyAssumptions, scores: Any = None) -> AssumptionsCheck:
    """The Key Assumptions Check of ``case``; the sweep needs ACH scores with sensitivity (computed when the case
    can be scored and none are given)."""
    rows: list[kac.SweepRow] = []
    if scores is None and ach_ready(case):
        from ..ach.analysis import score_case

        scores = score_case(case)
    if scores is not None and scores.sensitivity is not None:
        from ..ach.analysis import encoded_stack
        from ..ach.sensitivity import CHANGES

        removed = scores.sensitivity.posteriors[list(CHANGES).index("removed")]
        rows = kac.sweep(
            worksheet,
            case,
            encoded_stack(case, scores.analysts),
            scores.sensitivity.base_posterior.to_numpy(),
            scores.sensitivity.leader,
            removed,
        )
    texts = list(kac.case_texts(case, worksheet))
    scenarios = case.folder / "scenarios.yaml" if case.folder is not None else None
    if scenarios is not None and scenarios.is_file():
        from ..yamlio import load_yaml

        texts.extend(kac.yaml_texts(load_yaml(scenarios), "scenarios.yaml"))
    return AssumptionsCheck(
        case,
        worksheet,
        kac.grid(worksheet),
        kac.collection_needs(worksheet),
        kac.indicator_candidates(worksheet),
        rows,
        kac.find_cues(texts),
    )

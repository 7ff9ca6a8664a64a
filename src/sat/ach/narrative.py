"""Plain-language parts of the ACH report: the case header, conclusions in ICD 203 terms, rationale of disputes.

Every piece of analyst text is escaped (:mod:`sat.htmltext`); the numbers come from :class:`AchScores`.
"""

from __future__ import annotations

import numpy as np

from .. import htmltext as h
from ..language import icd203_band, percent_text
from ..model import RATING_LABEL, RELIABILITY, Case
from .analysis import AchScores


def title_html(case: Case, scores: AchScores) -> str:
    """Title, question, date and whose ratings: the top of the report."""
    who = ", ".join(scores.analysts)
    combined = " (combined)" if len(scores.analysts) > 1 else ""
    return (
        f"<h1>{h.esc(case.title)}</h1>"
        f"<p><strong>Question:</strong> {h.esc(case.question)}</p>"
        f"<p><strong>Information as of:</strong> {h.esc(case.as_of)} &middot; <strong>Ratings:</strong> "
        f"{h.esc(who)}{combined} &middot; {len(case.evidence)} evidence items, {len(case.sources)} sources</p>"
    )


def background_html(case: Case) -> str:
    """The case description and the hypotheses, each title above its description."""
    items = "".join(
        f'<li><span class="sat-hyp-title">{h.esc(hyp.id)}: {h.esc(hyp.title)}</span>'
        + (f"{h.esc(hyp.description)}" if hyp.description else "")
        + "</li>"
        for hyp in case.hypotheses
    )
    return f'{h.paragraphs(case.description)}<h2>Hypotheses</h2><ul class="sat-hypotheses">{items}</ul>'


def case_header(case: Case, scores: AchScores) -> str:
    """Title, question, date, analysts and the hypotheses with their descriptions."""
    return title_html(case, scores) + background_html(case)


#: Confidence (ICD 203 asks for it apart from the likelihood): high with none of the weaknesses that
#: :func:`confidence` counts, moderate with one, low with two or more.
CONFIDENCE_LEVELS = ("high", "moderate", "low")
#: The leader must come first in at least this share of the robustness draws not to count as a weakness.
STABLE_SHARE = 0.9


def confidence(scores: AchScores) -> tuple[str, list[str]]:
    """Confidence in the leading hypothesis from what the workbook can see, and the reasons, in sentences.

    Weaknesses counted: the leader comes first in fewer than 90% of the robustness draws; a single item's removal,
    shift or reversal gives the lead to another hypothesis; the analysts put different hypotheses first. Our rule,
    drawn from Heuer's step 6 (sensitivity), the robustness draws and the agreement between analysts; the quality of
    the sources, which ICD 203 also asks analysts to weigh, is reported beside it (:func:`bottom_line_html` names
    the low-credibility items that count) but not scored. It informs the analyst's own statement of confidence and
    does not replace it.
    """
    leader = scores.leader
    weak, notes = 0, []
    if scores.robustness is not None:
        share = float(scores.hypotheses.loc[leader, "p_top"])
        weak += share < STABLE_SHARE
        notes.append(
            f"{leader} comes first in {percent_text(share)} of {scores.robustness.draws:,} draws in which "
            f"any rating may be a step off"
        )
    if scores.sensitivity is not None:
        sens = scores.sensitivity
        changers = [sens.evidence_ids[i] for i in np.flatnonzero(np.asarray(sens.leader_changes).any(axis=0))]
        if changers:
            weak += 1
            notes.append(f"a different reading of {_and(changers)} alone would put another hypothesis first")
        else:
            notes.append("no single item's removal, shift or reversal changes the leader")
    if len(scores.analysts) > 1:
        firsts = {a: str(frame["rank"].idxmin()) for a, frame in scores.by_analyst.items()}
        if len(set(firsts.values())) > 1:
            weak += 1
            notes.append("the analysts differ: " + ", ".join(f"{a} puts {hid} first" for a, hid in firsts.items()))
        else:
            notes.append(f"every analyst puts {leader} first")
    return CONFIDENCE_LEVELS[min(weak, 2)], notes


def bottom_line_html(scores: AchScores) -> str:
    """The first thing a reader sees: the leading hypothesis in ICD 203 words with its range, the runners-up, the
    confidence and what the judgement rests on."""
    frame = scores.hypotheses.sort_values("rank")
    leader = frame.index[0]
    band = icd203_band(float(frame["posterior"].iloc[0]))
    others = [f"{hid} ({percent_text(float(p))})" for hid, p in frame["posterior"].iloc[1:3].items()]
    level, notes = confidence(scores)
    counted = scores.evidence[scores.evidence["counts"] & scores.evidence["diagnostic"]]
    basis = list(counted.index[:3])
    low = [e.id for e in scores.case.evidence if e.credibility == "low" and e.id in set(counted.index)]
    rests = (
        f"It rests most on {_and(basis)}, the most diagnostic items that count."
        if basis
        else "No item separates the hypotheses."
    )
    if low:
        rests += f" Of the items that count, {_and(low)} {'is' if len(low) == 1 else 'are'} of low credibility."
    return (
        '<div class="sat-bottom-line"><h2>Bottom line</h2>'
        f"<p>The leading hypothesis is <strong>{h.esc(leader)}</strong>, {h.esc(frame['title'].iloc[0])}: "
        f"<strong>{h.esc(band.term)}</strong> ({band.range_text}; the matrix gives "
        f"{percent_text(float(frame['posterior'].iloc[0]))}), ahead of {h.esc(_and(others))}.</p>"
        f"<p><strong>Confidence: {level}.</strong> {h.esc(rests)} "
        + h.esc(_sentence("; ".join(notes)))
        + "</p><p class='sat-key'>Likelihood in the words of ICD 203, with its range; confidence is stated "
        "separately, as ICD 203 asks. How both are worked out follows below.</p></div>"
    )


def _sentence(text: str) -> str:
    """``text`` with its first letter upper-cased and a full stop (empty stays empty)."""
    return text[:1].upper() + text[1:] + "." if text else ""


def _and(items: list[str]) -> str:
    """ "a", "a and b", "a, b and c"."""
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1] if items else ""


def conclusions(scores: AchScores) -> list[str]:
    """One sentence per hypothesis, ranked, in ICD 203 likelihood terms with the range and the matrix figure."""
    frame = scores.hypotheses.sort_values("rank")
    total = len(frame)
    lines = []
    for hid, row in frame.iterrows():
        band = icd203_band(float(row["posterior"]))
        lines.append(
            f"{hid} ({row['title']}) is {band.term} ({band.range_text}); the matrix gives "
            f"{percent_text(float(row['posterior']))}, rank {int(row['rank'])} of {total}, PARC inconsistency "
            f"{row['inconsistency']:.1f} (weighted {row['weighted_inconsistency']:.2f})."
        )
    return lines


def conclusions_html(scores: AchScores) -> str:
    """The conclusions section: leading hypothesis, every hypothesis in ICD 203 terms, and the caveats."""
    frame = scores.hypotheses.sort_values("rank")
    leader, runner = frame.index[0], frame.index[1]
    lead_p, run_p = frame["posterior"].iloc[0], frame["posterior"].iloc[1]
    ratio = lead_p / run_p if run_p > 0 else float("inf")
    by_parc = frame["weighted_inconsistency"].idxmax()
    agree = (
        "The PARC weighted inconsistency score points the same way."
        if by_parc == leader
        else f"Note that the PARC weighted inconsistency score favours {by_parc} instead: the methods disagree, "
        "so look at the evidence that drives each before judging."
    )
    parts = [
        f"<p>The matrix favours <strong>{h.esc(leader)}</strong> ({h.esc(frame['title'].iloc[0])}), "
        f"{ratio:.1f} times as probable as the next hypothesis, {h.esc(runner)}. {h.esc(agree)}</p>",
        h.bullet_list(conclusions(scores)),
        "<p>These are the figures the ratings imply, treating the evidence items as independent and taking the "
        "likelihood of each rating from the case's scoring settings. They inform the judgement; they do not make "
        "it (Heuer). State confidence (high, moderate, low) separately, from the quality of the sources, "
        "their corroboration and the reasoning.</p>",
    ]
    return "".join(parts)


def by_analyst_html(scores: AchScores) -> str:
    """Each analyst's own scores beside the combined ones (empty with a single analyst).

    The combined PARC scores are the means of these; the combined probability is the mean of these probabilities.
    """
    if len(scores.analysts) < 2:
        return ""
    head = "".join(f"<th colspan='3'>{h.esc(a)}</th>" for a in scores.analysts)
    sub = "<th>Probability</th><th>Inconsistency</th><th>Weighted</th>" * len(scores.analysts)
    rows = []
    for hid in scores.hypotheses.sort_values("rank").index:
        cells = "".join(
            f"<td style='text-align:right'>{percent_text(float(f.loc[hid, 'posterior']))}</td>"
            f"<td style='text-align:right'>{f.loc[hid, 'inconsistency']:.1f}</td>"
            f"<td style='text-align:right'>{f.loc[hid, 'weighted_inconsistency']:.2f}</td>"
            for f in scores.by_analyst.values()
        )
        rows.append(f"<tr><th>{h.esc(hid)}</th>{cells}</tr>")
    return (
        "<table class='sat-by-analyst'><caption>Each analyst's own scores (the combined figures above are their "
        f"means)</caption><thead><tr><th rowspan='2'>Hypothesis</th>{head}</tr><tr>{sub}</tr></thead>"
        f"<tbody>{''.join(rows)}</tbody></table>"
    )


def rationale_html(case: Case, scores: AchScores) -> str:
    """Each analyst's written rationale for the disputed cells, where they gave one."""
    disputed = {(r.evidence, r.hypothesis) for r in scores.disagreements.itertuples()}
    rows = []
    for analyst in scores.analysts:
        notes = case.rationale.get(analyst)
        if notes is None:
            continue
        for note in notes.itertuples():
            if (note.evidence, note.hypothesis) in disputed and note.rationale:
                code = case.matrix(analyst).loc[note.evidence, note.hypothesis]
                rows.append((note.evidence, note.hypothesis, analyst, f"{code} ({RATING_LABEL[code]})", note.rationale))
    if not rows:
        return "<p>No rationale was recorded for the disputed cells.</p>"
    rows.sort()
    body = "".join("<tr>" + "".join(f"<td>{h.esc(v)}</td>" for v in row) + "</tr>" for row in rows)
    return (
        "<table class='rationale'><thead><tr><th>Evidence</th><th>Hypothesis</th><th>Analyst</th><th>Rating</th>"
        f"<th>Why</th></tr></thead><tbody>{body}</tbody></table>"
    )


def sources_html(case: Case) -> str:
    """The sources with their Admiralty reliability grade."""
    items = []
    for s in case.sources:
        grade = f"{s.reliability} ({RELIABILITY[s.reliability]})" if s.reliability else "not graded"
        bits = ", ".join(str(b) for b in (s.publisher, s.date) if b)
        items.append(
            f"{s.id}: {s.title}"
            + (f" ({bits})" if bits else "")
            + f"; reliability {grade}"
            + (f"; {s.url}" if s.url else "")
        )
    return h.bullet_list(items)


def linchpins_html(scores: AchScores, limit: int = 12) -> str:
    """The linchpins in plain sentences, leader changes first."""
    assert scores.sensitivity is not None
    sens = scores.sensitivity
    if not sens.linchpins:
        return (
            f"<p>No single item's removal, one-step shift or reversal changes the leader ({h.esc(sens.leader)}) "
            "or its likelihood band: the conclusion does not hang on any one item.</p>"
        )
    more = len(sens.sentences) - limit
    tail = f"<p>… and {more} further changes of the same kind.</p>" if more > 0 else ""
    return (
        f"<p><strong>Linchpins:</strong> {h.esc(', '.join(sens.linchpins))}.</p>"
        + h.bullet_list(sens.sentences[:limit])
        + tail
    )


def warnings_html(scores: AchScores) -> str:
    """The hypothesis-set and matrix warnings, or a note that there are none."""
    if not scores.warnings:
        return "<p>No warnings: the hypothesis set and the matrix pass every check.</p>"
    return h.bullet_list(str(w) for w in scores.warnings)

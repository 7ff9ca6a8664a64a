"""Plain-language parts of the ACH report: the case header, conclusions in ICD 203 terms, rationale of disputes.

Every piece of analyst text is escaped (:mod:`sat.htmltext`); the numbers come from :class:`AchScores`.
"""

from __future__ import annotations

from .. import htmltext as h
from ..language import icd203_band, percent_text
from ..model import RATING_LABEL, RELIABILITY, Case
from .analysis import AchScores


def case_header(case: Case, scores: AchScores) -> str:
    """Title, question, date, analysts and the hypotheses with their descriptions."""
    who = ", ".join(scores.analysts)
    combined = " (combined)" if len(scores.analysts) > 1 else ""
    parts = [
        f"<h1>{h.esc(case.title)}</h1>",
        f"<p><strong>Question:</strong> {h.esc(case.question)}</p>",
        f"<p><strong>Information as of:</strong> {h.esc(case.as_of)} &middot; <strong>Ratings:</strong> "
        f"{h.esc(who)}{combined} &middot; {len(case.evidence)} evidence items, {len(case.sources)} sources</p>",
        h.paragraphs(case.description),
        "<h2>Hypotheses</h2><dl>",
    ]
    for hyp in case.hypotheses:
        parts.append(f"<dt><strong>{h.esc(hyp.id)}</strong>: {h.esc(hyp.title)}</dt>")
        if hyp.description:
            parts.append(f"<dd>{h.esc(hyp.description)}</dd>")
    parts.append("</dl>")
    return "".join(parts)


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
                rows.append((note.evidence, note.hypothesis, analyst, f"{code} ({RATING_LABEL[code]})",
                             note.rationale))
    if not rows:
        return "<p>No rationale was recorded for the disputed cells.</p>"
    rows.sort()
    body = "".join(
        "<tr>" + "".join(f"<td>{h.esc(v)}</td>" for v in row) + "</tr>" for row in rows
    )
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
        items.append(f"{s.id}: {s.title}" + (f" ({bits})" if bits else "") + f"; reliability {grade}"
                     + (f"; {s.url}" if s.url else ""))
    return h.bullet_list(items)


def linchpins_html(scores: AchScores, limit: int = 12) -> str:
    """The linchpins in plain sentences, leader changes first."""
    assert scores.sensitivity is not None
    sens = scores.sensitivity
    if not sens.linchpins:
        return (f"<p>No single item's removal, one-step shift or reversal changes the leader ({h.esc(sens.leader)}) "
                "or its likelihood band: the conclusion does not hang on any one item.</p>")
    more = len(sens.sentences) - limit
    tail = f"<p>… and {more} further changes of the same kind.</p>" if more > 0 else ""
    return (f"<p><strong>Linchpins:</strong> {h.esc(', '.join(sens.linchpins))}.</p>"
            + h.bullet_list(sens.sentences[:limit]) + tail)


def warnings_html(scores: AchScores) -> str:
    """The hypothesis-set and matrix warnings, or a note that there are none."""
    if not scores.warnings:
        return "<p>No warnings: the hypothesis set and the matrix pass every check.</p>"
    return h.bullet_list(str(w) for w in scores.warnings)

"""Why a cell is rated as it is: the analyst writes the reason beside the grid, and sees the other analysts'.

The text goes through the store to ``ratings/<analyst>.notes.csv`` (:meth:`.session.EditSession.set_rationale`);
the ACH report's rationale table is filled from those files.
"""

from __future__ import annotations

from collections.abc import Callable

import ipywidgets as w

from ..errors import Problem
from ..htmltext import esc
from ..model import RATING_LABEL, Case
from .forms import done_html, problems_html

#: Called with (evidence id, hypothesis id, text); returns the problems (empty when saved).
RationaleHandler = Callable[[str, str, str], list[Problem]]


class RationaleBox(w.VBox):
    """The written reason of the current analyst for one cell, with a save button."""

    def __init__(self, save: RationaleHandler):
        self._save_handler = save
        self.cell: tuple[str, str] | None = None
        self.heading = w.HTML("<b>Why this rating?</b> <span style='color:#57606a'>Select a cell in the grid.</span>")
        self.text = w.Textarea(
            placeholder="Why you rated this cell as you did: the reasoning a reader of the report should see.",
            layout=w.Layout(width="100%", height="5.5em"),
            disabled=True,
        )
        self.save_button = w.Button(description="Save why", icon="save", disabled=True, layout=w.Layout(width="auto"))
        self.message = w.HTML()
        self.others = w.HTML()
        self.save_button.on_click(lambda _b: self.save())
        super().__init__(
            [self.heading, self.text, w.HBox([self.save_button, self.message]), self.others],
            layout=w.Layout(width="100%"),
        )
        self.add_class("sat-rationale")

    def show(
        self, case: Case, code: str, evidence_id: str, hypothesis_id: str, mine: str, others: dict[str, str]
    ) -> None:
        """Show cell (``evidence_id``, ``hypothesis_id``) rated ``code``, this analyst's reason ``mine`` and the
        ``others``' reasons by analyst (left empty in blind rating)."""
        self.cell = (evidence_id, hypothesis_id)
        evidence, hypothesis = case.evidence_item(evidence_id), case.hypothesis(hypothesis_id)
        rating = f"{code} ({RATING_LABEL.get(code, code)})" if code else "not yet rated"
        self.heading.value = (
            f"<b>Why this rating?</b> <code>{esc(evidence_id)}</code> \u00d7 <code>{esc(hypothesis_id)}</code>: "
            f"{esc(rating)}<div style='color:#57606a;font-size:12px'>{esc(evidence.summary)} \u2014 "
            f"{esc(hypothesis.title)}</div>"
        )
        self.text.value = mine
        self.text.disabled = self.save_button.disabled = False
        self.message.value = ""
        self.others.value = "".join(
            f"<div style='font-size:12px'><b>{esc(name)}</b>: {esc(reason)}</div>" for name, reason in others.items()
        )

    def clear(self) -> None:
        """No cell selected."""
        self.cell = None
        self.text.value, self.message.value, self.others.value = "", "", ""
        self.text.disabled = self.save_button.disabled = True

    def save(self) -> list[Problem]:
        """Save the text for the current cell through the editor's handler."""
        if self.cell is None:
            return []
        problems = self._save_handler(*self.cell, self.text.value)
        self.message.value = problems_html(problems) if problems else done_html("Saved.")
        return problems

"""The Key Assumptions Check form: add, edit and remove assumptions and set the analytic line, saved to
``assumptions.yaml`` through the file's own reader (the analyst sees the message the file would give).

The source register and the 1-6 grades are edited in the ACH editor's source and evidence forms. Saving rewrites
``assumptions.yaml`` from its fields: comments in the file are not kept.
"""

from __future__ import annotations

from typing import Any

import ipywidgets as w

from ..edits import next_id
from ..errors import Problem
from ..model import LEVELS, Case
from ..widgets.forms import (
    DESCRIPTION_STYLE,
    NEW,
    WIDE,
    Field,
    FieldSet,
    done_html,
    problems_html,
)
from ..yamlio import LineDict
from .assumptions_file import (
    ASSUMPTIONS_FILE,
    CATEGORIES,
    DISPOSITIONS,
    KINDS,
    KeyAssumptions,
    assumptions_to_dict,
    load_assumptions,
    parse_assumptions,
    save_assumptions,
)

ASSUMPTION_FIELDS = (
    Field("id", "Id"),
    Field("text", "Assumption", "area"),
    Field("kind", "Stated?", "choice", tuple((k, k) for k in KINDS)),
    Field("basis", "Why believed", "area"),
    Field("evidence", "Evidence", "multi"),
    Field("sources", "Sources", "multi"),
    Field("stands_behind", "Stands behind", "multi"),
    Field("confidence", "Confidence", "choice", tuple((v, v) for v in LEVELS)),
    Field("undermined_by", "Undermined by", "lines", placeholder="What could undermine it (one per line)"),
    Field("less_so_now", "Less so now", "area", placeholder="How it was true in the past but is less so now"),
    Field("impact", "Impact if wrong", "choice", tuple((v, v) for v in LEVELS)),
    Field("category", "Category", "choice", tuple((c, c) for c in CATEGORIES)),
    Field("disposition", "Disposition", "choice", (("none", ""), *((d, d) for d in DISPOSITIONS))),
    Field("notes", "Notes", "area"),
)
DEFAULTS: dict[str, Any] = {
    "kind": "stated",
    "confidence": "medium",
    "impact": "medium",
    "category": "correct-with-caveats",
    "disposition": "",
}


class AssumptionsForm(w.VBox):
    """The analytic line and one assumption at a time of a case's Key Assumptions Check."""

    def __init__(self, case: Case):
        self.case = case
        self.worksheet = load_assumptions(case) or KeyAssumptions(analytic_line="")
        self.line = w.Textarea(description="Analytic line", layout=WIDE, style=DESCRIPTION_STYLE, rows=3)
        self.fieldset = FieldSet(ASSUMPTION_FIELDS)
        self.fields = self.fieldset.widgets
        self.fields["evidence"].options = [(f"{e.id}: {e.summary[:50]}", e.id) for e in case.evidence]
        self.fields["stands_behind"].options = self.fields["evidence"].options
        self.fields["sources"].options = [(f"{s.id}: {s.title[:50]}", s.id) for s in case.sources]
        self.picker = w.Dropdown(description="Edit", layout=WIDE, style=DESCRIPTION_STYLE)
        self.save_button = w.Button(description="Add assumption", button_style="primary", icon="check")
        self.remove_button = w.Button(description="Remove", icon="trash")
        self.message = w.HTML()
        self.picker.observe(lambda _change: self._load(), names="value")
        self.save_button.on_click(lambda _b: self.save())
        self.remove_button.on_click(lambda _b: self.remove())
        super().__init__(
            [
                self.line,
                self.picker,
                *self.fields.values(),
                w.HBox([self.save_button, self.remove_button]),
                self.message,
            ],
            layout=w.Layout(padding="4px"),
        )
        self.line.value = self.worksheet.analytic_line
        self._refresh(None)

    @property
    def selected(self) -> str | None:
        """Id of the assumption being edited, None for a new one."""
        return self.picker.value or None

    def _refresh(self, keep: str | None) -> None:
        ids = [a.id for a in self.worksheet.assumptions]
        self.picker.options = [("\u2014 new assumption \u2014", NEW)] + [
            (f"{a.id}: {a.text[:60]}", a.id) for a in self.worksheet.assumptions
        ]
        self.picker.value = keep if keep in ids else NEW
        self._load()

    def _load(self) -> None:
        aid = self.selected
        if aid is None:
            self.fieldset.fill({**DEFAULTS, "id": next_id([a.id for a in self.worksheet.assumptions], "A")})
        else:
            self.fieldset.fill(vars(self.worksheet.assumption(aid)))
        self.fields["id"].disabled = aid is not None
        self.save_button.description = "Add assumption" if aid is None else "Save changes"
        self.remove_button.disabled = aid is None

    def _write(self, document: dict[str, Any], keep: str | None, done: str) -> list[Problem]:
        file = ASSUMPTIONS_FILE
        parsed, problems = parse_assumptions(LineDict(document), file, self.case)
        if parsed is None:
            self.message.value = problems_html(problems)
            return problems
        save_assumptions(self.case, parsed)
        self.worksheet = parsed
        self._refresh(keep)
        self.message.value = done_html(done)
        return []

    def save(self) -> list[Problem]:
        """Validate the form as the file would be read, then write ``assumptions.yaml``; show problems if any."""
        values = {k: v for k, v in self.fieldset.values().items() if k in ("id", "text") or v not in ("", [], ())}
        document = assumptions_to_dict(self.worksheet)
        document["analytic_line"] = self.line.value.strip()
        items = document["assumptions"]
        aid = self.selected
        index = next((i for i, a in enumerate(items) if a["id"] == aid), len(items))
        items[index : index + 1] = [values]
        return self._write(document, str(values.get("id", "")), f"Saved {values.get('id', '')}.")

    def remove(self) -> list[Problem]:
        """Remove the selected assumption."""
        aid = self.selected
        if aid is None:
            return []
        document = assumptions_to_dict(self.worksheet)
        document["analytic_line"] = self.line.value.strip()
        document["assumptions"] = [a for a in document["assumptions"] if a["id"] != aid]
        return self._write(document, None, f"Removed {aid}.")

"""The rating matrix as one widget: hypotheses across, evidence down, one click or keystroke per cell.

A single anywidget (ipywidgets protocol) renders the whole table in the browser, so a 20 x 200 matrix is one
widget, not 4,000. The grid only shows what it is given and reports what the analyst did; the editor decides
what that means for the case (:mod:`.app`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import anywidget
import pandas as pd
import traitlets

from ..model import Case, Evidence, Hypothesis
from .grid_assets import GRID_ESM, grid_css

RateHandler = Callable[[str, str, str], object]
SelectHandler = Callable[[str, str], None]
#: Called with (evidence id, hypothesis id) when the analyst moves to a cell.
CellHandler = Callable[[str, str], None]


def cell_key(evidence_id: str, hypothesis_id: str) -> str:
    """Key of a cell in :attr:`MatrixGrid.marks`, :attr:`MatrixGrid.tips` and :attr:`MatrixGrid.notes`."""
    return f"{evidence_id}\t{hypothesis_id}"


def hypothesis_tip(h: Hypothesis) -> str:
    """Full text of a column header, shown on hover."""
    parts = [f"{h.id}: {h.title}", h.description]
    if h.milestones:
        parts.append("Milestones:\n" + "\n".join(f"- {m}" for m in h.milestones))
    return "\n\n".join(p for p in parts if p)


def evidence_tip(e: Evidence) -> str:
    """Full text of a row header, shown on hover."""
    facts = [
        str(e.date) if e.date else "",
        e.type,
        f"credibility {e.credibility}",
        f"relevance {e.relevance}",
        f"sources {', '.join(e.sources)}" if e.sources else "",
        f"group {e.group}" if e.group else "",
    ]
    parts = [f"{e.id}: {e.summary}", " \u00b7 ".join(f for f in facts if f), e.notes]
    return "\n\n".join(p for p in parts if p)


class MatrixGrid(anywidget.AnyWidget):
    """The matrix view; ``codes[r][c]`` is the rating of ``evidence[r]`` under ``hypotheses[c]``."""

    _esm = GRID_ESM
    _css = grid_css()

    #: Columns in display order: ``{"id", "title", "tip"}``.
    hypotheses = traitlets.List(traitlets.Dict()).tag(sync=True)
    #: Rows in display order: ``{"id", "summary", "tip"}``.
    evidence = traitlets.List(traitlets.Dict()).tag(sync=True)
    #: Rating codes in display order (``""`` = not yet rated); rows of strings, not validated one by one (speed).
    codes: traitlets.List[list[str]] = traitlets.List().tag(sync=True)
    #: Highlighted cells (comparison mode): :func:`cell_key` -> ``mild`` / ``large`` / ``extreme`` / ``na``.
    marks = traitlets.Dict(value_trait=traitlets.Unicode()).tag(sync=True)
    #: Extra hover text per cell (comparison mode: the other analysts' ratings).
    tips = traitlets.Dict(value_trait=traitlets.Unicode()).tag(sync=True)
    #: The analyst's written reason per cell (:func:`cell_key` -> text), shown on hover and marked in a corner.
    notes = traitlets.Dict(value_trait=traitlets.Unicode()).tag(sync=True)
    #: Evidence ids flagged as linchpins (step-6 sensitivity) in the row headers.
    linchpins = traitlets.List(traitlets.Unicode()).tag(sync=True)
    #: The code a click applies (``""`` clears).
    brush = traitlets.Unicode("C").tag(sync=True)
    #: When true, clicks and keys change nothing (an unresolved conflict or error).
    readonly = traitlets.Bool(False).tag(sync=True)
    #: Number (``seq``) of the last rating message from the page that the kernel has handled, saved or refused.
    ack = traitlets.Int(0).tag(sync=True)

    def __init__(self, **kwargs: Any):
        super().__init__(**kwargs)
        self.on_rate: RateHandler | None = None
        self.on_select: SelectHandler | None = None
        self.on_cell: CellHandler | None = None
        self.on_msg(lambda _widget, content, _buffers: self.receive(content))

    def receive(self, content: Mapping[str, Any]) -> None:
        """Handle a message from the browser (what a click or a key sends)."""
        event = content.get("event")
        if event == "rate":
            with self.hold_sync():  # the new codes and the acknowledgement reach the page together
                if self.on_rate is not None and not self.readonly:
                    self.on_rate(str(content["evidence"]), str(content["hypothesis"]), str(content["code"]))
                if isinstance(content.get("seq"), int):
                    self.ack = max(self.ack, content["seq"])
        elif event == "select" and content.get("kind") == "cell":
            if self.on_cell is not None:
                self.on_cell(str(content["evidence"]), str(content["hypothesis"]))
        elif event == "select" and self.on_select is not None:
            self.on_select(str(content["kind"]), str(content["id"]))

    def show(
        self, case: Case, matrix: pd.DataFrame, hypothesis_order: Sequence[str], evidence_order: Sequence[str]
    ) -> None:
        """Lay out the case's rows and columns in the given order, with the ratings of ``matrix``."""
        with self.hold_sync():
            self.hypotheses = [
                {"id": h.id, "title": h.title, "tip": hypothesis_tip(h)}
                for h in (case.hypothesis(hid) for hid in hypothesis_order)
            ]
            self.evidence = [
                {"id": e.id, "summary": e.summary, "tip": evidence_tip(e)}
                for e in (case.evidence_item(eid) for eid in evidence_order)
            ]
            self.update_codes(matrix)

    def clear(self) -> None:
        """Show no matrix (no case open)."""
        with self.hold_sync():
            self.hypotheses, self.evidence, self.codes, self.marks, self.tips, self.notes = [], [], [], {}, {}, {}
            self.linchpins = []

    def update_codes(self, matrix: pd.DataFrame) -> None:
        """Show the ratings of ``matrix`` in the current layout."""
        rows = [e["id"] for e in self.evidence]
        cols = [h["id"] for h in self.hypotheses]
        self.codes = matrix.reindex(index=rows, columns=cols).to_numpy(dtype=object, na_value="").tolist()

    def code_at(self, evidence_id: str, hypothesis_id: str) -> str:
        """The rating the grid shows for a cell."""
        rows = [e["id"] for e in self.evidence]
        cols = [h["id"] for h in self.hypotheses]
        return self.codes[rows.index(evidence_id)][cols.index(hypothesis_id)]

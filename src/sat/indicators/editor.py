"""Recording observations in JupyterLab or Voilà: pick an indicator, a date, a status, sources and a note.

The widget only collects text. :func:`.files.append_observation` validates the row with the same rules as
``observations.csv`` and appends it atomically; on success the board is read again from the files and the
indicator's history, the timeline figure and its table are redrawn. Nothing is written for invalid input: the
problems are shown instead.
"""

from __future__ import annotations

import io
import os
from typing import Any

import ipywidgets as w

from ..errors import ValidationError
from ..htmltext import esc
from ..model import LEVELS
from ..paths import resolve_case
from ..widgets.forms import done_html, problems_html
from .board import Board, load_board
from .files import append_observation
from .present import timeline_figure, timeline_frame
from .tracking import STATUSES

WIDE = w.Layout(width="100%")
STYLE = {"description_width": "7.5em"}


class ObservationRecorder:
    """The recording form, the selected indicator's history, and the timeline, for one case folder."""

    def __init__(self, case: str | os.PathLike[str]):
        self.folder = resolve_case(case)
        self.board: Board = load_board(self.folder)
        spec = self.board.spec
        self.indicator = w.Dropdown(
            options=[(f"{i.id}: {i.text[:80]}", i.id) for i in spec.indicators],
            description="Indicator",
            layout=WIDE,
            style=STYLE,
        )
        self.date = w.Text(placeholder="YYYY-MM-DD", description="Date", style=STYLE)
        self.status = w.ToggleButtons(options=list(STATUSES), value="observed", description="Status", style=STYLE)
        self.credibility = w.ToggleButtons(options=list(LEVELS), value="medium", description="Credibility", style=STYLE)
        self.sources = w.Text(
            placeholder="where it was seen (publisher, date, URL)", description="Sources", layout=WIDE, style=STYLE
        )
        self.note = w.Textarea(
            placeholder="what exactly was seen, or looked for and not seen",
            description="Note",
            rows=2,
            layout=WIDE,
            style=STYLE,
        )
        self.record = w.Button(
            description="Record observation", button_style="primary", icon="plus", layout=w.Layout(width="16em")
        )
        self.message = w.HTML()
        self.history = w.HTML()
        self.figure = w.Image(format="png", layout=w.Layout(max_width="900px"))
        self.table = w.HTML()
        self.record.on_click(self._record)
        self.indicator.observe(lambda _: self._show_history(), names="value")
        self.widget = w.VBox(
            [
                w.HTML(f"<h3>Record an observation: {esc(self.board.case.title)}</h3>"),
                self.indicator,
                self.date,
                self.status,
                self.credibility,
                self.sources,
                self.note,
                self.record,
                self.message,
                self.history,
                self.figure,
                self.table,
            ],
            layout=w.Layout(max_width="1000px"),
        )
        self.widget.add_class("sat-indicators-editor")
        self._redraw()

    def row(self) -> dict[str, Any]:
        """The form's values as an observations.csv row."""
        return {
            "indicator": self.indicator.value,
            "date": self.date.value,
            "status": self.status.value,
            "credibility": self.credibility.value,
            "sources": self.sources.value,
            "note": self.note.value,
        }

    def _record(self, _: Any = None) -> None:
        try:
            saved = append_observation(self.folder, self.row(), self.board.spec.ids)
        except ValidationError as exc:
            self.message.value = problems_html(exc.problems)
            return
        self.board = load_board(self.folder)
        self.sources.value = self.note.value = ""
        self.message.value = done_html(f"Recorded: {saved.indicator} {saved.status} on {saved.date.isoformat()}")
        self._redraw()

    def _show_history(self) -> None:
        log = self.board.observations[self.board.observations["indicator"] == self.indicator.value]
        if log.empty:
            self.history.value = "<p><i>No observation of this indicator yet (its status is unknown).</i></p>"
            return
        rows = "".join(
            f"<tr><td>{esc(r.date.isoformat())}</td><td>{esc(r.status)}</td><td>{esc(r.credibility)}</td>"
            f"<td>{esc(r.note)}</td></tr>"
            for r in log.itertuples()
        )
        self.history.value = (
            "<table class='sat-history'><tr><th>date</th><th>status</th><th>credibility</th>"
            f"<th>note</th></tr>{rows}</table>"
        )

    def _redraw(self) -> None:
        import matplotlib.pyplot as plt

        figure = timeline_figure(self.board)
        buffer = io.BytesIO()
        figure.savefig(buffer, format="png", dpi=80)
        plt.close(figure)
        self.figure.value = buffer.getvalue()
        self.table.value = timeline_frame(self.board).to_html(index=False, escape=True, classes="sat-timeline")
        self._show_history()


def observation_recorder(case: str | os.PathLike[str]) -> w.VBox:
    """The recording widget of a case (for a notebook cell or a Voilà app)."""
    return ObservationRecorder(case).widget

"""The ACH matrix editor: grid, live scores, forms and save status around one editing session.

Every change an analyst makes goes through :class:`~.session.EditSession` (the data layer) the moment it is made;
the status line says saved, saving, or what went wrong. The same object serves JupyterLab and Voila.
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path
from typing import Any

import ipywidgets as w

from ..ach.analysis import AchScores
from ..errors import CaseNotFoundError, ConflictError, Problem, SatError, ValidationError
from ..htmltext import esc
from ..paths import CASE_FILE, cases_dir
from . import opening, ordering, panel
from .forms import DetailsForm, ImpactHandler, ItemForm, RemoveHandler, SaveHandler, done_html, problems_html
from .grid import MatrixGrid, cell_key
from .rationale import RationaleBox
from .session import EditSession, check_analyst, create_case

STATUS_COLOURS = {"saved": "#1a7f37", "saving": "#9a6700", "error": "#cf222e", "conflict": "#cf222e", "idle": "#57606a"}
SIDEBAR_WIDTH = "470px"
EDITOR_CSS = """<style>
.sat-editor-body { gap: 12px; }
.sat-editor-toolbar { gap: 8px; padding: 4px 0 6px; }
.sat-editor-toolbar .sat-status { margin-right: auto; }
.sat-editor .jupyter-widgets.widget-tab > .lm-TabBar .lm-TabBar-tab { flex: 1 1 auto; min-width: 0; padding: 0 6px; }
.sat-editor-status { flex: 1 1 auto; }
</style>"""


def known_cases() -> list[str]:
    """Case ids under ``data/cases``."""
    folder = cases_dir()
    return sorted(p.name for p in folder.glob("*") if (p / "case.yaml").is_file()) if folder.is_dir() else []


#: What the editor says while nobody has said who they are.
WHO_ARE_YOU = "Who are you? Enter your analyst name (and pick the case) in the Case tab, then Open."
STRUCTURE_LOCKED = "this exercise locks the case's structure: you can rate the matrix, not change it"


class AchEditor(w.VBox):
    """Edit one case as one analyst; ``blind`` hides scores and other analysts until the matrix is complete.

    An empty ``analyst`` opens nothing and asks who you are. ``analyst_fixed`` (on a hub: the logged-in user) keeps
    the name from being changed; ``lock_blind`` keeps blind rating on; ``lock_structure`` leaves only the ratings
    editable (no hypothesis, evidence, source or case forms, and no new case).
    """

    def __init__(
        self,
        case: str | Path = "",
        analyst: str = "",
        blind: bool = False,
        compare: bool = False,
        *,
        analyst_fixed: bool = False,
        lock_blind: bool = False,
        lock_structure: bool = False,
    ):
        self.lock_blind = lock_blind
        self.lock_structure = lock_structure
        self.session: EditSession | None = None
        self.scores: AchScores | None = None
        self.status_state = "idle"
        self.header = w.HTML()
        self.status = w.HTML()
        self.status.add_class("sat-editor-status")
        self.reload_button = w.Button(
            description="Reload from disk",
            icon="refresh",
            button_style="warning",
            layout=w.Layout(display="none", width="auto"),
        )
        self.blind_toggle = w.ToggleButton(
            value=blind or lock_blind,
            disabled=lock_blind,
            description="Blind rating",
            icon="eye-slash",
            layout=w.Layout(width="auto"),
            tooltip="Hide scores and other analysts' ratings until your matrix is complete",
        )
        self.compare_toggle = w.ToggleButton(
            value=compare,
            description="Compare with group",
            icon="users",
            layout=w.Layout(width="auto"),
            tooltip="Highlight the cells the analysts dispute",
        )
        self.grid = MatrixGrid(layout=w.Layout(width="100%", min_width="0"))
        self.grid.on_rate = self.rate
        self.grid.on_select = self.select
        self.grid.on_cell = self.select_cell
        self.rationale = RationaleBox(self.save_rationale)
        self.panel = w.HTML()
        self.forms = {
            kind: ItemForm(kind, self._saver(kind), self._remover(kind), self._impact(kind))
            for kind in ("hypothesis", "evidence", "source")
        }
        self.details = DetailsForm(self._save_details)
        self.new_case = DetailsForm(self._create_case, new=True)
        self.open_case = w.Dropdown(description="Case", style={"description_width": "5em"})
        self.open_analyst = w.Combobox(
            description="Analyst",
            style={"description_width": "5em"},
            placeholder="your name, as in ratings/<name>.csv",
            disabled=analyst_fixed,
        )
        self.open_button = w.Button(description="Open", icon="folder-open")
        self.open_message = w.HTML()
        self.sidebar = w.Tab(layout=w.Layout(flex=f"0 1 {SIDEBAR_WIDTH}", min_width="340px"))
        main = w.VBox([self.grid, self.rationale], layout=w.Layout(flex="1 1 600px", min_width="0"))
        self.body = w.HBox(
            [main, self.sidebar], layout=w.Layout(width="100%", align_items="flex-start", flex_flow="row wrap")
        )
        self.body.add_class("sat-editor-body")
        self.reload_button.on_click(lambda _b: self.reload())
        self.blind_toggle.observe(self._on_blind, names="value")
        self.compare_toggle.observe(lambda _c: self.refresh_scores(), names="value")
        self.open_button.on_click(
            lambda _b: self.load(self.open_case.value or "", self.open_analyst.value.strip(), self.blind_toggle.value)
        )
        toolbar = w.HBox(
            [self.status, self.reload_button, self.blind_toggle, self.compare_toggle],
            layout=w.Layout(align_items="center", flex_flow="row wrap"),
        )
        toolbar.add_class("sat-editor-toolbar")
        super().__init__([w.HTML(EDITOR_CSS), self.header, toolbar, self.body], layout=w.Layout(width="100%"))
        self.add_class("sat-editor")
        self.load(case, analyst, blind or lock_blind)

    # --- opening ------------------------------------------------------------------------------------------------

    def load(self, case: str | Path, analyst: str, blind: bool = False) -> bool:
        """Open ``case`` as ``analyst`` (an empty case shows only the new-case form); False if it cannot be opened."""
        self.open_case.options = known_cases()
        self.open_analyst.value = analyst
        if str(case) in self.open_case.options:
            self.open_case.value = str(case)
        if not analyst:
            self.session = None
            self._show_without_case(WHO_ARE_YOU)
            self.sidebar.selected_index = 0
            return False
        problems = check_analyst(analyst)
        if problems:
            return self._open_failed(problems_html(problems))
        if not str(case):
            self.session = None
            self._show_without_case("No case is open: create one, or open one in the Case tab.")
            return False
        try:
            self.session = EditSession.open(case, analyst)
        except ValidationError as exc:
            return self._open_failed(problems_html(exc.problems))
        except CaseNotFoundError as exc:
            return self._open_failed(f'<p style="color:#cf222e">{esc(exc)}</p>')
        self.open_analyst.options = self.session.case.analysts
        if self.session.folder == cases_dir().resolve() / self.session.case.id:
            self.open_case.value = self.session.case.id
        else:  # a case opened by its folder (an exercise's pack): offer that folder, so Open reopens it
            folder = str(self.session.folder)
            self.open_case.options = [(c, c) for c in known_cases()] + [(f"{self.session.case.id} ({folder})", folder)]
            self.open_case.value = folder
        self.blind_toggle.unobserve(self._on_blind, names="value")
        self.blind_toggle.value = blind or self.lock_blind
        self.blind_toggle.observe(self._on_blind, names="value")
        forms = [] if self.lock_structure else list(self.forms.values())
        self.sidebar.children = [self.panel, *forms, self._case_tab()]
        titles = ("Scores", "Case") if self.lock_structure else ("Scores", "Hypotheses", "Evidence", "Sources", "Case")
        for index, title in enumerate(titles):
            self.sidebar.set_title(index, title)
        self.open_message.value = ""
        self._relayout()
        self._set_status("idle", f"Opened {self.session.case.id}; every change is saved as you make it.")
        return True

    def _open_failed(self, message: str) -> bool:
        self.open_message.value = message
        if self.session is None:
            self._show_without_case("The case could not be opened; see the Case tab.")
        self._set_status("error", "Could not open the case: see the Case tab.")
        self.sidebar.selected_index = len(self.sidebar.children) - 1
        return False

    def _show_without_case(self, text: str) -> None:
        self.header.value = f"<h3 style='margin:4px 0'>ACH matrix editor</h3><p>{esc(text)}</p>"
        self.grid.clear()
        self.sidebar.children = [self._case_tab()]
        self.sidebar.set_title(0, "Case")
        self.panel.value = ""

    def _case_tab(self) -> w.VBox:
        parts: list[Any] = []
        if self.session is not None and not self.lock_structure:
            parts += [w.HTML("<b>This case</b>"), self.details]
        parts += [w.HTML("<b>Open a case</b>"), self.open_case, self.open_analyst, self.open_button, self.open_message]
        if not self.lock_structure:
            parts += [w.HTML("<b>New case</b>"), self.new_case]
        return w.VBox(parts)

    # --- layout and scores --------------------------------------------------------------------------------------

    @property
    def blind(self) -> bool:
        return self.blind_toggle.value

    def _on_blind(self, _change: Any) -> None:
        self._relayout()

    def _relayout(self) -> None:
        """Lay out grid, forms and header for the current case and mode."""
        if self.session is None:
            return
        case, matrix = self.session.case, self.session.matrix
        if self.blind:
            hypotheses = ordering.shuffled_hypotheses(case.hypothesis_ids, self.session.analyst, case.id)
            evidence = ordering.unrated_first(matrix)
        else:
            hypotheses, evidence = case.hypothesis_ids, case.evidence_ids
        self.grid.show(case, matrix, hypotheses, evidence)
        self.grid.readonly = False
        self._show_notes()
        cell = self.rationale.cell
        if cell is not None and cell[0] in case.evidence_ids and cell[1] in case.hypothesis_ids:
            self.select_cell(*cell)
        else:
            self.rationale.clear()
        self.compare_toggle.disabled = self.blind
        mode = (" \u00b7 blind rating" if self.blind else "") + (" (set by the exercise)" if self.lock_blind else "")
        mode += " \u00b7 structure locked: rate only" if self.lock_structure else ""
        self.header.value = (
            f"<div class='sat-editor-head'><h3 style='margin:4px 0 2px'>{esc(case.title)}</h3>"
            f"<div style='color:#424a53'>{esc(case.question)}</div>"
            f"<div style='color:#57606a;font-size:12px;margin-top:2px'>Case <code>{esc(case.id)}</code> \u00b7 "
            f"analyst <b>{esc(self.session.analyst)}</b>{mode} \u00b7 as of {esc(case.as_of or 'no date')} \u00b7 "
            f"{len(case.hypotheses)} hypotheses \u00d7 {len(case.evidence)} evidence items</div></div>"
        )
        for form in self.forms.values():
            form.refresh(case, keep=form.selected)
        self.details.fill(case)
        self.refresh_scores()

    def refresh_scores(self) -> None:
        """Recompute the live panel (and the grid's dispute marks) from the current ratings."""
        if self.session is None:
            return
        case, matrix, analyst = self.session.case, self.session.matrix, self.session.analyst
        rated, total = ordering.progress(matrix)
        compare = self.compare_toggle.value and not self.blind
        if self.blind and rated < total:
            self.scores = None
            self.panel.value = panel.hidden_html(rated, total)
            with self.grid.hold_sync():
                self.grid.marks, self.grid.tips, self.grid.linchpins = {}, {}, []
            return
        try:
            self.scores = panel.score(case, analyst, matrix)
        except SatError as exc:
            self.scores = None
            self.panel.value = panel.message_html(str(exc))
            self.grid.linchpins = []
            return
        group = panel.group_scores(case) if compare else None
        marks, tips = panel.dispute_marks(group)
        sensitivity = self.scores.sensitivity
        with self.grid.hold_sync():
            self.grid.marks, self.grid.tips = marks, tips
            self.grid.linchpins = sensitivity.linchpins if sensitivity is not None else []
        extra = panel.comparison_html(self.scores, group, analyst) if compare else ""
        self.panel.value = panel.scores_html(self.scores) + extra

    # --- status -------------------------------------------------------------------------------------------------

    def _set_status(self, state: str, text: str) -> None:
        self.status_state = state
        label = {
            "saved": "Saved",
            "saving": "Saving\u2026",
            "error": "Error",
            "conflict": "Not saved",
            "idle": "Ready",
        }[state]
        colour = STATUS_COLOURS[state]
        self.status.value = (
            f"<span class='sat-status sat-status-{state}' style='display:inline-flex;align-items:center;gap:6px'>"
            f"<span style='width:10px;height:10px;border-radius:50%;background:{colour};display:inline-block'></span>"
            f"<b style='color:{colour}'>{label}</b> <span>{esc(text)}</span></span>"
        )
        self.reload_button.layout.display = "inline-flex" if state == "conflict" else "none"

    def _conflict(self, exc: ConflictError, what: str) -> None:
        names = ", ".join(str(p.relative_to(p.parents[1])) if p.parent.name == "ratings" else p.name for p in exc.paths)
        self.grid.readonly = True
        self._set_status(
            "conflict",
            f"{what} was not saved: {names} changed on disk since this editor loaded it "
            "(another tab, another analyst, or a hand edit). Reload to see the current files, "
            "then make your change again.",
        )

    def reload(self) -> bool:
        """Re-read the case from disk after an external change."""
        if self.session is None:
            return False
        try:
            self.session.reload()
        except (ValidationError, CaseNotFoundError) as exc:
            problems = exc.problems if isinstance(exc, ValidationError) else []
            detail = "; ".join(str(p) for p in problems[:3]) or str(exc)
            self._set_status("error", f"The files on disk are not a valid case now: {detail}")
            return False
        self._relayout()
        self._set_status("saved", f"Reloaded from disk at {_now()}.")
        return True

    # --- user actions -------------------------------------------------------------------------------------------

    def rate(self, evidence_id: str, hypothesis_id: str, code: str) -> bool:
        """Rate one cell and save it at once (what a click or key in the grid does)."""
        if self.session is None:
            return False
        what = f"{evidence_id} \u00d7 {hypothesis_id} = {code or 'cleared'}"
        self._set_status("saving", what)
        try:
            path = self.session.set_rating(evidence_id, hypothesis_id, code)
        except ConflictError as exc:
            self.grid.update_codes(self.session.matrix)
            self._conflict(exc, what)
            return False
        except (ValidationError, OSError) as exc:
            self.grid.update_codes(self.session.matrix)
            self._set_status("error", f"{what} was not saved: {exc}")
            return False
        self.grid.update_codes(self.session.matrix)
        self.refresh_scores()
        if self.rationale.cell == (evidence_id, hypothesis_id):
            self.select_cell(evidence_id, hypothesis_id)
        self._set_status("saved", f"{what} \u2192 ratings/{path.name} at {_now()}")
        return True

    def _show_notes(self) -> None:
        """Mark the cells this analyst has explained, with the reason as hover text."""
        assert self.session is not None
        notes = self.session.case.rationale.get(self.session.analyst)
        rows = [] if notes is None else notes[["evidence", "hypothesis", "rationale"]].itertuples(index=False)
        self.grid.notes = {cell_key(e, h): text for e, h, text in rows}

    def select_cell(self, evidence_id: str, hypothesis_id: str) -> None:
        """Show the written reason for a cell beside the grid (what moving to a cell does)."""
        session = self.session
        if (
            session is None
            or evidence_id not in session.case.evidence_ids
            or hypothesis_id not in session.case.hypothesis_ids
        ):
            return
        others = (
            {}
            if self.blind
            else {a: text for a in session.others if (text := session.rationale(evidence_id, hypothesis_id, a))}
        )
        code = str(session.matrix.loc[evidence_id, hypothesis_id])
        self.rationale.show(
            session.case, code, evidence_id, hypothesis_id, session.rationale(evidence_id, hypothesis_id), others
        )

    def save_rationale(self, evidence_id: str, hypothesis_id: str, text: str) -> list[Problem]:
        """Save why this analyst rated a cell as they did (what "Save why" does)."""
        if self.session is None:
            return []
        what = f"Why {evidence_id} \u00d7 {hypothesis_id}"
        self._set_status("saving", what)
        try:
            path = self.session.set_rationale(evidence_id, hypothesis_id, text)
        except ConflictError as exc:
            self._conflict(exc, what)
            return [
                Problem(
                    exc.paths[0].name,
                    "file",
                    "changed on disk since this editor loaded it; reload first",
                    code="conflict",
                )
            ]
        except ValidationError as exc:
            self._set_status("error", f"{what} was not saved: see below the grid")
            return exc.problems
        except OSError as exc:
            self._set_status("error", f"{what} was not saved: {exc}")
            return [Problem("ratings", "file", f"could not be written: {exc}", code="file")]
        self._show_notes()
        self._set_status("saved", f"{what} \u2192 ratings/{path.name} at {_now()}")
        return []

    def select(self, kind: str, item_id: str) -> None:
        """Show an item in its form (what clicking a row or column header does)."""
        form = self.forms.get(kind)
        if form is None:
            return
        form.select(item_id)
        self.sidebar.selected_index = list(self.forms).index(kind) + 1

    def _structure_change(self, what: str, change: Any) -> list[Problem]:
        assert self.session is not None
        if self.lock_structure:
            self._set_status("error", f"{what} was not saved: {STRUCTURE_LOCKED}")
            return [Problem(CASE_FILE, "structure", STRUCTURE_LOCKED)]
        self._set_status("saving", what)
        try:
            problems = change()
        except ConflictError as exc:
            self._conflict(exc, what)
            return [Problem(exc.paths[0].name, "file", "changed on disk since this editor loaded it; reload first")]
        except OSError as exc:
            self._set_status("error", f"{what} was not saved: {exc}")
            return [Problem("case.yaml", "file", f"could not be written: {exc}")]
        if problems:
            self._set_status("error", f"{what} was not saved: see the form")
            return problems
        self._relayout()
        self._set_status("saved", f"{what} \u2192 case.yaml at {_now()}")
        return []

    def _saver(self, kind: str) -> SaveHandler:
        def save(fields: dict[str, Any], original_id: str | None) -> list[Problem]:
            assert self.session is not None
            put = {
                "hypothesis": self.session.put_hypothesis,
                "evidence": self.session.put_evidence,
                "source": self.session.put_source,
            }[kind]
            verb = "added" if original_id is None else "changed"
            problems = self._structure_change(
                f"{kind.capitalize()} {fields.get('id') or ''} {verb}", lambda: put(fields, original_id)
            )
            if not problems:
                self.forms[kind].refresh(self.session.case, keep=fields.get("id"))
                self.forms[kind].message.value = done_html(f"Saved {fields.get('id')}.")
            return problems

        return save

    def _remover(self, kind: str) -> RemoveHandler:
        def remove(item_id: str) -> list[Problem]:
            assert self.session is not None
            drop = {
                "hypothesis": self.session.remove_hypothesis,
                "evidence": self.session.remove_evidence,
                "source": self.session.remove_source,
            }[kind]
            problems = self._structure_change(f"{kind.capitalize()} {item_id} removed", lambda: drop(item_id))
            if not problems:
                self.forms[kind].message.value = done_html(f"Removed {item_id}.")
            return problems

        return remove

    def _impact(self, kind: str) -> ImpactHandler:
        def impact(item_id: str) -> str:
            assert self.session is not None
            return self.session.removal_impact(kind, item_id)

        return impact

    def _save_details(self, fields: dict[str, Any]) -> list[Problem]:
        assert self.session is not None
        session = self.session
        return self._structure_change("Case details changed", lambda: session.put_details(fields))

    def _create_case(self, fields: dict[str, Any]) -> list[Problem]:
        if self.lock_structure:
            return [Problem(CASE_FILE, "structure", STRUCTURE_LOCKED)]
        folder, problems = create_case(fields)
        if problems or folder is None:
            return problems
        analyst = self.open_analyst.value.strip() or (self.session.analyst if self.session else "analyst")
        self.load(folder, analyst, self.blind)
        self._set_status("saved", f"Created {folder.name}/case.yaml at {_now()}; add hypotheses and evidence.")
        self.sidebar.selected_index = 1
        return []


def _now() -> str:
    return dt.datetime.now().strftime("%H:%M:%S")


def ach_editor(
    case: str | Path = "",
    analyst: str = "",
    blind: bool = False,
    *,
    lock_blind: bool = False,
    lock_structure: bool = False,
) -> AchEditor:
    """The editor for a notebook or a Voila app: ``case`` id or folder, ``analyst`` name, blind rating or not.

    Empty values are taken from the hub user name and the page's URL (:mod:`.opening`); with no analyst at all the
    editor asks who you are. ``lock_blind`` and ``lock_structure`` are an exercise's locks.
    """
    how = opening.resolve(str(case), analyst, blind, lock_blind, lock_structure, os.environ)
    return AchEditor(
        how.case,
        how.analyst,
        blind=how.blind,
        analyst_fixed=how.analyst_fixed,
        lock_blind=how.lock_blind,
        lock_structure=how.lock_structure,
    )

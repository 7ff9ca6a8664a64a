"""Forms to add, edit and remove hypotheses, evidence and sources, and to change or create a case.

A form only collects text; validation is the data layer's (``store.parse_*`` and ``store.check_case`` through
:class:`~.session.EditSession`), so an analyst sees the same message the case file would give. Removal asks for
confirmation first and says what else goes with the item.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import ipywidgets as w

from .. import edits
from ..errors import Problem
from ..htmltext import esc
from ..model import (
    ACCESS,
    EVIDENCE_TYPES,
    INFORMATION_CREDIBILITY,
    LEVELS,
    RELIABILITY,
    SOURCE_STATUS,
    SOURCE_TYPES,
    Case,
)

SaveHandler = Callable[[dict[str, Any], "str | None"], list[Problem]]
RemoveHandler = Callable[[str], list[Problem]]
ImpactHandler = Callable[[str], str]

WIDE = w.Layout(width="100%")
NEW = ""  # the picker's value for a new item (a Dropdown shows None as no selection at all)
DESCRIPTION_STYLE = {"description_width": "7.5em"}


def problems_html(problems: Sequence[Problem]) -> str:
    """The data layer's problems as an escaped list (field, message and value; file and line are the form's)."""
    items = "".join(
        f"<li><b>{esc(p.field)}</b>: {esc(p.message)}"
        + ("" if p.value is None else f" (value: {esc(repr(p.value))})")
        + "</li>"
        for p in problems
    )
    return f'<div class="satf-problems" style="color:#b42318"><b>Not saved:</b><ul>{items}</ul></div>'


def done_html(text: str) -> str:
    return f'<div class="satf-done" style="color:#1a7f37">{esc(text)}</div>'


@dataclass(frozen=True)
class Field:
    """One input of a form: the case.yaml key, its label, and the kind of widget."""

    key: str
    label: str
    kind: str = "text"  # text, area, lines, date, choice, multi
    choices: tuple[tuple[str, object], ...] = ()  # (label, value); values are what case.yaml holds
    placeholder: str = ""


def _make(field: Field) -> w.ValueWidget:
    common = {"description": field.label, "layout": WIDE, "style": DESCRIPTION_STYLE}
    if field.kind in ("area", "lines"):
        return w.Textarea(placeholder=field.placeholder, rows=3, **common)
    if field.kind == "choice":
        return w.Dropdown(options=list(field.choices), **common)
    if field.kind == "multi":
        return w.SelectMultiple(options=[], rows=4, **common)
    return w.Text(placeholder=field.placeholder, **common)


def _value(field: Field, widget: w.ValueWidget) -> Any:
    if field.kind == "lines":
        return [line.strip() for line in widget.value.splitlines() if line.strip()]
    if field.kind == "multi":
        return list(widget.value)
    return widget.value.strip() if isinstance(widget.value, str) else widget.value


def _shown(field: Field, value: Any) -> Any:
    if field.kind == "lines":
        return "\n".join(value or ())
    if field.kind == "multi":
        return tuple(value or ())
    if isinstance(value, dt.date):
        return value.isoformat()
    return "" if value is None else value


HYPOTHESIS_FIELDS = (
    Field("id", "Id"),
    Field("title", "Title", placeholder="One competing explanation"),
    Field("description", "Description", "area"),
    Field("milestones", "Milestones", "lines", placeholder="What would be seen later if it were true (one per line)"),
)
EVIDENCE_FIELDS = (
    Field("id", "Id"),
    Field("summary", "Summary", "area", placeholder="The item of evidence or argument"),
    Field("date", "Date", placeholder="YYYY-MM-DD"),
    Field("type", "Type", "choice", tuple((t, t) for t in EVIDENCE_TYPES)),
    Field("sources", "Sources", "multi"),
    Field("credibility", "Credibility", "choice", tuple((v, v) for v in LEVELS)),
    Field("relevance", "Relevance", "choice", tuple((v, v) for v in LEVELS)),
    Field("group", "Group"),
    Field("notes", "Notes", "area"),
    Field(
        "information_credibility",
        "Credibility 1-6",
        "choice",
        (("not graded", ""), *((f"{k}: {v}", k) for k, v in INFORMATION_CREDIBILITY.items())),
    ),
    Field("conflicts_with", "Conflicts with", "multi"),
)
SOURCE_FIELDS = (
    Field("id", "Id"),
    Field("title", "Title"),
    Field("publisher", "Publisher"),
    Field("date", "Date", placeholder="YYYY-MM-DD"),
    Field("url", "URL"),
    Field(
        "reliability",
        "Reliability",
        "choice",
        (("not graded", ""), *((f"{k}: {v}", k) for k, v in RELIABILITY.items())),
    ),
    Field("type", "Type", "choice", (("not recorded", ""), *((t, t) for t in SOURCE_TYPES))),
    Field("information_date", "Information of", placeholder="YYYY-MM-DD: the date of the information reported"),
    Field("access", "Access", "choice", (("not recorded", ""), *((a, a) for a in ACCESS))),
    Field("bias", "Bias", "area", placeholder="Possible bias or motive of the originator"),
    Field("re_reports", "Re-reports", placeholder="Id of the source this one repeats, if any"),
    Field("status", "Status", "choice", tuple((v, v) for v in SOURCE_STATUS)),
    Field("ambiguity", "Ambiguity", "area"),
)
DETAILS_FIELDS = (
    Field("title", "Title"),
    Field("question", "Question", "area"),
    Field("as_of", "As of", placeholder="YYYY-MM-DD"),
    Field("description", "Description", "area"),
)
NEW_CASE_FIELDS = (Field("id", "Case id", placeholder="lower-case letters, digits, - and _"), *DETAILS_FIELDS)

#: kind -> (fields, attribute of Case, id prefix, default values of a new item)
KINDS: dict[str, tuple[tuple[Field, ...], str, str, dict[str, Any]]] = {
    "hypothesis": (HYPOTHESIS_FIELDS, "hypotheses", "H", {}),
    "evidence": (
        EVIDENCE_FIELDS,
        "evidence",
        "E",
        {"type": "other", "credibility": "medium", "relevance": "medium", "information_credibility": ""},
    ),
    "source": (SOURCE_FIELDS, "sources", "S", {"reliability": "", "type": "", "access": "", "status": "current"}),
}


class FieldSet:
    """Widgets for a tuple of fields, read and written as a case.yaml mapping."""

    def __init__(self, fields: Sequence[Field]):
        self.spec = {f.key: f for f in fields}
        self.widgets: dict[str, w.ValueWidget] = {f.key: _make(f) for f in fields}

    def values(self) -> dict[str, Any]:
        return {k: _value(self.spec[k], widget) for k, widget in self.widgets.items()}

    def fill(self, values: dict[str, Any]) -> None:
        for key, widget in self.widgets.items():
            field = self.spec[key]
            value = _shown(field, values.get(key))
            if field.kind == "multi":
                value = tuple(v for v in value if v in {o[1] for o in widget.options})
            elif field.kind == "choice" and value not in [o[1] for o in field.choices]:
                value = field.choices[0][1]
            widget.value = value


class ItemForm(w.VBox):
    """Add, edit or remove one kind of item (hypothesis, evidence or source)."""

    def __init__(self, kind: str, on_save: SaveHandler, on_remove: RemoveHandler, impact: ImpactHandler):
        fields, self.attribute, self.prefix, self.defaults = KINDS[kind]
        self.kind = kind
        self.on_save, self.on_remove, self.impact = on_save, on_remove, impact
        self.fieldset = FieldSet(fields)
        self.fields = self.fieldset.widgets
        self.picker = w.Dropdown(description="Edit", layout=WIDE, style=DESCRIPTION_STYLE)
        self.save_button = w.Button(description=f"Add {kind}", button_style="primary", icon="check")
        self.remove_button = w.Button(description="Remove\u2026", icon="trash")
        self.confirm_button = w.Button(description="Remove for good", button_style="danger")
        self.cancel_button = w.Button(description="Keep it")
        self.confirm_text = w.HTML()
        self.confirm_box = w.VBox(
            [self.confirm_text, w.HBox([self.confirm_button, self.cancel_button])],
            layout=w.Layout(display="none", border="1px solid #d73027", padding="4px 8px"),
        )
        self.message = w.HTML()
        self.picker.observe(lambda _change: self._load(), names="value")
        self.save_button.on_click(lambda _b: self.save())
        self.remove_button.on_click(lambda _b: self.ask_remove())
        self.confirm_button.on_click(lambda _b: self.remove())
        self.cancel_button.on_click(lambda _b: self._hide_confirm())
        self._ids: list[str] = []
        self._case: Case | None = None
        super().__init__(
            [
                self.picker,
                *self.fields.values(),
                w.HBox([self.save_button, self.remove_button]),
                self.confirm_box,
                self.message,
            ],
            layout=w.Layout(padding="4px"),
        )

    @property
    def selected(self) -> str | None:
        """Id of the item being edited, None for a new one."""
        return self.picker.value or None

    def refresh(self, case: Case, keep: str | None = None) -> None:
        """Show ``case``'s items in the picker (and its sources as choices); select ``keep`` if it still exists."""
        items = getattr(case, self.attribute)
        self._ids = [i.id for i in items]
        if "sources" in self.fields:
            self.fields["sources"].options = [(f"{s.id}: {s.title[:50]}", s.id) for s in case.sources]
        if "conflicts_with" in self.fields:
            self.fields["conflicts_with"].options = [(f"{e.id}: {e.summary[:50]}", e.id) for e in case.evidence]
        self._case = case
        options = [(f"\u2014 new {self.kind} \u2014", NEW)] + [
            (f"{i.id}: {str(getattr(i, 'title', None) or getattr(i, 'summary', ''))[:60]}", i.id) for i in items
        ]
        self.picker.options = options  # resets the value to the first option, "new"
        self.select(keep if keep in self._ids else None)

    def select(self, item_id: str | None) -> None:
        """Show an item in the fields (None: a blank new item with the next free id)."""
        if self.selected == item_id:
            self._load()
        else:
            self.picker.value = item_id or NEW  # the picker's observer loads it

    def _load(self) -> None:
        item_id = self.selected
        self._hide_confirm()
        self.message.value = ""
        if item_id is None:
            self.fieldset.fill({**self.defaults, "id": edits.next_id(self._ids, self.prefix)})
        else:
            item = next(i for i in getattr(self._case, self.attribute) if i.id == item_id)
            self.fieldset.fill(vars(item))
        self.fields["id"].disabled = item_id is not None
        self.save_button.description = f"Add {self.kind}" if item_id is None else "Save changes"
        self.remove_button.disabled = item_id is None

    def save(self) -> list[Problem]:
        """Validate and save what the fields hold; show the data layer's problems if any."""
        problems = self.on_save(self.fieldset.values(), self.selected)
        if problems:
            self.message.value = problems_html(problems)
        return problems

    def ask_remove(self) -> None:
        if self.selected is None:
            return
        self.confirm_text.value = (
            f"<b>Remove {esc(self.kind)} {esc(self.selected)}?</b> {esc(self.impact(self.selected))}"
        )
        self.confirm_box.layout.display = "flex"

    def remove(self) -> list[Problem]:
        """Remove the selected item (after :meth:`ask_remove`)."""
        if self.selected is None or self.confirm_box.layout.display == "none":
            return []
        problems = self.on_remove(self.selected)
        self._hide_confirm()
        if problems:
            self.message.value = problems_html(problems)
        return problems

    def _hide_confirm(self) -> None:
        self.confirm_box.layout.display = "none"


class DetailsForm(w.VBox):
    """The case's title, question, as-of date and description, or (``new=True``) a new case with its id."""

    def __init__(self, on_save: Callable[[dict[str, Any]], list[Problem]], new: bool = False):
        self.on_save = on_save
        self.fieldset = FieldSet(NEW_CASE_FIELDS if new else DETAILS_FIELDS)
        self.fields = self.fieldset.widgets
        self.save_button = w.Button(
            description="Create case" if new else "Save details", button_style="primary", icon="check"
        )
        self.message = w.HTML()
        self.save_button.on_click(lambda _b: self.save())
        super().__init__([*self.fields.values(), self.save_button, self.message], layout=w.Layout(padding="4px"))

    def fill(self, case: Case) -> None:
        self.fieldset.fill(vars(case))
        self.message.value = ""

    def save(self) -> list[Problem]:
        problems = self.on_save(self.fieldset.values())
        self.message.value = problems_html(problems) if problems else ""
        return problems

"""Edits that keep the analyst's file: write a changed case into its ``case.yaml`` by replacing only the lines of
what changed.

Analysts keep case files in git, review them as diffs and write their reasoning in comments. Instead of dumping
the whole case again, :func:`update_yaml` compares the case as the file holds it with the case to save (both as
:func:`~sat.store.saving.case_to_dict` data, so a default the file leaves out is not a change) and splices the
text: a changed field gets new lines in place of its old ones, a removed item loses its lines (and the comment
lines directly above it), a new item is inserted after its predecessor. Every other line, comments, key order,
quoting and folding included, stays byte for byte; a save with no change returns the text unchanged.

The splice works on the line numbers the fast reader records (:mod:`sat.yamlio`). Whatever it cannot place
line by line (a flow-style mapping, a list whose items were reordered, an empty list) is rewritten at the level
above, and the result is always read back and compared with the case to save; the caller falls back to a full
rewrite if they differ.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import yaml

from ..yamlio import LineDict, LineList, YamlDumper

#: Lists whose items are matched by their ``id`` (one item's lines change, not the whole list).
ITEM_LISTS = ("hypotheses", "evidence", "sources")


class _Dumper(YamlDumper):
    """The case files' block style: a list inside a mapping is indented under its key (``  - id: ...``)."""

    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        super().increase_indent(flow, False)


def _dump(data: Any) -> str:
    return yaml.dump(data, Dumper=_Dumper, sort_keys=False, allow_unicode=True, default_flow_style=False, width=100)


@dataclass(frozen=True)
class _Edit:
    """Replace lines ``start``..``end`` (0-based, inclusive; ``end = start - 1`` inserts) with ``text``."""

    start: int
    end: int
    text: list[str]


class _Text:
    """The file's lines, and where each key's value ends."""

    def __init__(self, text: str):
        self.lines = text.splitlines(keepends=True)
        if self.lines and not self.lines[-1].endswith("\n"):
            self.lines[-1] += "\n"

    def column(self, line: int, key: str) -> tuple[int, str]:
        """Column of ``key`` on 1-based ``line`` and the text before it (indentation and any ``- `` marks)."""
        match = re.match(rf"^([ \t]*(?:-[ \t]+)*)[\"']?{re.escape(str(key))}[\"']?[ \t]*:", self.lines[line - 1])
        if match is None:
            raise _Unplaceable(f"key {key!r} not found on line {line}")
        return len(match.group(1)), match.group(1)

    def trim(self, start: int, end: int, column: int) -> int:
        """``end`` moved up past blank lines and comments at or left of ``column`` (they belong to what follows)."""
        while end > start:
            line = self.lines[end - 1]
            stripped = line.strip()
            indent = len(line) - len(line.lstrip())
            if stripped and not (stripped.startswith("#") and indent <= column):
                break
            end -= 1
        return end

    def comments_above(self, line: int, column: int) -> int:
        """The first of the comment lines directly above 1-based ``line`` at ``column`` or deeper (else ``line``)."""
        first = line
        while first > 1:
            above = self.lines[first - 2]
            indent = len(above) - len(above.lstrip())
            if not above.strip().startswith("#") or indent < column:
                break
            first -= 1
        return first


class _Unplaceable(Exception):
    """The change cannot be placed line by line at this level."""


def update_yaml(text: str, data: LineDict, old: dict[str, Any], new: dict[str, Any]) -> str | None:
    """``text`` (parsed as ``data``, holding ``old``) changed so that it holds ``new``; None when the change
    cannot be placed line by line (the caller then writes the file afresh). See the module docstring."""
    if old == new:
        return text
    doc = _Text(text)
    edits: list[_Edit] = []
    try:
        _sync_mapping(doc, data, old, new, len(doc.lines), edits, top=True)
    except _Unplaceable:
        return None
    lines = list(doc.lines)
    # Later edits first, so earlier line numbers stay valid; inserts at one place keep their order.
    for _, edit in sorted(enumerate(edits), key=lambda pair: (pair[1].start, pair[1].end, pair[0]), reverse=True):
        lines[edit.start : edit.end + 1] = edit.text
    return "".join(lines)


def _key_spans(doc: _Text, node: LineDict, end: int) -> dict[str, tuple[int, int, int, str]]:
    """Per key of ``node``: first and last 1-based line of its value, its column and the text before it."""
    keys = sorted(node.lines, key=node.lines.__getitem__)
    spans = {}
    for index, key in enumerate(keys):
        start = node.lines[key]
        column, prefix = doc.column(start, key)
        stop = node.lines[keys[index + 1]] - 1 if index + 1 < len(keys) else end
        spans[key] = (start, doc.trim(start, stop, column), column, prefix)
    return spans


def _sync_mapping(
    doc: _Text,
    node: LineDict,
    old: dict[str, Any],
    new: dict[str, Any],
    end: int,
    edits: list[_Edit],
    top: bool = False,
) -> None:
    """Edits turning the block mapping ``node`` (ending at 1-based line ``end``) from ``old`` into ``new``."""
    if not isinstance(node, LineDict) or not getattr(node, "lines", None):
        raise _Unplaceable("not a block mapping")
    spans = _key_spans(doc, node, end)
    if len({spans[k][0] for k in spans}) != len(spans):
        raise _Unplaceable("a flow mapping: several keys on one line")
    order = list(new)
    for key in old:
        if key not in new and key in spans:
            start, stop, _, prefix = spans[key]
            if prefix.strip():  # the key carries the item's "- ": the item itself would go
                raise _Unplaceable("removing an item's first key")
            edits.append(_Edit(start - 1, stop - 1, []))
    for position, key in enumerate(order):
        value = new[key]
        if key in spans:
            if old.get(key) == value:
                continue
            start, stop, column, prefix = spans[key]
            if top and key in ITEM_LISTS and isinstance(node.get(key), LineList) and node[key] and old.get(key):
                try:
                    inner: list[_Edit] = []
                    _sync_items(doc, node[key], old[key], value, stop, inner)
                    edits.extend(inner)
                    continue
                except _Unplaceable:
                    pass
            if (
                isinstance(old.get(key), dict)
                and isinstance(value, dict)
                and isinstance(node.get(key), LineDict)
                and node[key].lines
                and node[key].line > start
            ):
                try:
                    inner = []
                    _sync_mapping(doc, node[key], old[key], value, stop, inner)
                    edits.extend(inner)
                    continue
                except _Unplaceable:
                    pass
            flow = doc.lines[start - 1].split(":", 1)[1].strip().startswith("[")
            edits.append(_Edit(start - 1, stop - 1, _render(key, value, column, prefix, flow)))
        else:
            before = [k for k in order[:position] if k in spans]
            if not before:
                raise _Unplaceable("no key to insert after")
            _, stop, column, _ = spans[before[-1]]
            edits.append(_Edit(stop, stop - 1, _render(key, value, column, " " * column, False)))


def _sync_items(
    doc: _Text, items: LineList, old: list[dict[str, Any]], new: list[dict[str, Any]], end: int, edits: list[_Edit]
) -> None:
    """Edits turning the block list ``items`` of id'd mappings (ending at 1-based line ``end``) from ``old``
    into ``new``: one item's lines per changed, removed or added item."""
    old_ids = [str(item.get("id")) for item in old]
    new_ids = [str(item.get("id")) for item in new]
    if len(items) != len(old) or len(set(old_ids)) != len(old_ids) or len(set(new_ids)) != len(new_ids):
        raise _Unplaceable("items do not match the file")
    kept = [i for i in new_ids if i in old_ids]
    if kept != [i for i in old_ids if i in new_ids]:
        raise _Unplaceable("items were reordered")
    starts = [items.line_of(i) for i in range(len(items))]
    if any(not isinstance(item, LineDict) for item in items):
        raise _Unplaceable("an item is not a block mapping")
    column, _ = doc.column(starts[0], next(iter(items[0])))
    dash = column - 2
    spans = []
    for index, start in enumerate(starts):
        stop = starts[index + 1] - 1 if index + 1 < len(starts) else end
        spans.append((start, doc.trim(start, stop, dash)))
    by_id = {item_id: index for index, item_id in enumerate(old_ids)}
    new_set = set(new_ids)
    for index, item_id in enumerate(old_ids):
        if item_id not in new_set:
            start, stop = spans[index]
            edits.append(_Edit(doc.comments_above(start, dash) - 1, stop - 1, []))
    anchor = doc.comments_above(spans[0][0], dash) - 1  # 0-based line before which a new first item goes
    for position, item_id in enumerate(new_ids):
        if item_id in by_id:
            index = by_id[item_id]
            if old[index] != new[position]:
                _sync_mapping(doc, items[index], old[index], new[position], spans[index][1], edits)
            anchor = spans[index][1]
        else:
            edits.append(_Edit(anchor, anchor - 1, _indent(_dump([new[position]]), dash)))


def _render(key: str, value: Any, column: int, prefix: str, flow: bool) -> list[str]:
    """Lines for ``key: value``: the first behind ``prefix``, the rest indented to ``column``; a list of
    scalars stays in flow style (``[a, b]``) when it was written so."""
    if flow and isinstance(value, list) and all(not isinstance(v, (dict, list)) for v in value):
        flat = yaml.safe_dump({key: value}, default_flow_style=None, allow_unicode=True, width=10**6)
        if flat.count("\n") == 1:
            return [prefix + flat]
    lines = _dump({key: value}).splitlines(keepends=True)
    return [prefix + lines[0], *_indent("".join(lines[1:]), column)]


def _indent(text: str, column: int) -> list[str]:
    pad = " " * column
    return [pad + line if line.strip() else line for line in text.splitlines(keepends=True)]

"""Small line edits of hand-written YAML files: change or add scalar fields of list items, append list items.

The worksheets write into files that analysts keep in git (``case.yaml``, ``indicators.yaml``), so they change only
the lines they must: every other line, comment and blank line stays as it was. The edited text is parsed again and
checked by the caller before it is written (atomically); block-style items only (a flow-style item such as
``{id: E1, ...}`` is refused with a message rather than rewritten).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..errors import Problem, ValidationError
from ..yamlio import LineDict, LineList, dump_yaml, line_of


def scalar(value: Any) -> str:
    """``value`` as it would appear after ``key: `` in block YAML (quoted when YAML needs it)."""
    text = dump_yaml({"k": value}).rstrip("\n")
    return text[len("k: ") :]


def set_item_fields(
    text: str, items: LineList, changes: Mapping[str, Mapping[str, Any]], file: str, list_name: str
) -> str:
    """``text`` with scalar fields of the list items (by id) set: a present key has its line replaced, a missing one
    is added after the item's ``id`` line. ``items`` is the loaded list the line numbers come from."""
    lines = text.split("\n")
    inserts: dict[int, list[str]] = {}
    problems = []
    for index, item in enumerate(items):
        if not isinstance(item, LineDict):
            continue
        iid = str(item.get("id", "")).strip()
        if iid not in changes:
            continue
        id_line = line_of(item, "id")
        start = line_of(items, index)
        if (
            id_line is None
            or any(line_of(item, k) == start and k != "id" for k in item)
            or lines[id_line - 1].rstrip().endswith("}")
        ):
            problems.append(
                Problem(
                    file,
                    f"{list_name}[{index}]",
                    "a flow-style item cannot be edited in place; write it in block style (one field a line)",
                    iid,
                    start,
                    "structure",
                )
            )
            continue
        id_text = lines[id_line - 1]
        indent = len(id_text) - len(id_text.lstrip(" -"))
        for key, value in changes[iid].items():
            new = f"{' ' * indent}{key}: {scalar(value)}"
            if key in item:
                at = line_of(item, key)
                assert at is not None
                old = lines[at - 1]
                if not old.lstrip(" -").startswith(f"{key}:") or _continues(lines, at, indent):
                    problems.append(
                        Problem(
                            file,
                            f"{list_name}[{index}].{key}",
                            "spans several lines and cannot be edited in place",
                            iid,
                            at,
                            "structure",
                        )
                    )
                    continue
                prefix = old[: len(old) - len(old.lstrip(" -"))]
                lines[at - 1] = prefix + new.lstrip(" ")
            else:
                inserts.setdefault(id_line, []).append(new)
    if problems:
        raise ValidationError(problems)
    for at in sorted(inserts, reverse=True):
        lines[at:at] = inserts[at]
    return "\n".join(lines)


def _continues(lines: list[str], at: int, indent: int) -> bool:
    """Whether the value on line ``at`` (1-based) goes on over more deeply indented lines."""
    if at >= len(lines):
        return False
    following = lines[at]
    return bool(following.strip()) and len(following) - len(following.lstrip(" ")) > indent


def append_items(text: str, root: LineDict, key: str, block: list[dict[str, Any]], comment: str, file: str) -> str:
    """``text`` with ``block`` appended to the top-level list ``key`` (created at the end when absent). The list
    must be the last top-level key, written in block style, so that appending at the end of the file extends it."""
    lines = text.rstrip("\n").split("\n") if text.strip() else []
    indent = 2
    if key in root:
        existing, at = root[key], line_of(root, key) or 0
        if existing is not None and (
            not isinstance(existing, LineList) or not existing or (line_of(existing, 0) or 0) <= at
        ):
            raise ValidationError(
                [
                    Problem(
                        file,
                        key,
                        "must be a block-style list (one '- ' item a line) to append to",
                        line=at,
                        code="structure",
                    )
                ]
            )
        if at != max(line_of(root, k) or 0 for k in root):
            raise ValidationError(
                [
                    Problem(
                        file,
                        key,
                        "must be the last top-level field of the file so that new "
                        "items can be appended without rewriting it",
                        line=at,
                        code="structure",
                    )
                ]
            )
        if existing:
            first = lines[(line_of(existing, 0) or 1) - 1]
            indent = len(first) - len(first.lstrip(" "))
    else:
        lines.append(f"{key}:")
    dumped = dump_yaml(block).rstrip("\n").split("\n")
    lines.append(f"{' ' * indent}# {comment}")
    lines.extend(" " * indent + line for line in dumped)
    return "\n".join(lines) + "\n"

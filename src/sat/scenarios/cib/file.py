"""The ``cib:`` section of a case's ``scenarios.yaml``, and loading a CIB model from a file (YAML or ``.scw``).

Layout (one judgment section per ordered descriptor pair; a pair left out means no impact)::

    cib:
      name: Syria militias 2025                # optional
      descriptors:
        - name: russian_commitment             # short id, unique
          title: Russia's military commitment  # optional
          variants: [sustained, reduced, withdrawn]
      judgments:
        - from: russian_commitment
          to: israel_campaign
          rationale: why                       # optional
          impacts:                             # one row per variant of `from` (all of them),
            sustained: [1, 0, -1]              # one number per variant of `to`, in order
            reduced: [0, 0, 0]
            withdrawn: [-1, 0, 1]
      experts:                                 # optional: other experts' judgments, same layout
        - name: analyst_b
          judgments: [...]

Judgments are integers (usually -3..+3) or decimals. Validation reports every problem at once with file, line,
field and value. A model read with experts forms an ensemble: the ``judgments`` first, then each expert's.
"""

from __future__ import annotations

import math
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from ...errors import Problem, ValidationError
from ...validation import FieldReader, shown
from ...yamlio import line_of, load_yaml, own_line
from .limits import size_problem
from .model import CIBMatrix, Descriptor

DESCRIPTOR_KEYS = ("name", "title", "variants")
JUDGMENT_KEYS = ("from", "to", "rationale", "impacts")
SECTION_KEYS = ("name", "descriptors", "judgments", "experts")
EXPERT_KEYS = ("name", "judgments")


@dataclass(frozen=True)
class CIBSection:
    """A validated CIB model: the main matrix, the experts' matrices, and rationales by (source, target) index."""

    matrix: CIBMatrix
    experts: tuple[CIBMatrix, ...] = ()
    rationales: Mapping[tuple[int, int], str] = field(default_factory=dict)

    @property
    def ensemble(self) -> list[CIBMatrix]:
        """The main matrix followed by the experts' matrices."""
        return [self.matrix, *self.experts]


def cib_from_yaml(section: Any, file: str) -> CIBMatrix:
    """The CIB matrix of a ``cib:`` section (as loaded by :func:`sat.yamlio.load_yaml`); ``file`` names it."""
    return read_cib_section(section, file).matrix


def cib_ensemble_from_yaml(section: Any, file: str) -> list[CIBMatrix]:
    """The main matrix and one matrix per expert, all with the same descriptors."""
    return read_cib_section(section, file).ensemble


def read_cib_section(section: Any, file: str) -> CIBSection:
    """Validate a ``cib:`` section; raises :class:`ValidationError` listing every problem."""
    check = _Check(file)
    if not isinstance(section, dict):
        check.add("cib", "must be a mapping with descriptors and judgments", section, own_line(section), "type")
        check.raise_if_any()
    check.unknown_keys(section, SECTION_KEYS, "cib")
    name = section.get("name", "")
    if not isinstance(name, str):
        check.add("cib.name", "must be text", name, line_of(section, "name"), "type")
        name = ""
    descriptors, declared = _descriptors(check, section)
    if not descriptors:
        check.raise_if_any()
    # Judgments are checked against the valid descriptors; sections naming a faulty one are skipped silently
    # (its own problem is already reported), so one run still reports every other problem.
    shell = CIBMatrix(descriptors, np.zeros((sum(len(d.variants) for d in descriptors),) * 2), name)
    for faulty in declared - {d.name for d in descriptors}:
        check.problems.reject("descriptor", faulty)  # sections naming it are not reported again
    judgments, rationales = _judgments(check, section, "judgments", "cib.judgments", shell)
    experts = []
    raw_experts = section.get("experts", [])
    if not isinstance(raw_experts, list):
        check.add(
            "cib.experts", "must be a list of {name, judgments}", raw_experts, line_of(section, "experts"), "type"
        )
        raw_experts = []
    seen: set[str] = set()
    for k, node in enumerate(raw_experts):
        where = f"cib.experts[{k}]"
        if not isinstance(node, dict):
            check.add(where, "must be a mapping with name and judgments", node, line_of(raw_experts, k), "type")
            continue
        check.unknown_keys(node, EXPERT_KEYS, where)
        label = node.get("name")
        if not isinstance(label, str) or not label.strip():
            check.add(
                f"{where}.name",
                "is required: the expert's name",
                label,
                line_of(node, "name") or own_line(node),
                "required",
            )
            label = f"expert {k + 1}"
        elif label in seen:
            check.add(f"{where}.name", "duplicate expert name", label, line_of(node, "name"), "duplicate")
        seen.add(label)
        values, _ = _judgments(check, node, "judgments", f"{where}.judgments", shell)
        experts.append((label, values))
    check.raise_if_any()
    return CIBSection(
        matrix=shell.with_judgments(judgments),
        experts=tuple(CIBMatrix(descriptors, values, label) for label, values in experts),
        rationales=rationales,
    )


def _descriptors(check: _Check, section: dict[Any, Any]) -> tuple[tuple[Descriptor, ...], set[str]]:
    """Valid descriptors, and every name declared (valid or not)."""
    nodes = section.get("descriptors")
    if not isinstance(nodes, list) or not nodes:
        check.add(
            "cib.descriptors",
            "is required: a non-empty list of {name, title, variants}",
            nodes,
            line_of(section, "descriptors") or own_line(section),
            "required",
        )
        return (), set()
    sizes = [
        len(variants) if isinstance(n, dict) and isinstance(variants := n.get("variants"), list) else 0 for n in nodes
    ]
    too_large = size_problem(len(nodes), sizes, check.file, "cib.descriptors", line_of(section, "descriptors"))
    if too_large is not None:  # before the per-variant checks and any allocation
        check.problems.append(too_large)
        return (), set()
    out: list[Descriptor] = []
    names: set[str] = set()
    for k, node in enumerate(nodes):
        where = f"cib.descriptors[{k}]"
        if not isinstance(node, dict):
            check.add(where, "must be a mapping with name and variants", node, line_of(nodes, k), "type")
            continue
        check.unknown_keys(node, DESCRIPTOR_KEYS, where)
        name = node.get("name")
        ok = True
        if not isinstance(name, str) or not name.strip():
            check.add(
                f"{where}.name", "is required: a short name", name, line_of(node, "name") or own_line(node), "required"
            )
            ok = False
        elif name in names:
            check.add(f"{where}.name", "duplicate descriptor name", name, line_of(node, "name"), "duplicate")
            ok = False
        if isinstance(name, str):
            names.add(name)
        title = node.get("title", "")
        if not isinstance(title, str):
            check.add(f"{where}.title", "must be text", title, line_of(node, "title"), "type")
            title = ""
        variants = node.get("variants")
        if not isinstance(variants, list) or not variants:
            check.add(
                f"{where}.variants",
                "is required: a non-empty list of variant names",
                variants,
                line_of(node, "variants") or own_line(node),
                "required",
            )
            continue
        for v, variant in enumerate(variants):
            if not isinstance(variant, str) or not variant.strip():
                check.add(f"{where}.variants[{v}]", "must be a non-empty name", variant, line_of(variants, v), "type")
                ok = False
            elif variants.index(variant) != v:
                check.add(
                    f"{where}.variants[{v}]", "duplicate variant name", variant, line_of(variants, v), "duplicate"
                )
                ok = False
        if ok and isinstance(name, str):
            out.append(Descriptor(name, tuple(variants), title.strip()))
    return tuple(out), names


def _judgments(
    check: _Check, owner: dict[Any, Any], key: str, where_list: str, shell: CIBMatrix
) -> tuple[np.ndarray, dict[tuple[int, int], str]]:
    values = np.zeros_like(shell.judgments)
    rationales: dict[tuple[int, int], str] = {}
    nodes = owner.get(key, [])
    if not isinstance(nodes, list):
        check.add(where_list, "must be a list of judgment sections", nodes, line_of(owner, key), "type")
        return values, rationales
    seen: dict[tuple[int, int], int] = {}
    for k, node in enumerate(nodes):
        where = f"{where_list}[{k}]"
        if not isinstance(node, dict):
            check.add(where, "must be a mapping with from, to and impacts", node, line_of(nodes, k), "type")
            continue
        check.unknown_keys(node, JUDGMENT_KEYS, where)
        ends = [_descriptor_ref(check, node, side, where, shell) for side in ("from", "to")]
        rationale = node.get("rationale", "")
        if not isinstance(rationale, str):
            check.add(f"{where}.rationale", "must be text", rationale, line_of(node, "rationale"), "type")
        i, j = ends
        if i is None or j is None:
            continue
        if i == j:
            check.add(
                where,
                "a section from a descriptor to itself is not allowed",
                shell.descriptors[i].name,
                line_of(node, "to") or own_line(node),
            )
            continue
        if (i, j) in seen:
            check.add(
                where,
                f"duplicate section (first at {where_list}[{seen[(i, j)]}])",
                f"{shell.descriptors[i].name} -> {shell.descriptors[j].name}",
                own_line(node),
                "duplicate",
            )
            continue
        seen[(i, j)] = k
        block = _impacts(check, node, where, shell, i, j)
        if block is not None:
            values[shell.offsets[i] : shell.offsets[i + 1], shell.offsets[j] : shell.offsets[j + 1]] = block
        if isinstance(rationale, str) and rationale.strip():
            rationales[(i, j)] = rationale.strip()
    return values, rationales


def _descriptor_ref(check: _Check, node: dict[Any, Any], side: str, where: str, shell: CIBMatrix) -> int | None:
    name = node.get(side)
    names = [d.name for d in shell.descriptors]
    if name is None:
        check.add(f"{where}.{side}", "is required: a descriptor name", None, own_line(node), "required")
    elif not isinstance(name, str):
        check.add(f"{where}.{side}", "must be a descriptor name", name, line_of(node, side), "type")
    elif check.refs([name], f"{where}.{side}", line_of(node, side), "descriptor", names):
        return names.index(name)
    return None


def _impacts(check: _Check, node: dict[Any, Any], where: str, shell: CIBMatrix, i: int, j: int) -> np.ndarray | None:
    rows = node.get("impacts")
    source, target = shell.descriptors[i], shell.descriptors[j]
    if not isinstance(rows, dict):
        check.add(
            f"{where}.impacts",
            f"is required: one row per variant of {source.name}",
            rows,
            line_of(node, "impacts") or own_line(node),
            "required",
        )
        return None
    block = np.zeros((len(source.variants), len(target.variants)))
    ok = True
    for variant, row in rows.items():
        field_ = f"{where}.impacts.{variant}"
        if variant not in source.variants:
            check.add(field_, f"unknown variant of {source.name}", variant, line_of(rows, variant), "reference")
            ok = False
            continue
        if not isinstance(row, list) or len(row) != len(target.variants):
            count = len(row) if isinstance(row, list) else row
            check.add(
                field_,
                f"must list {len(target.variants)} numbers, one per variant of {target.name} "
                f"({', '.join(target.variants)})",
                count,
                line_of(rows, variant),
                "structure",
            )
            ok = False
            continue
        for c, value in enumerate(row):
            if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
                check.add(f"{field_}[{c}]", "must be a number", value, line_of(row, c), "number")
                ok = False
            else:
                block[source.variants.index(variant), c] = value
    missing = [v for v in source.variants if v not in rows]
    if missing:
        check.add(
            f"{where}.impacts",
            f"missing rows for variants of {source.name}",
            ", ".join(missing),
            line_of(node, "impacts"),
            "structure",
        )
        ok = False
    return block if ok else None


# -- writing ----------------------------------------------------------------------------------------------------
def cib_to_yaml(matrix: CIBMatrix, rationales: Mapping[tuple[int, int], str] | None = None) -> dict[str, Any]:
    """Plain data for a ``cib:`` section; blocks that are all zero are left out. Self-impacts cannot be written."""
    if matrix.has_self_impacts:
        raise ValueError("this model has self-impacts (non-zero diagonal blocks), which a cib: section cannot hold")
    out: dict[str, Any] = {}
    if matrix.name:
        out["name"] = matrix.name
    out["descriptors"] = [
        {"name": d.name, **({"title": d.description} if d.description else {}), "variants": list(d.variants)}
        for d in matrix.descriptors
    ]
    out["judgments"] = _sections(matrix, rationales or {})
    return out


def cib_ensemble_to_yaml(matrices: list[CIBMatrix]) -> dict[str, Any]:
    """A ``cib:`` section for an ensemble: the first matrix as ``judgments``, the others as ``experts``."""
    out = cib_to_yaml(matrices[0])
    if len(matrices) > 1:
        out["experts"] = [{"name": m.name, "judgments": _sections(m, {})} for m in matrices[1:]]
    return out


def _sections(matrix: CIBMatrix, rationales: Mapping[tuple[int, int], str]) -> list[dict[str, Any]]:
    sections = []
    for i, source in enumerate(matrix.descriptors):
        for j, target in enumerate(matrix.descriptors):
            block = matrix.block(i, j)
            if i == j or not block.any():
                continue
            section: dict[str, Any] = {"from": source.name, "to": target.name}
            if rationales.get((i, j)):
                section["rationale"] = rationales[(i, j)]
            section["impacts"] = {v: [_plain(x) for x in row] for v, row in zip(source.variants, block)}
            sections.append(section)
    return sections


def _plain(value: float) -> int | float:
    return int(value) if float(value).is_integer() else float(value)


# -- loading from a path ----------------------------------------------------------------------------------------
def load_cib_section(path: str | os.PathLike[str], shown_as: str | None = None) -> CIBSection:
    """A CIB model from a ``.scw`` project or a YAML file with a ``cib:`` section."""
    name = shown_as or str(path)
    suffix = Path(path).suffix.lower()
    if suffix == ".scw":
        from ..scw import read_scw

        project = read_scw(path, name)
        return CIBSection(project.matrix, (), dict(project.pair_texts))
    if suffix in (".yaml", ".yml"):
        data = load_yaml(path, name)
        if not isinstance(data, dict) or "cib" not in data:
            raise ValidationError(
                [Problem(name, "cib", "no cib: section in this file", None, own_line(data), "required")]
            )
        return read_cib_section(data["cib"], name)
    raise ValidationError(
        [
            Problem(
                name,
                "file",
                "unsupported file type: use a .scw project or a .yaml file",
                Path(path).suffix or Path(path).name,
                code="file",
            )
        ]
    )


def load_cib(path: str | os.PathLike[str], shown_as: str | None = None) -> CIBMatrix:
    """The CIB matrix of a ``.scw`` project or of a YAML file's ``cib:`` section."""
    return load_cib_section(path, shown_as).matrix


# -- helpers ----------------------------------------------------------------------------------------------------
class _Check(FieldReader):
    """The problems of one ``cib:`` section, through :class:`~sat.validation.FieldReader`."""

    def add(self, field_: str, message: str, value: Any = None, line: int | None = None, code: str = "invalid") -> None:
        self.problem(field_, message, shown(value), line, code)

    def unknown_keys(self, node: dict[Any, Any], allowed: tuple[str, ...], where: str) -> None:
        self.unknown(node, allowed, where)

    def raise_if_any(self) -> None:
        if self.problems:
            raise ValidationError(list(self.problems))

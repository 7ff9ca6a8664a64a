"""Safe YAML reading that remembers line numbers, and YAML writing for case files.

Mappings load as :class:`LineDict` and sequences as :class:`LineList`; both carry ``line`` (1-based line of the
node) and ``lines`` (line of each key or item) so validation can point an analyst at the exact line.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import yaml
from yaml.events import (
    AliasEvent,
    DocumentStartEvent,
    MappingEndEvent,
    MappingStartEvent,
    ScalarEvent,
    SequenceEndEvent,
    SequenceStartEvent,
    StreamEndEvent,
)
from yaml.nodes import ScalarNode

from .errors import Problem, ValidationError
from .fileio import atomic_write_text
from .inputs import MAX_TEXT_BYTES, read_text

_CParser: Any
try:
    from yaml import cyaml

    _CParser = getattr(cyaml, "CParser", None)
except ImportError:  # PyYAML built without libyaml: the full loader does everything
    _CParser = None


class LineDict(dict[Any, Any]):
    """A dict loaded from YAML; ``line`` is where it starts, ``lines[key]`` where each key is."""

    line: int = 0
    lines: dict[Any, int]

    def line_of(self, key: Any) -> int:
        lines: dict[Any, int] = getattr(self, "lines", {})
        return lines.get(key, self.line)


class LineList(list[Any]):
    """A list loaded from YAML; ``line`` is where it starts, ``lines[i]`` where item ``i`` is."""

    line: int = 0
    lines: list[int]

    def line_of(self, index: int) -> int:
        lines: list[int] = getattr(self, "lines", [])
        return lines[index] if 0 <= index < len(lines) else self.line


def line_of(container: Any, key: Any) -> int | None:
    """Line of a mapping key or list index in data loaded from YAML; None for plain data (e.g. a form's dict)."""
    if isinstance(container, LineDict) or (isinstance(container, LineList) and isinstance(key, int)):
        return container.line_of(key)
    return None


def own_line(node: Any) -> int | None:
    """Line where a mapping or list loaded from YAML starts; None for plain data."""
    return getattr(node, "line", None) or None


class _Loader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]
    """Safe loader (libyaml's C parser where PyYAML has it) that builds LineDict/LineList and rejects duplicate
    keys."""


def _construct_mapping(loader: _Loader, node: yaml.MappingNode) -> LineDict:
    loader.flatten_mapping(node)
    result = LineDict()
    result.line = node.start_mark.line + 1
    result.lines = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        try:
            hash(key)
        except TypeError:
            raise yaml.constructor.ConstructorError(
                None, None, "a mapping key must be a plain value", key_node.start_mark
            ) from None
        if key in result:
            raise yaml.constructor.ConstructorError(None, None, f"duplicate key {key!r}", key_node.start_mark)
        result[key] = loader.construct_object(value_node, deep=True)
        result.lines[key] = key_node.start_mark.line + 1
    return result


def _construct_sequence(loader: _Loader, node: yaml.SequenceNode) -> LineList:
    result = LineList(loader.construct_object(child, deep=True) for child in node.value)
    result.line = node.start_mark.line + 1
    result.lines = [child.start_mark.line + 1 for child in node.value]
    return result


_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, _construct_sequence)


def _construct_timestamp(loader: _Loader, node: ScalarNode) -> Any:
    """PyYAML's timestamp, with an impossible date (2024-13-45) reported as a YAML error at its line."""
    try:
        return yaml.constructor.SafeConstructor.construct_yaml_timestamp(loader, node)
    except ValueError as exc:
        raise yaml.constructor.ConstructorError(
            None, None, f"{node.value!r} is not a real date or time ({exc})", node.start_mark
        ) from None


_Loader.add_constructor("tag:yaml.org,2002:timestamp", _construct_timestamp)

#: Longest integer read from YAML, in digits (Python refuses to convert more than 4,300 anyway).
MAX_INT_DIGITS = 100


def _construct_number(kind: str) -> Any:
    base = yaml.constructor.SafeConstructor.yaml_constructors[f"tag:yaml.org,2002:{kind}"]

    def construct(loader: _Loader, node: ScalarNode) -> Any:
        """PyYAML's int or float, with a number too long or out of range reported at its line."""
        if len(str(node.value)) > MAX_INT_DIGITS:
            raise yaml.constructor.ConstructorError(
                None, None, f"a number of more than {MAX_INT_DIGITS} digits", node.start_mark
            )
        try:
            return base(loader, node)
        except (ValueError, OverflowError) as exc:
            raise yaml.constructor.ConstructorError(
                None, None, f"{str(node.value)[:40]!r} is not a number ({exc})", node.start_mark
            ) from None

    return construct


_Loader.add_constructor("tag:yaml.org,2002:int", _construct_number("int"))
_Loader.add_constructor("tag:yaml.org,2002:float", _construct_number("float"))

_TYPED = {f"tag:yaml.org,2002:{name}" for name in ("null", "bool", "int", "float", "timestamp")}
_IMPLICIT: dict[Any, list[tuple[str, re.Pattern[str]]]] = _Loader.yaml_implicit_resolvers
_WILDCARD = _IMPLICIT.get(None, [])


_NO_KEY = object()  # an open mapping waits for a key, not a value


class _Fallback(Exception):
    """The document uses something the fast reader leaves to the full loader (complex or duplicate keys, several
    documents), or something :func:`_check_events` refuses (anchors, aliases, explicit tags, deep nesting), or
    libyaml is missing."""


def _fast_scalar(event: Any, loader: _Loader) -> Any:
    """The value the safe loader gives a scalar without an explicit tag: resolved by PyYAML's own implicit rules
    and built by its own constructors."""
    value = event.value
    if event.tag is not None and event.tag != "!":
        raise _Fallback
    if not event.implicit[0]:
        return value
    for tag, regexp in _IMPLICIT.get(value[:1], []) + _WILDCARD:
        if regexp.match(value):
            if tag not in _TYPED:
                raise _Fallback
            node = ScalarNode(tag, value, event.start_mark, event.end_mark, event.style)
            return loader.yaml_constructors[tag](loader, node)
    return value


def _fast_load(text: str) -> Any:
    """Build the same LineDict/LineList tree as the full loader straight from libyaml's events, without PyYAML's
    node graph and per-node Python resolution (about 2.5 times faster on a 3,000-item case). Raises _Fallback
    when the document needs the full loader."""
    if _CParser is None:
        raise _Fallback
    parser = _CParser(text)
    loader = _Loader("")
    stack: list[LineDict | LineList] = []
    keys: list[Any] = []  # per open mapping: the key waiting for its value, or _NO_KEY
    key_lines: list[int] = []
    root: Any = None
    documents = 0
    while True:
        event: Any = parser.get_event()  # libyaml's events, told apart by exact type (fast) rather than isinstance
        kind = type(event)
        if kind is ScalarEvent:
            if event.anchor is not None:
                raise _Fallback
            value: Any = event.value
            if event.tag is not None or (event.implicit[0] and (_WILDCARD or value[:1] in _IMPLICIT)):
                value = _fast_scalar(event, loader)  # may be typed; most scalars are plain text and skip this
            line = event.start_mark.line + 1
        elif kind is MappingStartEvent or kind is SequenceStartEvent:
            if event.anchor is not None or (event.tag is not None and event.tag != "!"):
                raise _Fallback
            if len(stack) >= MAX_DEPTH:
                raise _Fallback  # the full check reports it
            if stack and keys[-1] is _NO_KEY and type(stack[-1]) is LineDict:
                raise _Fallback  # a mapping or sequence used as a key
            container: LineDict | LineList
            if kind is MappingStartEvent:
                container = LineDict()
                container.lines = {}
            else:
                container = LineList()
                container.lines = []
            container.line = event.start_mark.line + 1
            stack.append(container)
            keys.append(_NO_KEY)
            key_lines.append(0)
            continue
        elif kind is MappingEndEvent or kind is SequenceEndEvent:
            value = stack.pop()
            keys.pop()
            key_lines.pop()
            line = value.line
        elif kind is DocumentStartEvent:
            documents += 1
            if documents > 1:
                raise _Fallback
            continue
        elif kind is StreamEndEvent:
            return root
        elif kind is AliasEvent:
            raise _Fallback
        else:
            continue
        if not stack:
            root = value
            continue
        parent = stack[-1]
        if type(parent) is LineList:
            parent.append(value)
            parent.lines.append(line)
        elif keys[-1] is _NO_KEY:
            if value in parent:
                raise _Fallback  # duplicate key: the full loader reports it
            keys[-1] = value
            key_lines[-1] = line
        else:
            key = keys[-1]
            parent[key] = value
            parent.lines[key] = key_lines[-1]
            keys[-1] = _NO_KEY


MAX_YAML_BYTES = MAX_TEXT_BYTES
#: Deepest nesting of mappings and lists accepted (a case file needs fewer than ten levels).
MAX_DEPTH = 64
_ALLOWED_TAGS = (None, "!", "tag:yaml.org,2002:str")


def load_yaml(
    path: str | os.PathLike[str], shown_as: str | None = None, inside: str | os.PathLike[str] | None = None
) -> Any:
    """Load one YAML file safely; any read or syntax error becomes a ValidationError naming file and line.

    The file must be a regular file of at most :data:`MAX_YAML_BYTES`; when ``inside`` is given (a case folder),
    a symbolic link must lead to a file inside it."""
    name = shown_as or str(path)
    text = read_text(Path(path), name, inside=inside, limit=MAX_YAML_BYTES)
    return loads_yaml(text, name)


def _check_events(text: str, shown_as: str) -> None:
    """Refuse what a case file never needs and an attacker uses, before anything is built: aliases and anchors (a
    few hundred bytes of nested aliases expand to gigabytes), explicit tags (``!!int abc``, ``!!python/...``), and
    nesting deeper than :data:`MAX_DEPTH`."""
    events: Iterator[Any] = (
        iter(_CParser(text).get_event, None) if _CParser is not None else yaml.parse(text, Loader=yaml.SafeLoader)
    )
    depth = 0
    for event in events:
        kind = type(event)
        line = event.start_mark.line + 1 if event.start_mark is not None else None
        if kind is StreamEndEvent:
            return
        if kind is AliasEvent or getattr(event, "anchor", None) is not None:
            raise ValidationError(
                [
                    Problem(
                        shown_as,
                        _nearest_field(text, line),
                        "YAML anchors and aliases (&name, *name) are not allowed: write each value out in full",
                        line=line,
                        code="syntax",
                    )
                ]
            )
        if kind in (ScalarEvent, MappingStartEvent, SequenceStartEvent) and event.tag not in _ALLOWED_TAGS:
            raise ValidationError(
                [
                    Problem(
                        shown_as,
                        _nearest_field(text, line),
                        "explicit YAML tags (such as !!int or !!timestamp) are not allowed: write the plain value",
                        event.tag,
                        line,
                        "syntax",
                    )
                ]
            )
        if kind is MappingStartEvent or kind is SequenceStartEvent:
            depth += 1
            if depth > MAX_DEPTH:
                raise ValidationError(
                    [
                        Problem(
                            shown_as,
                            _nearest_field(text, line),
                            f"nested more than {MAX_DEPTH} levels deep",
                            line=line,
                            code="limit",
                        )
                    ]
                )
        elif kind is MappingEndEvent or kind is SequenceEndEvent:
            depth -= 1


_KEY = re.compile(r"^\s*(?:-\s+)?([A-Za-z_][\w.-]*)\s*:")


def _nearest_field(text: str, line: int | None) -> str:
    """The key written on ``line`` or the nearest line above it ("yaml" when there is none): what an analyst
    looks for near a syntax error."""
    if not line:
        return "yaml"
    lines = text.split("\n", line)[:line]
    for candidate in reversed(lines[-200:]):
        found = _KEY.match(candidate[:200])
        if found:
            return found.group(1)
    return "yaml"


def loads_yaml(text: str, shown_as: str) -> Any:
    """Parse YAML text; errors name ``shown_as``, the line and the nearest field."""
    try:
        try:
            return _fast_load(text)
        except _Fallback:
            _check_events(text, shown_as)
            return yaml.load(text, Loader=_Loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else None
        what = exc.problem or exc.context or "malformed YAML"
        context = exc.context_mark.line + 1 if exc.context_mark is not None else None
        near = _nearest_field(text, context or line)
        where = f" (near the field {near!r})" if near != "yaml" else ""
        if near != "yaml" and context and context != line:
            where = f" (in the field {near!r} that starts on line {context})"
        raise ValidationError(
            [Problem(shown_as, "yaml", f"malformed YAML: {what}{where}", line=line, code="syntax")]
        ) from None
    except yaml.YAMLError as exc:
        raise ValidationError([Problem(shown_as, "yaml", f"malformed YAML: {_short(exc)}", code="syntax")]) from None
    except RecursionError:
        raise ValidationError(
            [Problem(shown_as, "yaml", f"nested more than {MAX_DEPTH} levels deep", code="limit")]
        ) from None
    except (ValueError, TypeError, OverflowError) as exc:
        raise ValidationError([Problem(shown_as, "yaml", f"malformed YAML: {_short(exc)}", code="syntax")]) from None


def _short(exc: BaseException) -> str:
    text = str(exc)
    return text if len(text) <= 200 else text[:197] + "..."


class YamlDumper(yaml.SafeDumper):
    """SafeDumper that writes multi-line strings as literal blocks, keeps key order, and never writes aliases
    (a hand-edited case file should not contain &id001 / *id001 when one date object appears twice)."""

    def ignore_aliases(self, data: Any) -> bool:
        return True


def _represent_str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


YamlDumper.add_representer(str, _represent_str)
YamlDumper.add_representer(LineDict, yaml.representer.SafeRepresenter.represent_dict)
YamlDumper.add_representer(LineList, yaml.representer.SafeRepresenter.represent_list)


def dump_yaml(data: Any) -> str:
    """YAML text for ``data``: block style, insertion order, unicode kept."""
    return yaml.dump(data, Dumper=YamlDumper, sort_keys=False, allow_unicode=True, default_flow_style=False, width=100)


def save_yaml(path: str | os.PathLike[str], data: Any) -> None:
    """Write ``data`` as YAML atomically."""
    atomic_write_text(path, dump_yaml(data))

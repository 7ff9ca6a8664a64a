"""Execute a parameterized notebook in the current process, recording the outputs a Jupyter kernel would send.

This is the engine behind ``sat report``: the cells run in an IPython shell (the shell class ipykernel itself
builds on), and each display, result, printed text and inline matplotlib figure is recorded as the nbformat output
that papermill and nbclient would have written from the kernel's messages. Parameters are injected as papermill
injects them: a new code cell tagged ``injected-parameters`` right after the cell tagged ``parameters`` (at the
top when there is none), which assigns each value as a literal.

It must run in a process of its own that has executed nothing else (see :mod:`sat.sandbox`): a shell is created
once per process, its namespace is the process's ``__main__``, and what a notebook changes (modules, matplotlib
settings, the working directory) stays changed for the rest of the process.
"""

from __future__ import annotations

import io
import json
import os
import sys
from binascii import b2a_base64
from collections.abc import Callable, Mapping
from datetime import date, datetime
from typing import Any

INLINE_BACKEND = "module://matplotlib_inline.backend_inline"


class CellError(Exception):
    """A cell raised: ``count`` is the cell's execution count, ``ename``/``evalue`` the exception's name and text."""

    def __init__(self, count: int, ename: str, evalue: str) -> None:
        super().__init__(f"cell {count} failed: {ename}: {evalue}")
        self.count, self.ename, self.evalue = count, ename, evalue


def _json_default(value: Any) -> Any:
    """What the kernel's message serialiser makes of values JSON has no type for (bytes travel as base64)."""
    if isinstance(value, bytes):
        return b2a_base64(value, newline=False).decode("ascii")
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, (set, frozenset, tuple)):
        return list(value)
    raise TypeError(f"{value!r} is not JSON serializable")


def _as_json(value: Any) -> Any:
    """``value`` after the JSON round trip every kernel message makes (tuples become lists, bytes base64)."""
    return json.loads(json.dumps(value, default=_json_default))


def parameter_source(parameters: Mapping[str, Any]) -> str:
    """Python source assigning each parameter as a literal, in papermill's layout (``# Parameters`` first)."""
    lines = ["# Parameters"]
    for name, value in parameters.items():
        if not name.isidentifier():
            raise ValueError(f"parameter name {name!r} is not a Python identifier")
        if not isinstance(value, (str, int, float, bool, type(None))):
            raise TypeError(f"parameter {name!r}: only str, int, float, bool and None can be passed, got {value!r}")
        lines.append(f"{name} = {value!r}")
    return "\n".join(lines) + "\n"


def inject_parameters(nb: dict[str, Any], parameters: Mapping[str, Any]) -> dict[str, Any]:
    """A copy of notebook ``nb`` (a JSON dict) with the injected-parameters cell in papermill's place."""
    cells = [cell for cell in nb["cells"] if "injected-parameters" not in cell.get("metadata", {}).get("tags", [])]
    where = next((i + 1 for i, cell in enumerate(cells) if "parameters" in cell.get("metadata", {}).get("tags", [])), 0)
    injected: dict[str, Any] = {
        "cell_type": "code",
        "execution_count": None,
        "metadata": {"tags": ["injected-parameters"]},
        "outputs": [],
        "source": parameter_source(parameters),
    }
    if nb.get("nbformat", 4) == 4 and nb.get("nbformat_minor", 0) >= 5:
        injected["id"] = "injected-parameters"
    return {**nb, "cells": [*cells[:where], injected, *cells[where:]]}


class _Recorder:
    """The outputs of the cell being run, as nbclient builds them from the kernel's messages.

    Like ipykernel's streams, printed text is buffered per stream and flushed, standard output first, before a
    display, a result or a clear, and at the end of the cell.
    """

    def __init__(self, display_ids: dict[str, list[dict[str, Any]]] | None = None) -> None:
        self.outputs: list[dict[str, Any]] = []
        self._clear_pending = False
        self._pending: dict[str, list[str]] = {"stdout": [], "stderr": []}
        self.display_ids = {} if display_ids is None else display_ids  # shared by the cells of a notebook

    def _add(self, output: dict[str, Any]) -> None:
        if self._clear_pending:
            self.outputs.clear()
            self._clear_pending = False
        self.outputs.append(output)

    def stream(self, name: str, text: str) -> None:
        self._pending[name].append(text)

    def flush(self) -> None:
        for name, parts in self._pending.items():
            if not parts:
                continue
            text = "".join(parts)
            parts.clear()
            last = self.outputs[-1] if self.outputs and not self._clear_pending else None
            if last is not None and last["output_type"] == "stream" and last["name"] == name:
                last["text"] += text
            else:
                self._add({"output_type": "stream", "name": name, "text": text})

    def display(
        self,
        data: Mapping[str, Any],
        metadata: Mapping[str, Any] | None,
        transient: Mapping[str, Any] | None,
        update: bool,
    ) -> None:
        self.flush()
        output = {
            "output_type": "display_data",
            "data": _as_json(dict(data)),
            "metadata": _as_json(dict(metadata or {})),
        }
        display_id = (transient or {}).get("display_id")
        if update:
            for old in self.display_ids.get(display_id, []) if display_id else []:
                old["data"], old["metadata"] = output["data"], output["metadata"]
            return
        self._add(output)
        if display_id:
            self.display_ids.setdefault(display_id, []).append(output)

    def result(self, data: Mapping[str, Any], metadata: Mapping[str, Any] | None, count: int) -> None:
        self.flush()
        self._add(
            {
                "output_type": "execute_result",
                "data": _as_json(dict(data)),
                "metadata": _as_json(dict(metadata or {})),
                "execution_count": count,
            }
        )

    def clear(self, wait: bool) -> None:
        self.flush()
        if wait:
            self._clear_pending = True
        else:
            self.outputs.clear()
            self._clear_pending = False


class _Stream(io.TextIOBase):
    """``sys.stdout`` / ``sys.stderr`` of the notebook: text goes to the current cell's outputs."""

    def __init__(self, name: str, recorder: Callable[[], _Recorder]) -> None:
        self.name, self._recorder = name, recorder

    @property
    def encoding(self) -> str:  # type: ignore[override]
        return "utf-8"

    def writable(self) -> bool:
        return True

    def isatty(self) -> bool:
        return False

    def write(self, text: str) -> int:
        if not isinstance(text, str):
            raise TypeError(f"write() argument must be str, not {type(text).__name__}")
        if text:
            self._recorder().stream(self.name, text)
        return len(text)


def _make_shell(recorder: Callable[[], _Recorder]) -> Any:
    """An IPython shell whose displays and results go to ``recorder()`` and that keeps no history on disk."""
    from IPython.core.displayhook import DisplayHook
    from IPython.core.displaypub import DisplayPublisher
    from IPython.core.interactiveshell import InteractiveShell
    from traitlets.config import Config

    class Publisher(DisplayPublisher):
        def publish(self, data, metadata=None, source=None, *, transient=None, update=False, **kwargs):
            recorder().display(data, metadata, transient, update)

        def clear_output(self, wait=False):
            recorder().clear(wait)

    class ResultHook(DisplayHook):
        def start_displayhook(self):
            pass

        def write_output_prompt(self):
            pass

        def write_format_data(self, format_dict, md_dict=None):
            recorder().result(format_dict, md_dict, self.prompt_count)

        def finish_displayhook(self):
            pass

    class Shell(InteractiveShell):
        def _showtraceback(self, etype, evalue, stb):
            pass  # the error is read from the run's result; a report fails on the first error

        def enable_gui(self, gui=None):
            if gui not in (None, "inline"):  # as in a kernel, the inline backend needs no event loop
                raise RuntimeError(f"a report cannot open a {gui} window; use the inline backend")

    config = Config()
    config.HistoryManager.enabled = False
    config.InteractiveShell.colors = "nocolor"
    return Shell.instance(config=config, display_pub_class=Publisher, displayhook_class=ResultHook)


def execute_notebook(nb: dict[str, Any], on_cell: Callable[[int], None] | None = None) -> dict[str, Any]:
    """Run every code cell of ``nb`` (a JSON dict) in this process; return the notebook with its outputs.

    ``on_cell(n)`` is called before each code cell runs, with the execution count it will have (1 for the first
    code cell, the injected parameters included, as papermill counts). The first failing cell raises
    :class:`CellError`. matplotlib's default backend is the inline one, as in a kernel (unless ``MPLBACKEND`` is
    set), so figures are shown at the end of their cell.
    """
    os.environ.setdefault("MPLBACKEND", INLINE_BACKEND)
    display_ids: dict[str, list[dict[str, Any]]] = {}  # an update reaches a display made in an earlier cell
    current = [_Recorder(display_ids)]
    shell = _make_shell(lambda: current[0])
    saved = sys.stdout, sys.stderr
    sys.stdout, sys.stderr = _Stream("stdout", lambda: current[0]), _Stream("stderr", lambda: current[0])
    cells = []
    try:
        for cell in nb["cells"]:
            if cell["cell_type"] != "code":
                cells.append(cell)
                continue
            if on_cell is not None:
                on_cell(shell.execution_count)
            current[0] = _Recorder(display_ids)
            source = cell["source"] if isinstance(cell["source"], str) else "".join(cell["source"])
            result = shell.run_cell(source, store_history=True)
            current[0].flush()
            count = shell.execution_count - 1
            cells.append({**cell, "execution_count": count, "outputs": current[0].outputs})
            error = result.error_before_exec or result.error_in_exec
            if error is not None:
                raise CellError(count, type(error).__name__, str(error))
    finally:
        sys.stdout, sys.stderr = saved
    return {**nb, "cells": cells}

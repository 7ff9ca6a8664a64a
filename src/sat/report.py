"""Render report notebooks into static, self-contained, offline HTML.

A report is a parameterized notebook in ``notebooks/`` executed with papermill in a fresh kernel, then converted by
nbconvert without code cells and without the cells tagged ``notebook-only`` (instructions for whoever runs the
notebook, not for the reader). The page gets the case's title as its ``<title>`` and the report stylesheet
(``templates/report.css``: readable from 800 to 1920 px and in print on A4 and Letter). Nothing in the page is
fetched from the network (no CDN scripts, no web fonts, no
widget manager), figures are embedded as PNG data, and the file is written atomically: a failed render leaves no
half-written report behind.
"""

from __future__ import annotations

import os
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .errors import ReportError, SatError
from .fileio import atomic_write_text, sweep
from .paths import notebooks_dir, repo_root


@dataclass(frozen=True)
class ReportKind:
    """One kind of report: its notebook, the file-name suffix, and whether a case folder calls for it."""

    name: str
    notebook: str
    applies: str  # "ach": case has hypotheses and ratings; "scenarios": case has scenarios.yaml


REPORTS: tuple[ReportKind, ...] = (
    ReportKind("ach", "ach/ach_report.ipynb", "ach"),
    ReportKind("scenarios", "scenarios/scenarios_report.ipynb", "scenarios"),
)

#: How each kind of report is named in the page title.
TITLES: dict[str, str] = {"ach": "ACH report", "scenarios": "scenario report"}

_SCRIPT = re.compile(r"<script\b[^>]*>.*?</script\s*>", re.I | re.S)
_REMOTE_LINK = re.compile(r"""<link\b[^>]*\bhref\s*=\s*["']?(?:https?:)?//[^>]*>""", re.I)


def execute_notebook(notebook: Path, parameters: dict[str, Any], output: Path) -> None:
    """Run ``notebook`` headless with papermill, writing the executed copy to ``output``."""
    import papermill
    from papermill.exceptions import PapermillExecutionError

    try:
        papermill.execute_notebook(
            str(notebook),
            str(output),
            parameters=parameters,
            kernel_name="python3",
            cwd=str(notebook.parent),
            progress_bar=False,
            log_output=False,
            kernel_manager_class=_local_kernel_manager(),
        )
    except PapermillExecutionError as exc:
        raise ReportError(
            f"{notebook.name}: cell {exc.exec_count} failed: {exc.ename}: {exc.evalue}"
        ) from None


def _local_kernel_manager() -> type:
    """A kernel manager that talks to its kernel over local IPC sockets rather than loopback TCP: the kernel
    lives only as long as the render, and ipykernel warns (rightly) about unencrypted TCP."""
    from jupyter_client import AsyncKernelManager
    from traitlets import default

    class LocalKernelManager(AsyncKernelManager):
        @default("transport")
        def _transport_default(self) -> str:
            return "ipc"

    return LocalKernelManager


#: Cells with this tag are for whoever runs the notebook and are left out of the rendered report.
NOTEBOOK_ONLY = "notebook-only"
_TITLE = re.compile(r"<title>.*?</title>", re.S)


def report_css() -> str:
    """The report stylesheet shipped with the package."""
    return (Path(__file__).parent / "templates" / "report.css").read_text(encoding="utf-8")


def notebook_to_html(executed: Path, title: str = "") -> str:
    """Self-contained HTML of an executed notebook: outputs only, no ``notebook-only`` cells, the report
    stylesheet, ``title`` as the page title, no remote scripts or styles."""
    import html

    import nbformat
    from nbconvert import HTMLExporter
    from nbconvert.preprocessors import TagRemovePreprocessor

    nb = nbformat.read(str(executed), as_version=4)
    nb.metadata.pop("widgets", None)
    exporter = HTMLExporter(template_name="lab")
    exporter.exclude_input = True
    exporter.exclude_input_prompt = True
    exporter.exclude_output_prompt = True
    exporter.embed_images = True
    exporter.mathjax_url = ""
    exporter.require_js_url = ""
    exporter.register_preprocessor(TagRemovePreprocessor(remove_cell_tags={NOTEBOOK_ONLY}, enabled=True), True)
    body, _ = exporter.from_notebook_node(nb)
    body = strip_remote(body)
    if title:
        body = _TITLE.sub(lambda _: f"<title>{html.escape(title)}</title>", body, count=1)
    style = f"<style>\n{report_css()}</style>\n"
    return body.replace("</head>", style + "</head>", 1)


def strip_remote(html: str) -> str:
    """Remove every script and every remote stylesheet link: the report is static and must open offline.

    The outputs need no JavaScript (tables are HTML, figures are embedded PNG); nbconvert's template adds
    scripts, some of them imported from a CDN, which would fail on an air-gapped laptop.
    """
    return _REMOTE_LINK.sub("", _SCRIPT.sub("", html))


def render_notebook(notebook: Path, parameters: dict[str, Any], html_path: Path, title: str = "") -> Path:
    """Execute ``notebook`` with ``parameters`` and write its HTML (page title ``title``) to ``html_path``
    atomically."""
    html_path.parent.mkdir(parents=True, exist_ok=True)
    sweep(html_path.parent, ".sat-report.*.tmp")  # what a render killed mid-way left behind
    with tempfile.TemporaryDirectory(prefix=f".sat-report.{os.getpid()}.", suffix=".tmp", dir=html_path.parent) as tmp:
        executed = Path(tmp) / notebook.name
        execute_notebook(notebook, parameters, executed)
        html = notebook_to_html(executed, title)
    atomic_write_text(html_path, html)
    return html_path


def kinds_for(folder: Path) -> list[ReportKind]:
    """The reports a case folder calls for."""
    from .store import ratings_files

    kinds = []
    for kind in REPORTS:
        if kind.applies == "ach" and ratings_files(folder):
            kinds.append(kind)
        if kind.applies == "scenarios" and (folder / "scenarios.yaml").is_file():
            kinds.append(kind)
    return kinds


def render_case(case: str | os.PathLike[str], out_dir: str | os.PathLike[str] | None = None,
                analyst: str = "") -> list[Path]:
    """Validate a case, then render every report it calls for into ``out_dir``; return the HTML paths.

    Invalid input fails here with the validation messages, before any notebook runs.
    """
    from .store import check_folder

    checked = check_folder(case)
    checked.raise_if_any()  # every file of the folder, exactly as `sat validate` checks it
    loaded = checked.context.case
    assert loaded is not None and loaded.folder is not None
    if analyst and analyst not in loaded.ratings:
        raise SatError(f"case {loaded.id!r}: no analyst {analyst!r} (analysts: {', '.join(loaded.analysts)})")
    kinds = kinds_for(loaded.folder)
    if not kinds:
        raise SatError(f"case {loaded.id!r}: nothing to report yet (no ratings/ and no scenarios.yaml)")
    target = Path(out_dir) if out_dir else repo_root() / "reports"
    paths = []
    for kind in kinds:
        notebook = notebooks_dir() / kind.notebook
        if not notebook.is_file():
            raise ReportError(f"report notebook missing: {notebook}")
        parameters: dict[str, Any] = {"case": str(loaded.folder)}
        if kind.name == "ach":
            parameters["analyst"] = analyst
        suffix = f"-{analyst}" if analyst and kind.name == "ach" else ""
        title = f"{loaded.title}: {TITLES.get(kind.name, kind.name)}" + (f" ({analyst})" if suffix else "")
        paths.append(render_notebook(notebook, parameters, target / f"{loaded.id}-{kind.name}{suffix}.html", title))
    return paths

"""Render report notebooks into static, self-contained, offline HTML.

A report is a parameterized notebook in ``notebooks/``, executed as papermill would execute it in a fresh kernel
(parameters injected after the cell tagged ``parameters``), but in a fresh process of its own forked from a warm
one (:mod:`sat.execute`, :mod:`sat.sandbox`), then converted by nbconvert without code cells and without the cells
tagged ``notebook-only`` (instructions for whoever runs the notebook, not for the reader). The page gets the case's
title as its ``<title>`` and the report stylesheet (``templates/report.css``: readable from 800 to 1920 px and in
print on A4 and Letter). Nothing in the page is fetched from the network (no CDN scripts, no web fonts, no widget
manager), figures are embedded as PNG data, and the file is written atomically: a failed render leaves no
half-written report behind. Many cases at once: :mod:`sat.runner`.
"""

from __future__ import annotations

import functools
import os
import re
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .errors import ReportError, SatError
from .fileio import atomic_write_text
from .paths import notebooks_dir, repo_root


@dataclass(frozen=True)
class ReportKind:
    """One kind of report: its notebook, the file-name suffix, and whether a case folder calls for it."""

    name: str
    notebook: str
    applies: str  # "ach": case has hypotheses and ratings; "scenarios": case has scenarios.yaml;
    # "indicators": case has indicators.yaml; "worksheets": case has assumptions.yaml


REPORTS: tuple[ReportKind, ...] = (
    ReportKind("ach", "ach/ach_report.ipynb", "ach"),
    ReportKind("scenarios", "scenarios/scenarios_report.ipynb", "scenarios"),
    ReportKind("indicators", "indicators/indicators_report.ipynb", "indicators"),
    ReportKind("key-assumptions", "worksheets/key_assumptions.ipynb", "worksheets"),
    ReportKind("quality-of-information", "worksheets/quality_of_information.ipynb", "worksheets"),
)

#: Seconds one report may run before it is stopped (``sat report --timeout``).
DEFAULT_TIMEOUT = 600.0

#: How each kind of report is named in the page title.
TITLES: dict[str, str] = {
    "ach": "ACH report",
    "scenarios": "scenario report",
    "indicators": "indicator report",
    "key-assumptions": "Key Assumptions Check",
    "quality-of-information": "Quality of Information Check",
}

_SCRIPT = re.compile(r"<script\b[^>]*>.*?</script\s*>", re.I | re.S)
_REMOTE_LINK = re.compile(r"""<link\b[^>]*\bhref\s*=\s*["']?(?:https?:)?//[^>]*>""", re.I)


#: Cells with this tag are for whoever runs the notebook and are left out of the rendered report.
NOTEBOOK_ONLY = "notebook-only"
_TITLE = re.compile(r"<title>.*?</title>", re.S)


def _execute_job(notebook: str, parameters: dict[str, Any], root: str, *, step: Callable[[str], None]) -> Any:
    """Inside a fresh child process (see :mod:`sat.sandbox`): execute ``notebook``; the executed notebook (JSON)."""
    import nbformat

    from .execute import CellError, execute_notebook, inject_parameters

    os.environ["SAT_ROOT"] = root  # the child works in a private folder: the root cannot come from the cwd
    nb = inject_parameters(nbformat.read(notebook, as_version=4), parameters)
    try:
        return execute_notebook(nb, on_cell=lambda count: step(f"cell {count}"))
    except CellError as exc:
        raise ReportError(f"{Path(notebook).name}: cell {exc.count} failed: {exc.ename}: {exc.evalue}") from None


def _convert_job(executed: dict[str, Any], title: str, *, step: Callable[[str], None]) -> str:
    """Inside a fresh child process: the report HTML of an executed notebook (JSON)."""
    import nbformat

    step("conversion to HTML")
    return notebook_to_html(nbformat.from_dict(executed), title)


def _render_job(
    notebook: str, parameters: dict[str, Any], root: str, title: str, *, step: Callable[[str], None]
) -> str:
    """Inside a fresh child process: execute ``notebook`` and return its report HTML."""
    return _convert_job(_execute_job(notebook, parameters, root, step=step), title, step=step)


def start_converter() -> bool:
    """Have conversions to HTML prepared on another core while notebooks execute (a ``sat`` command that renders
    by itself calls it first thing): see :func:`sat.sandbox.start_helper`. Returns whether it was started."""
    from . import sandbox

    return sandbox.start_helper(sandbox.CONVERSION_PRELOAD)


@functools.cache
def _html_exporter() -> Any:
    """The one configured exporter of this process (its compiled templates are reused by every conversion)."""
    from nbconvert import HTMLExporter
    from nbconvert.preprocessors import TagRemovePreprocessor

    exporter = HTMLExporter(template_name="lab")
    exporter.exclude_input = True
    exporter.exclude_input_prompt = True
    exporter.exclude_output_prompt = True
    exporter.embed_images = True
    exporter.mathjax_url = ""
    exporter.require_js_url = ""
    exporter.register_preprocessor(TagRemovePreprocessor(remove_cell_tags={NOTEBOOK_ONLY}, enabled=True), True)
    return exporter


def report_css() -> str:
    """The report stylesheet shipped with the package."""
    return (Path(__file__).parent / "templates" / "report.css").read_text(encoding="utf-8")


def notebook_to_html(nb: Any, title: str = "") -> str:
    """Self-contained HTML of an executed notebook (a ``NotebookNode``, or the path of a notebook file): outputs
    only, no ``notebook-only`` cells, the report stylesheet, ``title`` as the page title, no remote scripts or
    styles."""
    import html

    if isinstance(nb, (str, os.PathLike)):
        import nbformat

        nb = nbformat.read(os.fspath(nb), as_version=4)
    nb.metadata.pop("widgets", None)
    body, _ = _html_exporter().from_notebook_node(nb)
    body = strip_remote(body)
    if title:
        body = _TITLE.sub(lambda _: f"<title>{html.escape(title)}</title>", body, count=1)
    style = f"<style>\n{report_css()}</style>\n"
    return body.replace("</head>", style + "</head>", 1)


def prime_converter() -> None:
    """Compile the HTML templates once in a warm process, before the conversions forked from it
    (``sandbox.CONVERSION_PRELOAD``)."""
    import nbformat

    notebook_to_html(nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("warm-up")]))


def strip_remote(html: str) -> str:
    """Remove every script and every remote stylesheet link: the report is static and must open offline.

    The outputs need no JavaScript (tables are HTML, figures are embedded PNG); nbconvert's template adds
    scripts, some of them imported from a CDN, which would fail on an air-gapped laptop.
    """
    return _REMOTE_LINK.sub("", _SCRIPT.sub("", html))


def render_notebook(
    notebook: Path,
    parameters: dict[str, Any],
    html_path: Path,
    title: str = "",
    timeout: float | None = DEFAULT_TIMEOUT,
) -> Path:
    """Execute ``notebook`` with ``parameters`` and write its HTML (page title ``title``) to ``html_path``
    atomically.

    The notebook runs in a fresh process of its own (:func:`sat.sandbox.run`), with its own working directory and
    temporary folder, so any number of renders can run at once. When :func:`start_converter` has been called, the
    conversion to HTML runs in a fresh child of the converter helper instead, the rest in the same way. A cell
    that fails, a run past ``timeout`` seconds (``None``: no limit, the conversion included), or a process that
    dies raises :class:`~sat.errors.ReportError` with one line, and nothing is written.
    """
    from . import sandbox

    what = f"{html_path.name}: {notebook.name}"
    job = (str(notebook), parameters, str(repo_root()))
    if not sandbox.helper_running():
        html = sandbox.run(_render_job, *job, title, timeout=timeout, what=what)
    else:  # executed here, converted by the helper that prepared the converter meanwhile
        start = time.monotonic()
        executed = sandbox.run(_execute_job, *job, timeout=timeout, what=what)
        left = None if timeout is None else max(0.0, timeout - (time.monotonic() - start))
        html = sandbox.run(_convert_job, executed, title, timeout=left, what=what, on_helper=True)
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
        if kind.applies == "indicators" and (folder / "indicators.yaml").is_file():
            kinds.append(kind)
        if kind.applies == "worksheets" and (folder / "assumptions.yaml").is_file():
            kinds.append(kind)
    return kinds


@dataclass(frozen=True)
class ReportJob:
    """One report of a case: the notebook to run, its parameters, the HTML file's name and the page title."""

    kind: ReportKind
    notebook: Path
    parameters: dict[str, Any]
    html_name: str
    title: str


def report_jobs(case: str | os.PathLike[str], analyst: str = "") -> list[ReportJob]:
    """Validate a case and list the reports it calls for (what :func:`render_case` renders).

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
        raise SatError(
            f"case {loaded.id!r}: nothing to report yet (no ratings/, no scenarios.yaml and no indicators.yaml)"
        )
    jobs = []
    for kind in kinds:
        notebook = notebooks_dir() / kind.notebook
        if not notebook.is_file():
            raise ReportError(f"report notebook missing: {notebook}")
        parameters: dict[str, Any] = {"case": str(loaded.folder)}
        if kind.name == "ach":
            parameters["analyst"] = analyst
        suffix = f"-{analyst}" if analyst and kind.name == "ach" else ""
        title = f"{loaded.title}: {TITLES.get(kind.name, kind.name)}" + (f" ({analyst})" if suffix else "")
        jobs.append(ReportJob(kind, notebook, parameters, f"{loaded.id}-{kind.name}{suffix}.html", title))
    return jobs


def render_case(
    case: str | os.PathLike[str],
    out_dir: str | os.PathLike[str] | None = None,
    analyst: str = "",
    timeout: float | None = DEFAULT_TIMEOUT,
) -> list[Path]:
    """Validate a case, then render every report it calls for (:func:`report_jobs`) into ``out_dir``; return the
    HTML paths.

    Invalid input fails here with the validation messages, before any notebook runs.
    """
    target = Path(out_dir) if out_dir else repo_root() / "reports"
    return [
        render_notebook(job.notebook, job.parameters, target / job.html_name, job.title, timeout=timeout)
        for job in report_jobs(case, analyst)
    ]


def case_folders(cases: Sequence[str | os.PathLike[str]], all_cases: bool = False) -> list[tuple[str, Path, Path]]:
    """The case folders a batch names: ``(label, folder, output sub-folder)`` each, without duplicates.

    A case id or a case folder stands for itself; a folder that is not a case but holds case folders (a class,
    a trainee's workspace) stands for every case folder beneath it, and their reports keep its layout (the case
    ``class/alice/karish`` writes into ``alice/`` of the output folder). ``all_cases`` adds every case under
    ``data/cases``. Two different cases that would write the same report file are refused.
    """
    from .paths import CASE_FILE, cases_dir, resolve_case

    found: list[tuple[str, Path, Path]] = []
    if all_cases:
        found += [(p.parent.name, p.parent.resolve(), Path()) for p in sorted(cases_dir().glob(f"*/{CASE_FILE}"))]
    for case in cases:
        folder = Path(case).expanduser()
        if folder.is_dir() and not (folder / CASE_FILE).is_file():
            inside = [
                p.parent
                for p in sorted(folder.rglob(CASE_FILE))
                if not any(part.startswith(".") for part in p.relative_to(folder).parts)
            ]
            if not inside:
                raise SatError(f"{folder}: neither a case folder nor a folder of cases (no {CASE_FILE} in it)")
            found += [(str(p.relative_to(folder)), p.resolve(), p.relative_to(folder).parent) for p in inside]
        else:
            resolved = resolve_case(case)
            found.append((os.fspath(case), resolved, Path()))
    unique: dict[Path, tuple[str, Path, Path]] = {}
    targets: dict[tuple[Path, str], str] = {}
    for label, folder, sub in found:
        if folder in unique:
            continue
        other = targets.setdefault((sub, folder.name), label)
        if other != label:
            raise SatError(
                f"{other} and {label} would write the same report files; render them into different --out folders"
            )
        unique[folder] = (label, folder, sub)
    return list(unique.values())


def report_tasks(
    cases: Sequence[str | os.PathLike[str]],
    out_dir: str | os.PathLike[str] | None = None,
    analyst: str = "",
    timeout: float | None = DEFAULT_TIMEOUT,
    all_cases: bool = False,
) -> list[Any]:
    """One :class:`sat.runner.Task` per case folder named (see :func:`case_folders`): render its reports."""
    from .runner import Task

    target = Path(out_dir) if out_dir else repo_root() / "reports"
    return [
        Task(label, render_case, (str(folder),), {"out_dir": str(target / sub), "analyst": analyst, "timeout": timeout})
        for label, folder, sub in case_folders(cases, all_cases)
    ]

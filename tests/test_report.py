"""Rendering reports: offline self-contained HTML, escaped analyst text, validation before execution."""

from __future__ import annotations

import re

import pytest

from sat.errors import ValidationError
from sat.paths import cases_dir, notebooks_dir
from sat.report import (
    REPORTS,
    TITLES,
    kinds_for,
    notebook_to_html,
    render_case,
    render_notebook,
    report_jobs,
    strip_remote,
)
from sat.store import load_case

XSS_TITLE = "<script>alert('title')</script>"
XSS_SUMMARY = '<img src=x onerror="alert(1)">'


def test_invalid_case_fails_with_validation_messages_and_writes_nothing(tiny, tmp_path):
    (tiny / "ratings" / "ann.csv").write_text("evidence,H1,H2,H3\nE1,C,ZZ,II\n")
    out = tmp_path / "out"
    with pytest.raises(ValidationError, match="unknown rating code"):
        render_case(tiny, out_dir=out)
    assert not out.exists()


def test_rendered_report_is_static_offline_and_escapes_analyst_text(tiny, tmp_path):
    text = (tiny / "case.yaml").read_text()
    text = text.replace("title: Who moved the boat?", f'title: "{XSS_TITLE}"')
    text = text.replace("summary: The owner says he was asleep", f"summary: '{XSS_SUMMARY}'")
    text = text.replace("title: The owner moved it", "title: 'The owner <b>moved</b> it & left'")
    (tiny / "case.yaml").write_text(text)
    (tiny / "ratings" / "bob.notes.csv").write_text(
        'evidence,hypothesis,rationale\nE1,H2,"<script>alert(2)</script> owners tie knots"\n'
    )
    [path] = render_case(tiny, out_dir=tmp_path / "out")
    assert path.name == "tiny-ach.html"
    html = path.read_text()
    assert "<script" not in html.lower()
    assert "<img src=x" not in html  # the payload is text: no element can be opened
    assert "&lt;script&gt;alert('title')&lt;/script&gt;" in html
    assert html.count("&lt;img src=x onerror=") >= 3  # matrix, diagnosticity and evidence tables
    assert "&lt;script&gt;alert(2)&lt;/script&gt; owners tie knots" in html
    assert "The owner &lt;b&gt;moved&lt;/b&gt; it &amp; left" in html
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", html)
    assert "data:image/png;base64," in html  # the figure travels inside the file
    assert "Conclusions" in html and "very likely" in html
    assert [p.name for p in path.parent.iterdir()] == ["tiny-ach.html"]


def test_strip_remote_removes_scripts_and_remote_styles():
    page = (
        '<head><script src="https://cdn.example/x.js"></script><link rel="stylesheet" href="https://cdn/x.css">'
        '<link rel="icon" href="data:,"><script type="module">import m from "https://x";</script></head>'
    )
    assert strip_remote(page) == '<head><link rel="icon" href="data:,"></head>'


def _bundled(kind):
    """The first bundled case that calls for report ``kind``."""
    return next(f for f in sorted(cases_dir().iterdir()) if (f / "case.yaml").is_file() and kind in kinds_for(f))


@pytest.mark.parametrize("kind", REPORTS, ids=lambda kind: kind.name)
def test_report_is_the_html_of_a_fresh_kernel_papermill_render(kind, tmp_path):
    """The in-process engine gives the page papermill + a fresh ipykernel gave, volatile parts aside."""
    import nbformat
    import papermill

    folder = _bundled(kind)
    [job] = [job for job in report_jobs(folder) if job.kind == kind]  # the page `sat report` writes, this kind only
    path = render_notebook(job.notebook, job.parameters, tmp_path / "fast" / job.html_name, job.title)
    assert path.name == f"{folder.name}-{kind.name}.html"
    parameters = {"case": str(folder), **({"analyst": ""} if kind.name == "ach" else {})}
    notebook = notebooks_dir() / kind.notebook
    executed = tmp_path / notebook.name
    papermill.execute_notebook(
        str(notebook),
        str(executed),
        parameters=parameters,
        kernel_name="python3",
        cwd=str(tmp_path),
        progress_bar=False,
    )
    title = f"{load_case(folder).title}: {TITLES.get(kind.name, kind.name)}"
    reference = notebook_to_html(nbformat.read(str(executed), as_version=4), title)
    ours = path.read_text()
    # papermill gives its injected cell a random id; ours is fixed (the only difference)
    injected = r'(celltag_injected-parameters" id="cell-id=)[^"]+'
    assert re.sub(injected, r"\1X", ours) == re.sub(injected, r"\1X", reference)
    assert ours.count("celltag_injected-parameters") == 1 and "data:image/png;base64," in ours

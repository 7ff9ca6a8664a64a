"""The rendered reports in Chromium: layout at 800-1920 px (element boxes, not pixels), the print layout on A4 and
Letter, and what the reader sees in the HTML (title, no notebook instructions, no raw pandas output).

The reports are rendered once from the pristine copy of the bundled cases (Syria's by the ``sat report --pdf``
command, whose output one test checks); Debian's Chromium is driven by Playwright (no browser download), in one
tab for the module.
"""

from __future__ import annotations

import itertools
import re
import subprocess
import sys
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from sat.pdf import html_to_pdf
from sat.report import render_case
from sat.store import load_case

CHROMIUM = Path("/usr/bin/chromium")
WIDTHS = (800, 1024, 1280, 1920)
#: Page content widths in CSS pixels (96 per inch) with the 12 mm side margins of the print stylesheet.
PRINT_WIDTHS = {"A4": round((210 - 24) / 25.4 * 96), "Letter": round((215.9 - 24) / 25.4 * 96)}

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's Chromium is not installed at /usr/bin/chromium"),
]


def sat_report(case: str, out: Path, *options: str) -> subprocess.Popen[str]:
    """The ``sat report`` command on ``case`` into ``out``, started (the caller waits for it)."""
    command = [str(Path(sys.executable).parent / "sat"), "report", case, "--out", str(out), *options]
    return subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, subprocess.CompletedProcess[str], Path]:
    """Karish's reports rendered here, and Syria's by the command ``sat report syria-militias --pdf Letter`` (whose
    output ``test_report_command_prints_pdf_beside_the_html`` checks), both at once: (Karish's folder, the command's
    run, its folder)."""
    out, command_out = tmp_path_factory.mktemp("reports"), tmp_path_factory.mktemp("command")
    command = sat_report("syria-militias", command_out, "--pdf", "Letter")
    try:
        render_case("karish", out_dir=out)
        stdout, stderr = command.communicate(timeout=600)
    finally:
        if command.poll() is None:
            command.kill()
            command.wait()
    return out, subprocess.CompletedProcess(command.args, command.returncode, stdout, stderr), command_out


@pytest.fixture(scope="module")
def reports(rendered: tuple[Path, subprocess.CompletedProcess[str], Path]) -> dict[str, Path]:
    karish, _, syria = rendered
    return {
        "ach": karish / "karish-ach.html",
        "scenarios": syria / "syria-militias-scenarios.html",
        "indicators": karish / "karish-indicators.html",
        "indicators-scenarios": syria / "syria-militias-indicators.html",
        "key-assumptions": karish / "karish-key-assumptions.html",
        "quality-of-information": karish / "karish-quality-of-information.html",
        "syria-key-assumptions": syria / "syria-militias-key-assumptions.html",
        "syria-quality-of-information": syria / "syria-militias-quality-of-information.html",
    }


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox", "--disable-gpu"])
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture(scope="module")
def tab(browser) -> Iterator[object]:
    """One tab for the module (a new tab costs a renderer process), shared by its tests through ``open_page``."""
    page = browser.new_page()
    yield page
    page.close()


def open_page(tab, path: Path, width: int, media: str = "screen"):
    """``path`` in ``tab`` at ``width`` x 900 CSS pixels for ``media``, scrolled to the top: loaded afresh when the tab
    shows another report, else laid out again at the new size (a report runs no script: nothing else can differ)."""
    tab.set_viewport_size({"width": width, "height": 900})
    tab.emulate_media(media=media)
    if tab.url != path.as_uri():
        tab.goto(path.as_uri(), wait_until="load")
        assert tab.evaluate("document.scripts.length") == 0
    else:
        tab.evaluate("window.scrollTo(0, 0)")
    return tab


#: Every table and figure whose right edge passes the right edge of the page's content column.
OVERFLOWING = """() => {
  const main = document.querySelector('main').getBoundingClientRect();
  return Array.from(document.querySelectorAll('table, img'))
    .filter(el => el.getBoundingClientRect().right > main.right + 0.5)
    .map(el => `${el.id || el.tagName}: ${Math.round(el.getBoundingClientRect().right)} > ${Math.round(main.right)}`);
}"""


WORKSHEETS = ["key-assumptions", "quality-of-information", "syria-key-assumptions", "syria-quality-of-information"]


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("kind", ["ach", "scenarios", "indicators", "indicators-scenarios", *WORKSHEETS])
def test_every_table_and_figure_fits_the_page(tab, reports, kind, width):
    page = open_page(tab, reports[kind], width)
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    assert page.evaluate(OVERFLOWING) == []


@pytest.mark.parametrize("width", WIDTHS)
def test_each_hypothesis_title_sits_above_its_own_description(tab, reports, width):
    page = open_page(tab, reports["ach"], width)
    boxes = page.evaluate("""() => Array.from(document.querySelectorAll('ul.sat-hypotheses > li')).map(li => {
        const t = li.querySelector('.sat-hyp-title').getBoundingClientRect();
        const r = li.getBoundingClientRect();
        return {title: [t.left, t.top, t.right, t.bottom], item: [r.left, r.top, r.right, r.bottom],
                text: li.textContent};
    })""")
    assert [b["text"][:3] for b in boxes] == ["H1:", "H2:", "H3:", "H4:", "H5:", "H6:"]
    for before, after in itertools.pairwise(boxes):
        assert after["item"][1] >= before["item"][3] - 0.5  # stacked, never side by side
    for b in boxes:
        title, item = b["title"], b["item"]
        assert title[0] == pytest.approx(item[0], abs=1) and title[1] == pytest.approx(item[1], abs=1)
        assert title[2] == pytest.approx(item[2], abs=1)  # the title spans the item: its text starts below
        assert item[3] > title[3] + 10  # and the description follows under it


@pytest.mark.parametrize("width", WIDTHS)
def test_the_bottom_line_is_on_the_first_screen_before_the_method(tab, reports, width):
    page = open_page(tab, reports["ach"], width)
    box = page.locator(".sat-bottom-line").bounding_box()
    assert box is not None and box["y"] + box["height"] <= 900
    headings = page.evaluate("() => Array.from(document.querySelectorAll('h2')).map(h => h.textContent.trim())")
    assert headings.index("Bottom line") < headings.index("Hypotheses") < headings.index("The matrix¶")
    text = page.locator(".sat-bottom-line").inner_text()
    assert re.search(
        r"The leading hypothesis is H\d, .+: (almost no chance|very unlikely|unlikely|roughly even "
        r"chance|likely|very likely|almost certain) \(\d+-\d+%; the matrix gives \d+%\)",
        text,
    )
    assert re.search(r"Confidence: (low|moderate|high)\. It rests most on E\d\d", text)


@pytest.mark.parametrize("width", [800, 1280])
def test_prose_columns_are_left_aligned(tab, reports, width):
    page = open_page(tab, reports["ach"], width)
    aligns = page.evaluate("""() => {
        const col = (sel, n) => Array.from(document.querySelectorAll(sel)).map(
            tr => getComputedStyle(tr.children[n]).textAlign);
        return {why: col('table.rationale tbody tr', 4), summary: col('#T_evidence tbody tr', 6),
                hypothesis: col('#T_scores tbody tr', 1), matrix: Array.from(
                    document.querySelectorAll('#T_matrix th.row_heading'))
                    .map(th => getComputedStyle(th).textAlign)};
    }""")
    for column, values in aligns.items():
        assert values and set(values) <= {"left", "start"}, column


@pytest.mark.parametrize("paper", ["A4", "Letter"])
@pytest.mark.parametrize("kind", ["ach", "scenarios", "indicators", "key-assumptions"])  # kinds with a figure
def test_print_layout_fits_the_paper_and_keeps_blocks_whole(tab, reports, kind, paper):
    page = open_page(tab, reports[kind], PRINT_WIDTHS[paper], media="print")
    assert page.evaluate(OVERFLOWING) == []
    styles = page.evaluate("""() => ({
        row: getComputedStyle(document.querySelector('tbody tr')).breakInside,
        img: getComputedStyle(document.querySelector('img')).breakInside,
        heading: getComputedStyle(document.querySelector('h2')).breakAfter,
        section: getComputedStyle(document.querySelector('.jp-MarkdownCell')).breakAfter,
        head: getComputedStyle(document.querySelector('thead')).display,
        scroll: getComputedStyle(document.querySelector('.jp-OutputArea-output')).overflowX,
    })""")
    assert styles == {
        "row": "avoid",
        "img": "avoid",
        "heading": "avoid",
        "section": "avoid",
        "head": "table-header-group",
        "scroll": "visible",
    }


@pytest.mark.parametrize("paper", ["A4", "Letter"])
def test_pdf_is_printed_offline_on_the_chosen_paper(reports, tmp_path, paper):
    # In a thread of its own: Playwright's sync API cannot start inside the running browser fixture's loop.
    pdf = tmp_path / "report.pdf"
    with ThreadPoolExecutor(1) as thread:
        assert thread.submit(html_to_pdf, reports["ach"], pdf, paper).result(timeout=300) == pdf
    data = pdf.read_bytes()
    assert data.startswith(b"%PDF")
    pages = len(re.findall(rb"/Type\s*/Page\b", data))
    assert pages >= 3
    width, height = {"A4": (595.92, 842.88), "Letter": (612, 792)}[paper]
    box = re.search(rb"/MediaBox\s*\[\s*0 0 ([\d.]+) ([\d.]+)\s*\]", data)
    assert (
        box
        and float(box.group(1)) == pytest.approx(width, abs=1)
        and float(box.group(2)) == pytest.approx(height, abs=1)
    )


def test_page_titles_come_from_the_case_and_notebook_instructions_are_left_out(reports):
    karish = load_case("karish")
    for kind, title in (
        ("ach", f"{karish.title}: ACH report"),
        ("scenarios", f"{load_case('syria-militias').title}: scenario report"),
        ("indicators", f"{karish.title}: indicator report"),
        ("key-assumptions", f"{karish.title}: Key Assumptions Check"),
        ("quality-of-information", f"{karish.title}: Quality of Information Check"),
    ):
        html = reports[kind].read_text(encoding="utf-8")
        shown = re.search(r"<title>(.*?)</title>", html).group(1)
        assert shown == title.replace("'", "&#x27;")
        text = re.sub(r"<[^>]+>", " ", re.sub(r"<style.*?</style>", "", html, flags=re.DOTALL))
        assert "top to bottom" not in text and "JupyterLab" not in text and "sat report CASE" not in text


def cells(html: str) -> list[tuple[str, str]]:
    return [
        (tag, re.sub(r"<[^>]+>", "", text).strip())
        for tag, text in re.findall(r"<t([hd])\b[^>]*>(.*?)</t[hd]>", html, re.DOTALL)
    ]


def test_scenario_report_reads_as_words_not_pandas(reports):
    html = reports["scenarios"].read_text(encoding="utf-8")
    found = cells(html)
    assert not [text for _, text in found if text in ("True", "False", "<NA>", "nan")]
    assert not [text for tag, text in found if tag == "h" and re.fullmatch(r"[a-z0-9]+(_[a-z0-9]+)+", text)]
    case = load_case("syria-militias")
    assert case is not None
    from sat.scenarios.scenario_file import load_scenarios

    scenarios = load_scenarios("syria-militias")
    driver_ids = {d.id for d in scenarios.drivers}
    assert not [text for _, text in found if text in driver_ids]
    screen = re.search(r'<table id="T_screen">.*?</table>', html, re.DOTALL).group(0)
    rows = screen.count("<tr>") - 1
    assert rows == len(scenarios.drivers) * (len(scenarios.drivers) - 1) // 2  # one row per pair, not 84 quadrants
    assert "<pre" not in html


def test_report_command_prints_pdf_beside_the_html(rendered):
    _, run, folder = rendered  # `sat report syria-militias --out FOLDER --pdf Letter`, run by the fixture
    assert run.returncode == 0, run.stderr
    html, pdf = folder / "syria-militias-scenarios.html", folder / "syria-militias-scenarios.pdf"
    board = folder / "syria-militias-indicators"  # the case's indicator and worksheet reports come beside it
    worksheets = [
        str(folder / f"syria-militias-{kind}.{ext}")
        for kind in ("key-assumptions", "quality-of-information")
        for ext in ("html", "pdf")
    ]
    assert run.stdout.split() == [str(html), str(pdf), f"{board}.html", f"{board}.pdf", *worksheets]
    assert pdf.read_bytes().startswith(b"%PDF")
    for printed in (f"{board}.pdf", *worksheets[1::2]):  # every one, by the one Chromium the command launches
        assert Path(printed).read_bytes().startswith(b"%PDF")

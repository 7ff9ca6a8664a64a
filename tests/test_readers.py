"""What readers see, without a browser: the bottom line and its confidence rule, shortened evidence text, the
rendered page (title, stylesheet, no notebook instructions) and the scenario tables in words."""

from __future__ import annotations

import nbformat
import pandas as pd
import pytest
from test_ach_definitions import heuer_case

from sat.ach import narrative
from sat.ach.analysis import score_case
from sat.ach.figures import _short
from sat.report import NOTEBOOK_ONLY, notebook_to_html
from sat.scenarios import report_view as rv
from sat.scenarios.figures import judgment_table
from sat.scenarios.scenario_file import load_scenarios
from sat.store import load_case


def test_confidence_counts_the_weaknesses_the_workbook_can_see(tiny):
    scores = score_case(load_case(tiny), draws=1000, seed=0)
    # H1 first in every draw and for both analysts; but reversing E1 or E3 alone gives the lead away: one weakness.
    assert narrative.confidence(scores) == (
        "moderate",
        [
            "H1 comes first in over 99% of 1,000 draws in which any rating may be a step off",
            "a different reading of E1 and E3 alone would put another hypothesis first",
            "every analyst puts H1 first",
        ],
    )


def test_confidence_is_high_with_no_weakness_and_low_with_two():
    level, notes = narrative.confidence(score_case(heuer_case(), draws=1000, seed=0))
    assert level == "high" and notes[1] == "no single item's removal, shift or reversal changes the leader"
    karish = score_case(load_case("karish"), draws=1000, seed=0)
    level, notes = narrative.confidence(karish)
    assert level == "low"
    assert notes[-1] == "the analysts differ: levant_desk puts H3 first, russia_desk puts H6 first"


def test_bottom_line_gives_the_leader_in_icd203_words_with_range_and_figure(tiny):
    html = narrative.bottom_line_html(score_case(load_case(tiny), draws=1000, seed=0))
    # Combined posterior of H1 .82 (rounded): very likely (80-95%).
    assert (
        "The leading hypothesis is <strong>H1</strong>, The harbour crew moved it: <strong>very likely</strong> "
        "(80-95%; the matrix gives 82%), ahead of H2 (15%) and H3 (2%)."
    ) in html
    assert "<strong>Confidence: moderate.</strong> It rests most on E1, E3 and E2" in html
    assert "Of the items that count, E2 is of low credibility." in html


def test_bottom_line_escapes_analyst_text(tiny):
    case = load_case(tiny)
    case.hypotheses[0] = type(case.hypotheses[0])("H1", "<script>x</script>")
    html = narrative.bottom_line_html(score_case(case, sensitivity_analysis=False))
    assert "<script>" not in html and "&lt;script&gt;" in html


@pytest.mark.parametrize(
    ("text", "width", "shown"),
    [
        ("short enough", 20, "short enough"),
        ("The mooring line was retied with a harbour knot", 20, "The mooring line…"),
        ("one, two, three four", 12, "one, two…"),
        ("Supercalifragilistic", 8, "Superca…"),
    ],
)
def test_evidence_text_is_cut_at_a_word(text, width, shown):
    assert _short(text, width) == shown and len(shown) <= width


def test_rendered_page_has_the_title_and_stylesheet_and_no_notebook_only_cells(tmp_path):
    nb = nbformat.v4.new_notebook(
        cells=[
            nbformat.v4.new_markdown_cell("Run it top to bottom", metadata={"tags": [NOTEBOOK_ONLY]}),
            nbformat.v4.new_markdown_cell("## For the reader"),
        ]
    )
    path = tmp_path / "x.ipynb"
    nbformat.write(nb, str(path))
    html = notebook_to_html(path, "Boat <case>: ACH report")
    assert "<title>Boat &lt;case&gt;: ACH report</title>" in html
    assert "Run it top to bottom" not in html and "For the reader" in html
    assert "@media print" in html and html.index("The look of SAT reports") < html.index("</head>")


def test_headers_and_booleans_in_words():
    assert rv.header("not_yet_considered") == "Not yet considered"
    assert (
        rv.header("TIS") == "TIS" and rv.header("moscow_israel", {"moscow_israel": "Moscow-Israel"}) == "Moscow-Israel"
    )
    frame = pd.DataFrame({"driver A": ["a-1"], "fully_consistent": [True], "novel": pd.array([None], "boolean")})
    shown = rv.for_readers(frame, drivers={"a-1": type("D", (), {"name": "Driver one"})()})
    assert list(shown.columns) == ["Driver A", "Fully consistent", "Novel"]
    assert shown.iloc[0].tolist() == ["Driver one", "yes", "not judged"]


def test_screen_overview_has_one_row_per_pair_of_drivers():
    s = load_scenarios("syria-militias")
    overview = rv.screen_overview(s.drivers, s.screen)
    n = len(s.drivers)
    assert len(overview) == n * (n - 1) // 2
    assert overview["Judged"].sum() <= 4 * len(overview)
    assert overview["Shortlisted"].sum() == len(rv.shortlist_view(s.drivers, s.screen))
    first = s.drivers[0].name
    assert overview["Pair of drivers"].iloc[0].startswith(first + " \u00d7 ")


def test_judgment_grid_uses_codes_with_a_key():
    s = load_scenarios("syria-militias")
    grid = rv.judgment_grid(judgment_table(s.cib), s.cib)
    key = rv.judgment_key(s.cib)
    assert list(grid.columns) == list(grid.index) == key["Code"].tolist()
    assert key["Code"].iloc[0] == "A1" and key.iloc[0]["Variant"] == s.cib.descriptors[0].variants[0]
    assert rv._letters(0) == "A" and rv._letters(25) == "Z" and rv._letters(26) == "AA"


def test_scenario_report_opens_with_what_was_found():
    s = load_scenarios("syria-militias")
    html = rv.in_brief_html(s)
    assert "<h2>In brief</h2>" in html and "no probability is attached" in html
    from sat.scenarios.cib import consistent_set

    assert f"{len(consistent_set(s.cib))} of the {s.cib.n_scenarios} scenarios of the cross-impact model" in html
    assert all(q.name in html for q in s.futures.quadrants)
    assert f"shortlists {sum(j.shortlisted for j in s.screen)} more" in html


def test_pdf_needs_a_known_paper_and_a_chromium(tmp_path, monkeypatch):
    from sat.errors import SatError
    from sat.pdf import html_to_pdf

    page = tmp_path / "r.html"
    page.write_text("<html><body>x</body></html>")
    with pytest.raises(SatError, match="paper 'A5': use one of A4, Letter"):
        html_to_pdf(page, tmp_path / "r.pdf", "A5")
    monkeypatch.setenv("SAT_CHROMIUM", str(tmp_path / "no-such-chromium"))
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(SatError, match="printing to PDF needs Chromium: install Debian's 'chromium' package"):
        html_to_pdf(page, tmp_path / "r.pdf", "A4")
    assert not (tmp_path / "r.pdf").exists()


def test_each_analysts_scores_never_show_a_negative_zero() -> None:
    scores = score_case(load_case("karish"), sensitivity_analysis=False)
    weighted = {a: frame["weighted_inconsistency"] for a, frame in scores.by_analyst.items()}
    assert any((w == 0).any() for w in weighted.values())  # the case has zero scores to show
    html = narrative.by_analyst_html(scores)
    assert ">-0.0<" not in html and ">-0.00<" not in html and ">0.00<" in html

"""The indicators report: rendered by `sat report` whenever a case has indicators.yaml, static, offline, escaped."""

from __future__ import annotations

import re
import shutil

from sat.indicators.present import board_link_html
from sat.report import kinds_for, render_case

XSS = "<script>alert('ind')</script>"


def test_indicators_report_is_rendered_offline_and_escapes_text(tiny, tmp_path):
    shutil.rmtree(tiny / "ratings")
    assert kinds_for(tiny) == []
    (tiny / "indicators.yaml").write_text(
        "targets: hypotheses\nindicators:\n"
        f'  - id: I1\n    text: "{XSS}"\n    ratings: {{H1: HL, H2: HU, H3: C}}\n'
        "  - id: I2\n    text: Crew talk\n    ratings: {H1: C, H2: C, H3: C}\n"
    )
    (tiny / "observations.csv").write_text(
        "indicator,date,status,credibility,sources,note\nI1,2022-02-01,observed,high,<b>S</b>,\nI2,2022-03-01,absent,low,,\n"
    )
    assert [k.name for k in kinds_for(tiny)] == ["indicators"]
    [path] = render_case(tiny, out_dir=tmp_path / "out")
    assert path.name == "tiny-indicators.html"
    html = path.read_text()
    assert "<script" not in html.lower() and "&lt;script&gt;alert('ind')&lt;/script&gt;" in html
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", html)
    assert "data:image/png;base64," in html
    # the timeline: I1 observed under a uniform prior -> H1 .9 / (.9 + .1 + .5) = 60%
    assert "60% likely" in html
    assert "Not diagnostic under the llr rule (1):" in html


def test_board_link_only_when_the_case_has_a_board(tiny):
    assert board_link_html(tiny, "tiny") == ""
    (tiny / "indicators.yaml").write_text("targets: hypotheses\n")
    assert 'href="tiny-indicators.html"' in board_link_html(tiny, "tiny")


def test_every_free_text_field_is_escaped_in_the_report(tiny, tmp_path):
    """Every free-text field of the two files carries the payload at once (one render): none becomes markup."""
    payload = "<img src=x onerror=alert(1)><script>alert(1)</script>"
    shutil.rmtree(tiny / "ratings")
    (tiny / "indicators.yaml").write_text(
        "targets: hypotheses\nindicators:\n"
        f'  - id: I1\n    text: "{payload}"\n    notes: "{payload}"\n    group: "{payload}"\n'
        "    ratings: {H1: HL, H2: HU, H3: C}\n"
        "  - id: I2\n    text: Crew talk\n    ratings: {H1: C, H2: C, H3: C}\n"
    )
    (tiny / "observations.csv").write_text(
        f'indicator,date,status,credibility,sources,note\nI1,2022-02-01,observed,high,"{payload}","{payload}"\n'
    )
    [path] = render_case(tiny, out_dir=tmp_path / "out")
    html = path.read_text()
    assert "<script" not in html.lower() and "<img src=x" not in html  # shown as text, or not shown: never markup
    # the text, the one free-text field the report prints
    assert "&lt;img src=x onerror=alert(1)&gt;&lt;script&gt;alert(1)&lt;/script&gt;" in html

"""Scenario figures and HTML blocks: the right content, and analyst text always escaped."""

from __future__ import annotations

import pandas as pd

from sat.scenarios import figures
from sat.scenarios.cone import Assumption, Cone, ConeScenario, WildCard, presentation_order
from sat.scenarios.drivers import Driver
from sat.scenarios.futures import Futures, Indicator, Quadrant

EVIL = "<script>alert(1)</script>"
SOUTH_EAST = "<i>South-east</i>"


def _drivers() -> dict[str, Driver]:
    ds = [
        Driver("x", "X <axis>", "d", "Military", 5, 5, ("x lo", "x hi")),
        Driver("y", "Y axis", "d", "Political", 4, 4, ("y lo", "y hi")),
        Driver("z", "Z settled", "d", "Social", 5, 1, ("z lo", "z hi")),
    ]
    return {d.id: d for d in ds}


def _futures() -> Futures:
    names = {
        ("x lo", "y lo"): "South-west",
        ("x lo", "y hi"): "North-west",
        ("x hi", "y lo"): SOUTH_EAST,
        ("x hi", "y hi"): "North-east",
    }
    quads = tuple(
        Quadrant(f"q{k}", name, xs, ys, f"story & {name}", (Indicator(f"i{k}", f"sign <{k}>"),), ("impl",))
        for k, ((xs, ys), name) in enumerate(names.items())
    )
    return Futures("x", "y", "independent", quads, ("hedge",))


def _texts(fig) -> list[str]:
    return [t.get_text() for ax in fig.axes for t in ax.texts]


def test_table_html_escapes_cells_index_columns_and_caption() -> None:
    frame = pd.DataFrame({EVIL: [EVIL]}, index=[EVIL])
    html = figures.table_html(frame, "t1", caption=EVIL)
    assert "<script>" not in html
    assert html.count("&lt;script&gt;") == 4
    assert 'id="T_t1"' in html


def test_quadrants_html_escapes_and_lists_indicators() -> None:
    html = figures.quadrants_html(_futures(), _drivers())
    assert "<i>" not in html and "&lt;i&gt;South-east&lt;/i&gt;" in html
    assert "sign &lt;2&gt; [i2]" in html and "story &amp; South-west" in html
    assert "X &lt;axis&gt;" in html


def test_futures_figure_places_names_by_end_state() -> None:
    fig = figures.futures_figure(_futures(), _drivers())
    texts = _texts(fig)
    for name in ("South-west", "North-west", "North-east", SOUTH_EAST):
        assert name in texts
    ax = fig.axes[0]
    where = {t.get_text(): t.get_position() for t in ax.texts}
    assert where["South-west"] == (-0.5, -0.5) and where["North-east"] == (0.5, 0.5)
    assert where[SOUTH_EAST] == (0.5, -0.5)
    assert ax.get_xlabel() == "X <axis>"


def test_driver_scatter_numbers_every_driver_and_names_them_in_the_key() -> None:
    fig = figures.driver_scatter(list(_drivers().values()))
    texts = _texts(fig)
    assert {"1", "2", "3"} <= set(texts)
    key = fig.axes[1].texts[0].get_text()
    assert key.splitlines()[0] == "1. X <axis>" and "3. Z settled" in key


def test_driver_classes_html() -> None:
    html = figures.driver_classes_html(list(_drivers().values()))
    assert "Critical uncertainties: X &lt;axis&gt;, Y axis" in html
    assert "Predetermined elements: Z settled" in html and "Secondary drivers: none" in html


def test_cone_blocks_follow_the_given_order() -> None:
    drivers = _drivers()
    cone = Cone(
        (Assumption("x", "x lo", "x low"), Assumption("z", "z lo", "z low")),
        ConeScenario("b", "Base", (), "as is"),
        (
            ConeScenario("a1", "Flip <x>", ("x",), "x flips", (Indicator("k", "kk"),)),
            ConeScenario("a2", "Flip both", ("x", "z"), "both flip"),
        ),
        (WildCard("w", "Comet", EVIL),),
    )
    order = presentation_order(cone, 1)
    html = figures.cone_scenarios_html(order, cone, drivers)
    positions = [html.index(s.name.replace("<", "&lt;").replace(">", "&gt;")) for s in order]
    assert positions == sorted(positions)
    assert "X &lt;axis&gt;: x lo \u2192 x hi" in html
    assert "<script>" not in figures.wild_cards_html(cone)
    fig = figures.cone_figure(cone, order)
    labels = _texts(fig)
    assert any(t.startswith(f"1. {order[0].name}") for t in labels)
    assert any("Comet" in t for t in labels)


def test_cib_tables() -> None:
    from test_scenarios_bridge import tiny_matrix

    from sat.scenarios.cib import SensitivityEntry, consistent_set

    m = tiny_matrix()
    scores = consistent_set(m)
    # By hand: (a1,b1,c1) and (a2,b2,c2) are the consistent scenarios, both TIS 5 and margin 2 (see the bridge
    # tests); equal scores fall back to variant order, so (a1,b1,c1) is S1.
    table = figures.consistent_table(m, scores)
    assert table.to_dict("records") == [
        {"scenario": "S1", "A": "a1", "B": "b1", "C": "c1", "TIS": 5.0, "margin": 2.0},
        {"scenario": "S2", "A": "a2", "B": "b2", "C": "c2", "TIS": 5.0, "margin": 2.0},
    ]
    assert len(figures.consistent_table(m, scores, top=1)) == 1
    entries = [
        SensitivityEntry(0, 1, 2, 0, -2.0, 1.0, added=((1, 0, 0),), removed=((1, 1, 1),)),
        SensitivityEntry(2, 0, 1, 1, -1.0, -1.0, added=(), removed=((1, 1, 1),)),
    ]
    sens = figures.sensitivity_table(m, scores, entries)
    assert sens.loc[0, "judgment"] == "A = a2 \u2192 C = c1"
    assert (sens.loc[0, "removes"], sens.loc[0, "adds"]) == ("S2", "new (2 1 1)")
    assert (sens.loc[1, "value"], sens.loc[1, "change"]) == (-1.0, -1.0)
    robust = figures.robustness_table(m, scores, entries)
    # 6 variants, 3 descriptors of 2: 36 - 12 = 24 off-diagonal cells, each moved up and down.
    assert robust.to_dict("records") == [
        {"scenario": "S1", "changes that remove it": 0, "changes tried": 48},
        {"scenario": "S2", "changes that remove it": 2, "changes tried": 48},
    ]
    desc = figures.descriptor_table(m)
    assert list(desc["variants"]) == ["a1 | a2", "b1 | b2", "c1 | c2"]


def test_table_html_number_formatting() -> None:
    frame = pd.DataFrame({"a": [5.0, 0.25, float("nan")], "b": [1, 2, 3]})
    html = figures.table_html(frame, "nums", index=False)
    cells = [line.strip() for line in html.splitlines() if "<td" in line]
    texts = [c[c.index(">") + 1 : c.rindex("<")] for c in cells]
    assert texts == ["5", "1", "0.25", "2", "", "3"]


def test_watch_list_gathers_every_indicator(tmp_path) -> None:
    from test_scenarios_file import VALID, make_case

    from sat.scenarios.scenario_file import load_scenarios

    s = load_scenarios(make_case(tmp_path, VALID))
    table = figures.watch_list_table(s)
    assert list(table["id"]) == ["i1", "i2", "i3", "i4", "i5"]
    assert list(table["technique"]) == ["2x2"] * 4 + ["cone"]
    assert table.loc[4, "scenario"] == "Alpha rises"

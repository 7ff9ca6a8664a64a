"""ScenarioWizard .scw and .sl files: writing, reading back, decoding, and every malformed-file message."""

from __future__ import annotations

import numpy as np
import pytest
from test_cib_engine import small_model

from sat.errors import ValidationError
from sat.scenarios.cib import CIBMatrix, Descriptor
from sat.scenarios.scw import ScwProject, format_scw, format_sl, parse_scw, read_scw, read_sl, write_scw, write_sl

GOOD = """$ ScenarioWizard 4.0
demo.scw
&A
 -a1
 -a2
&B
 -b1
 -b2
#
&
 
 
&
 
 
#
#
FFFFFF
FFFFFF
FFFFFF
FFFFFF
#
#
 0 , 0 , 2 ,-2 
 0 , 0 ,-1 , 1 
 1 ,-1 , 0 , 0 
-2 , 2 , 0 , 0 
#
# 0-0
""
# 
""
# 
""
#  -> 
""
#  -> 
"A pushes B"
#  -> 
""
#  -> 
""
#
#
"""


def messages(excinfo) -> list[str]:
    return [str(p) for p in excinfo.value.problems]


def test_parse_small_project():
    project = parse_scw(GOOD, "demo.scw")
    m = project.matrix
    assert m.name == "demo.scw"
    assert m.block("A", "B").tolist() == [[2, -2], [-1, 1]]
    assert m.block("B", "A").tolist() == [[1, -1], [-2, 2]]
    assert project.pair_texts == {(0, 1): "A pushes B"}
    assert format_scw(project) == GOOD


def test_write_and_read_back_identically(tmp_path):
    ds = (
        Descriptor("Trade", ("Free trade", "Protection"), "Trade régime"),
        Descriptor("Security", ("Relaxed", "Alert", "Crisis"), "Security climate"),
    )
    m = CIBMatrix.from_blocks(ds, {(0, 1): [[1, 0, -1], [-2, 0.5, 1.5]], (1, 0): [[3, -3], [0, 0], [-1, 1]]}, "Démo")
    project = ScwProject(
        matrix=m,
        descriptor_titles=("Trade régime", "Security climate"),
        variant_titles=(("open", "closed"), ("calm", "tense", "war")),
        colours=("FF0000", "00FF00", "0000FF", "FFFFFF", "000000"),
        project_text="Two lines\nof notes",
        descriptor_texts=("about trade", 'quoted "words"'),
        pair_texts={(0, 1): "Free trade calms", (1, 0): "Crisis closes borders"},
    )
    path = tmp_path / "out.scw"
    write_scw(path, project)
    data = path.read_bytes()
    assert b"\r\n" in data and b"r\xe9gime" in data  # Windows line ends, Windows-1252
    back = read_scw(path)
    assert back.matrix == m
    assert back.descriptor_titles == project.descriptor_titles
    assert back.variant_titles == project.variant_titles
    assert back.colours == project.colours
    assert back.project_text == "Two lines\nof notes"
    assert back.descriptor_texts == ("about trade", "quoted 'words'")  # the format cannot hold a double quote
    assert back.pair_texts == project.pair_texts


def test_write_plain_matrix_and_utf8_when_needed(tmp_path):
    ds = (Descriptor("Économie", ("بطيء", "fast")), Descriptor("B", ("x", "y")))
    m = CIBMatrix.from_blocks(ds, {(0, 1): [[1, -1], [0, 0]]}, "utf")
    path = tmp_path / "u.scw"
    write_scw(path, m)
    assert read_scw(path).matrix == m
    path.read_bytes().decode("utf-8")


def test_cp1252_and_bom_are_decoded(tmp_path):
    path = tmp_path / "w.scw"
    path.write_bytes(GOOD.replace("&A\n", "&Économie\n").replace("\n", "\r\n").encode("cp1252"))
    assert read_scw(path).matrix.descriptors[0].name == "Économie"
    path.write_bytes(b"\xef\xbb\xbf" + GOOD.encode("utf-8"))
    assert read_scw(path).matrix.descriptors[0].name == "A"


def test_vb_number_format():
    text = format_scw(ScwProject.from_matrix(small_model()))
    assert " 0 , 0 , 2 ,-2 , 1 ,-1 " in text.splitlines()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "",
            [
                'x.scw:1: header: not a ScenarioWizard project: the first line must start with "$ ScenarioWizard"'
                " (value: '')"
            ],
        ),
        (
            "hello\n",
            [
                "x.scw:1: header: not a ScenarioWizard project: the first line must start with "
                "\"$ ScenarioWizard\" (value: 'hello')"
            ],
        ),
        ("$ ScenarioWizard 4.0\n", ["x.scw:2: project name: file ends after the header"]),
        (
            GOOD.split("#\n# 0-0")[0],
            ['x.scw:27: structure: file ends before the judgment matrix and its closing "#" line'],
        ),
        (GOOD.replace(" -b1\n -b2\n", ""), ["x.scw:6: descriptor: descriptor has no variants (value: 'B')"]),
        (GOOD.replace("&B\n", "&A\n"), ["x.scw:6: descriptor: duplicate descriptor name (value: 'A')"]),
        (GOOD.replace(" -a2\n", " -a1\n"), ["x.scw:5: variant: duplicate variant of A (value: 'a1')"]),
        (GOOD.replace("&B\n", "B\n"), ['x.scw:6: descriptors: expected "&DESCRIPTOR" or " -VARIANT" (value: \'B\')']),
    ],
)
def test_malformed_structure(text, expected):
    with pytest.raises(ValidationError) as excinfo:
        parse_scw(text, "x.scw")
    assert messages(excinfo) == expected


def test_bad_numbers_are_all_reported_with_line_field_and_value():
    text = GOOD.replace(" 0 , 0 ,-1 , 1 ", " 0 , 0 ,x , 1 ").replace("-2 , 2 , 0 , 0 ", "-2 , 2 , 0 , nan ")
    with pytest.raises(ValidationError) as excinfo:
        parse_scw(text, "x.scw")
    assert messages(excinfo) == [
        "x.scw:25: judgments row 2 (from A/a2), column 3 (to B/b1): not a number (value: 'x')",
        "x.scw:27: judgments row 4 (from B/b2), column 4 (to B/b2): not a number (value: 'nan')",
    ]


def test_wrong_matrix_shape():
    text = GOOD.replace(" 0 , 0 ,-1 , 1 \n", " 0 , 0 ,-1 \n").replace("-2 , 2 , 0 , 0 \n", "")
    with pytest.raises(ValidationError) as excinfo:
        parse_scw(text, "x.scw")
    assert messages(excinfo) == [
        "x.scw:24: judgments: expected 4 matrix rows (one per variant) (value: 3)",
        "x.scw:25: judgments row 2 (from A/a2): expected 4 comma-separated numbers (value: 3)",
    ]


def test_wrong_titles_and_colours():
    text = GOOD.replace("&\n \n \n#\n#\nFFFFFF\n", "&\n \n#\n#\nFFFFFF\n", 1)
    with pytest.raises(ValidationError) as excinfo:
        parse_scw(text.replace("FFFFFF\n#", "#", 1), "x.scw")
    assert messages(excinfo) == [
        "x.scw:10: titles: expected 6 title lines: '&' + title per descriptor, then one line per variant (value: 5)",
        "x.scw:17: colours: expected 4 colour lines (one per variant) (value: 3)",
    ]


def test_bad_explanations():
    with pytest.raises(ValidationError) as excinfo:
        parse_scw(GOOD.replace('""\n#\n#\n', '"unfinished\n#\n#\n'), "x.scw")
    assert messages(excinfo) == ["x.scw:42: explanations: quoted text is not closed (value: '\"unfinished\\n#\\n#')"]
    with pytest.raises(ValidationError) as excinfo:
        parse_scw(GOOD.replace('# 0-0\n""\n', "# 0-0\n"), "x.scw")
    assert messages(excinfo) == ["x.scw:29: explanations: a header must be followed by a quoted text (value: '0-0')"]
    with pytest.raises(ValidationError) as excinfo:
        parse_scw(GOOD.replace('#  -> \n""\n#\n#\n', "#\n#\n"), "x.scw")
    assert messages(excinfo) == [
        "x.scw:29: explanations: expected 7 explanation texts (project, 2 descriptors, 4 descriptor pairs) (value: 6)"
    ]
    with pytest.raises(ValidationError) as excinfo:
        parse_scw(GOOD.replace("# 0-0", "0-0"), "x.scw")
    assert messages(excinfo) == ["x.scw:29: explanations: expected a \"# header\" line (value: '0-0')"]


def test_project_without_explanations_reads():
    text = GOOD.split("# 0-0")[0]
    assert parse_scw(text, "x.scw").pair_texts == {}


def test_missing_file_and_folder(tmp_path):
    with pytest.raises(ValidationError) as excinfo:
        read_scw(tmp_path / "none.scw")
    assert messages(excinfo) == [f"{tmp_path / 'none.scw'}: file: file not found"]
    with pytest.raises(ValidationError) as excinfo:
        read_scw(tmp_path)
    assert messages(excinfo) == [f"{tmp_path}: file: is a folder, not a file"]


# -- .sl ------------------------------------------------------------------------------------------------------------
def test_sl_write_and_read(tmp_path):
    m = small_model()
    text = format_sl(m, [(0, 0, 0), (1, 1, 1)], tis=[5, 3], margin=[2, 2], reached_from={(0, 0, 0): 4})
    assert text == '$ ScenarioWizard 3.0\nSolution set\n 2 \n\n" 1 1 1",4,2,0,5,""\n" 2 2 2",0,2,0,3,""\n'
    path = tmp_path / "x.sl"
    write_sl(path, text)
    assert path.read_bytes().count(b"\r\n") == 6
    rows = read_sl(path, 3)
    assert [(r.scenario, r.reached_from, r.margin, r.inconsistency, r.tis, r.label) for r in rows] == [
        ((0, 0, 0), 4, 2, 0, 5, ""),
        ((1, 1, 1), 0, 2, 0, 3, ""),
    ]


def test_sl_non_integer_numbers():
    text = format_sl(small_model(), [(0, 0, 1)], tis=[2.5], margin=[-0.5], inconsistency=[1.5])
    assert text.splitlines()[-1] == '" 1 1 2",0,-0.5,1.5,2.5,""'


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (
            "nonsense\n",
            [
                "x.sl:1: header: not a ScenarioWizard solution list: the first line must start with "
                "\"$ ScenarioWizard\" (value: 'nonsense')"
            ],
        ),
        (
            '$ ScenarioWizard 3.0\nSolution set\n two \n\n" 1 1 1",1,0,0,5,""\n',
            ["x.sl:3: count: expected the number of solutions (value: 'two')"],
        ),
        (
            '$ ScenarioWizard 3.0\nSolution set\n 2 \n\n" 1 1 1",1,0,0,5,""\n',
            ["x.sl:3: count: the file declares 2 solutions but lists 1 (value: 2)"],
        ),
        (
            '$ ScenarioWizard 3.0\nSolution set\n 1 \n\n" 1 x 1",1,0,0,5,""\n',
            ['x.sl:5: solution: variants and fields must be numbers (value: \'" 1 x 1",1,0,0,5,""\')'],
        ),
        (
            '$ ScenarioWizard 3.0\nSolution set\n 1 \n\n" 1 0 1",1,0,5,""\n',
            ['x.sl:5: solution: expected 1-based variants and four numbers (value: \'" 1 0 1",1,0,5,""\')'],
        ),
        (
            '$ ScenarioWizard 3.0\nSolution set\n 1 \n\n" 1 1",1,0,0,5,""\n',
            ["x.sl:5: solution: expected 3 variants (value: 2)"],
        ),
        (
            "$ ScenarioWizard 3.0\nSolution set\n 1 \n\n1 1 1,1,0,0,5\n",
            ['x.sl:5: solution: expected "v1 v2 ...",n,n,n,n,"text" (value: \'1 1 1,1,0,0,5\')'],
        ),
    ],
)
def test_malformed_sl(tmp_path, body, expected):
    path = tmp_path / "x.sl"
    path.write_text(body)
    with pytest.raises(ValidationError) as excinfo:
        read_sl(path, 3, shown_as="x.sl")
    assert messages(excinfo) == expected


def test_judgments_keep_their_values_through_scw(tmp_path):
    rng = np.random.default_rng(5)
    ds = tuple(Descriptor(f"D{i}", tuple(f"v{k}" for k in range(3))) for i in range(4))
    m = CIBMatrix(ds, rng.integers(-3, 4, size=(12, 12)), "random")
    write_scw(tmp_path / "r.scw", m)
    assert read_scw(tmp_path / "r.scw").matrix == m

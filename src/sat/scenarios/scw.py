"""ScenarioWizard interop: ``.scw`` project files and ``.sl`` solution lists.

ScenarioWizard (Weimer-Jehle's CIB program, versions 4.x) writes plain-text files. What follows is read off the
SEI sample files (github.com/sei-international/cibsa, MIT licence); ScenarioWizard's own documentation of the
format was not available, so the meaning given to unnamed sections is our best reading.

``.scw`` project, sections separated by lines holding only ``#``::

    $ ScenarioWizard 4.0        header
    CIB_global.scw              project name
    &WTRD                       descriptors: "&NAME", then one " -VARIANT" line per variant
     -FT
    #
    &                           titles: "&" + descriptor title, then " " + variant title per variant
                                (empty in every sample)
    #
    #                           a section that is empty in every sample (kept verbatim)
    FFFFFF                      one colour (RRGGBB) per variant
    #
    #                           a second section that is empty in every sample (kept verbatim)
     0 , 0 , 1 ,-3              judgment matrix: one row per source variant, one column per target variant,
    #                           numbers as Visual Basic prints them (" 3 ", "-3 ")
    # 0-0                       explanation texts, each a "# header" line and a quoted text: the project,
    ""                          then each descriptor ("# title"), then each ordered descriptor pair
    #  ->                       row by row, the diagonal included ("# title_i -> title_j")
    ""
    #
    #

Diagonal blocks of the matrix are self-impacts and count in the impact balance (see :mod:`sat.scenarios.cib.model`).

``.sl`` solution list::

    $ ScenarioWizard 3.0
    Solution set
     4                          number of rows
                                (empty line)
    " 2 3 2",4,0,0,15,""        1-based variants; then four numbers and a text

Checked against every sample: the first number is how many start scenarios of the whole scenario space reach the
scenario by global succession (kept in single precision by ScenarioWizard, hence 1.677722E+07 = 2**24 in the
17-descriptor sample; see :func:`.cib.basins.global_basins`); the second is the consistency margin; the third
is 0 in every sample and is read as the scenario's inconsistency (0 for a consistent scenario); the fourth is the
total impact score. The closing text is empty in every sample (a label, we assume).
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from ..errors import Problem, ValidationError
from ..fileio import atomic_write_bytes
from ..inputs import read_bytes
from ..validation import Problems
from .cib.limits import check_sizes
from .cib.model import CIBMatrix, Descriptor, Scenario

HEADER = "$ ScenarioWizard 4.0"
SL_HEADER = "$ ScenarioWizard 3.0"
DEFAULT_COLOUR = "FFFFFF"
PROJECT_HEADER = "0-0"
MAX_BYTES = 50 * 1024 * 1024


@dataclass(frozen=True)
class ScwProject:
    """A ScenarioWizard project: the CIB matrix plus the texts and colours the file carries.

    ``descriptor_titles``/``variant_titles`` are the raw title lines (section 2), ``project_text``,
    ``descriptor_texts`` and ``pair_texts[(i, j)]`` the explanation texts, ``colours`` one RRGGBB per variant.
    ``spare_sections`` keeps the two sections that are empty in every sample, line by line.
    """

    matrix: CIBMatrix
    descriptor_titles: tuple[str, ...] = ()
    variant_titles: tuple[tuple[str, ...], ...] = ()
    colours: tuple[str, ...] = ()
    project_header: str = PROJECT_HEADER
    project_text: str = ""
    descriptor_texts: tuple[str, ...] = ()
    pair_texts: Mapping[tuple[int, int], str] = field(default_factory=dict)
    spare_sections: tuple[tuple[str, ...], tuple[str, ...]] = ((), ())

    @classmethod
    def from_matrix(cls, matrix: CIBMatrix, pair_texts: Mapping[tuple[int, int], str] | None = None) -> ScwProject:
        """A project for a matrix: descriptor descriptions become titles, ``pair_texts`` the pair explanations."""
        return cls(
            matrix=matrix,
            descriptor_titles=tuple(_one_line(d.description) for d in matrix.descriptors),
            pair_texts=dict(pair_texts or {}),
        )


@dataclass(frozen=True)
class SolutionRow:
    """One row of a ``.sl`` file (scenario 0-based)."""

    scenario: Scenario
    reached_from: float
    margin: float
    inconsistency: float
    tis: float
    label: str = ""


# -- decoding ---------------------------------------------------------------------------------------------------
def read_text(path: str | os.PathLike[str], shown_as: str | None = None) -> str:
    """Text of a ScenarioWizard file: UTF-8 (with or without BOM) if valid, else Windows-1252, else Latin-1."""
    name = shown_as or str(path)
    data = read_bytes(path, name, limit=MAX_BYTES)  # a regular file (no device or pipe) of at most MAX_BYTES
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return data.decode("latin-1")


# -- .scw reading -----------------------------------------------------------------------------------------------
class _Lines:
    """Numbered lines with a cursor; ``line`` is 1-based for messages."""

    def __init__(self, text: str):
        self.items = text.splitlines()
        self.pos = 0

    @property
    def line(self) -> int:
        return self.pos + 1

    def done(self) -> bool:
        return self.pos >= len(self.items)

    def peek(self) -> str:
        return self.items[self.pos]

    def take(self) -> str:
        self.pos += 1
        return self.items[self.pos - 1]

    def section(self) -> tuple[list[str], int]:
        """Lines up to the next "#" line (consumed); the start line; raises IndexError at end of file."""
        start = self.line
        out = []
        while self.peek().strip() != "#":
            out.append(self.take())
        self.take()
        return out, start


def read_scw(path: str | os.PathLike[str], shown_as: str | None = None) -> ScwProject:
    """Read a ``.scw`` project; every problem found is reported at once as a :class:`ValidationError`."""
    name = shown_as or str(path)
    return parse_scw(read_text(path, name), name)


def parse_scw(text: str, name: str) -> ScwProject:
    """Parse the text of a ``.scw`` file (``name`` is used in messages)."""
    lines = _Lines(text)
    problems = Problems()

    def fail(field_: str, message: str, value: object = None, line: int | None = None) -> ValidationError:
        return ValidationError(
            [*problems, Problem(name, field_, message, value, line if line else lines.line, "structure")]
        )

    if lines.done() or not lines.peek().startswith("$ ScenarioWizard"):
        raise fail(
            "header",
            'not a ScenarioWizard project: the first line must start with "$ ScenarioWizard"',
            lines.peek()[:60] if not lines.done() else "",
            1,
        )
    lines.take()
    if lines.done():
        raise fail("project name", "file ends after the header")
    project = lines.take().strip()
    try:
        descriptor_lines, start = lines.section()
        descriptors = _descriptors(descriptor_lines, start, name, problems)
        if problems:
            raise ValidationError(problems)
        titles, title_start = lines.section()
        spare_a, _ = lines.section()
        colours, colour_start = lines.section()
        spare_b, _ = lines.section()
        rows, row_start = lines.section()
    except IndexError:
        raise fail(
            "structure", 'file ends before the judgment matrix and its closing "#" line', line=len(lines.items)
        ) from None
    if not descriptors:
        raise fail("descriptors", "no descriptors (lines starting with '&') before the first '#' line", line=3)
    sizes = [len(v) for _, v in descriptors]
    total = sum(sizes)
    descriptor_titles, variant_titles = _titles(titles, title_start, sizes, name, problems)
    if colours and len(colours) != total:
        problems.append(
            Problem(
                name,
                "colours",
                f"expected {total} colour lines (one per variant)",
                len(colours),
                colour_start,
                code="structure",
            )
        )
    judgments = _matrix(rows, row_start, descriptors, name, problems)
    texts = _explanations(lines, name, problems)
    if problems:
        raise ValidationError(problems)
    n = len(descriptors)
    project_header, project_text, descriptor_texts, pair_texts = PROJECT_HEADER, "", ("",) * n, {}
    if texts:
        if len(texts) != 1 + n + n * n:
            raise ValidationError(
                [
                    Problem(
                        name,
                        "explanations",
                        f"expected {1 + n + n * n} explanation texts (project, {n} descriptors, "
                        f"{n * n} descriptor pairs)",
                        len(texts),
                        texts[0][2],
                        "structure",
                    )
                ]
            )
        project_header, project_text = texts[0][0], texts[0][1]
        descriptor_texts = tuple(t[1] for t in texts[1 : 1 + n])
        pair_texts = {divmod(k, n): t[1] for k, t in enumerate(texts[1 + n :]) if t[1]}
    matrix = CIBMatrix(
        tuple(
            Descriptor(d, tuple(v), (descriptor_titles[k] if descriptor_titles else "").strip())
            for k, (d, v) in enumerate(descriptors)
        ),
        judgments,
        project,
    )
    return ScwProject(
        matrix=matrix,
        descriptor_titles=descriptor_titles,
        variant_titles=variant_titles,
        colours=tuple(c.strip() for c in colours),
        project_header=project_header,
        project_text=project_text,
        descriptor_texts=descriptor_texts,
        pair_texts=pair_texts,
        spare_sections=(tuple(spare_a), tuple(spare_b)),
    )


def _descriptors(lines: list[str], start: int, name: str, problems: list[Problem]) -> list[tuple[str, list[str]]]:
    descriptors: list[tuple[str, list[str]]] = []
    declared_at: list[int] = []
    counts: list[int] = []  # variant lines per descriptor, counted first: sizes are checked before any work
    for raw in lines:
        if raw.startswith("&"):
            counts.append(0)
        elif counts and raw.startswith((" -", "-")):
            counts[-1] += 1
    check_sizes(len(counts), counts, name, "descriptors", start)
    for k, raw in enumerate(lines):
        line_no = start + k
        if raw.startswith("&"):
            label = raw[1:].strip()
            if not label:
                problems.append(Problem(name, "descriptor", "descriptor without a name", raw, line_no, code="required"))
            elif any(label == d for d, _ in descriptors):
                problems.append(
                    Problem(name, "descriptor", "duplicate descriptor name", label, line_no, code="duplicate")
                )
            descriptors.append((label, []))
            declared_at.append(line_no)
        elif raw.startswith((" -", "-")):
            variant = raw.split("-", 1)[1].strip()
            if not descriptors:
                problems.append(
                    Problem(name, "variant", "variant before any descriptor", variant, line_no, code="structure")
                )
            elif not variant:
                problems.append(Problem(name, "variant", "variant without a name", raw, line_no, code="required"))
            elif variant in descriptors[-1][1]:
                problems.append(
                    Problem(
                        name,
                        "variant",
                        f"duplicate variant of {descriptors[-1][0]}",
                        variant,
                        line_no,
                        code="duplicate",
                    )
                )
            else:
                descriptors[-1][1].append(variant)
        elif raw.strip():
            problems.append(
                Problem(name, "descriptors", 'expected "&DESCRIPTOR" or " -VARIANT"', raw, line_no, code="syntax")
            )
    for (label, variants), line_no in zip(descriptors, declared_at):
        if not variants:
            problems.append(Problem(name, "descriptor", "descriptor has no variants", label, line_no, code="structure"))
    return descriptors


def _titles(
    lines: list[str], start: int, sizes: list[int], name: str, problems: list[Problem]
) -> tuple[tuple[str, ...], tuple[tuple[str, ...], ...]]:
    if not lines:
        return (), ()
    expected = len(sizes) + sum(sizes)
    if len(lines) != expected or any(not lines[p].startswith("&") for p in _title_positions(sizes)):
        problems.append(
            Problem(
                name,
                "titles",
                f"expected {expected} title lines: '&' + title per descriptor, then one line per variant",
                len(lines),
                start,
                code="structure",
            )
        )
        return (), ()
    descriptor_titles, variant_titles, p = [], [], 0
    for size in sizes:
        descriptor_titles.append(lines[p][1:])
        variant_titles.append(tuple(line[1:] for line in lines[p + 1 : p + 1 + size]))
        p += size + 1
    return tuple(descriptor_titles), tuple(variant_titles)


def _title_positions(sizes: list[int]) -> list[int]:
    positions, p = [], 0
    for size in sizes:
        positions.append(p)
        p += size + 1
    return positions


def _matrix(
    rows: list[str], start: int, descriptors: list[tuple[str, list[str]]], name: str, problems: list[Problem]
) -> np.ndarray:
    labels = [f"{d}/{v}" for d, variants in descriptors for v in variants]
    total = len(labels)
    values = np.zeros((total, total))
    if len(rows) != total:
        problems.append(
            Problem(
                name, "judgments", f"expected {total} matrix rows (one per variant)", len(rows), start, code="structure"
            )
        )
    for r, raw in enumerate(rows[:total]):
        cells = raw.split(",")
        where = f"judgments row {r + 1} (from {labels[r]})"
        if len(cells) != total:
            problems.append(
                Problem(
                    name, where, f"expected {total} comma-separated numbers", len(cells), start + r, code="structure"
                )
            )
            continue
        for c, cell in enumerate(cells):
            try:
                number = float(cell.strip())
            except ValueError:
                number = float("nan")
            if not np.isfinite(number):
                problems.append(
                    Problem(
                        name,
                        f"{where}, column {c + 1} (to {labels[c]})",
                        "not a number",
                        cell.strip(),
                        start + r,
                        code="number",
                    )
                )
            else:
                values[r, c] = number
    return values


def _explanations(lines: _Lines, name: str, problems: list[Problem]) -> list[tuple[str, str, int]]:
    """(header, text, line) for each '# header' + quoted text; stops at the closing '#' lines."""
    texts: list[tuple[str, str, int]] = []
    while not lines.done():
        start = lines.line
        raw = lines.take()
        if not raw.startswith("# ") and raw.strip() in ("#", ""):
            continue
        if not raw.startswith("# "):
            problems.append(Problem(name, "explanations", 'expected a "# header" line', raw[:60], start, code="syntax"))
            return texts
        header = raw[2:]
        if lines.done() or not lines.peek().startswith('"'):
            problems.append(
                Problem(
                    name, "explanations", "a header must be followed by a quoted text", header, start, code="syntax"
                )
            )
            return texts
        text_start = lines.line
        quoted = lines.take()
        while not (len(quoted) >= 2 and quoted.endswith('"')) and not lines.done():
            quoted += "\n" + lines.take()
        if len(quoted) < 2 or not quoted.endswith('"'):
            problems.append(
                Problem(name, "explanations", "quoted text is not closed", quoted[:60], text_start, code="syntax")
            )
            return texts
        texts.append((header, quoted[1:-1], start))
    return texts


# -- .scw writing -----------------------------------------------------------------------------------------------
def format_scw(project: ScwProject) -> str:
    """Text of a ``.scw`` file for ``project`` (lines joined with "\\n"; see :func:`write_scw`)."""
    m = project.matrix
    n = m.n_descriptors
    titles = project.descriptor_titles or tuple("" for _ in range(n))
    variant_titles = project.variant_titles or tuple(("",) * s for s in m.sizes)
    out = [HEADER, _one_line(m.name)]
    for d in m.descriptors:
        out.append("&" + d.name)
        out.extend(" -" + v for v in d.variants)
    out.append("#")
    for title, variants in zip(titles, variant_titles):
        out.append("&" + title)
        out.extend(" " + v for v in variants)
    out.append("#")
    out.extend(project.spare_sections[0])
    out.append("#")
    out.extend(project.colours or (DEFAULT_COLOUR,) * m.n_variants)
    out.append("#")
    out.extend(project.spare_sections[1])
    out.append("#")
    out.extend(",".join(_vb_number(x) + " " for x in row) for row in m.judgments)
    out.append("#")
    out.extend(["# " + project.project_header, _quoted(project.project_text)])
    descriptor_texts = project.descriptor_texts or ("",) * n
    for title, text in zip(titles, descriptor_texts):
        out.extend(["# " + title, _quoted(text)])
    for i in range(n):
        for j in range(n):
            out.extend([f"# {titles[i]} -> {titles[j]}", _quoted(project.pair_texts.get((i, j), ""))])
    out.extend(["#", "#"])
    return "\n".join(out) + "\n"


def write_scw(path: str | os.PathLike[str], project: ScwProject | CIBMatrix, newline: str = "\r\n") -> None:
    """Write a ``.scw`` file atomically: Windows line ends and Windows-1252 unless a text needs UTF-8."""
    if isinstance(project, CIBMatrix):
        project = ScwProject.from_matrix(project)
    _write(path, format_scw(project), newline)


def _vb_number(value: float) -> str:
    """A number as Visual Basic's Str() prints it: a leading space for non-negative values."""
    text = str(int(value)) if float(value).is_integer() else repr(float(value))
    return text if value < 0 else " " + text


def _quoted(text: str) -> str:
    return '"' + text.replace('"', "'") + '"'


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _write(path: str | os.PathLike[str], text: str, newline: str) -> None:
    text = text.replace("\n", newline)
    try:
        data = text.encode("cp1252")
    except UnicodeEncodeError:
        data = text.encode("utf-8")
    atomic_write_bytes(path, data)


# -- .sl --------------------------------------------------------------------------------------------------------
def format_sl(
    matrix: CIBMatrix,
    scenarios: Sequence[Scenario],
    tis: Sequence[float] | np.ndarray,
    margin: Sequence[float] | np.ndarray,
    inconsistency: Sequence[float] | np.ndarray | None = None,
    reached_from: Mapping[Scenario, float] | None = None,
) -> str:
    """Text of a ``.sl`` solution list; rows in the order given (0-based scenarios, written 1-based).

    ``reached_from`` gives the number of start scenarios reaching each one by global succession; without it the
    field is 0, which ScenarioWizard never writes for a consistent scenario (it reaches itself), so it reads as
    "not computed".
    """
    out = [SL_HEADER, "Solution set", f" {len(scenarios)} ", ""]
    for k, z in enumerate(scenarios):
        z = matrix.check_scenario(z)
        numbers = "".join(f" {v + 1}" for v in z)
        fields = [
            reached_from.get(z, 0) if reached_from else 0,
            margin[k],
            inconsistency[k] if inconsistency is not None else 0,
            tis[k],
        ]
        out.append(f'"{numbers}",' + ",".join(_plain_number(x) for x in fields) + ',""')
    return "\n".join(out) + "\n"


def write_sl(path: str | os.PathLike[str], text: str, newline: str = "\r\n") -> None:
    """Write text from :func:`format_sl` atomically with Windows line ends."""
    _write(path, text, newline)


def _plain_number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else repr(float(value))


_SL_ROW = re.compile(r'^"(?P<variants>[^"]*)",(?P<numbers>[^"]*),"(?P<label>[^"]*)"\s*$')


def read_sl(
    path: str | os.PathLike[str], n_descriptors: int | None = None, shown_as: str | None = None
) -> list[SolutionRow]:
    """Rows of a ``.sl`` solution list (scenarios 0-based); all problems reported at once."""
    name = shown_as or str(path)
    lines = read_text(path, name).splitlines()
    problems = Problems()
    if not lines or not lines[0].startswith("$ ScenarioWizard"):
        raise ValidationError(
            [
                Problem(
                    name,
                    "header",
                    'not a ScenarioWizard solution list: the first line must start with "$ ScenarioWizard"',
                    lines[0][:60] if lines else "",
                    1,
                    code="structure",
                )
            ]
        )
    rows: list[SolutionRow] = []
    declared: int | None = None
    for number, raw in enumerate(lines[1:], start=2):
        if not raw.strip() or raw.strip() == "Solution set":
            continue
        if declared is None and not raw.lstrip().startswith('"'):
            try:
                declared = int(raw.strip())
            except ValueError:
                problems.append(
                    Problem(name, "count", "expected the number of solutions", raw.strip(), number, code="syntax")
                )
                declared = -1
            continue
        row = _sl_row(raw, number, name, n_descriptors, problems)
        if row is not None:
            rows.append(row)
    if declared is not None and declared >= 0 and declared != len(rows) and not problems:
        problems.append(
            Problem(
                name,
                "count",
                f"the file declares {declared} solutions but lists {len(rows)}",
                declared,
                3,
                code="structure",
            )
        )
    if problems:
        raise ValidationError(problems)
    return rows


def _sl_row(raw: str, number: int, name: str, n_descriptors: int | None, problems: list[Problem]) -> SolutionRow | None:
    match = _SL_ROW.match(raw.strip())
    if match is None:
        problems.append(
            Problem(name, "solution", 'expected "v1 v2 ...",n,n,n,n,"text"', raw.strip()[:60], number, code="syntax")
        )
        return None
    try:
        scenario = tuple(int(v) - 1 for v in match["variants"].split())
        numbers = [float(x) for x in match["numbers"].split(",")]
    except ValueError:
        problems.append(
            Problem(name, "solution", "variants and fields must be numbers", raw.strip()[:60], number, code="number")
        )
        return None
    if len(numbers) != 4 or min(scenario, default=-1) < 0:
        problems.append(
            Problem(
                name, "solution", "expected 1-based variants and four numbers", raw.strip()[:60], number, code="number"
            )
        )
        return None
    if n_descriptors is not None and len(scenario) != n_descriptors:
        problems.append(
            Problem(name, "solution", f"expected {n_descriptors} variants", len(scenario), number, code="structure")
        )
        return None
    return SolutionRow(scenario, numbers[0], numbers[1], numbers[2], numbers[3], match["label"])

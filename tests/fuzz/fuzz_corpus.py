"""Generated hostile input for every reader, shared by the Hypothesis suite (``tests/fuzz/``) and the long campaign
(``benchmarks/fuzz.py``).

Each input starts from a valid file of the project (the ``tiny`` fixture case, the bundled ``syria-militias``
scenarios, and an ``.achz``, ``.scw`` and ``.xlsx`` exported from them) and applies one or more *operators*: the
failure classes of issue 15 as explicit mutations (alias bombs, explicit tags, hostile numbers, over-long fields,
declared sizes, damaged archives, separators, encodings, markup and mathtext in names) plus generic ones (delete,
duplicate, swap or truncate lines, random bytes). An :class:`Input` names the files to place in a fresh work folder
and the ``sat`` command a user would run on them.

Everything is drawn from one :class:`random.Random`, so Hypothesis can drive and shrink it (``st.randoms()``) and
the campaign can reproduce any input from its seed.
"""

from __future__ import annotations

import functools
import gzip
import io
import random
import re
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
TINY = ROOT / "tests" / "fixtures" / "tiny"
SYRIA = ROOT / "data" / "cases" / "syria-militias"

#: Largest generated text (characters): beyond every reader's size limit, so larger inputs test nothing new.
MAX_GENERATED = 40_000_000
KINDS = ("case.yaml", "ratings CSV", "notes CSV", "scenarios.yaml", ".achz", ".scw", ".xlsx", "exercise files")
TRAINING = ROOT / "tests" / "fixtures" / "training"


@dataclass
class Input:
    """One generated input: files (path in the work folder -> bytes) and the command to run on them.

    In ``argv``, ``{work}`` stands for the work folder. ``outputs`` are paths the command may create when it
    succeeds; on failure nothing but hidden leftovers may change in the work folder."""

    kind: str
    files: dict[str, bytes]
    argv: list[str]
    operators: list[str] = field(default_factory=list)
    outputs: list[str] = field(default_factory=list)

    def command(self, work: Path) -> list[str]:
        return [arg.replace("{work}", str(work)) for arg in self.argv]


# --- hostile values ----------------------------------------------------------------------------------------------

NUMBERS = [
    "9" * 5000,
    "1" + "0" * 400,
    "1e400",
    "-1e400",
    "1.0e+308",
    ".nan",
    "nan",
    "NaN",
    ".inf",
    "-.inf",
    "0x",
    "0x" + "f" * 300,
    "0o",
    "0b2",
    "1:20:30:40",
    "-0",
    "1_0",
    "1e-400",
    "0",
    "-1",
    "2",
    "1.5",
    "",
    "~",
    "x",
    "99999999999999999999",
    "4.9e-324",
    "+",
    ".",
]
DATES = [
    "2024-13-45",
    "0000-00-00",
    "9999-12-31",
    "2024-02-30",
    "2024-1-1",
    "20240101",
    "2024-01-01T25:00:00",
    "1970-01-01",
    "-2024-01-01",
]
TAGS = [
    "!!int abc",
    "!!timestamp garbage",
    "!!seq {a: 1}",
    "!!map [1, 2]",
    "!!float x",
    "!!bool maybe",
    "!!str 1",
    "!!binary ====",
    "!!python/object/apply:os.system ['true']",
    "!custom x",
    "!!null nope",
    "!!set {a, b}",
    "!!omap [a]",
    "!<tag:yaml.org,2002:int> 12",
]
MARKUP = [
    "$\\x$",
    "$\\frac{",
    "$$",
    "a_b^c",
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "{{7*7}}",
    "${x}",
    "%(x)s",
    "\\begin{x}",
    "=cmd|' /C calc'!A0",
    "@SUM(1)",
    "]]>",
    "&amp;",
    "\u202e",
    "\u0000",
    "\x1b[31m",
    "\r",
    "\t",
    "\ufeff",
]
SHAPES = [
    "[]",
    "{}",
    "[1, [2, [3]]]",
    "{a: {b: {c: d}}}",
    "[[[[[[[[[[]]]]]]]]]]",
    "? [a]\n  : b",
    "- - -",
    "|\n  block",
    ">-\n  folded",
    "'unclosed",
    '"unclosed',
    "[unclosed",
    "{unclosed",
    "a: b: c",
    ": x",
    "- x",
]
VALUES = NUMBERS + DATES + TAGS + MARKUP + SHAPES


def hostile_value(rng: random.Random) -> str:
    """One hostile scalar (sometimes very long)."""
    roll = rng.random()
    if roll < 0.08:
        return rng.choice("xA$é<\"'") * rng.choice([70_000, 140_000, 300_000])
    if roll < 0.12:
        return "".join(chr(rng.randrange(1, 0x3000)) for _ in range(rng.randrange(1, 40)))
    return rng.choice(VALUES)


# --- generic text operators ---------------------------------------------------------------------------------------


def _lines(text: str) -> list[str]:
    return text.split("\n")


def op_delete_line(text: str, rng: random.Random) -> str:
    lines = _lines(text)
    del lines[rng.randrange(len(lines))]
    return "\n".join(lines)


def op_duplicate_line(text: str, rng: random.Random) -> str:
    lines = _lines(text)
    k = rng.randrange(len(lines))
    lines[k:k] = [lines[k]] * rng.choice([1, 2, 50])
    return "\n".join(lines)


def op_swap_lines(text: str, rng: random.Random) -> str:
    lines = _lines(text)
    a, b = rng.randrange(len(lines)), rng.randrange(len(lines))
    lines[a], lines[b] = lines[b], lines[a]
    return "\n".join(lines)


def op_truncate(text: str, rng: random.Random) -> str:
    return text[: rng.randrange(len(text) + 1)]


def op_reindent(text: str, rng: random.Random) -> str:
    lines = _lines(text)
    k = rng.randrange(len(lines))
    lines[k] = (" " * rng.choice([1, 2, 3, 8]) + lines[k]) if rng.random() < 0.5 else lines[k].lstrip()
    return "\n".join(lines)


def op_insert_chars(text: str, rng: random.Random) -> str:
    at = rng.randrange(len(text) + 1)
    return (
        text[:at]
        + rng.choice(
            [
                "\t",
                "\x00",
                "\r",
                "\x0c",
                "\ufeff",
                "\u2028",
                ":",
                "#",
                "'",
                '"',
                ",",
                "-",
                "&",
                "*",
                "!",
                "|",
                ">",
                "%",
                "@",
                "`",
                "{",
                "[",
                "\n  ",
            ]
        )
        + text[at:]
    )


TEXT_OPERATORS: dict[str, Callable[[str, random.Random], str]] = {
    "delete line": op_delete_line,
    "duplicate line": op_duplicate_line,
    "swap lines": op_swap_lines,
    "truncate": op_truncate,
    "reindent": op_reindent,
    "insert character": op_insert_chars,
}


# --- YAML operators -----------------------------------------------------------------------------------------------

_SCALAR = re.compile(r"^(\s*(?:- )?[A-Za-z_][\w.-]*:\s)(.+)$|^(\s*- )([^\n:]+)$")


def op_yaml_value(text: str, rng: random.Random) -> str:
    """Replace one scalar value (``key: value`` or ``- item``) with a hostile one."""
    lines = _lines(text)
    candidates = [k for k, line in enumerate(lines) if _SCALAR.match(line)]
    if not candidates:
        return text
    k = rng.choice(candidates)
    found = _SCALAR.match(lines[k])
    assert found is not None
    prefix = found.group(1) or found.group(3)
    value = hostile_value(rng)
    if "\n" in value:
        value = value.replace("\n", "\n" + " " * (len(prefix) + 2))
    lines[k] = prefix + value
    return "\n".join(lines)


def op_yaml_quoted_value(text: str, rng: random.Random) -> str:
    """Replace one scalar with a hostile value, quoted so that it reaches the reader as text."""
    lines = _lines(text)
    candidates = [k for k, line in enumerate(lines) if _SCALAR.match(line)]
    if not candidates:
        return text
    k = rng.choice(candidates)
    found = _SCALAR.match(lines[k])
    assert found is not None
    value = hostile_value(rng).replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\x00", "\\0")
    lines[k] = (found.group(1) or found.group(3)) + '"' + value + '"'
    return "\n".join(lines)


def op_alias_bomb(text: str, rng: random.Random) -> str:
    """Billion laughs: nested anchors (each level repeats the one below), and sometimes a field set to the last."""
    width, depth = rng.choice([3, 9]), rng.choice([4, 9])
    bomb = [f"a0: &a0 [{', '.join(['lol'] * width)}]"]
    bomb += [f"a{n}: &a{n} [{', '.join([f'*a{n - 1}'] * width)}]" for n in range(1, depth + 1)]
    lines = _lines(text)
    keys = [k for k, line in enumerate(lines) if re.match(r"^[a-z_]+:", line)]
    if keys and rng.random() < 0.6:
        k = rng.choice(keys)
        lines[k] = lines[k].split(":", 1)[0] + f": *a{depth}"
    return "\n".join(bomb + lines)


def op_yaml_tag(text: str, rng: random.Random) -> str:
    lines = _lines(text)
    candidates = [k for k, line in enumerate(lines) if _SCALAR.match(line)]
    if not candidates:
        return text
    k = rng.choice(candidates)
    found = _SCALAR.match(lines[k])
    assert found is not None
    lines[k] = (found.group(1) or found.group(3)) + rng.choice(TAGS)
    return "\n".join(lines)


def op_yaml_deep(text: str, rng: random.Random) -> str:
    depth = rng.choice([40, 100, 1000, 20_000])
    return text + "\ndeep: " + "[" * depth + "]" * depth + "\n"


def op_yaml_repeat_block(text: str, rng: random.Random) -> str:
    """Repeat one list item many times (item counts far beyond a real case)."""
    lines = _lines(text)
    starts = [k for k, line in enumerate(lines) if re.match(r"^\s+- id:", line)]
    if not starts:
        return text
    k = rng.choice(starts)
    indent = len(lines[k]) - len(lines[k].lstrip())
    end = k + 1
    while end < len(lines) and (len(lines[end]) - len(lines[end].lstrip()) > indent or not lines[end].strip()):
        end += 1
    block = lines[k:end]
    copies = rng.choice([2, 200, 5000])
    repeated = []
    for n in range(copies):
        repeated += [re.sub(r"(- id:\s*)(\S+)", rf"\g<1>\g<2>x{n}", block[0]), *block[1:]]
    lines[k:end] = repeated
    return "\n".join(lines)


def op_yaml_structure(text: str, rng: random.Random) -> str:
    """A top-level field given the wrong shape (a list as a text, a text as a mapping, ...)."""
    lines = _lines(text)
    keys = [k for k, line in enumerate(lines) if re.match(r"^[a-z_]+:", line)]
    if not keys:
        return text
    k = rng.choice(keys)
    lines[k] = lines[k].split(":", 1)[0] + ": " + rng.choice([*SHAPES, "12", "null", "true", "2024-01-01"])
    return "\n".join(lines)


YAML_OPERATORS: dict[str, Callable[[str, random.Random], str]] = {
    "hostile value": op_yaml_value,
    "hostile quoted value": op_yaml_quoted_value,
    "alias bomb": op_alias_bomb,
    "explicit tag": op_yaml_tag,
    "deep nesting": op_yaml_deep,
    "repeated items": op_yaml_repeat_block,
    "wrong shape": op_yaml_structure,
    **TEXT_OPERATORS,
}


# --- CSV operators ------------------------------------------------------------------------------------------------


def _csv_cell(text: str, rng: random.Random, value: str) -> str:
    lines = _lines(text)
    row = rng.randrange(len(lines))
    cells = lines[row].split(",")
    cells[rng.randrange(len(cells))] = value
    lines[row] = ",".join(cells)
    return "\n".join(lines)


def op_csv_hostile_cell(text: str, rng: random.Random) -> str:
    value = hostile_value(rng)
    if rng.random() < 0.5:
        value = '"' + value.replace('"', '""') + '"'
    return _csv_cell(text, rng, value)


def op_csv_long_field(text: str, rng: random.Random) -> str:
    value = rng.choice('xC,\n"') * rng.choice([131_073, 200_000, 1_000_000])
    return _csv_cell(text, rng, '"' + value.replace('"', '""') + '"' if rng.random() < 0.7 else value)


def op_csv_unclosed_quote(text: str, rng: random.Random) -> str:
    return _csv_cell(text, rng, '"' + "never closed " * rng.choice([1, 20_000]))


def op_csv_separator(text: str, rng: random.Random) -> str:
    return text.replace(",", rng.choice(["\t", ";", "|", " , "]))


def op_csv_header_repeat(text: str, rng: random.Random) -> str:
    lines = _lines(text)
    ident = lines[0].split(",")[-1] if "," in lines[0] else "H1"
    lines[0] = lines[0] + ("," + ident) * rng.choice([3, 4000, 40_000])
    return "\n".join(lines)


def op_csv_many_rows(text: str, rng: random.Random) -> str:
    lines = _lines(text)
    body = [line for line in lines[1:] if line.strip() and len(line) < 1000] or ["E1"]  # never 200,000 long lines
    return "\n".join(
        [lines[0]]
        + [
            rng.choice(body).replace("E", rng.choice(["E", "X", "E1"]), 1)
            for _ in range(rng.choice([50, 20_000, 200_000]))
        ]
    )


def op_csv_bytes(text: str, rng: random.Random) -> str:
    return rng.choice(["\ufeff", "\ufeff\ufeff", "", "\x00"]) + text.replace("\n", rng.choice(["\r\n", "\r", "\n"]))


CSV_OPERATORS: dict[str, Callable[[str, random.Random], str]] = {
    "hostile cell": op_csv_hostile_cell,
    "long field": op_csv_long_field,
    "unclosed quote": op_csv_unclosed_quote,
    "other separator": op_csv_separator,
    "repeated header": op_csv_header_repeat,
    "many rows": op_csv_many_rows,
    "line ends and marks": op_csv_bytes,
    **TEXT_OPERATORS,
}


# --- encoding (applied to the bytes of any text file) ------------------------------------------------------------


def encode(text: str, rng: random.Random) -> tuple[bytes, str | None]:
    """The text as UTF-8, or now and then in a wrong encoding or with bytes that are not UTF-8 at all."""
    roll = rng.random()
    if roll < 0.9:
        return text.encode("utf-8", errors="surrogatepass"), None
    if roll < 0.94:
        return text.encode("utf-16"), "UTF-16"
    if roll < 0.97:
        return text.encode("latin-1", errors="replace"), "Latin-1"
    data = bytearray(text.encode("utf-8", errors="surrogatepass"))
    for _ in range(rng.choice([1, 3])):
        at = rng.randrange(len(data) + 1)
        data[at:at] = bytes([rng.choice([0x80, 0xC3, 0xFF, 0xFE, 0xED, 0xF4])])
    return bytes(data), "invalid UTF-8"


def mutate(
    text: str, operators: dict[str, Callable[[str, random.Random], str]], rng: random.Random, count: int
) -> tuple[str, list[str]]:
    names = []
    for _ in range(count):
        name = rng.choice(sorted(operators))
        mutated = operators[name](text, rng)
        if len(mutated) > MAX_GENERATED:  # the readers refuse far less; building more only costs the generator
            continue
        text = mutated
        names.append(name)
    return text, names


# --- base files ----------------------------------------------------------------------------------------------------


@functools.cache
def base_files() -> dict[str, dict[str, bytes]]:
    """The valid starting point of each kind: the tiny case and the syria-militias scenarios as files, and an
    ``.achz``, ``.scw`` and ``.xlsx`` exported by the project itself."""
    from sat.ach.achz import achz_bytes
    from sat.ach.excel import workbook_bytes
    from sat.scenarios.cib.file import load_cib
    from sat.scenarios.scw import ScwProject, format_scw
    from sat.store import load_case

    tiny = {p.relative_to(TINY).as_posix(): p.read_bytes() for p in sorted(TINY.rglob("*")) if p.is_file()}
    case = load_case(TINY)
    model = load_cib(SYRIA / "scenarios.yaml")
    exercise = {p.relative_to(TRAINING).as_posix(): p.read_bytes() for p in sorted(TRAINING.rglob("*")) if p.is_file()}
    return {
        "exercise": exercise,
        "tiny": tiny,
        "syria": {
            "case.yaml": (SYRIA / "case.yaml").read_bytes(),
            "scenarios.yaml": (SYRIA / "scenarios.yaml").read_bytes(),
        },
        "achz": {"xml": gzip.decompress(achz_bytes(case, case.matrix("ann"))).decode("utf-16").encode("utf-8")},
        "scw": {"text": format_scw(ScwProject.from_matrix(model)).encode("utf-8")},
        "xlsx": {"book": workbook_bytes(case, ["ann", "bob"])},
    }


def _case(files: dict[str, bytes], prefix: str = "case/") -> dict[str, bytes]:
    return {prefix + name: data for name, data in files.items()}


# --- per kind ------------------------------------------------------------------------------------------------------


def _case_yaml(rng: random.Random) -> Input:
    files = _case(base_files()["tiny"])
    text, ops = mutate(files["case/case.yaml"].decode(), YAML_OPERATORS, rng, rng.choice([1, 1, 2, 3]))
    files["case/case.yaml"], bad = encode(text, rng)
    argv = rng.choice(
        [
            ["validate", "{work}/case"],
            ["ach", "score", "{work}/case", "--draws", "200"],
            ["ach", "score", "{work}/case", "--json", "--draws", "0"],
        ]
    )
    return Input("case.yaml", files, argv, ops + ([bad] if bad else []))


def _ratings(rng: random.Random) -> Input:
    files = _case(base_files()["tiny"])
    target = rng.choice(["case/ratings/ann.csv", "case/ratings/bob.csv"])
    text, ops = mutate(files[target].decode(), CSV_OPERATORS, rng, rng.choice([1, 1, 2]))
    files[target], bad = encode(text, rng)
    argv = rng.choice([["validate", "{work}/case"], ["ach", "score", "{work}/case", "--draws", "200"]])
    return Input("ratings CSV", files, argv, ops + ([bad] if bad else []))


def _notes(rng: random.Random) -> Input:
    files = _case(base_files()["tiny"])
    text, ops = mutate(files["case/ratings/bob.notes.csv"].decode(), CSV_OPERATORS, rng, rng.choice([1, 1, 2]))
    files["case/ratings/bob.notes.csv"], bad = encode(text, rng)
    return Input("notes CSV", files, ["validate", "{work}/case"], ops + ([bad] if bad else []))


def _scenarios(rng: random.Random) -> Input:
    files = _case(base_files()["syria"])
    text, ops = mutate(files["case/scenarios.yaml"].decode(), YAML_OPERATORS, rng, rng.choice([1, 1, 2]))
    files["case/scenarios.yaml"], bad = encode(text, rng)
    argv = rng.choice(
        [
            ["validate", "{work}/case"],
            ["cib", "{work}/case/scenarios.yaml"],
            ["cib", "{work}/case/scenarios.yaml", "--json", "--sensitivity"],
        ]
    )
    return Input("scenarios.yaml", files, argv, ops + ([bad] if bad else []))


_ELEMENT = re.compile(r"<([A-Z-]+)>([^<]*)</\1>")


def op_xml_text(text: str, rng: random.Random) -> str:
    """Replace the text of one element (a title, a date, a VALUES list, ...) with a hostile one."""
    found = list(_ELEMENT.finditer(text))
    if not found:
        return text
    m = rng.choice(found)
    value = rng.choice(
        [
            hostile_value(rng),
            "9" * rng.choice([20, 400, 5000]),
            "-" + "9" * 30,
            "nan",
            "",
            "C C,I,NA,Q",
            ",".join(["C"] * rng.choice([2, 4, 300])),
            "x" * rng.choice([1, 150_000, 3_000_000]),
        ]
    )
    value = value.replace("&", "&amp;").replace("<", "&lt;")
    return text[: m.start(2)] + value + text[m.end(2) :]


def op_xml_many(text: str, rng: random.Random) -> str:
    """Many hypotheses or evidence items (far beyond a PARC project)."""
    tag = rng.choice(["HYPOTHESIS", "EVIDENCE"])
    found = re.search(rf"<{tag}>.*?</{tag}>", text, re.DOTALL)
    if not found:
        return text
    return text[: found.start()] + found.group() * rng.choice([2, 300, 20_000]) + text[found.start() :]


def op_xml_entity(text: str, rng: random.Random) -> str:
    decl = rng.choice(
        [
            '<!DOCTYPE x [<!ENTITY a "aaaaaaaaaa">]>',
            '<!DOCTYPE x SYSTEM "file:///etc/passwd">',
            '<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>',
        ]
    )
    return re.sub(r"(<\?xml[^>]*\?>)", lambda m: m.group(1) + decl, text, count=1)


def op_xml_drop(text: str, rng: random.Random) -> str:
    found = list(_ELEMENT.finditer(text))
    if not found:
        return text
    m = rng.choice(found)
    return text[: m.start()] + text[m.end() :]


XML_OPERATORS: dict[str, Callable[[str, random.Random], str]] = {
    "element text": op_xml_text,
    "many elements": op_xml_many,
    "entity declaration": op_xml_entity,
    "dropped element": op_xml_drop,
    "truncate": op_truncate,
    "insert character": op_insert_chars,
}


def _achz(rng: random.Random) -> Input:
    xml = base_files()["achz"]["xml"].decode()
    text, ops = mutate(xml, XML_OPERATORS, rng, rng.choice([1, 1, 2]))
    raw = text.encode(rng.choice(["utf-16", "utf-16", "utf-8", "utf-16-be"]), errors="surrogatepass")
    data = gzip.compress(raw, mtime=0)
    roll = rng.random()
    if roll < 0.06:
        data, ops = data[: rng.randrange(len(data))], [*ops, "truncated gzip"]
    elif roll < 0.1:
        flipped = bytearray(data)
        for _ in range(rng.choice([1, 5])):
            flipped[rng.randrange(10, len(flipped))] ^= 1 << rng.randrange(8)
        data, ops = bytes(flipped), [*ops, "flipped bits"]
    elif roll < 0.12:
        data, ops = raw, [*ops, "not gzip"]
    elif roll < 0.13:
        data, ops = gzip.compress(b"<" + b" " * 60_000_000, compresslevel=1), ["gzip bomb"]
    analyst = rng.choice(["parc", "parc", "ann", "x\n", "../x", "a" * 300])
    to = rng.choice(["{work}/new", "{work}/new", "{work}/" + "n" * 300, "{work}/case", "{work}/deep/er/new"])
    return Input(
        ".achz",
        {"in.achz": data, **_case(base_files()["tiny"])},
        ["ach", "import", "{work}/in.achz", "--to", to, "--analyst", analyst],
        ops,
        outputs=[to],
    )


def op_scw_cell(text: str, rng: random.Random) -> str:
    lines = _lines(text)
    rows = [k for k, line in enumerate(lines) if line.count(",") > 2]
    if not rows:
        return text
    k = rng.choice(rows)
    cells = lines[k].split(",")
    cells[rng.randrange(len(cells))] = rng.choice([*NUMBERS, "x", " ", "1e999", "9" * 5000, "&H", "&HFFFFFFFF"])
    lines[k] = ",".join(cells)
    return "\n".join(lines)


def op_scw_dimensions(text: str, rng: random.Random) -> str:
    """Declare far more descriptors or variants than the judgment rows hold (the readers must check the sizes
    before allocating the matrix)."""
    lines = _lines(text)
    k = next((i for i, line in enumerate(lines) if line.startswith((" -", "-"))), 2)
    extra = rng.choice([50, 1000, 30_000])
    if rng.random() < 0.5:
        lines[k:k] = [f" -v{n}" for n in range(extra)]
    else:
        lines[k:k] = [f"&D{n}\n -a\n -b" for n in range(extra // 3)]
    return "\n".join(lines)


SCW_OPERATORS: dict[str, Callable[[str, random.Random], str]] = {
    "judgment cell": op_scw_cell,
    "declared dimensions": op_scw_dimensions,
    **TEXT_OPERATORS,
}


def _scw(rng: random.Random) -> Input:
    text, ops = mutate(base_files()["scw"]["text"].decode(), SCW_OPERATORS, rng, rng.choice([1, 1, 2]))
    data, bad = encode(text.replace("\n", "\r\n") if rng.random() < 0.5 else text, rng)
    argv = rng.choice(
        [
            ["cib", "{work}/in.scw"],
            ["cib", "{work}/in.scw", "--json"],
            ["cib", "{work}/in.scw", "--scw", "{work}/out.scw", "--sl", "{work}/out.sl"],
        ]
    )
    return Input(
        ".scw", {"in.scw": data}, argv, ops + ([bad] if bad else []), outputs=["{work}/out.scw", "{work}/out.sl"]
    )


def _xlsx_sheet(book: bytes) -> tuple[dict[str, bytes], str]:
    with zipfile.ZipFile(io.BytesIO(book)) as archive:
        parts = {name: archive.read(name) for name in archive.namelist()}
    sheets = sorted(n for n in parts if n.startswith("xl/worksheets/sheet"))
    return parts, sheets[4]  # Case, Hypotheses, Evidence, Sources, then ann's matrix


def _xlsx(rng: random.Random) -> Input:
    parts, sheet = _xlsx_sheet(base_files()["xlsx"]["book"])
    xml = parts[sheet].decode()
    op = rng.choice(
        [
            "cut sheet",
            "cell value",
            "dimension",
            "far cell",
            "drop part",
            "flip bits",
            "not a zip",
            "shared string",
            "sheet text",
        ]
    )
    if op == "cut sheet":
        xml = xml[: rng.randrange(len(xml))]
    elif op == "cell value":
        value = hostile_value(rng).replace("&", "&amp;").replace("<", "&lt;")
        xml = re.sub(r"<v>[^<]*</v>", lambda m: f"<v>{value}</v>" if rng.random() < 0.3 else m.group(), xml)
    elif op == "dimension":
        xml = re.sub(r'<dimension ref="[^"]*"', '<dimension ref="A1:XFD1048576"', xml)
    elif op == "far cell":
        xml = xml.replace(
            "</sheetData>",
            rng.choice(
                [
                    ('<row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t>C</t></is></c></row></sheetData>'),
                    '<row r="99999999999"><c r="A1"><v>1</v></c></row></sheetData>',
                    '<row r="x"><c r="ZZZZZZ9"><v>nan</v></c></row></sheetData>',
                ]
            ),
        )
    elif op == "shared string" and "xl/sharedStrings.xml" in parts:
        strings = parts["xl/sharedStrings.xml"].decode()
        parts["xl/sharedStrings.xml"] = strings[: rng.randrange(len(strings))].encode()
    elif op == "sheet text":
        xml, _ = mutate(
            xml, {"element text": op_xml_text, "truncate": op_truncate, "insert character": op_insert_chars}, rng, 1
        )
    parts[sheet] = xml.encode("utf-8", errors="surrogatepass")
    if op == "drop part":
        del parts[rng.choice(sorted(parts))]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    book = buffer.getvalue()
    if op == "flip bits":
        flipped = bytearray(book)
        for _ in range(rng.choice([1, 8])):
            flipped[rng.randrange(len(flipped))] ^= 1 << rng.randrange(8)
        book = bytes(flipped)
    elif op == "not a zip":
        book = book[: rng.randrange(len(book))]
    analyst = rng.choice(["ann", "ann", "new", "x\n", "a" * 300])
    files = {"in.xlsx": book, **_case(base_files()["tiny"])}
    return Input(
        ".xlsx",
        files,
        [
            "ach",
            "import-matrix",
            "{work}/in.xlsx",
            "--case",
            "{work}/case",
            "--analyst",
            analyst,
            *(["--sheet", "ann"] if analyst != "ann" else []),
        ],
        [op],
        outputs=[f"{{work}}/case/ratings/{analyst}.csv"],
    )


def _exercise(rng: random.Random) -> Input:
    """An exercise (key, its case, a trainee's ratings and answers) graded with ``sat grade --out``."""
    files = dict(base_files()["exercise"])
    target = rng.choice(
        [
            "tiny-ach/key.yaml",
            "tiny-ach/key.yaml",
            "tiny-ach/exercise.yaml",
            "tiny-ach/case/case.yaml",
            "class/ana.csv",
            "class/ana.answers.yaml",
        ]
    )
    operators = CSV_OPERATORS if target.endswith(".csv") else YAML_OPERATORS
    text, ops = mutate(files[target].decode(), operators, rng, rng.choice([1, 1, 2]))
    files[target], bad = encode(text, rng)
    argv = rng.choice(
        [
            ["grade", "{work}/tiny-ach", "{work}/class", "--out", "{work}/out"],
            ["grade", "{work}/tiny-ach", "{work}/class", "--json"],
            ["exercise", "check", "{work}/tiny-ach"],
        ]
    )
    return Input("exercise files", files, argv, [target, *ops] + ([bad] if bad else []), outputs=["{work}/out"])


GENERATORS: dict[str, Callable[[random.Random], Input]] = {
    "case.yaml": _case_yaml,
    "ratings CSV": _ratings,
    "notes CSV": _notes,
    "scenarios.yaml": _scenarios,
    ".achz": _achz,
    ".scw": _scw,
    ".xlsx": _xlsx,
    "exercise files": _exercise,
}


def generate(kind: str, rng: random.Random) -> Input:
    """One generated input of ``kind`` (one of :data:`KINDS`)."""
    return GENERATORS[kind](rng)


def place(item: Input, work: Path) -> None:
    """Write the input's files under ``work``."""
    for name, data in item.files.items():
        path = work / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)


def snapshot(work: Path) -> dict[str, bytes]:
    """Every visible file under ``work`` (hidden leftovers such as temporary files are not data)."""
    return {
        p.relative_to(work).as_posix(): p.read_bytes()
        for p in sorted(work.rglob("*"))
        if p.is_file() and not p.is_symlink() and not any(part.startswith(".") for part in p.relative_to(work).parts)
    }


def partial_write(item: Input, work: Path, before: dict[str, bytes]) -> list[str]:
    """What a failed command changed in the work folder (should be nothing)."""
    after = snapshot(work)
    return sorted(name for name in set(before) | set(after) if before.get(name) != after.get(name))

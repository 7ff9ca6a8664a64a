"""PARC ACH ``.achz`` files: import into a case folder, export a case's matrix.

What is confirmed and what is our choice
----------------------------------------
The only description we have is how Open Source ACH's importer read PARC ACH 2.0 files (TRADECRAFT.md §1.4).
*Confirmed by that description*: the file is gzip-compressed UTF-16 XML; the top level holds PROJECT-TITLE,
CLASSIFICATION, LAST-INDEX, COLOR-SCHEME and MATRIX; MATRIX holds HYPOTHESIS elements with a NAME, and per evidence
item NAME, NOTES, LINK, TYPE, DATE (milliseconds since 1970), CODE, FLAG (1/0), VALUES (one code per hypothesis in
column order, written "I I", "I", "NA", "N", "C", "C C") and CREDIBILITY (HIGH/MEDIUM/LOW).
*Our choice*: the root element's name (``ACH-PROJECT``), the name of the per-evidence element (``EVIDENCE``), how the
codes inside VALUES are separated (commas), the spelling of TYPE values, LAST-INDEX (the number of evidence items),
COLOR-SCHEME (``0``), and a RELEVANCE element (HIGH/MEDIUM/LOW; PARC has relevance but it was not seen in files).

What we write::

    <?xml version="1.0" encoding="UTF-16"?>
    <ACH-PROJECT>
      <PROJECT-TITLE>case title</PROJECT-TITLE>
      <CLASSIFICATION/>            (from a "PARC classification:" line of the case description, else empty)
      <LAST-INDEX>3</LAST-INDEX>
      <COLOR-SCHEME>0</COLOR-SCHEME>
      <MATRIX>
        <HYPOTHESIS><NAME>hypothesis title</NAME></HYPOTHESIS>   (one per hypothesis, in case order)
        <EVIDENCE>                                                (one per evidence item, in case order)
          <NAME>summary</NAME> <NOTES>notes</NOTES> <LINK>url of the first source with one</LINK>
          <TYPE>Imagery</TYPE> <DATE>1642118400000</DATE> (midnight UTC; empty if no date)
          <CODE>evidence id</CODE> <FLAG>0</FLAG> <VALUES>C C,I,NA,</VALUES> (empty = not yet rated)
          <CREDIBILITY>HIGH</CREDIBILITY> <RELEVANCE>MEDIUM</RELEVANCE>
        </EVIDENCE>
      </MATRIX>
    </ACH-PROJECT>

What we accept (lenient): any root name; element names in any case, ``_`` for ``-`` and any namespace; every
element but MATRIX optional; a MATRIX child other than HYPOTHESIS is an evidence item if it has a NAME or VALUES
child (others are ignored); a HYPOTHESIS without NAME takes its own text; VALUES as child elements (one code each)
or as text separated by commas, semicolons, ``|``, tabs or new lines, or by spaces when that gives exactly one code
per hypothesis; codes in any case with or without inner spaces ("C C" = "CC"); DATE as milliseconds or YYYY-MM-DD;
CREDIBILITY/RELEVANCE as HIGH/MEDIUM/LOW or H/M/L; FLAG as 1/0, true/false, yes/no.
Refused, naming file, element and value, with nothing written: not gzip, truncated or corrupt gzip, more than
:data:`MAX_DECOMPRESSED` bytes once decompressed (read in chunks, so a gzip bomb cannot exhaust memory), text that is
not UTF-16 (or UTF-8), XML that is not well-formed, any entity declaration or external reference (defusedxml),
VALUES with the wrong number of codes or unknown codes, unknown CREDIBILITY/RELEVANCE/FLAG/DATE values, empty names.

Mapping to a case
-----------------
PROJECT-TITLE -> title and question (PARC has no separate question; a title written by our export as
"<title> -- Question: <question>" is split back into the two); CLASSIFICATION -> a "PARC classification:"
line of the description; hypotheses get ids H1, H2, ...; evidence ids are the CODEs when every item has a distinct
CODE usable as an id (this keeps references such as "see E19" in notes valid), else E01, E02, ... with each CODE kept
in the notes; NAME -> summary; NOTES -> notes; TYPE -> type (PARC's kinds map to ours; anything else becomes
``other`` with the original kept in the notes); DATE -> date (UTC day; the time of day is dropped); CREDIBILITY ->
credibility; RELEVANCE -> relevance (default medium); FLAG set -> kept in the notes; LINK -> a source (id S1, ...,
title and url the link; items sharing a link share the source); as_of = the latest evidence date (today if none);
VALUES -> ``ratings/<analyst>.csv``. What PARC cannot hold in notes is kept as trailing lines ``PARC type: ...``,
``PARC code: ...``, ``PARC flag: yes``, which export turns back into TYPE, CODE and FLAG, so achz -> case -> achz
keeps them. The question, when it differs from the title, is appended to PROJECT-TITLE after QUESTION_MARK.
Not held by the format, so not exported: hypothesis descriptions and milestones, sources other than one link per
item, evidence groups, rationale, scoring settings, and all but one analyst (a case with several analysts is
exported as their group verdict per cell unless one analyst is named).
"""

from __future__ import annotations

import datetime as dt
import gzip
import os
import re
import shutil
import tempfile
import xml.etree.ElementTree as ET
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import TypeVar

import pandas as pd
from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring

from .. import model
from ..errors import Problem, SatError, ValidationError
from ..fileio import atomic_write_bytes, glob_escape, sweep
from ..inputs import check_file
from ..model import Case, Evidence, Hypothesis, Source
from ..paths import ANALYST_NAME, CASE_ID
from ..store import normalise_code, save_case, save_ratings
from ..validation import ITEM_ID, Problems

#: Largest decompressed size read from an ``.achz`` file (bytes).
MAX_DECOMPRESSED = 50 * 1024 * 1024
#: Most XML elements, hypotheses and characters of one text read from an ``.achz`` file (see docs/formats/limits.md).
MAX_ELEMENTS = 200_000
MAX_HYPOTHESES = 200
MAX_TEXT_CHARS = 100_000
CHUNK = 1024 * 1024
DEFAULT_ANALYST = "parc"
ROOT_TAG = "ACH-PROJECT"
EVIDENCE_TAG = "EVIDENCE"

#: Our evidence types as written to TYPE.
TYPE_LABELS: dict[str, str] = {
    "open-source": "Open Source",
    "humint": "HUMINT",
    "sigint": "SIGINT",
    "imagery": "Imagery",
    "assumption": "Assumption",
    "logical-deduction": "Logical Deduction",
    "absence-of-evidence": "Absence of Evidence",
    "other": "Other",
}
#: TYPE values read (lower case, letters only) -> our evidence type.
TYPE_READ: dict[str, str] = {
    "opensource": "open-source",
    "osint": "open-source",
    "humint": "humint",
    "sigint": "sigint",
    "imagery": "imagery",
    "imint": "imagery",
    "geoint": "imagery",
    "assumption": "assumption",
    "logicaldeduction": "logical-deduction",
    "deduction": "logical-deduction",
    "absenceofevidence": "absence-of-evidence",
    "other": "other",
    "userdefined": "other",
    "": "other",
}
LEVEL_READ: dict[str, str] = {
    "high": "high",
    "h": "high",
    "medium": "medium",
    "med": "medium",
    "m": "medium",
    "low": "low",
    "l": "low",
}
FLAG_READ: dict[str, bool] = {"1": True, "true": True, "yes": True, "0": False, "false": False, "no": False, "": False}
VALUE_SEPARATORS = re.compile(r"[,;|\t\n\r]")
MARKER = re.compile(r"^PARC (type|code|flag|classification): (.*)$")
INVALID_XML_CHARS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
EPOCH = dt.date(1970, 1, 1)
T = TypeVar("T")
MS_PER_DAY = 86_400_000


# --- reading ---------------------------------------------------------------------------------------------------


def read_achz(path: str | os.PathLike[str], case_id: str, analyst: str = DEFAULT_ANALYST) -> Case:
    """A case (not yet saved) from an ``.achz`` file; raise ValidationError listing every problem found."""
    shown = os.fspath(path)
    if os.path.lexists(shown):  # a device or FIFO is refused before it is opened; a missing file is said below
        check_file(shown, shown, limit=MAX_DECOMPRESSED)
    root = _parse_xml(_decode(_decompress(shown), shown), shown)
    _check_sizes(root, shown)
    return _ReadCase(shown, root, case_id, analyst).build()


def _check_sizes(root: ET.Element, shown: str) -> None:
    """Refuse, before any work, a file beyond what a real PARC project holds: more than :data:`MAX_ELEMENTS`
    elements, :data:`MAX_HYPOTHESES` hypotheses, or a text longer than :data:`MAX_TEXT_CHARS` characters."""
    hypotheses = 0
    for count, element in enumerate(root.iter(), start=1):
        if count > MAX_ELEMENTS:
            raise _invalid(
                shown, "XML", f"more than {MAX_ELEMENTS:,} elements; refused (no ACH matrix is this large)", "limit"
            )
        if _tag(element) == "HYPOTHESIS":
            hypotheses += 1
        for text in (element.text, element.tail):
            if text and len(text) > MAX_TEXT_CHARS:
                raise _invalid(
                    shown,
                    _tag(element),
                    f"a text of {len(text):,} characters; refused (at most {MAX_TEXT_CHARS:,})",
                    "limit",
                )
    if hypotheses > MAX_HYPOTHESES:
        raise _invalid(
            shown, "MATRIX/HYPOTHESIS", f"{hypotheses:,} hypotheses; refused (at most {MAX_HYPOTHESES})", "limit"
        )


def _decompress(shown: str) -> bytes:
    """The decompressed bytes, read in chunks and refused beyond MAX_DECOMPRESSED."""
    chunks: list[bytes] = []
    total = 0
    try:
        with gzip.open(shown, "rb") as handle:
            while chunk := handle.read(CHUNK):
                total += len(chunk)
                if total > MAX_DECOMPRESSED:
                    raise _invalid(
                        shown,
                        "file",
                        f"decompresses to more than {MAX_DECOMPRESSED // 2**20} MB; "
                        "refused (an .achz file is far smaller)",
                        code="limit",
                    )
                chunks.append(chunk)
    except gzip.BadGzipFile as exc:
        raise _invalid(
            shown, "file", f"not a PARC ACH .achz file: not gzip-compressed or corrupt ({exc})", code="file"
        ) from None
    except EOFError:
        raise _invalid(shown, "file", "the gzip data is truncated (the file was cut short)", code="file") from None
    except zlib.error as exc:
        raise _invalid(shown, "file", f"the gzip data is corrupt ({exc})", code="file") from None
    except OSError as exc:
        raise SatError(f"{shown}: cannot be read: {exc.strerror or exc}") from None
    return b"".join(chunks)


def _decode(raw: bytes, shown: str) -> str:
    """Text of the XML: UTF-16 (with or without byte-order mark), or UTF-8."""
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        encoding = "utf-16"
    elif raw.startswith(b"<\x00"):
        encoding = "utf-16-le"
    elif raw.startswith(b"\x00<"):
        encoding = "utf-16-be"
    else:
        encoding = "utf-8-sig"
    try:
        return raw.decode(encoding)
    except UnicodeDecodeError as exc:
        raise _invalid(
            shown,
            "encoding",
            f"not valid {exc.encoding.upper()} text ({exc.reason} at byte {exc.start}); PARC ACH files are UTF-16 XML",
            code="encoding",
        ) from None


def _parse_xml(text: str, shown: str) -> ET.Element:
    try:
        root: ET.Element = fromstring(text)
    except DefusedXmlException as exc:
        raise _invalid(
            shown,
            "XML",
            f"refused: the file declares entities or external references ({exc}); "
            "PARC files need neither, and they can be used to attack the reader",
        ) from None
    except ET.ParseError as exc:
        line, column = exc.position
        raise ValidationError(
            [Problem(shown, "XML", f"not well-formed XML (column {column}): {_reason(exc)}", line=line, code="syntax")]
        ) from None
    return root


def _reason(exc: ET.ParseError) -> str:
    return str(exc).split(":")[0]


def _invalid(shown: str, field: str, message: str, code: str = "syntax") -> ValidationError:
    return ValidationError([Problem(shown, field, message, code=code)])


def _tag(element: ET.Element) -> str:
    """An element's name, compared leniently: no namespace, upper case, '_' read as '-'."""
    return str(element.tag).rsplit("}", 1)[-1].upper().replace("_", "-")


def _children(element: ET.Element, name: str) -> Iterator[ET.Element]:
    return (child for child in element if _tag(child) == name)


def _child(element: ET.Element, name: str) -> ET.Element | None:
    return next(_children(element, name), None)


def _text(element: ET.Element, name: str) -> str:
    child = _child(element, name)
    return (child.text or "").strip() if child is not None else ""


class _ReadCase:
    """Builds a case from the parsed XML, collecting every problem."""

    def __init__(self, shown: str, root: ET.Element, case_id: str, analyst: str):
        self.shown = shown
        self.root = root
        self.case_id = case_id
        self.analyst = analyst
        self.problems = Problems()

    def problem(self, field: str, message: str, value: object = None, code: str = "invalid") -> None:
        self.problems.append(Problem(self.shown, field, message, value, code=code))

    def build(self) -> Case:
        matrix = _child(self.root, "MATRIX")
        if matrix is None:
            raise _invalid(self.shown, _tag(self.root), "no MATRIX element: not a PARC ACH project", code="structure")
        hypotheses = self.hypotheses(matrix)
        items = [
            child
            for child in matrix
            if _tag(child) != "HYPOTHESIS"
            and (_child(child, "NAME") is not None or _child(child, "VALUES") is not None)
        ]
        ids = self.evidence_ids(items)
        links: dict[str, Source] = {}
        evidence: list[Evidence] = []
        rows: list[list[str]] = []
        for number, (item, eid) in enumerate(zip(items, ids), start=1):
            where = f"MATRIX/{_tag(item)}[{number}]"
            built = self.evidence(item, eid, where, links, keep_code=eid != _text(item, "CODE"))
            rows.append(self.values(item, where, hypotheses))
            if built is not None:
                evidence.append(built)
        if self.problems:
            raise ValidationError(self.problems)
        title = _text(self.root, "PROJECT-TITLE") or Path(self.shown).stem or self.case_id
        title, _, question = title.partition(QUESTION_MARK)
        dates = [e.date for e in evidence if e.date is not None]
        classification = _text(self.root, "CLASSIFICATION")
        description = f"Imported from the PARC ACH file {Path(self.shown).name}."
        if classification:
            description += f"\n\nPARC classification: {_one_line(classification)}"
        hids = [h.id for h in hypotheses]
        latest = max(dates, default=dt.date.today())
        as_of = dt.date(latest.year, latest.month, latest.day)  # a copy: a shared object would become a YAML alias
        case = Case(
            id=self.case_id,
            title=title,
            question=question or title,
            as_of=as_of,
            hypotheses=hypotheses,
            evidence=evidence,
            sources=list(links.values()),
            description=description,
        )
        case.ratings[self.analyst] = pd.DataFrame(
            rows, index=pd.Index(ids, name="evidence"), columns=hids, dtype=object
        )
        return case

    def hypotheses(self, matrix: ET.Element) -> list[Hypothesis]:
        out = []
        for number, element in enumerate(_children(matrix, "HYPOTHESIS"), start=1):
            name_element = _child(element, "NAME")
            name = _text(element, "NAME") if name_element is not None else (element.text or "").strip()
            if not name:
                self.problem(f"MATRIX/HYPOTHESIS[{number}]/NAME", "a hypothesis needs a name", None, code="required")
            out.append(Hypothesis(id=f"H{number}", title=name))
        return out

    def evidence_ids(self, items: list[ET.Element]) -> list[str]:
        """The CODEs when every item has a distinct one usable as an id, else E01, E02, ..."""
        codes = [_text(item, "CODE") for item in items]
        if codes and len(set(codes)) == len(codes) and all(re.match(ITEM_ID, c) for c in codes):
            return codes
        width = max(2, len(str(len(items))))
        return [f"E{n:0{width}d}" for n in range(1, len(items) + 1)]

    def evidence(
        self, item: ET.Element, eid: str, where: str, links: dict[str, Source], keep_code: bool
    ) -> Evidence | None:
        summary = _text(item, "NAME")
        if not summary:
            self.problem(f"{where}/NAME", "an evidence item needs a name", None, code="required")
        markers: list[str] = []
        raw_type = _text(item, "TYPE")
        etype = TYPE_READ.get(re.sub(r"[^a-z]", "", raw_type.lower()))
        if etype is None:
            etype = "other"
            markers.append(f"PARC type: {_one_line(raw_type)}")
        code = _text(item, "CODE")
        if keep_code and code:
            markers.append(f"PARC code: {_one_line(code)}")
        flag = self.choice(item, "FLAG", where, FLAG_READ, False)
        if flag:
            markers.append("PARC flag: yes")
        notes = _text(item, "NOTES")
        if markers:
            notes = "\n\n".join(part for part in (notes, "\n".join(markers)) if part)
        link = _text(item, "LINK")
        if link and link not in links:
            links[link] = Source(id=f"S{len(links) + 1}", title=link, url=link)
        if not summary:
            return None
        return Evidence(
            id=eid,
            summary=summary,
            date=self.date(item, where),
            type=etype,
            sources=(links[link].id,) if link else (),
            credibility=self.choice(item, "CREDIBILITY", where, LEVEL_READ, "medium"),
            relevance=self.choice(item, "RELEVANCE", where, LEVEL_READ, "medium"),
            notes=notes,
        )

    def choice(self, item: ET.Element, name: str, where: str, table: dict[str, T], default: T) -> T:
        raw = _text(item, name)
        if not raw:
            return default
        value = table.get(raw.lower())
        if value is None:
            expected = ", ".join(key.upper() for key in table if key)
            self.problem(f"{where}/{name}", f"unknown value (expected one of: {expected})", raw, code="choice")
            return default
        return value

    def date(self, item: ET.Element, where: str) -> dt.date | None:
        raw = _text(item, "DATE")
        if not raw:
            return None
        try:
            return EPOCH + dt.timedelta(milliseconds=int(raw))
        except ValueError:
            pass
        except OverflowError:
            self.problem(f"{where}/DATE", "milliseconds since 1970 out of range", raw, code="date")
            return None
        try:
            return dt.date.fromisoformat(raw)
        except ValueError:
            self.problem(
                f"{where}/DATE", "must be milliseconds since 1970 (or a date written YYYY-MM-DD)", raw, code="date"
            )
            return None

    def values(self, item: ET.Element, where: str, hypotheses: list[Hypothesis]) -> list[str]:
        """One code per hypothesis (unrated where VALUES is missing or empty)."""
        count = len(hypotheses)
        element = _child(item, "VALUES")
        field = f"{where}/VALUES"
        name = _text(item, "NAME")
        if element is None:
            return [model.UNRATED] * count
        children = list(element)
        text = (element.text or "").strip()
        if children:
            raw = [(child.text or "").strip() for child in children]
        elif not text:
            return [model.UNRATED] * count
        elif VALUE_SEPARATORS.search(text):
            raw = [part.strip() for part in VALUE_SEPARATORS.split(text)]
        elif count == 1:
            raw = [text]
        else:
            raw = text.split()
        if len(raw) != count:
            self.problem(
                field,
                f"evidence {name!r} has {len(raw)} rating codes but the file has {count} hypotheses "
                "(one code per hypothesis, separated by commas)",
                text or [c.text for c in children],
                code="structure",
            )
            return [model.UNRATED] * count
        codes = []
        for hypothesis, cell in zip(hypotheses, raw):
            code = normalise_code(cell)
            if code not in model.RATING_CODES and code != model.UNRATED:
                self.problem(
                    field,
                    f"evidence {name!r}, hypothesis {hypothesis.id} ({hypothesis.title!r}): "
                    "unknown rating code (expected one of: "
                    f"{', '.join(_parc_code(c) for c in model.RATING_CODES)})",
                    cell,
                    code="choice",
                )
                code = model.UNRATED
            codes.append(code)
        return codes


def _one_line(text: str) -> str:
    return " ".join(text.split())


# --- importing into a folder -----------------------------------------------------------------------------------


def case_id_for(folder: Path) -> str:
    """The case id a folder name gives: lower case, other characters as '-'."""
    case_id = re.sub(r"[^a-z0-9_-]+", "-", folder.name.lower()).strip("-_")[:64]
    if not CASE_ID.match(case_id):
        raise SatError(f"{folder}: cannot derive a case id from the folder name (use letters and digits)")
    return case_id


def import_achz(path: str | os.PathLike[str], folder: str | os.PathLike[str], analyst: str = DEFAULT_ANALYST) -> Case:
    """Create a new case folder from an ``.achz`` file; nothing is written unless everything succeeds.

    The case is written through :func:`sat.store.save_case` and :func:`sat.store.save_ratings` into a temporary
    sibling folder, which is renamed into place at the end. An existing non-empty ``folder`` is refused.
    """
    target = Path(folder).absolute()
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        raise SatError(f"{folder}: already exists and is not empty; refusing to overwrite it")
    if not ANALYST_NAME.match(analyst):
        raise SatError(f"analyst {analyst!r}: use only letters, digits, '-' and '_' (at most 64)")
    case = read_achz(path, case_id_for(target), analyst)
    target.parent.mkdir(parents=True, exist_ok=True)
    sweep(target.parent, f".{glob_escape(target.name)}.*.import")  # what an import killed mid-way left behind
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.{os.getpid()}.", suffix=".import", dir=target.parent))
    try:
        save_case(case, staging)
        save_ratings(case, analyst)
        os.chmod(staging, 0o755)
        try:
            os.rename(staging, target)
        except OSError as exc:
            raise SatError(f"{folder}: cannot create the case folder ({exc.strerror})") from None
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    case.folder = target
    return case


# --- writing ---------------------------------------------------------------------------------------------------

#: Separates the title from the question in PROJECT-TITLE (PARC has no question field).
QUESTION_MARK = " -- Question: "


def export_matrix(case: Case, analyst: str | None = None) -> tuple[pd.DataFrame, str]:
    """The matrix an export holds, and who it is: ``analyst``'s; else the only analyst's; else the group verdict
    of all analysts (:func:`sat.ach.consensus.group_codes`); all unrated when the case has no ratings."""
    if analyst is not None:
        if analyst not in case.ratings:
            known = ", ".join(case.analysts) or "none"
            raise SatError(f"case {case.id!r}: no analyst {analyst!r} (analysts: {known})")
        return case.matrix(analyst), analyst
    if not case.ratings:
        return case.empty_matrix(), "no analyst (all cells unrated)"
    if len(case.ratings) == 1:
        return case.matrix(case.analysts[0]), case.analysts[0]
    from .analysis import encoded_stack
    from .consensus import group_codes

    codes = group_codes(encoded_stack(case, case.analysts))
    matrix = pd.DataFrame(codes, index=pd.Index(case.evidence_ids, name="evidence"), columns=case.hypothesis_ids)
    return matrix, f"group verdict of {', '.join(case.analysts)}"


def achz_bytes(case: Case, matrix: pd.DataFrame) -> bytes:
    """The ``.achz`` file of a case with ``matrix`` as its ratings (gzip of UTF-16 XML, reproducible)."""
    writer = _Writer(case.id)
    root = ET.Element(ROOT_TAG)
    description_markers = _split_markers(case.description)[1]
    title = case.title if case.question in ("", case.title) else f"{case.title}{QUESTION_MARK}{case.question}"
    writer.add(root, "PROJECT-TITLE", title, "title")
    writer.add(root, "CLASSIFICATION", description_markers.get("classification", ""), "description")
    writer.add(root, "LAST-INDEX", str(len(case.evidence)), "evidence")
    writer.add(root, "COLOR-SCHEME", "0", "")
    grid = ET.SubElement(root, "MATRIX")
    for h in case.hypotheses:
        writer.add(ET.SubElement(grid, "HYPOTHESIS"), "NAME", h.title, f"hypotheses {h.id}.title")
    aligned = matrix.reindex(index=case.evidence_ids, columns=case.hypothesis_ids).fillna(model.UNRATED)
    urls = {s.id: s.url for s in case.sources if s.url}
    for e in case.evidence:
        item = ET.SubElement(grid, EVIDENCE_TAG)
        notes, markers = _split_markers(e.notes)
        where = f"evidence {e.id}"
        writer.add(item, "NAME", e.summary, f"{where}.summary")
        writer.add(item, "NOTES", notes, f"{where}.notes")
        writer.add(item, "LINK", next((urls[s] for s in e.sources if s in urls), ""), f"{where} source url")
        etype = markers["type"] if e.type == "other" and "type" in markers else TYPE_LABELS[e.type]
        writer.add(item, "TYPE", etype, f"{where}.notes")
        writer.add(item, "DATE", "" if e.date is None else str((e.date - EPOCH).days * MS_PER_DAY), "")
        writer.add(item, "CODE", markers.get("code", e.id), f"{where}.notes")
        writer.add(item, "FLAG", "1" if markers.get("flag", "").lower() in ("yes", "1", "true") else "0", "")
        writer.add(item, "VALUES", ",".join(_parc_code(c) for c in aligned.loc[e.id].tolist()), "")
        writer.add(item, "CREDIBILITY", e.credibility.upper(), "")
        writer.add(item, "RELEVANCE", e.relevance.upper(), "")
    if writer.problems:
        raise ValidationError(writer.problems)
    ET.indent(root)
    text = '<?xml version="1.0" encoding="UTF-16"?>\n' + ET.tostring(root, encoding="unicode") + "\n"
    return gzip.compress(text.encode("utf-16"), mtime=0)


def export_achz(case: Case, path: str | os.PathLike[str], analyst: str | None = None) -> str:
    """Write the ``.achz`` file atomically; return who the matrix is (see :func:`export_matrix`)."""
    matrix, who = export_matrix(case, analyst)
    atomic_write_bytes(path, achz_bytes(case, matrix))
    return who


class _Writer:
    """Adds text elements, recording text XML 1.0 cannot hold (control characters) as problems."""

    def __init__(self, case_id: str):
        self.case_id = case_id
        self.problems: list[Problem] = []

    def add(self, parent: ET.Element, tag: str, text: str, field: str) -> None:
        bad = INVALID_XML_CHARS.search(text)
        if bad:
            self.problems.append(
                Problem(
                    f"{self.case_id}/case.yaml",
                    field,
                    f"holds a control character (U+{ord(bad.group()):04X}) that XML cannot hold",
                    text,
                    code="invalid",
                )
            )
        ET.SubElement(parent, tag).text = text


def _split_markers(text: str) -> tuple[str, dict[str, str]]:
    """Text without its trailing ``PARC <key>: <value>`` lines, and those values by key."""
    lines = text.splitlines()
    markers: dict[str, str] = {}
    while lines and (found := MARKER.match(lines[-1].strip())):
        markers.setdefault(found.group(1), found.group(2).strip())
        lines.pop()
    return "\n".join(lines).rstrip(), markers


def _parc_code(code: str) -> str:
    """A code as PARC writes it: "CC" as "C C", "II" as "I I"."""
    return " ".join(code) if code in ("CC", "II") else code

"""Case folders: load, validate (every problem at once), and save atomically.

A case is a folder ``data/cases/<case-id>/`` with ``case.yaml`` and ``ratings/<analyst>.csv`` (plus optional
``ratings/<analyst>.notes.csv`` with the rationale of cells). Every reader collects :class:`~sat.errors.Problem`
records naming file, line, field and value, and raises one :class:`~sat.errors.ValidationError` with all of them.
"""

from .case_yaml import (
    CASE_FIELDS,
    EVIDENCE_FIELDS,
    HYPOTHESIS_FIELDS,
    SCORING_FIELDS,
    SOURCE_FIELDS,
    parse_case,
    parse_evidence,
    parse_hypothesis,
    parse_source,
)
from .folder import load_case, validate_case
from .ratings_csv import (
    NOTES_SUFFIX,
    RATINGS_DIR,
    normalise_code,
    ratings_files,
    ratings_to_csv,
    read_ratings_csv,
    read_rationale_csv,
)
from .saving import MISSING, case_to_dict, check_case, file_version, save_case, save_ratings

__all__ = [
    "MISSING",
    "CASE_FIELDS",
    "EVIDENCE_FIELDS",
    "HYPOTHESIS_FIELDS",
    "NOTES_SUFFIX",
    "RATINGS_DIR",
    "SCORING_FIELDS",
    "SOURCE_FIELDS",
    "case_to_dict",
    "file_version",
    "check_case",
    "load_case",
    "normalise_code",
    "parse_case",
    "parse_evidence",
    "parse_hypothesis",
    "parse_source",
    "ratings_files",
    "ratings_to_csv",
    "read_rationale_csv",
    "read_ratings_csv",
    "save_case",
    "save_ratings",
    "validate_case",
]

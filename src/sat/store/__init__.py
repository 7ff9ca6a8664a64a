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
from .folder import CaseContext, load_case, read_case
from .ratings_csv import (
    NOTES_SUFFIX,
    RATINGS_DIR,
    normalise_code,
    ratings_files,
    ratings_to_csv,
    rationale_to_csv,
    read_ratings_csv,
    read_rationale_csv,
)
from .registry import CASE_FILES, FolderCheck, check_folder, validate_case
from .saving import MISSING, case_to_dict, check_case, file_version, save_case, save_ratings, save_rationale

__all__ = [
    "CASE_FIELDS",
    "CASE_FILES",
    "EVIDENCE_FIELDS",
    "HYPOTHESIS_FIELDS",
    "MISSING",
    "NOTES_SUFFIX",
    "RATINGS_DIR",
    "SCORING_FIELDS",
    "SOURCE_FIELDS",
    "CaseContext",
    "FolderCheck",
    "case_to_dict",
    "check_case",
    "check_folder",
    "file_version",
    "load_case",
    "normalise_code",
    "parse_case",
    "parse_evidence",
    "parse_hypothesis",
    "parse_source",
    "ratings_files",
    "ratings_to_csv",
    "rationale_to_csv",
    "read_case",
    "read_ratings_csv",
    "read_rationale_csv",
    "save_case",
    "save_ratings",
    "save_rationale",
    "validate_case",
]

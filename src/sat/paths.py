"""Where things are: the repository (or data) root, the cases folder, and safe case and analyst names.

Notebooks, papermill, nbval and Jupyter start in different folders, so nothing relies on the current
directory alone: the root is ``$SAT_ROOT`` if set, else the nearest folder above the current directory that holds
``data/cases``, else the checkout this package was installed from.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from .errors import CaseNotFoundError

CASE_ID = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}\Z")
ANALYST_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,63}\Z")
CASE_FILE = "case.yaml"


def repo_root() -> Path:
    """The folder that holds ``data/cases``."""
    env = os.environ.get("SAT_ROOT")
    if env:
        return Path(env).resolve()
    here = Path.cwd().resolve()
    for folder in (here, *here.parents):
        if (folder / "data" / "cases").is_dir():
            return folder
    package_checkout = Path(__file__).resolve().parents[2]
    return package_checkout


def cases_dir() -> Path:
    """The folder that holds one sub-folder per case."""
    return repo_root() / "data" / "cases"


def notebooks_dir() -> Path:
    """The folder of the bundled notebooks."""
    return repo_root() / "notebooks"


def resolve_case(case: str | os.PathLike[str]) -> Path:
    """Folder of a case given as a folder path or as a case id under ``data/cases``.

    A path to an existing folder is taken as it is. Anything else must be a plain case id (lower-case letters,
    digits, ``-`` and ``_``) naming a folder under ``data/cases``: ids such as ``../x`` are refused, so a case id
    can never reach outside the cases folder.
    """
    text = os.fspath(case)
    as_path = Path(text).expanduser()
    if as_path.is_dir():
        if not (as_path / CASE_FILE).is_file():
            raise CaseNotFoundError(f"{as_path}: not a case folder (no {CASE_FILE} in it)")
        return as_path.resolve()
    if not CASE_ID.match(text):
        raise CaseNotFoundError(
            f"{text!r}: no such folder, and not a valid case id (lower-case letters, digits, '-' and '_')"
        )
    folder = cases_dir() / text
    if not (folder / CASE_FILE).is_file():
        known = sorted(p.name for p in cases_dir().glob("*") if (p / CASE_FILE).is_file())
        hint = f"; known cases: {', '.join(known)}" if known else ""
        raise CaseNotFoundError(f"{text!r}: no case with that id in {cases_dir()}{hint}")
    return folder.resolve()

"""Trainees' YAML files handed in for a drill or a question exercise: found, named, loaded, every problem collected."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from ..errors import Problem, ValidationError
from ..paths import ANALYST_NAME
from ..validation import Problems
from ..yamlio import load_yaml


def gather_files(
    paths: Iterable[str | os.PathLike[str]],
    pattern: str,
    keep: Callable[[Path], bool],
    what: str,
    problems: Problems,
) -> list[Path]:
    """The files named by ``paths``, each once, in order: a file stands for itself; a folder for every file under it
    matching ``pattern`` that ``keep`` accepts (hidden folders left out). A folder with no such file (``what`` names
    it in the message) or a missing path is a problem in ``problems``."""
    files: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if path.is_file():
            files.append(path)
        elif path.is_dir():
            found = sorted(
                p
                for p in path.rglob(pattern)
                if keep(p) and not any(part.startswith(".") for part in p.relative_to(path).parts)
            )
            if not found:
                problems.append(Problem(str(path), "submission", f"holds no {what}", code="file"))
            files.extend(found)
        else:
            problems.append(Problem(str(path), "submission", "no such file or folder", code="file"))
    return list(dict.fromkeys(files))


def load_trainee_yaml(
    paths: Iterable[str | os.PathLike[str]], skip: tuple[str, ...], what: str, problems: Problems
) -> list[tuple[str, Path, Any]]:
    """``(trainee, path, data)`` of every ``<trainee>.yaml`` under ``paths`` (files, or class folders searched
    recursively; hidden folders and the files named in ``skip`` left out). A missing path, a folder with no such
    file (``what`` names it in the message), a bad or repeated trainee name, or unreadable YAML is a problem in
    ``problems``, and that file is left out."""
    files = gather_files(paths, "*.yaml", lambda p: p.name not in skip, f"{what} (*.yaml)", problems)
    loaded: list[tuple[str, Path, Any]] = []
    seen: set[str] = set()
    for path in files:
        trainee = path.stem
        if not ANALYST_NAME.match(trainee) or trainee in seen:
            problems.append(
                Problem(
                    str(path),
                    "file",
                    "trainee file names must be unique and use only letters, digits, '-' and '_'",
                    path.name,
                    code="file",
                )
            )
            continue
        seen.add(trainee)
        try:
            loaded.append((trainee, path, load_yaml(path, shown_as=str(path))))
        except ValidationError as exc:
            problems.extend(exc.problems)
    return loaded

"""Detect files changed outside the editor: remember a content hash of what was loaded or written, compare before
every write.

Two editors on one case (two browser tabs, or an analyst and a hand edit in a spreadsheet) must not silently
overwrite each other: a write whose target changed on disk since this editor last saw it is refused with a
:class:`ConflictError`, and the editor offers to reload.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from pathlib import Path

from ..errors import ConflictError as FileConflictError

MISSING = "missing"


def digest(path: Path) -> str:
    """SHA-256 of a file's bytes, or :data:`MISSING` when there is no such file."""
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except FileNotFoundError:
        return MISSING


class ConflictError(FileConflictError):
    """Files changed on disk since this editor loaded or wrote them; ``paths`` lists them."""

    def __init__(self, paths: list[Path]):
        super().__init__(paths, "changed on disk since this editor loaded it (another tab or a hand edit)")


class FileGuard:
    """Content hashes of the files an editor has seen, by path."""

    def __init__(self) -> None:
        self._seen: dict[Path, str] = {}

    def remember(self, paths: Iterable[Path]) -> None:
        """Record the current content of ``paths`` as the version this editor knows."""
        for path in paths:
            self._seen[path] = digest(path)

    def forget_all(self) -> None:
        self._seen.clear()

    def changed(self, paths: Iterable[Path]) -> list[Path]:
        """Those of ``paths`` whose content differs from what this editor knows (unknown files count as missing)."""
        return [p for p in paths if digest(p) != self._seen.get(p, MISSING)]

    def check(self, paths: Iterable[Path]) -> None:
        """Raise :class:`ConflictError` if any of ``paths`` changed behind this editor's back."""
        changed = self.changed(paths)
        if changed:
            raise ConflictError(changed)

"""A pytest plugin that ``make test`` loads first (``-p tests.lean_start``), before the installed plugins load.

nbval's plugin imports nbformat, which imports jsonschema, which imports its optional IRI format checker
``rfc3987_syntax``; that package compiles a grammar at import, about 0.8 s of CPU in the controller and again in
every pytest-xdist worker. No notebook schema uses the ``iri`` format, and jsonschema skips the checker as it does
when the package is not installed (python-jsonschema/jsonschema#1428), so the import is blocked here as sat's own
rendering processes block it (:func:`sat.sandbox.claim_process`). Only the pytest processes are affected: kernels
and the other subprocesses the tests start import what they always import.
"""

from __future__ import annotations

import sys

if "jsonschema" not in sys.modules:
    sys.modules.setdefault("rfc3987_syntax", None)  # type: ignore[arg-type]

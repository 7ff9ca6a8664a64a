"""Cross-impact balance (CIB) analysis, after Weimer-Jehle 2006, TFSC 73:334-361.

Public entry point of the CIB engine. Everything here is pure (no I/O, no printing). A scenario is a tuple of
0-based variant indices, one per descriptor.
"""

from __future__ import annotations

from .cib_model import CIBMatrix, Descriptor, Scenario

__all__ = ["CIBMatrix", "Descriptor", "Scenario"]

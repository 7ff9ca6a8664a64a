"""Sizes of a cross-impact balance model that no real study reaches, checked before anything is allocated.

ScenarioWizard studies have a handful to a few dozen descriptors with two to five variants each (Weimer-Jehle,
*ScenarioWizard 4.4 manual*, 2022; the reference models in TRADECRAFT.md have at most 13 descriptors). The limits
below leave a wide margin over that while keeping the (V, V) judgment matrix, the search's bound tables and the
listed scenarios within a few hundred megabytes. They are documented in ``docs/formats/limits.md``.
"""

from __future__ import annotations

from collections.abc import Sequence

from ...errors import Problem, SatError, ValidationError

#: Most descriptors of one model.
MAX_DESCRIPTORS = 60
#: Most variants of one descriptor.
MAX_VARIANTS = 20
#: Most variants of all descriptors together (the judgment matrix is this many rows and columns).
MAX_TOTAL_VARIANTS = 400
#: Most scenarios an exact search lists (consistent ones, or within the tolerance).
MAX_LISTED = 100_000
#: Largest bound table the exact search builds (bytes).
MAX_SEARCH_TABLE_BYTES = 512 * 1024 * 1024


def size_problem(
    descriptors: int, variants: Sequence[int], file: str, field: str, line: int | None = None
) -> Problem | None:
    """A ``limit`` problem when a model declares more descriptors or variants than the limits allow."""
    if descriptors > MAX_DESCRIPTORS:
        return Problem(
            file,
            field,
            f"{descriptors:,} descriptors; at most {MAX_DESCRIPTORS} are read (split the study into sub-models)",
            descriptors,
            line,
            "limit",
        )
    widest = max(variants, default=0)
    if widest > MAX_VARIANTS:
        return Problem(
            file,
            field,
            f"a descriptor with {widest:,} variants; at most {MAX_VARIANTS} per descriptor",
            widest,
            line,
            "limit",
        )
    if sum(variants) > MAX_TOTAL_VARIANTS:
        return Problem(
            file,
            field,
            f"{sum(variants):,} variants in all; at most {MAX_TOTAL_VARIANTS}",
            sum(variants),
            line,
            "limit",
        )
    return None


def check_sizes(descriptors: int, variants: Sequence[int], file: str, field: str, line: int | None = None) -> None:
    """Raise :class:`ValidationError` with the :func:`size_problem`, if any."""
    problem = size_problem(descriptors, variants, file, field, line)
    if problem is not None:
        raise ValidationError([problem])


class SearchTooLarge(SatError):
    """The exact search would list more than :data:`MAX_LISTED` scenarios or build too large a table."""

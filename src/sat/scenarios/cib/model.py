"""Data model of a cross-impact balance (CIB) analysis (Weimer-Jehle 2006, TFSC 73:334-361).

A CIB model has descriptors D1..DN, each with mutually exclusive variants, and one judgment matrix over all
variants: ``judgments[r, c]`` says how much source variant ``r`` promotes (+) or hinders (-) target variant ``c``.
Rows and columns follow descriptor order, then variant order, exactly as ScenarioWizard lays out its matrix.
The block C[i,j] = judgments[rows of Di, columns of Dj].

Diagonal blocks C[j,j] are normally zero: Weimer-Jehle sums the impacts of the *other* descriptors. They are kept as
given because ScenarioWizard adds them to the impact balance like any other block, and models use them as
self-impacts (for instance to hold a context descriptor at its variant in nested CIB; see the SEI reference files,
where ScenarioWizard's solution lists are only reproduced with the diagonal blocks included). With zero diagonal
blocks both readings coincide.

A scenario is a tuple of 0-based variant indices, one per descriptor (1-based numbers appear only at the edges:
JSON, ``.sl`` files, the command line).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from math import prod

import numpy as np

Scenario = tuple[int, ...]


@dataclass(frozen=True)
class Descriptor:
    """One descriptor (a factor of the system) and its mutually exclusive variants."""

    name: str
    variants: tuple[str, ...]
    description: str = ""

    def __post_init__(self) -> None:
        object.__setattr__(self, "variants", tuple(self.variants))
        if not self.name:
            raise ValueError("a descriptor needs a name")
        if not self.variants:
            raise ValueError(f"descriptor {self.name!r} has no variants")
        if len(set(self.variants)) != len(self.variants):
            raise ValueError(f"descriptor {self.name!r} has duplicate variant names")


@dataclass(frozen=True, eq=False)
class CIBMatrix:
    """Descriptors plus the (V, V) judgment matrix, V = total number of variants.

    ``judgments`` is stored as a read-only float64 copy; ``offsets[i]:offsets[i + 1]`` are the rows and columns
    of descriptor i (``len(offsets) == N + 1``).
    """

    descriptors: tuple[Descriptor, ...]
    judgments: np.ndarray
    name: str = ""
    offsets: tuple[int, ...] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        descriptors = tuple(self.descriptors)
        if not descriptors:
            raise ValueError("a CIB matrix needs at least one descriptor")
        names = [d.name for d in descriptors]
        if len(set(names)) != len(names):
            raise ValueError("descriptor names must be unique")
        offsets = [0]
        for d in descriptors:
            offsets.append(offsets[-1] + len(d.variants))
        size = offsets[-1]
        matrix = np.array(self.judgments, dtype=np.float64, copy=True)
        if matrix.shape != (size, size):
            raise ValueError(f"judgments must have shape ({size}, {size}), not {matrix.shape}")
        if not np.isfinite(matrix).all():
            raise ValueError("judgments must be finite numbers")
        matrix.setflags(write=False)
        object.__setattr__(self, "descriptors", descriptors)
        object.__setattr__(self, "judgments", matrix)
        object.__setattr__(self, "offsets", tuple(offsets))

    # -- construction -------------------------------------------------------------------------------------------
    @classmethod
    def from_blocks(
        cls,
        descriptors: Sequence[Descriptor],
        blocks: Mapping[tuple[str | int, str | int], object],
        name: str = "",
    ) -> CIBMatrix:
        """Build from ``{(source, target): block}``; missing pairs are zero (no impact).

        ``source``/``target`` are descriptor names or indices; each block has one row per source variant and one
        column per target variant. A block from a descriptor to itself is a self-impact (see the module notes).
        """
        shell = cls(tuple(descriptors), np.zeros((_total(descriptors),) * 2), name)
        matrix = np.zeros_like(shell.judgments)
        for (src, tgt), block in blocks.items():
            i, j = shell.descriptor_index(src), shell.descriptor_index(tgt)
            values = np.asarray(block, dtype=np.float64)
            expected = (shell.size(i), shell.size(j))
            if values.shape != expected:
                raise ValueError(
                    f"block {shell.descriptors[i].name!r} -> {shell.descriptors[j].name!r} "
                    f"must have shape {expected}, not {values.shape}"
                )
            matrix[shell._slice(i), shell._slice(j)] = values
        return cls(shell.descriptors, matrix, name)

    def with_judgments(self, judgments: np.ndarray) -> CIBMatrix:
        """Same descriptors and name, other judgments."""
        return CIBMatrix(self.descriptors, judgments, self.name)

    def standardized(self) -> CIBMatrix:
        """Every row of every block shifted to sum to zero (ScenarioWizard's standardization).

        Adding a constant to a block row adds it to every score of the target descriptor in the scenarios that
        choose that source variant, so the consistent set does not change (Weimer-Jehle 2006); only TIS values do.
        """
        matrix = np.array(self.judgments)
        for j in range(self.n_descriptors):
            columns = self._slice(j)
            matrix[:, columns] -= matrix[:, columns].mean(axis=1, keepdims=True)
        return self.with_judgments(matrix)

    @property
    def has_self_impacts(self) -> bool:
        """True when some diagonal block C[j,j] is non-zero (ScenarioWizard-style self-impact)."""
        return any(self.judgments[self._slice(j), self._slice(j)].any() for j in range(self.n_descriptors))

    # -- shape ----------------------------------------------------------------------------------------------------
    @property
    def n_descriptors(self) -> int:
        return len(self.descriptors)

    @property
    def n_variants(self) -> int:
        """Total number of variants V (side of the judgment matrix)."""
        return self.offsets[-1]

    @property
    def sizes(self) -> tuple[int, ...]:
        """Number of variants of each descriptor."""
        return tuple(len(d.variants) for d in self.descriptors)

    @property
    def n_scenarios(self) -> int:
        """Size of the scenario space: product of the variant counts."""
        return prod(self.sizes)

    def size(self, descriptor: str | int) -> int:
        return len(self.descriptors[self.descriptor_index(descriptor)].variants)

    # -- lookup ---------------------------------------------------------------------------------------------------
    def descriptor_index(self, descriptor: str | int) -> int:
        """0-based index of a descriptor given by name or index."""
        if isinstance(descriptor, (int, np.integer)):
            if not 0 <= int(descriptor) < len(self.descriptors):
                raise KeyError(f"no descriptor number {descriptor} (0-based)")
            return int(descriptor)
        for index, d in enumerate(self.descriptors):
            if d.name == descriptor:
                return index
        raise KeyError(f"no descriptor named {descriptor!r}")

    def variant_position(self, descriptor: str | int, variant: str | int) -> int:
        """0-based position of a variant inside its descriptor (given by name or position)."""
        d = self.descriptors[self.descriptor_index(descriptor)]
        if isinstance(variant, (int, np.integer)):
            if not 0 <= int(variant) < len(d.variants):
                raise KeyError(f"descriptor {d.name!r} has no variant number {variant} (0-based)")
            return int(variant)
        try:
            return d.variants.index(variant)
        except ValueError:
            raise KeyError(f"descriptor {d.name!r} has no variant named {variant!r}") from None

    def variant_index(self, descriptor: str | int, variant: str | int) -> int:
        """Row/column of a variant in the full judgment matrix."""
        i = self.descriptor_index(descriptor)
        return self.offsets[i] + self.variant_position(i, variant)

    def block(self, source: str | int, target: str | int) -> np.ndarray:
        """Read-only view of block C[source, target] (rows: source variants, columns: target variants)."""
        i, j = self.descriptor_index(source), self.descriptor_index(target)
        return self.judgments[self._slice(i), self._slice(j)]

    def _slice(self, i: int) -> slice:
        return slice(self.offsets[i], self.offsets[i + 1])

    # -- scenarios ------------------------------------------------------------------------------------------------
    def check_scenario(self, scenario: Iterable[int]) -> Scenario:
        """Return ``scenario`` as a tuple of ints after checking its length and ranges (0-based)."""
        values = tuple(int(v) for v in scenario)
        if len(values) != self.n_descriptors:
            raise ValueError(f"a scenario needs {self.n_descriptors} variants, not {len(values)}")
        for d, v in zip(self.descriptors, values):
            if not 0 <= v < len(d.variants):
                raise ValueError(f"descriptor {d.name!r} has no variant number {v} (0-based)")
        return values

    def variant_names(self, scenario: Iterable[int]) -> tuple[str, ...]:
        """Variant names of a (0-based) scenario, in descriptor order."""
        return tuple(d.variants[v] for d, v in zip(self.descriptors, self.check_scenario(scenario)))

    # -- equality -------------------------------------------------------------------------------------------------
    def __eq__(self, other: object) -> bool:
        if not isinstance(other, CIBMatrix):
            return NotImplemented
        return (
            self.descriptors == other.descriptors
            and self.name == other.name
            and np.array_equal(self.judgments, other.judgments)
        )

    def __hash__(self) -> int:
        return hash((self.descriptors, self.name, self.judgments.tobytes()))


def _total(descriptors: Sequence[Descriptor]) -> int:
    return sum(len(d.variants) for d in descriptors)

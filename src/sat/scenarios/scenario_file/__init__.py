"""A case's ``scenarios.yaml``: read it, validate it (every problem at once, with line numbers), write it atomically.

Layout (every section but ``drivers`` may be left out)::

    horizon: February 2023 to February 2025      # the period the scenarios cover
    framework: PMESII                            # STEEP or PMESII: the list driver categories come from
    drivers:                                     # the driver table (sat.scenarios.drivers)
      - id: russia-bandwidth                     # lower-case letters, digits, '-' and '_'
        name: Russia's bandwidth in Syria
        category: Military                       # one of the framework's categories
        description: ...
        impact: 5                                # 1-5, see drivers.IMPACT_SCALE
        uncertainty: 4                           # 1-5, see drivers.UNCERTAINTY_SCALE
        end_states: [Sustained, Drained]         # exactly two, different
        sources: [seed]                          # ids from the case's case.yaml `sources:` (optional)
    futures:                                     # the 2x2 (sat.scenarios.futures)
      x_axis: <driver id>                        # must be a critical uncertainty
      y_axis: <driver id>
      independence: why the two axes vary independently
      robust_moves: [...]
      quadrants:                                 # exactly the four end-state combinations of the axes
        - {id, name, x: <x end state>, y: <y end state>, narrative, implications: [...], options: [...],
           indicators: [{id, text}, ...]}        # at least one indicator each
    multiple:                                    # Multiple Scenarios Generation (sat.scenarios.multiple)
      screen:
        - {drivers: [a, b], states: [<a end state>, <b end state>], plausible: true, consequential: true,
           novel: false, not_yet_considered: false, shortlisted: true, name: ..., reason: ...}
    cone:                                        # Cone of Plausibility (sat.scenarios.cone)
      assumptions: [{driver, state, assumption}, ...]
      baseline: {id, name, narrative, indicators: [...]}
      alternatives: [{id, name, flips: [<driver id>, ...], narrative, indicators: [...]}, ...]
      wild_cards: [{id, name, description, indicators: [...]}, ...]
    cib: ...                                     # the CIB model, read by sat.scenarios.cib.file.read_cib_section
    bridge:                                      # 2x2 axes -> CIB descriptors (sat.scenarios.bridge)
      x: {descriptor: <name>, variants: {<x end state>: <variant name>, ...}}
      y: {descriptor: <name>, variants: {<y end state>: <variant name>, ...}}

Strings may be written in any YAML style; ``|`` blocks keep paragraphs readable. Unknown keys are reported, so a
typo never silently drops a field.
"""

from .model import SCENARIOS_FILE, CaseInfo, Scenarios
from .reader import case_info, check_file, load_scenarios, parse_scenarios, shown_path
from .writer import save_scenarios, scenarios_to_data

__all__ = [
    "SCENARIOS_FILE",
    "CaseInfo",
    "Scenarios",
    "case_info",
    "check_file",
    "load_scenarios",
    "parse_scenarios",
    "save_scenarios",
    "scenarios_to_data",
    "shown_path",
]

"""Analysis of Competing Hypotheses: scoring, diagnosticity, several analysts, and the case summary."""

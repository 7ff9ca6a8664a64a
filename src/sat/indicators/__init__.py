"""Indicators: validator (which indicators tell the targets apart), tracking over time, and Bayesian updating.

Pure cores: :mod:`.validator`, :mod:`.tracking`, :mod:`.updating`. File formats (``indicators.yaml``,
``observations.csv``) through :mod:`sat.validation`: :mod:`.files`. One case's board: :mod:`.board`.
Presentation: :mod:`.present` (tables, figures), :mod:`.export` (xlsx, CSV), :mod:`.editor` (recording widget).
"""

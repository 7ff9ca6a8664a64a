"""Scenario techniques: cross-impact balance (CIB) with ScenarioWizard interop, and the scenario worksheets.

Submodules are imported on demand (``from sat.scenarios import cib``) so that the command line stays fast.
"""

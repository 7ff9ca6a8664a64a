"""The worksheets that feed the techniques: Key Assumptions Check and Quality of Information Check.

``assumptions_file`` reads and writes ``assumptions.yaml``; ``quality`` and ``key_assumptions`` are the pure cores;
``analysis`` computes both worksheets of a case; ``present`` and ``excel`` show and export them; ``candidates``
writes indicator candidates into ``indicators.yaml``; ``command`` is ``sat worksheets``.
"""

"""Figures: one module per figure, each a pure function of theory or of a saved results directory.

Regenerate with ``python -m figures [NAME ...] [--results DIR] [--out DIR]``; ``--list`` shows the
names. A figure module defines

``NAME``
    the registry name (also the output file stem),
``PROTOCOL``
    ``None`` for a theory figure, else the protocol whose results it draws,
``DESCRIPTION``
    one line for ``--list``,
``make(out_dir, results_dir=None) -> list[Path]``
    draws the figure and returns the files written.
"""

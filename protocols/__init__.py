"""Experiments on the spiking circuits: CLI, run engine (device, results, provenance), one module per protocol.

A protocol module defines

``NAME``
    the CLI name (``python -m protocols NAME``),
``DESCRIPTION``
    one line for ``--help``,
``add_arguments(parser)``
    its own options (the common ``--seed``, ``--out``, ``--device``, ``--set``, ``--force``,
    ``--threads`` and ``--no-progress`` are added by the CLI),
``make_config(args) -> config``
    a frozen dataclass (possibly nested) holding every parameter; raises ``ValueError`` /
    ``TypeError`` naming the parameter for bad values,
``run(config, sim, seed) -> protocols.engine.RunOutput``
    builds the circuit, schedules it on ``sim`` (a :class:`protocols.engine.Simulation`),
    calls ``sim.execute()``, and returns the summary metrics and the raw arrays.

The CLI writes ``summary.json``, ``params.json`` and ``data.npz`` atomically, then draws the
protocol's figures with ``python -m figures --results DIR``.
"""

"""Experiments on the spiking circuits: the command line, the run engine and one package per protocol.

A protocol package ``protocols/<name>/`` defines, in an ``__init__`` that does not import Brian2,

``NAME``
    the CLI name (``python -m protocols NAME``);
``DESCRIPTION``
    one line for ``--help``;
``CONFIG``
    its parameter dataclass (declared with :mod:`core.params`; it has a ``dt`` field);
``OPTIONS``
    command-line options generated from parameters: ``{"option-name": "dotted.parameter.path"}``;
``run(config, sim, seed) -> protocols.engine.RunOutput``
    builds the circuit, schedules it on ``sim`` (a :class:`protocols.engine.Simulation`), calls
    ``sim.execute()``, and returns the summary, the raw arrays, the spikes and the epoch table.

The CLI (:mod:`protocols.cli`) checks names and values, runs the protocol, writes ``summary.json``,
``params.json`` and ``data.npz`` atomically (:mod:`protocols.results`), then draws the protocol's
figures with ``python -m figures --results DIR``. ``python -m protocols sweep`` runs many of them on
dask (:mod:`protocols.sweep`), ``export-nwb`` writes a run as NWB (:mod:`protocols.nwb_export`).
"""

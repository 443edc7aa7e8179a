"""Parameters of the cerebellar circuits as plain modules (frozen dataclasses; no Brian2 import).

* :mod:`cerebellum.params.cells` — the conductance-based LIF cell (:class:`CellParams`) and the
  reference values of every cell type (:data:`CELL_TYPES`);
* :mod:`cerebellum.params.plasticity` — the PF→PC learning rule (:class:`PlasticityTiming`,
  :class:`PlasticityParams`) and its eligibility kernel;
* :mod:`cerebellum.params.granular_layer` — the granular layer of the eyeblink time code;
* :mod:`cerebellum.params.sdm_circuit` — the circuit read as a Sparse Distributed Memory;
* :mod:`cerebellum.params.eyeblink_circuit` — the delay-conditioning circuit.
"""
from cerebellum.params.cells import CELL_TYPES, SYNAPSE_KINDS, CellParams, cell_params
from cerebellum.params.plasticity import PlasticityParams, PlasticityTiming, eligibility_kernel

__all__ = ["CellParams", "cell_params", "CELL_TYPES", "SYNAPSE_KINDS", "PlasticityTiming", "PlasticityParams",
           "eligibility_kernel"]

"""Claims of the navigation protocol: zero-shot link inference in environment 1.

A link-inference step arrives at a visited node over a never-taken edge: a transition memoriser
cannot predict it, a model that knows where it is can (Whittington et al. 2020, Cell 183:1249).
Each threshold is one named constant; :func:`targets` judges the unrounded accuracies.
"""
from __future__ import annotations

from core.targets import Target

__all__ = ["targets", "ABSTRACT_LINK_INFERENCE_MIN", "SPIKING_LINK_INFERENCE_MIN", "EDGE_MEMORIZER_LINK_INFERENCE_MAX"]

#: Link-inference accuracy of the abstract TEM-t attention (same keys, values and beta).
ABSTRACT_LINK_INFERENCE_MIN = 0.98
#: Link-inference accuracy of the spiking network (object decoded from read-out spike counts).
SPIKING_LINK_INFERENCE_MIN = 0.95
#: Link-inference accuracy of the edge memoriser (it never saw the edge, so it has no prediction).
EDGE_MEMORIZER_LINK_INFERENCE_MAX = 0.0


def _value(x):
    return None if x != x else x  # NaN (no link-inference step): not measured


def targets(abstract: float, spiking: float, edge_memorizer: float, spiking_intensity: float) -> dict[str, Target]:
    """The protocol's claims on the environment-1 link-inference accuracies (NaN: no such step).

    ``spiking_intensity`` (decoded from the read-out's noise-free intensity) is a diagnostic shown
    with the spiking target, not judged.
    """
    return {
        "abstract_link_inference": Target(
            _value(abstract), lo=ABSTRACT_LINK_INFERENCE_MIN,
            description="environment 1: link-inference accuracy of the abstract TEM-t attention"),
        "spiking_link_inference": Target(
            _value(spiking), lo=SPIKING_LINK_INFERENCE_MIN,
            description="environment 1: link-inference accuracy of the spiking network",
            details={"source": "object decoded from read-out neuron spike counts",
                     "intensity_link_inference": _value(spiking_intensity),
                     "intensity_note": "diagnostic: decoded from the read-out's noise-free intensity, not spikes"}),
        "edge_memorizer_link_inference": Target(
            _value(edge_memorizer), hi=EDGE_MEMORIZER_LINK_INFERENCE_MAX,
            description="environment 1: link-inference accuracy of the edge memoriser (a never-taken edge "
                        "has no prediction)"),
    }

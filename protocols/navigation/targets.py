"""Claims of the navigation protocol: zero-shot link inference in environment 1 on a noisy walk.

A link-inference step arrives at a visited node over a never-taken edge: a transition memoriser
cannot predict it, a model that knows where it is can (Whittington et al. 2020, Cell 183:1249).
Path integration is noisy (``pi_noise``), so knowing where it is needs the sensory correction of
the grid phase (:mod:`hippocampus.pathint`). Each threshold is one named constant;
:func:`targets` judges the unrounded accuracies.
"""
from __future__ import annotations

from core.targets import Target

__all__ = ["targets", "SPIKING_LINK_INFERENCE_MIN", "SPIKING_ABSTRACT_GAP_MAX", "CORRECTION_GAIN_MIN",
           "EDGE_MEMORIZER_LINK_INFERENCE_MAX"]

#: Link-inference accuracy of the spiking network with sensory correction (object decoded from
#: read-out spike counts).
SPIKING_LINK_INFERENCE_MIN = 0.9
#: Largest |spiking - abstract| link-inference accuracy (abstract TEM-t with the same noise and correction).
SPIKING_ABSTRACT_GAP_MAX = 0.03
#: Smallest gain of the spiking network over the abstract model without correction.
CORRECTION_GAIN_MIN = 0.1
#: Link-inference accuracy of the edge memoriser (it never saw the edge, so it has no prediction).
EDGE_MEMORIZER_LINK_INFERENCE_MAX = 0.0


def _value(x):
    return None if x != x else x  # NaN (no link-inference step): not measured


def targets(abstract: float, spiking: float, abstract_uncorrected: float, edge_memorizer: float,
            spiking_intensity: float) -> dict[str, Target]:
    """The protocol's claims on the environment-1 link-inference accuracies (NaN: no such step).

    ``spiking_intensity`` (decoded from the read-out's noise-free intensity) is a diagnostic shown
    with the spiking target, not judged.
    """
    return {
        "spiking_link_inference": Target(
            _value(spiking), lo=SPIKING_LINK_INFERENCE_MIN,
            description="environment 1: link-inference accuracy of the spiking network with sensory correction",
            details={"source": "object decoded from read-out neuron spike counts",
                     "intensity_link_inference": _value(spiking_intensity),
                     "intensity_note": "diagnostic: decoded from the read-out's noise-free intensity, not spikes"}),
        "spiking_matches_abstract": Target(
            _value(abs(spiking - abstract)), hi=SPIKING_ABSTRACT_GAP_MAX,
            description="environment 1: |spiking - abstract TEM-t| link-inference accuracy (same noise, "
                        "same correction rule)",
            details={"abstract_link_inference": _value(abstract)}),
        "correction_gain": Target(
            _value(spiking - abstract_uncorrected), lo=CORRECTION_GAIN_MIN,
            description="environment 1: spiking link-inference accuracy minus that of the abstract model "
                        "without sensory correction",
            details={"abstract_uncorrected_link_inference": _value(abstract_uncorrected)}),
        "edge_memorizer_link_inference": Target(
            _value(edge_memorizer), hi=EDGE_MEMORIZER_LINK_INFERENCE_MAX,
            description="environment 1: link-inference accuracy of the edge memoriser (a never-taken edge "
                        "has no prediction)"),
    }

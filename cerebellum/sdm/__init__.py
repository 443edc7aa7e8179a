"""Abstract Kanerva Sparse Distributed Memory (SDM) and its softmax-attention approximation.

This package is the theory that the spiking cerebellum is checked against.  It is plain
numpy/scipy and never imports Brian2, so it imports and tests quickly.  Every public name is
re-exported here (``from cerebellum import sdm; sdm.circle_intersection(...)``); the modules,
in dependency order:

* :mod:`~cerebellum.sdm.geometry` -- Hamming-ball sizes, space fractions, the exact circle
  intersection ``I(dv)`` and expected neuron counts, Hamming <-> cosine (Kanerva 1988);
* :mod:`~cerebellum.sdm.packed_bits` -- Hamming distances on packed 64-bit words;
* :mod:`~cerebellum.sdm.attention_link` -- intersection weights, softmax and the fitted inverse
  temperature ``beta`` (Bricken & Pehlevan 2021);
* :mod:`~cerebellum.sdm.radii` -- the SNR-, capacity- and critical-distance-optimal radii and the
  one-step read dynamics (Kanerva 1988; Bricken & Pehlevan 2021; Bricken et al. 2023);
* :mod:`~cerebellum.sdm.memory` -- :class:`BinarySDM` (neuron view) and the pattern-view read;
* :mod:`~cerebellum.sdm.selected_coordinates` -- granule-cell address decoders: Jaeckel's
  selected-coordinate design and its weighted-contact, thresholded variant (Jaeckel 1989;
  Kanerva 1993; Litwin-Kumar et al. 2017);
* :mod:`~cerebellum.sdm.continuous` -- continuous SDM with hypersphere caps.

Conventions
-----------
* Binary vectors live in ``{0,1}^n`` and are stored **one per row** (``addresses`` has shape
  ``(m, n)``); a query is ``(n,)`` or a batch ``(B, n)`` and outputs keep that batch axis.
* ``d`` is the Hamming radius of the read/write balls ``O_n(v) = {x : H(v, x) <= d}`` (inclusive,
  as in Kanerva 1988; note that ``sdmlib`` uses a strict ``<``).  ``dv`` is the Hamming distance
  between two ball centres (a pattern address and a query).
* ``r`` is the number of neurons ("hard locations"), ``m`` the number of stored patterns.
* Exact integer counts are Python ints; everything large is handled in log space.

Sources
-------
* P. Kanerva, *Sparse Distributed Memory*, MIT Press 1988 (ball sizes; the "lune" form of the
  circle intersection; SNR-optimal activation probability) and Kanerva 1993, "Sparse Distributed
  Memory and Related Models" (Jaeckel's selected-coordinate design, section 3.6).
* L. A. Jaeckel, "An Alternative Design for a Sparse Distributed Memory", RIACS Technical Report
  89.28, NASA Ames Research Center, 1989.
* T. Bricken & C. Pehlevan, "Attention Approximates Sparse Distributed Memory", NeurIPS 2021,
  arXiv:2111.05498; code ``TrentBrick/attention-approximates-sdm`` @ 4cb44d8.  The three optimal
  radii for n = 64, r = 2^64, m = 1024 stated in the paper (section 2) are d*_SNR = 11,
  d*_Mem = 5, d*_CD = 15; :func:`optimal_radius` recomputes all three.
* T. Bricken et al., "Sparse Distributed Memory is a Continual Learner", ICLR 2023,
  arXiv:2303.11934; code ``TrentBrick/SDMContinualLearner`` @ 948cac1.
* A. Litwin-Kumar et al., "Optimal Degrees of Synaptic Connectivity", Neuron 93, 2017.
* S. Li 2011 and Y. Lee & W. C. Kim 2014 (hyperspherical caps and their intersection).
"""
from __future__ import annotations

from cerebellum.sdm.attention_link import (
    beta_exponential_approx,
    fit_beta,
    fit_beta_and_bias,
    fit_log_linear,
    intersection_weights,
    softmax,
)
from cerebellum.sdm.continuous import cap_fraction, cap_intersection, cosine_activation, log_cap_intersection
from cerebellum.sdm.geometry import (
    _ball_sizes,
    _intersection_table,
    _log_intersection_table,
    ball_size,
    circle_intersection,
    cosine_threshold,
    cosine_to_hamming,
    expected_intersection,
    hamming_to_cosine,
    log_circle_intersection,
    log_expected_intersection,
    log_space_fraction,
    radius_for_space_fraction,
    space_fraction,
)
from cerebellum.sdm.memory import BinarySDM, pattern_view_ratio, pattern_view_read, pattern_weights
from cerebellum.sdm.packed_bits import hamming_distances
from cerebellum.sdm.radii import (
    OPTIMAL_RADIUS_CRITERIA,
    _capacity_optimal_log_p,
    bit_accuracy_from_intersection,
    capacity_from_intersection,
    critical_distance,
    critical_distance_from_intersection,
    optimal_radius,
    optimal_space_fraction,
    random_pair_noise,
    read_update_distance,
)
from cerebellum.sdm.selected_coordinates import (
    random_contacts,
    random_selected_coordinates,
    selected_coordinate_activation,
    selected_coordinate_intersection,
    weighted_coordinate_activation,
    weighted_coordinate_fraction,
    weighted_coordinate_intersection,
)

# The cached tables (_ball_sizes, _intersection_table, _log_intersection_table) and
# _capacity_optimal_log_p are re-exported for tests and benchmarks; they are the objects defined
# in geometry / radii, so each cache exists once.

from cerebellum.sdm import attention_link, continuous, geometry, memory, packed_bits, radii, selected_coordinates

# Every public name of the submodules, in dependency order (each submodule lists its own).
__all__ = [name for module in (geometry, packed_bits, attention_link, radii, memory, selected_coordinates, continuous)
           for name in module.__all__]

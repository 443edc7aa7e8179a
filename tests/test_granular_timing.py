"""Granular-layer time code: metrics on synthetic populations and a small runtime simulation."""
import dataclasses

import numpy as np
import pytest
from brian2 import ms

from cerebellum.granular_layer import cs_rate_table, draw_cs_profiles, fixed_indegree
from cerebellum.params.granular_layer import GranularLayerParams
from cerebellum.time_code_metrics import (active_fraction, population_vectors, reproducibility_index,
                                          similarity_matrix, similarity_vs_lag, single_trial_reproducibility,
                                          time_code_summary)


def _sequence_population(rng, n_trials=20, n_cells=400, n_bins=30, width=3, rate=0.6):
    """Each cell fires (Poisson) in its own window of ``width`` bins: a moving, repeatable code."""
    start = rng.integers(0, n_bins, n_cells)
    lam = np.zeros((n_bins, n_cells))
    for c, s in enumerate(start):
        lam[s:s + width, c] = rate
    return rng.poisson(lam, size=(n_trials, n_bins, n_cells))


def test_moving_code_decorrelates_with_lag_and_repeats():
    pv = _sequence_population(np.random.default_rng(1))
    s = time_code_summary(pv, 0.01, lag=0.1)
    assert s["reproducibility_index"] > 0.8
    assert s["similarity_at_lag"] < 0.1  # 10 bins apart, 3-bin windows: no shared cells
    assert single_trial_reproducibility(pv) > 0.5
    lags, mean = similarity_vs_lag(similarity_matrix(pv), 0.01)
    assert mean[0] > mean[1] > mean[2] > mean[5]


def test_static_code_does_not_decorrelate_and_noise_is_not_reproducible():
    rng = np.random.default_rng(2)
    lam = np.zeros((30, 400))
    lam[:, :40] = 0.5  # the same 10 % of cells all the time
    pv = rng.poisson(lam, size=(20, 30, 400))
    assert time_code_summary(pv, 0.01, lag=0.2)["similarity_at_lag"] > 0.8
    noise = rng.poisson(0.01, size=(20, 30, 400))  # sparse noise, no structure
    assert reproducibility_index(noise) < 0.3
    assert single_trial_reproducibility(noise) < 0.3


def test_population_vectors_and_active_fraction():
    pv = population_vectors([0, 1, 1, 2], [1.001, 1.005, 1.015, 2.5], 3, [1.0, 2.0], 0.03, 0.01)
    assert pv.shape == (2, 3, 3)
    assert pv[0, 0].tolist() == [1, 1, 0] and pv[0, 1].tolist() == [0, 1, 0] and pv[1].sum() == 0
    assert active_fraction(pv)[0].tolist() == pytest.approx([2 / 3, 1 / 3, 0])
    with pytest.raises(ValueError, match="spike_i"):
        population_vectors([5], [1.0], 3, [1.0], 0.03)
    with pytest.raises(ValueError, match="bin_width"):
        population_vectors([0], [1.0], 3, [1.0], 0.03, 0)
    with pytest.raises(ValueError, match="n_trials >= 2"):
        similarity_matrix(pv[:1])


def test_profiles_and_connectivity():
    p = GranularLayerParams(n_grc=1000, n_mf=200, cs_fraction=0.5)
    rng = np.random.default_rng(0)
    kinds, taus = draw_cs_profiles(p, rng)
    assert (kinds >= 0).sum() == 100
    t = np.arange(0, 0.4, 0.001)
    tab = cs_rate_table(p, kinds, taus, t)
    assert tab.shape == (400, 200) and (tab[:, kinds == -1] == 0).all()
    rising = np.nonzero(kinds == 2)[0][0]
    decaying = np.nonzero(kinds == 3)[0][0]
    assert tab[-1, rising] > tab[10, rising] and tab[-1, decaying] < tab[10, decaying]
    assert (tab[50:, kinds == 0] == 0).all() and (tab[:30, kinds == 0] == 120).all()
    i, j = fixed_indegree(rng, 50, 300, 4)
    assert np.bincount(j).tolist() == [4] * 300
    assert all(np.unique(i[j == k]).size == 4 for k in range(300))
    # sources ascending within each target, also on the branch that draws without replacement
    assert all(np.all(np.diff(i[j == k]) > 0) for k in range(300))
    i, j = fixed_indegree(rng, 10, 5, 6)
    assert all(np.all(np.diff(i[j == k]) > 0) and (j == k).sum() == 6 for k in range(5))


@pytest.mark.parametrize("field, value, word", [("n_grc", 3, "n_grc"), ("cs_fraction", 1.5, "cs_fraction"),
                                                ("mf_rate_bg", 5 * ms, "mf_rate_bg"),
                                                ("profile_mix", (0.5, 0.5, 0.5, 0.5), "profile_mix"),
                                                ("mf_per_grc", 900, "mf_per_grc")])
def test_bad_params_name_the_parameter(field, value, word):
    with pytest.raises((ValueError, TypeError), match=word):
        dataclasses.replace(GranularLayerParams(), **{field: value})


def test_small_granular_layer_runtime_time_code():
    """A 2,000-GrC layer (numpy runtime): sparse, CS-locked, repeatable, moving population code."""
    import brian2
    from brian2 import Network, SpikeMonitor, second

    from cerebellum.eyeblink_schedule import make_schedule
    from cerebellum.granular_layer import build_granular_layer

    brian2.defaultclock.dt = 0.5 * ms
    brian2.seed(3)
    n = 2000
    # the in-degrees and weights of the full layer (declared at n_grc_ref = n), fewer cells (GoC:GrC ratio kept)
    p = GranularLayerParams(n_grc=n, n_grc_ref=n, n_goc=20)
    sch = make_schedule([("cs", 8, False, 0.3, False)], period=0.5, cs_onset=0.1, us_duration=0.02)
    layer = build_granular_layer(p, np.random.default_rng(3), **{k: v for k, v in sch.timed_arrays().items()
                                                                  if k in ("cs_gate", "cs_time")})
    mon = SpikeMonitor(layer.grc)
    net = Network(*layer.objects, mon)
    net.run(sch.duration * second)
    pv = population_vectors(mon.i[:], mon.t[:] / second, n, sch.cs_onsets, 0.3, 0.01)
    pre = population_vectors(mon.i[:], mon.t[:] / second, n, sch.cs_onsets - 0.1, 0.1, 0.01)
    s = time_code_summary(pv, 0.01, lag=0.2)
    assert (pre > 0).mean() < 0.002                   # silent before the CS
    assert 0.005 < s["active_fraction_mean"] < 0.10   # sparse during the CS
    assert s["reproducibility_index"] > 0.25          # 4 vs 4 trials already agree
    assert s["similarity_at_lag"] < 0.5 * s["reproducibility_index"]  # and the code moves


def test_golgi_in_degree_and_weight_follow_the_granule_cell_count():
    """grc_per_goc = max(1, min(n_grc, round(400 * min(1, n_grc / 30000)))); the weight keeps the summed
    GrC conductance per Golgi cell (0.05 nS x 400)."""
    from brian2 import nS

    ref = GranularLayerParams()
    assert ref.grc_per_goc == 400 and ref.w_grc_goc == 0.05 * nS
    small = GranularLayerParams(n_grc=1000)
    assert small.grc_per_goc == 13 and small.w_grc_goc == 0.05 * nS * (400 / 13)
    assert GranularLayerParams(n_grc=100_000).grc_per_goc == 400  # never more than at the reference size
    assert GranularLayerParams(grc_per_goc_ref=0).grc_per_goc == 0
    assert GranularLayerParams().tau_gaba_fast == GranularLayerParams().grc.tau_inh == 7 * ms

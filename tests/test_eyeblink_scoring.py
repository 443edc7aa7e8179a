"""Eyeblink scoring on synthetic DCN / PC traces (pure numpy, no simulation)."""
import numpy as np
import pytest

from cerebellum.eyeblink_scoring import block_percent, fit_slope, pause_time, score_crs, smooth, trials_to_criterion
from core.spikes import binned_population_rate

BW = 0.005
TIME = np.arange(-0.1, 0.5, BW) + BW / 2
ISI = 0.25


def _trace(rise_at=None, amp=40.0, base=40.0, tau=0.03):
    r = np.full(TIME.size, base)
    if rise_at is not None:
        on = TIME >= rise_at
        r[on] += amp * (1 - np.exp(-(TIME[on] - rise_at) / tau))
    return r


def test_cr_detected_with_onset_before_us():
    out = score_crs(TIME, np.stack([_trace(0.15), _trace(None)]), ISI, threshold=15)
    assert out["cr"].tolist() == [True, False]
    assert 0.13 <= out["onset"][0] <= 0.16  # rise starts at 150 ms (smoothing moves it slightly)
    assert np.isnan(out["onset"][1])
    assert abs(out["baseline"][0] - 40) < 1


def test_early_alpha_response_is_not_a_cr():
    # a response that crosses in the first 100 ms (startle) is excluded
    assert not score_crs(TIME, _trace(0.02)[None], ISI, threshold=15)["cr"][0]


def test_transient_crossing_that_does_not_hold_is_not_a_cr():
    r = _trace(None)
    r[(TIME > 0.15) & (TIME < 0.17)] += 200  # 20-ms blip, then back to baseline
    assert not score_crs(TIME, r[None], ISI, threshold=15, sigma=0.005)["cr"][0]


def test_response_after_us_is_not_a_cr():
    assert not score_crs(TIME, _trace(0.26)[None], ISI, threshold=15)["cr"][0]


def test_per_trial_isi():
    r = np.stack([_trace(0.12), _trace(0.12)])
    out = score_crs(TIME, r, np.array([0.25, 0.1]), threshold=15)
    assert out["cr"].tolist() == [True, False]


@pytest.mark.parametrize("kwargs, word", [({"threshold": 0}, "threshold"), ({"min_fraction": 1.5}, "min_fraction"),
                                          ({"exclusion": -1}, "exclusion")])
def test_bad_scoring_arguments_name_the_parameter(kwargs, word):
    with pytest.raises(ValueError, match=word):
        score_crs(TIME, _trace(0.15)[None], ISI, **kwargs)


def test_baseline_required():
    with pytest.raises(ValueError, match="before CS onset"):
        score_crs(TIME[TIME > 0], _trace(0.15)[None][:, TIME > 0], ISI)


def test_block_percent_and_criterion():
    cr = np.r_[np.zeros(10), np.ones(10), np.zeros(5), np.ones(5)].astype(bool)
    phase = np.array(["acquisition"] * 20 + ["extinction"] * 10)
    blocks = block_percent(cr, phase, 10)
    assert [b["percent_cr"] for b in blocks] == [0.0, 100.0, 50.0]
    assert [b["phase"] for b in blocks] == ["acquisition", "acquisition", "extinction"]
    assert trials_to_criterion(cr[:20]) == 17  # trials 8..17 hold 7 CRs
    assert trials_to_criterion(np.zeros(30, bool)) is None
    with pytest.raises(ValueError, match="block"):
        block_percent(cr, phase, 0)


def test_pause_time_finds_minimum_in_window():
    r = np.full(TIME.size, 80.0) - 50 * np.exp(-0.5 * ((TIME - 0.23) / 0.03) ** 2)
    r[TIME > 0.3] = 0  # after the CS: outside the search window
    t_min, r_min, base = pause_time(TIME, np.stack([r, r]), t_stop=0.27)
    assert abs(t_min - 0.23) <= 0.006
    assert r_min < 40 and abs(base - 80) < 1
    with pytest.raises(ValueError, match="t_stop"):
        pause_time(TIME, r, t_stop=-1)


def test_trial_rates_count_spikes_around_each_onset():
    spikes = np.array([0.95, 1.001, 1.002, 1.2, 2.001])  # onsets at 1 and 2 s
    t, r = binned_population_rate(spikes, 2, [1.0, 2.0], -0.1, 0.3, 0.01)
    assert r.shape == (2, 40) and abs(t[10] - 0.005) < 1e-9
    assert r[0, 10] == pytest.approx(2 / (2 * 0.01))
    assert r[0].sum() * 2 * 0.01 == pytest.approx(4)
    with pytest.raises(ValueError, match="n_cells"):
        binned_population_rate(spikes, 0, [1.0], -0.1, 0.3, 0.01)


def test_smooth_preserves_mean_and_slope_fit():
    x = np.random.default_rng(0).poisson(5, 200).astype(float)
    assert smooth(x, 0.005, 0.02).mean() == pytest.approx(x.mean(), rel=0.05)
    assert fit_slope([0.15, 0.25, 0.4], [0.14, 0.24, 0.39]) == pytest.approx((1.0, -0.01), abs=1e-9)
    with pytest.raises(ValueError):
        fit_slope([1, 1], [2, 3])


def test_circuit_rates_separate_the_omitted_us_window_from_the_cs():
    """Olive rate on extinction trials: the window of the omitted US (ISI to ISI + US + 50 ms) is
    read apart from CS onset to ISI and from the spontaneous (pre-CS) bins."""
    from protocols.eyeblink.analysis import circuit_rates

    bw, isi, us = 0.005, 0.25, 0.02
    t = np.arange(-0.1, 0.6, bw) + bw / 2
    io = np.full((4, t.size), 1.0)  # 1 Hz spontaneous
    io[:, (t >= 0) & (t < isi)] = 2.0
    us_window = (t >= isi) & (t < isi + us + 0.05)
    io[:2, us_window] = 0.25  # the CR trials
    data = {"time": t, "io_rate": io, "pc_rate": np.ones_like(io), "dcn_rate": np.ones_like(io),
            "trial_phase": np.array(["extinction"] * 4), "cr": np.array([True, True, False, False]),
            "isi": np.full(4, isi), "cs_duration": np.full(4, isi + us)}
    r = circuit_rates(data, us)
    assert r["io_spontaneous_hz"] == pytest.approx(1.0)
    assert r["io_us_window_extinction_cr_hz"] == pytest.approx(0.25)
    assert r["io_us_window_extinction_no_cr_hz"] == pytest.approx(1.0)
    assert r["io_cs_extinction_cr_hz"] == pytest.approx(2.0)
    assert r["io_extinction_cr_trials"] == 2

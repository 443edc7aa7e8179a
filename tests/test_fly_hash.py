"""fly-hash protocol: a tiny runtime run writes the data contract, and its metrics follow from the saved arrays."""
from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pytest

from mushroom_body import theory

#: Thresholds of the fly-hash claims, restated here (protocols/fly_hash/targets.py holds the protocol's copy).
SPEARMAN_MIN = 0.9
MAP_DIFFERENCE_MAX = 0.05
ACTIVE_FRACTION_LO, ACTIVE_FRACTION_HI = 0.05, 0.15

CONTRACT = ["odours", "projection", "kc_active_spiking", "kc_active_abstract", "input_similarity",
            "overlap_spiking", "overlap_abstract", "active_fraction", "spikes_kc_i", "spikes_kc_t"]


def _run(out, *args, seed=1, device="runtime"):
    cmd = [sys.executable, "-m", "protocols", "fly-hash", "--device", device, "--no-progress", "--no-figures",
           "--seed", str(seed), "--out", str(out), *args]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=1800)
    assert proc.returncode == 0, proc.stderr
    return np.load(out / "data.npz"), json.loads((out / "summary.json").read_text())


def test_tiny_run_writes_the_contract_and_its_overlaps_follow_from_the_codes(tmp_path):
    data, summary = _run(tmp_path / "run", "--families", "3", "--variants", "2", "--read-ms", "100", "--record", "all")
    for key in CONTRACT:
        assert key in data.files, key
    codes = data["kc_active_spiking"]
    assert codes.shape == (len(data["odours"]), data["projection"].shape[0])
    np.testing.assert_allclose(data["overlap_spiking"], theory.pairwise_overlap(codes))
    np.testing.assert_allclose(data["overlap_abstract"], theory.pairwise_overlap(data["kc_active_abstract"]))
    # the active fraction of every presentation is the share of KCs it marks active
    assert summary["targets"]["active_fraction_min"]["value"] == pytest.approx(data["active_fraction"].min())
    assert 0 <= data["active_fraction"].min() <= data["active_fraction"].max() <= 1
    # --record all adds the PNs (the APL is graded, without spikes)
    assert "spikes_apl_t" not in data.files
    for pop in ("kc", "pn"):
        i, t, n = data[f"spikes_{pop}_i"], data[f"spikes_{pop}_t"], int(data[f"spikes_{pop}_n"])
        assert len(i) > 0 and i.max() < n and t.min() >= 0
    # the KC counts of every presentation are recounted from the raw KC spikes in its read window
    # (the window ends with the epoch; spike times lie on the 0.1-ms grid)
    read = 0.1
    kc_i, kc_t = data["spikes_kc_i"], data["spikes_kc_t"]
    recount = np.stack([np.bincount(kc_i[(kc_t >= stop - read - 5e-5) & (kc_t < stop - 5e-5)],
                                    minlength=int(data["spikes_kc_n"])) for stop in data["epochs_stop_s"]])
    np.testing.assert_array_equal(recount, data["kc_counts"])
    # the figure draws from the saved run
    from figures.registry import all_figures

    drawn = all_figures()["fly_hash_overlap"].make(tmp_path / "figs", tmp_path / "run")
    assert {p.suffix for p in drawn} == {".png", ".svg"}


@pytest.mark.slow
@pytest.mark.parametrize("seed", [11, 12, 13])
def test_default_run_is_flyhash_on_held_out_seeds(tmp_path, seed):
    # the protocol's default (standalone) device: 224 s simulated take ~0.5 min there, ~10 min on runtime
    data, _ = _run(tmp_path / "run", seed=seed, device="standalone")
    iu = np.triu_indices(len(data["odours"]), 1)
    rho = theory.spearman(data["overlap_spiking"][iu], data["overlap_abstract"][iu])
    gap = abs(theory.mean_average_precision(data["overlap_spiking"], data["relevant"])
              - theory.mean_average_precision(data["overlap_abstract"], data["relevant"]))
    assert rho >= SPEARMAN_MIN
    assert gap <= MAP_DIFFERENCE_MAX
    assert ACTIVE_FRACTION_LO <= data["active_fraction"].min() and data["active_fraction"].max() <= ACTIVE_FRACTION_HI

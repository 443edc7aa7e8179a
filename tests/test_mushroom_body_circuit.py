"""Mushroom-body builder: the PN -> KC synapse array has a length fixed by the network shape, its filler
transmits nothing, and the compiled program is the same for every seed."""
from __future__ import annotations

import numpy as np
import pytest

from mushroom_body import circuit as mb
from mushroom_body.theory import sparse_projection


@pytest.mark.parametrize("n_kc, k_min, k_max", [(2000, 6, 7), (300, 6, 7), (50, 1, 10), (20, 5, 5)])
def test_capacity_holds_every_draw_and_filler_fills_it(n_kc, k_min, k_max):
    capacity = mb.pn_kc_capacity(n_kc, k_min, k_max)
    assert capacity <= n_kc * k_max
    for seed in range(200):
        projection = sparse_projection(n_kc, 30, k_min, k_max, np.random.default_rng(seed))
        pre, post, present = mb.padded_pn_kc_pairs(projection, capacity)
        assert len(pre) == len(post) == len(present) == capacity
        real = present > 0
        # the synapses marked present are exactly the projection's, each once
        rebuilt = np.zeros_like(projection)
        np.add.at(rebuilt, (post[real], pre[real]), 1)
        np.testing.assert_array_equal(rebuilt, projection)
        assert set(np.unique(present)) <= {0.0, 1.0}
        assert pre.max() < 30 and post.max() < n_kc


def test_a_projection_larger_than_the_capacity_keeps_all_its_synapses():
    projection = np.ones((10, 8), dtype=np.int8)
    pre, post, present = mb.padded_pn_kc_pairs(projection, capacity=5)
    assert len(pre) == 80 and present.sum() == 80


def test_filler_synapses_change_no_spike(monkeypatch):
    """The same circuit built with and without filler (runtime device, numpy) spikes identically."""
    from brian2 import Network, ms, seed

    from core.params import replace_path
    from mushroom_body.params import MushroomBodyParams

    p = replace_path(replace_path(MushroomBodyParams(), "kc.n_kc", 60), "kc.n_pn", 20)
    n_kc, n_pn = p.kc.n_kc, p.kc.n_pn
    projection = sparse_projection(n_kc, n_pn, p.kc.pn_per_kc_min, p.kc.pn_per_kc_max, np.random.default_rng(5))
    rates = np.full((4, n_pn), 20.0)
    rates[1:3, : n_pn // 2] = 80.0

    def kc_spikes(capacity):
        monkeypatch.setattr(mb, "pn_kc_capacity", lambda *args: capacity)
        seed(7)
        c = mb.build_mushroom_body(p, projection, rates, 50 * ms)
        Network(*c.objects).run(200 * ms)
        return np.asarray(c.kc_spikes.i[:]), np.asarray(c.kc_spikes.t_[:]), int(c.pn_spikes.num_spikes)

    without = kc_spikes(0)
    with_filler = kc_spikes(int(projection.sum()) + 3 * n_kc)
    assert len(without[0]) > 0, "the test circuit must spike"
    for a, b in zip(without, with_filler):
        np.testing.assert_array_equal(a, b)


@pytest.mark.slow  # two code generations of each fly protocol, about a minute
@pytest.mark.standalone
@pytest.mark.parametrize("protocol, argv", [
    ("fly-hash", ["--families", "3", "--variants", "2", "--read-ms", "100"]),
    ("fly-conditioning", ["--n-kc", "300", "--morphs", "2", "--training", "2", "--extinction", "2",
                          "--read-ms", "200", "--gap-ms", "300", "--dan-delay-ms", "100"]),
])
def test_a_new_seed_generates_the_same_program(tmp_path, monkeypatch, protocol, argv):
    import protocols.build_cache as bc
    from protocols import cli

    class Generated(Exception):
        pass

    def digest_only(self, project, name):
        raise Generated(bc.source_digest(project)[0])

    monkeypatch.setattr(bc.ProgramCache, "program", digest_only)
    monkeypatch.setenv("SPIKING_MEMORY_CACHE", str(tmp_path / "cache"))
    digests = []
    for seed in (1, 2):
        with pytest.raises(Generated) as info:
            cli.main([protocol, *argv, "--seed", str(seed), "--no-progress", "--no-figures",
                      "--out", str(tmp_path / f"run{seed}")])
        digests.append(info.value.args[0])
    assert digests[0] == digests[1]

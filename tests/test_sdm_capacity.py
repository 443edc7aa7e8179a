"""``sdm-capacity``: checkpoint schedule, capacity and recall functions and the theory (numpy only), the
command line's refusals, and one tiny end-to-end run checked from its arrays (slow)."""
import numpy as np
import pytest

from cerebellum import sdm
from cerebellum.params.sdm_circuit import SDMCircuitParams
from protocols import cli
from protocols.sdm_capacity import design
from protocols.sdm_capacity.analysis import abstract_bits


# -- checkpoints, queries, schedule --------------------------------------------------------------------

def test_checkpoint_blocks_split_the_writes_between_reads():
    assert design.checkpoint_blocks([2, 5, 9]) == [(0, 2), (2, 5), (5, 9)]
    with pytest.raises(ValueError, match="m_values = 5, 5 is out of range: allowed strictly increasing"):
        design.checkpoint_blocks([5, 5])
    with pytest.raises(ValueError, match=r"m_values\[0\] = 0 is out of range"):
        design.checkpoint_blocks([0, 3])


def test_queries_are_made_from_pairs_stored_by_their_checkpoint_at_the_asked_distances():
    rng = np.random.default_rng(0)
    a = rng.integers(0, 2, (20, 16), dtype=np.uint8)
    q = design.make_capacity_queries(a, [3, 20], [0, 2, 5], 4, rng)
    assert q.queries.shape == (2 * 3 * 4, 16)
    np.testing.assert_array_equal(q.checkpoint, np.repeat([0, 1], 12))
    assert np.all(q.target[q.checkpoint == 0] < 3)
    np.testing.assert_array_equal(sdm.hamming_distances(q.queries, a)[np.arange(24), q.target], q.distance)
    np.testing.assert_array_equal(q.distance, np.tile(np.repeat([0, 2, 5], 4), 2))
    with pytest.raises(ValueError, match=r"m_values\[1\] = 30 is out of range"):
        design.make_capacity_queries(a, [3, 30], [0], 1, rng)


def test_schedule_reads_each_checkpoint_after_its_writes_and_before_the_next():
    cp = SDMCircuitParams(mode="biological", n=8, K=4, r=200, n_out=3)
    cal = {"latency_theta": 2.0, "latency_max": 4.0, "io_latency": 3.0}
    rng = np.random.default_rng(1)
    m_values, V = [2, 5], 2
    a = rng.integers(0, 2, (5, 8), dtype=np.uint8)
    p = rng.integers(0, 2, (5, 3), dtype=np.uint8)
    q = design.make_capacity_queries(a, m_values, [0, 1], 2, rng)
    sch = design.make_capacity_schedule(cp, cal, a, p, q, m_values, 1, rng, read_volleys=V)
    T = 0.2
    # windows: baseline, 1 warm-up, 2 writes, 4 queries x 2 volleys, 3 writes, 4 queries x 2 volleys
    np.testing.assert_allclose(sch.write_start, T * np.array([2, 3, 12, 13, 14]))
    np.testing.assert_allclose(sch.read_start, T * np.array([4, 6, 8, 10, 15, 17, 19, 21]))
    assert sch.total == pytest.approx(T * 23) and sum(s for s, _ in sch.segments) == pytest.approx(sch.total)
    assert [label for _, label in sch.segments] == ["baseline", "warm-up", "writes and reads"]
    assert len(sch.teacher_i) == int(p.sum())  # one teacher spike per 1 bit, in the write windows only
    assert np.all((sch.teacher_t > sch.write_start[0]) & (sch.teacher_t < sch.write_start[-1] + T))


# -- recall curves and capacity ---------------------------------------------------------------------------

def test_capacity_is_the_last_checkpoint_before_the_first_miss():
    m = [5, 10, 20, 40]
    assert design.capacity_from_curve(m, [1.0, 0.96, 0.9, 0.97]) == 10  # a later recovery does not count
    assert design.capacity_from_curve(m, [0.9, 1.0, 1.0, 1.0]) == 0
    assert design.capacity_from_curve(m, [1.0, 1.0, 0.95, 0.99]) == 40  # censored: a lower bound
    assert design.capacity_from_curve(m, [1.0, np.nan, 1.0, 1.0]) == 5
    with pytest.raises(ValueError):
        design.capacity_from_curve(m, [1.0])


def test_recall_accuracy_averages_bits_per_checkpoint_and_distance():
    q = design.CapacityQueries(np.zeros((3, 4), np.uint8), np.array([0, 1, 1]), np.array([0, 0, 2]),
                               np.array([0, 1, 1]))
    pointers = np.array([[1, 1], [0, 1]])
    bits = np.array([[1, 0], [0, 1], [1, 1]])
    acc = design.recall_accuracy(bits, pointers, q, 2, [0, 2])
    np.testing.assert_array_equal(acc, [[0.5, np.nan], [1.0, 0.5]])


def test_abstract_read_uses_only_the_pairs_stored_by_the_checkpoint():
    w = np.array([[1, 1, 0], [1, 1, 0], [0, 0, 1]], bool)  # pairs 0 and 1 share every location
    rd = np.array([[1, 1, 0], [1, 1, 0], [0, 0, 1]], bool)
    p = np.array([[1], [0], [1]], np.uint8)
    q = design.CapacityQueries(np.zeros((3, 2), np.uint8), np.array([0, 0, 2]), np.zeros(3, np.int64),
                               np.array([0, 1, 1]))
    bits = abstract_bits(w, rd, p, q, [1, 3])
    # checkpoint 0 holds pair 0 alone: read 1; at checkpoint 1 pairs 0 and 1 tie (0.5 -> 0); pair 2 alone
    np.testing.assert_array_equal(bits[:, 0], [1, 0, 1])


def test_theory_capacity_is_where_the_signal_noise_accuracy_crosses_the_level():
    shared0, rand = 262.4, 27.5
    cap = sdm.capacity_from_intersection(shared0, rand, 0.95)
    acc = sdm.bit_accuracy_from_intersection([shared0], rand, [cap, cap + 1])[:, 0]
    assert acc[0] >= 0.95 > acc[1]
    assert sdm.capacity_from_intersection(2.0, 1.0) == 0  # sqrt(S) < z: one pair alone misses
    assert sdm.bit_accuracy_from_intersection([0.0], 1.0, [1])[0, 0] == 0.5


def test_random_pair_noise_averages_over_binomial_distances():
    flat = np.full(9, 3.0)  # no dependence on distance: Kanerva's I_rand + I_rand^2
    assert sdm.random_pair_noise(flat) == pytest.approx(12.0)
    steep = np.array([8.0, 4.0, 2.0])  # n = 2: P(D) = 1/4, 1/2, 1/4
    assert sdm.random_pair_noise(steep) == pytest.approx(0.25 * 72 + 0.5 * 20 + 0.25 * 6)
    assert sdm.capacity_from_intersection(262.0, 28.0, 0.95, noise_per_pair=1213.0) < \
        sdm.capacity_from_intersection(262.0, 28.0, 0.95)


@pytest.mark.parametrize("argv, match", [
    (["--m-values", "10,5"], "m_values = 10, 5 is out of range: allowed strictly increasing values"),
    (["--m-values", "0,5"], r"m_values\[0\] = 0 is out of range: allowed 1 <= m_values\[0\] <= 100000"),
    (["--m-values", "5,200000"], r"m_values\[1\] = 200000 is out of range"),
    (["--distances", "0,17"], r"distances\[1\] = 17 is out of range: allowed 0 <= distances\[1\] <= n // 2 = 16"),
    (["--distances", "2,1"], "distances = 2, 1 is out of range: allowed strictly increasing values"),
    (["--queries", "0"], "queries = 0 is out of range"),
    (["--distances", "2,4"], r"distances\[0\] = 2 is out of range: allowed distances\[0\] = 0"),
])
def test_bad_inputs_exit_2_with_one_line_before_any_build(argv, match, capsys, tmp_path):
    assert cli.main(["sdm-capacity", "--out", str(tmp_path / "x"), *argv]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1
    assert __import__("re").search(match, err), err
    assert not (tmp_path / "x").exists()


# -- tiny end-to-end run (slow) -----------------------------------------------------------------------------

#: Read window of the nuclei relative to a query's first window: volley onset 5 ms + PF delay 5 ms +
#: Purkinje->nuclear delay 4 ms (the defaults).
DCN_WINDOW_SHIFT_S = 0.014
#: Time step (s): spikes lie on its grid, so window edges sit half a step before a grid step.
DT_S = 1e-4


@pytest.mark.slow  # ~35 s of CPU on the numpy runtime
def test_runtime_tiny_run_recall_curves_and_capacities_follow_from_its_arrays(tmp_path):
    """Tiny biological run on the numpy runtime: the theory sets from the wiring, the abstract read
    with only the pairs stored by each checkpoint, the nuclear read from the saved spikes, the recall
    curves, the three capacities and the target are recomputed from the arrays; the thresholds are
    the ones stated here (95 % of the bits at distance 0; spiking capacity within 0.8..1.2 of the
    abstract one)."""
    from brian2 import Hz, ms

    from protocols.engine import Simulation
    from protocols.sdm_capacity.config import SDMCapacityConfig
    from protocols.sdm_capacity.simulation import run

    n, theta = 16, 9
    circuit = SDMCircuitParams(mode="biological", n=n, K=4, r=400, n_out=8, pcs_per_bit=2, goc_mf_bits=4,
                               grc_per_goc=50, grc_theta=theta)
    config = SDMCapacityConfig(circuit=circuit, m_values=(2, 4, 8), distances=(0, 2), queries=2, warmup=1,
                               read_volleys=1, mf_background=5.0 * Hz, mf_jitter=1.0 * ms)
    with Simulation(device="runtime", name="sdm-capacity-test", seed=3, progress=False) as sim:
        out = run(config, sim, 3)
    s, data = out.summary, out.arrays()
    m_values, dist = data["m_values"], data["query_distances"]
    np.testing.assert_array_equal(m_values, [2, 4, 8])
    np.testing.assert_array_equal(dist, [0, 2])
    # theory sets from the wiring and the threshold rule alone
    for key, pattern in (("theory_active_write", "addresses"), ("theory_active_read", "queries")):
        match = data[pattern][:, data["mf_to_grc"] % n] == (data["mf_to_grc"] < n)
        np.testing.assert_array_equal((match * data["grc_contacts"]).sum(axis=-1) >= theta, data[key])
    # abstract read: co-activation with the pairs stored by the query's checkpoint, majority of pointers
    c = data["theory_active_read"].astype(int) @ data["theory_active_write"].T.astype(int)
    c[np.arange(c.shape[1])[None, :] >= m_values[data["query_checkpoint"]][:, None]] = 0
    ones = c @ data["pointers"]
    np.testing.assert_array_equal(data["bits_abstract_theory"], (2 * ones > c.sum(axis=1)[:, None]).astype(np.uint8))
    # the same read on the recorded granule sets (diagnostic of the granule code)
    c = data["granule_active_read"].astype(int) @ data["granule_active_write"].T.astype(int)
    c[np.arange(c.shape[1])[None, :] >= m_values[data["query_checkpoint"]][:, None]] = 0
    ones = c @ data["pointers"]
    np.testing.assert_array_equal(data["bits_abstract_recorded"], (2 * ones > c.sum(axis=1)[:, None]).astype(np.uint8))
    # nuclear read from the saved spikes: bit group against reference group over each query's windows
    reads = data["epochs_kind"] == "read"
    start, stop, pattern = (data[f"epochs_{col}"][reads] for col in ("start_s", "stop_s", "pattern"))
    n_out, n_dcn = 8, int(data["spikes_dcn_n"])
    i, t = data["spikes_dcn_i"], data["spikes_dcn_t"]
    bits = []
    for q in range(len(data["queries"])):
        a = (np.round((start[pattern == q].min() + DCN_WINDOW_SHIFT_S) / DT_S) - 0.5) * DT_S
        b = (np.round((stop[pattern == q].max() + DCN_WINDOW_SHIFT_S) / DT_S) - 0.5) * DT_S
        cnt = np.bincount(i[(t >= a) & (t < b)], minlength=n_dcn).reshape(2, n_out, -1).sum(axis=2)
        bits.append(cnt[0] > cnt[1])
    np.testing.assert_array_equal(data["bits_spiking_dcn"], np.array(bits, np.uint8))
    # recall curves: fraction of bits equal to the stored pointer, per checkpoint and distance
    truth = data["pointers"][data["query_target"]]
    for key, bits_key in (("recall_spiking", "bits_spiking_dcn"), ("recall_abstract", "bits_abstract_theory"),
                          ("recall_abstract_recorded", "bits_abstract_recorded")):
        correct = (data[bits_key] == truth).mean(axis=1)
        for k in range(3):
            for j, dv in enumerate(dist):
                sel = (data["query_checkpoint"] == k) & (data["query_distance"] == dv)
                assert data[key][k, j] == pytest.approx(correct[sel].mean())
    # capacities: last checkpoint before the first one under 95 % at distance 0
    for key, curve in (("capacity_spiking", "recall_spiking"), ("capacity_abstract", "recall_abstract")):
        ok = data[curve][:, 0] >= 0.95
        stop_k = int(np.argmin(ok)) if not ok.all() else 3
        assert int(data[key]) == (int(m_values[stop_k - 1]) if stop_k else 0)
    shared = data["shared_theory"]
    np.testing.assert_allclose(shared, 400 * np.asarray(sdm.weighted_coordinate_intersection(
        n, data["grc_contacts"], theta, np.arange(n + 1))))
    assert int(data["capacity_theory"]) == sdm.capacity_from_intersection(shared[0], shared[n // 2], 0.95)
    np.testing.assert_allclose(data["recall_theory"], sdm.bit_accuracy_from_intersection(shared[dist], shared[n // 2],
                                                                                          m_values))
    target = s["targets"]["capacity_spiking_vs_abstract"]
    assert (target["lo"], target["hi"]) == (0.8, 1.2)
    ca, cs = int(data["capacity_abstract"]), int(data["capacity_spiking"])
    assert target["pass"] == (ca > 0 and 0.8 <= cs / ca <= 1.2)
    assert out.synaptic_events > 0

"""Full-scale eyeblink targets (30,000 GrCs, 250 trials, standalone): slow, run with `make test-slow`.

These assert every issue-4 target on the default protocol for seeds 1, 2 and 3 (the issue asks that
the targets hold for at least 3 seeds): ~3.5 min per eyeblink run and ~5 min per ISI series on a
2-core machine.
"""
import json

import pytest

from protocols import cli

pytestmark = [pytest.mark.slow, pytest.mark.standalone]


SEEDS = (1, 2, 3)


@pytest.fixture(scope="module", params=SEEDS, ids=lambda s: f"seed{s}")
def default_run(request, tmp_path_factory):
    out = tmp_path_factory.mktemp("eyeblink") / f"seed{request.param}"
    assert cli.main(["eyeblink", "--out", str(out), "--no-progress", "--seed", str(request.param)]) == 0
    return json.loads((out / "summary.json").read_text())


@pytest.mark.parametrize("target", ["acquisition_last_block_cr", "cr_onset_before_us", "pc_pause_at_us",
                                    "extinction", "savings", "time_code_similarity_below_0.5_at_200ms",
                                    "time_code_reproducibility_at_least_0.8",
                                    "time_code_active_fraction_1_to_10_percent"])
def test_default_protocol_target(default_run, target):
    t = default_run["targets"][target]
    assert t["pass"], f"{target}: {t}"


def test_default_protocol_runs_within_15_minutes(default_run):
    assert default_run["cost"]["wall_time_s"] < 15 * 60


@pytest.mark.parametrize("seed", SEEDS)
def test_isi_series_pause_follows_the_us(tmp_path, seed):
    """eyeblink-isi at 150/250/400 ms: slope 0.8-1.2 and every pause minimum within 50 ms of its US."""
    out = tmp_path / "isi"
    assert cli.main(["eyeblink-isi", "--out", str(out), "--no-progress", "--seed", str(seed)]) == 0
    targets = json.loads((out / "summary.json").read_text())["targets"]
    failed = {k: t for k, t in targets.items() if not t["pass"]}
    assert not failed, failed

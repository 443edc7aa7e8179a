"""Full-scale eyeblink targets (30,000 GrCs, 250 trials, standalone): slow, run with `make test-slow`.

These assert the issue-4 targets on the default protocol for one seed each; the report lists the
numbers for all seeds measured.
"""
import json

import pytest

from protocols import cli

pytestmark = [pytest.mark.slow, pytest.mark.standalone]


@pytest.fixture(scope="module")
def default_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("eyeblink") / "seed1"
    assert cli.main(["eyeblink", "--out", str(out), "--no-progress", "--seed", "1"]) == 0
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


def test_isi_series_pause_follows_the_us(tmp_path):
    """eyeblink-isi at 150/250/400 ms: slope 0.8-1.2 and every pause minimum within 50 ms of its US."""
    out = tmp_path / "isi"
    assert cli.main(["eyeblink-isi", "--out", str(out), "--no-progress", "--seed", "1"]) == 0
    targets = json.loads((out / "summary.json").read_text())["targets"]
    failed = {k: t for k, t in targets.items() if not t["pass"]}
    assert not failed, failed

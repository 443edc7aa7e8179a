"""Parameters of the eyeblink conditioning protocols (Brian2-free declarations).

:class:`ConditioningConfig` holds what ``eyeblink`` and ``eyeblink-isi`` share: the integration
step, the circuit (:class:`~cerebellum.params.eyeblink_circuit.EyeblinkParams`) and the trial
timing, recording and scoring (:class:`TrialParams`). :class:`EyeblinkConfig` adds the three
phases at one CS–US interval; ``protocols.eyeblink_isi.config.EyeblinkIsiConfig`` adds a series
of intervals.
"""
from __future__ import annotations

from dataclasses import dataclass

from cerebellum.params.eyeblink_circuit import EyeblinkParams
from core.params import derived, nested, param, validate
from core.units import in_unit

__all__ = ["TrialParams", "ConditioningConfig", "EyeblinkConfig"]


@dataclass(frozen=True)
class TrialParams:
    """One conditioning trial: timing, what is recorded, how the response is scored.

    A trial lasts ``cs_onset + isi + max(us_duration, probe_extension) + post_cs`` (with probes;
    without, ``probe_extension`` does not count): the CS starts ``cs_onset`` after the trial start
    and lasts ``isi + us_duration`` (it co-terminates with the US), on probe trials
    ``isi + probe_extension``.

    Parameters
    ----------
    cs_onset [ms] : CS onset inside a trial (the time before it is the rate baseline).
    us_duration [ms] : US length.
    post_cs [ms] : time after the CS until the next trial.
    probe_every : int
        Every n-th paired trial is a CS-alone probe (0 = none); timing is measured on probes.
    probe_extension [ms] : a probe's CS lasts ``isi + probe_extension``.
    cr_threshold [Hz] : DCN output above its pre-CS baseline that counts as a CR.
    cr_exclusion [ms] : a crossing this soon after CS onset is a startle, not a CR.
    bin_width [ms] : bins of the per-trial rates (at least one integration step).
    n_grc_record : int
        Granule cells whose spikes are recorded for the time-code measures (the first
        ``min(n_grc_record, n_grc)``).
    """

    cs_onset: object = param(100.0, "CS onset after the start of a trial", unit="ms", lo=20, hi=2000)
    us_duration: object = param(20.0, "US duration (the CS ends with it)", unit="ms", lo=1, hi=200)
    post_cs: object = param(200.0, "time after the longest CS until the next trial", unit="ms", lo=0, hi=5000)
    probe_every: int = param(10, "every n-th paired trial is a CS-alone probe (0 = none)", lo=0, hi=10_000)
    probe_extension: object = param(300.0, "a probe trial's CS lasts isi + probe_extension", unit="ms", lo=0,
                                    hi=5000)
    cr_threshold: object = param(15.0, "DCN output above its pre-CS baseline that counts as a CR", unit="Hz",
                                 lo=0, lo_open=True, hi=1000)
    cr_exclusion: object = param(100.0, "a DCN crossing this soon after CS onset is a startle, not a CR",
                                 unit="ms", lo=0, hi=1000)
    bin_width: object = param(5.0, "bin width of the per-trial rates", unit="ms", lo=0, lo_open=True, hi=50)
    n_grc_record: int = param(3000, "granule cells recorded for the time-code measures (at most n_grc)",
                              lo=0, hi=10_000_000)

    def __post_init__(self):
        validate(self)

    def period_s(self, isi_s: float) -> float:
        """Trial length (s) at the longest interval ``isi_s``: room for the longest CS and ``post_cs``."""
        tail = max(self.us_duration, self.probe_extension) if self.probe_every else self.us_duration
        return in_unit(self.cs_onset + tail + self.post_cs, "second") + isi_s


@dataclass(frozen=True)
class ConditioningConfig:
    """What every eyeblink protocol has: time step, circuit, trial timing and scoring."""

    dt: object = param(0.5, "integration time step", unit="ms", lo=0.01, hi=1)
    circuit: EyeblinkParams = nested(EyeblinkParams, "the conditioning circuit")
    trial: TrialParams = nested(TrialParams, "trial timing, recording and scoring")

    def __post_init__(self):
        validate(self)
        if self.trial.bin_width < self.dt:
            raise ValueError(f"trial.bin_width = {self.trial.bin_width!r} is out of range: allowed "
                             f"trial.bin_width >= dt = {self.dt!r}")

    @derived("trial.n_grc_record", "circuit.granular.n_grc")
    def n_grc_recorded(self) -> int:
        """granule cells recorded, min(n_grc_record, n_grc)"""
        return min(self.trial.n_grc_record, self.circuit.granular.n_grc)


@dataclass(frozen=True)
class EyeblinkConfig(ConditioningConfig):
    """Delay conditioning at one CS–US interval: acquisition, extinction, reacquisition.

    Parameters
    ----------
    dt, circuit, trial : see :class:`ConditioningConfig`
    acquisition, extinction, reacquisition : int
        Trials per phase (paired, CS-alone, paired).
    isi [ms] : CS→US interval.
    """

    acquisition: int = param(200, "paired trials (CS + US; every trial.probe_every-th a probe)", lo=0,
                             hi=10_000)
    extinction: int = param(100, "CS-alone trials after acquisition", lo=0, hi=10_000)
    reacquisition: int = param(60, "paired trials after extinction", lo=0, hi=10_000)
    isi: object = param(250.0, "CS-US interval", unit="ms", lo=20, hi=1000)

    def __post_init__(self):
        super().__post_init__()
        if self.acquisition + self.extinction + self.reacquisition < 1:
            raise ValueError("acquisition + extinction + reacquisition = 0: allowed at least 1 trial")

    @derived("trial.cs_onset", "isi", "trial.us_duration", "trial.probe_extension", "trial.probe_every",
             "trial.post_cs")
    def period(self) -> float:
        """trial length in s, cs_onset + isi + max(us_duration, probe_extension if probes) + post_cs"""
        return self.trial.period_s(in_unit(self.isi, "second"))

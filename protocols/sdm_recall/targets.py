"""The claims ``sdm-recall`` checks on a run, one named threshold each."""
from __future__ import annotations

from core.targets import Target

__all__ = ["JACCARD_MIN", "JACCARD_THEORY_MIN", "BIT_AGREEMENT_END_TO_END_MIN", "COACTIVATION_MIN_EXPECTED",
           "COACTIVATION_WITHIN_3SIGMA_MIN", "PEARSON_MIN", "BIT_AGREEMENT_MIN", "BIT_AGREEMENT_DCN_END_TO_END_MIN",
           "BIT_AGREEMENT_DCN_PC_MIN", "PC_BASELINE_HZ", "ACTIVE_FRACTION_BIOLOGICAL", "targets"]

#: Mean Jaccard index of spiking vs abstract granule active sets (write and read windows).
JACCARD_MIN = 0.95
#: Mean Jaccard of spiking vs theory active sets (wiring and decoder rule alone), writes and reads pooled.
JACCARD_THEORY_MIN = 0.9
#: Spiking pointer bits equal to the abstract SDM read on the theory's hard locations, for queries
#: within the critical distance of their target.
BIT_AGREEMENT_END_TO_END_MIN = 0.95
#: Co-activation: distances whose expected count is below this are not tested (too few cells).
COACTIVATION_MIN_EXPECTED = 10.0
#: Co-activation: fraction of tested counts that must lie within the binomial E ± 3 sigma.
COACTIVATION_WITHIN_3SIGMA_MIN = 0.95
#: Pearson correlation of the Purkinje readout with the abstract read (bipolar sum and ratio).
PEARSON_MIN = 0.95
#: PF→PC stage: fraction of spiking pointer bits equal to the abstract read on the recorded co-activation.
BIT_AGREEMENT_MIN = 0.95
#: Deep-nuclear read (bit group vs reference group spike counts) equal to the abstract SDM read on the
#: theory's hard locations, for queries within the critical distance of their target.
BIT_AGREEMENT_DCN_END_TO_END_MIN = 0.95
#: Nuclear stage alone: deep-nuclear read equal to the Purkinje-rate read (bit PCs vs reference PCs).
BIT_AGREEMENT_DCN_PC_MIN = 0.95
#: Tonic Purkinje rate before any input (Hz): awake-like simple-spike rates.
PC_BASELINE_HZ = (45.0, 90.0)
#: Biological mode: fraction of granule cells one address activates (sparse coding level).
ACTIVE_FRACTION_BIOLOGICAL = (0.01, 0.05)


def targets(*, mode: str, jaccard_write: float, jaccard_read: float, end_to_end: dict, coactivation: dict,
            readout: dict, dcn_readout: dict,
            pc_baseline_hz: float, active_fraction: float | None = None, active_fraction_theory: float | None = None,
            K: int | None = None, contacts_max: int | None = None) -> dict[str, Target]:
    """Every claim of a run as a :class:`~core.targets.Target`.

    Parameters
    ----------
    mode : {"dense", "biological"}
    jaccard_write, jaccard_read : float
        Mean Jaccard index of spiking vs abstract active sets.
    end_to_end : dict
        :func:`protocols.sdm_recall.analysis.end_to_end`: spiking circuit vs the abstract SDM on the
        theory's hard locations.
    coactivation : dict
        :func:`cerebellum.sdm_metrics.coactivation_check` run with :data:`COACTIVATION_MIN_EXPECTED`
        and :data:`COACTIVATION_WITHIN_3SIGMA_MIN`.
    readout : dict
        :func:`cerebellum.sdm_metrics.readout_metrics`.
    dcn_readout : dict
        :func:`cerebellum.sdm_metrics.nuclear_readout_metrics`.
    pc_baseline_hz : float
        Mean tonic rate of the plastic Purkinje cells (Hz).
    active_fraction, active_fraction_theory : float, optional
        Biological mode: measured and expected coding level during reads.
    K, contacts_max : int, optional
        Biological mode: for the note explaining a failed coding level with equal synapses.
    """
    out = {
        "jaccard_write_mean": Target(jaccard_write, lo=JACCARD_MIN,
                                     description="mean Jaccard of spiking vs abstract GrC active sets, writes"),
        "jaccard_read_mean": Target(jaccard_read, lo=JACCARD_MIN,
                                    description="mean Jaccard of spiking vs abstract GrC active sets, reads"),
        "jaccard_theory_mean": Target(
            end_to_end["jaccard_mean"], lo=JACCARD_THEORY_MIN,
            description="mean Jaccard of spiking vs theory GrC active sets (wiring and threshold rule), "
                        "writes and reads"),
        "bit_agreement_end_to_end": Target(
            end_to_end["bit_agreement_within_critical"], lo=BIT_AGREEMENT_END_TO_END_MIN,
            description=f"spiking pointer bits equal to the abstract SDM read on theory locations, queries "
                        f"within the critical distance ({end_to_end['critical_distance']} bits)",
            details={"queries": end_to_end["queries_within"], "ties": end_to_end["bit_ties_within_critical"]}),
        "coactivation_3sigma": Target(
            coactivation["fraction_within_3sigma"], lo=COACTIVATION_WITHIN_3SIGMA_MIN, passed=coactivation["pass"],
            description=f">= {COACTIVATION_WITHIN_3SIGMA_MIN:.0%} of tested counts (dv with E >= "
                        f"{COACTIVATION_MIN_EXPECTED:g}) within the binomial E +- 3 sigma, and each dv's mean "
                        "within E +- 3 single-count sigma",
            details={"max_abs_z_single_count": coactivation["max_abs_z"],
                     "max_abs_z_of_mean_iid": coactivation["max_abs_z_iid"],
                     "strict_mean_pass_report_only": coactivation["strict_mean_pass"]}),
        "readout_pearson_bipolar": Target(readout["pearson_bipolar"], lo=PEARSON_MIN,
                                          description="Pearson of PC depression vs abstract bipolar counter sum"),
        "readout_pearson_ratio": Target(readout["pearson_ratio"], lo=PEARSON_MIN,
                                        description="Pearson of normalised PC depression vs pattern-view ratio"),
        "bit_agreement": Target(readout["bit_agreement"], lo=BIT_AGREEMENT_MIN,
                                description="PF->PC stage: spiking pointer bits equal to the abstract read on the "
                                            "recorded co-activation"),
        "bit_agreement_dcn_end_to_end": Target(
            dcn_readout["bit_agreement_with_abstract_theory_within_critical"], lo=BIT_AGREEMENT_DCN_END_TO_END_MIN,
            description=f"deep-nuclear read (bit vs reference group spike counts) equal to the abstract SDM read "
                        f"on theory locations, queries within the critical distance "
                        f"({end_to_end['critical_distance']} bits)",
            details={"queries": dcn_readout["queries_within"]}),
        "bit_agreement_dcn_vs_pc_rates": Target(
            dcn_readout["bit_agreement_with_pc_rates"], lo=BIT_AGREEMENT_DCN_PC_MIN,
            description="nuclear stage: deep-nuclear read equal to the Purkinje-rate read (bit vs reference PCs)",
            details={"count_ties": dcn_readout["count_ties"]}),
        "pc_baseline_hz": Target(pc_baseline_hz, *PC_BASELINE_HZ, unit="Hz",
                                 description="tonic Purkinje rate before any input"),
    }
    if mode == "biological":
        lo, hi = ACTIVE_FRACTION_BIOLOGICAL
        details = {"theory": active_fraction_theory}
        if not lo <= active_fraction <= hi and contacts_max == 1:
            details["note"] = (f"with bipolar ON/OFF pairs and equal synapses a GrC sampling K = {K} bits fires "
                               f"for exactly 2^-K = {2.0 ** -K:.4f} of addresses; unequal synapses "
                               f"(contacts_max > 1) with a higher grc_theta set a lower coding level")
        out["active_fraction"] = Target(active_fraction, lo, hi, description="fraction of GrCs active in a read",
                                        details=details)
    return out

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from remit.evaluation.staging import (
    DEFAULT_MAUDSLEY_ANTIDEPRESSANT_LEVELS,
    DEFAULT_MINIMUM_DOSES,
    Adherence,
    AntidepressantLevels,
    AntidepressantTrial,
    CountBand,
    DoseAdequacy,
    EpisodeSeverity,
    MaudsleyCategory,
    MinimumDose,
    ReasonStopped,
    TrialOutcome,
    assess_trial,
    maudsley_stage,
    regulatory_trd,
    stage_treatment_resistance,
)

# A made-up clinic table for tests; the real numbers are the clinic's to supply.
CLINIC_DOSES = {
    "sertraline": MinimumDose(Decimal(50), source="Test clinic protocol", confirmed=True),
    "escitalopram": MinimumDose(Decimal(10), source="Test clinic protocol", confirmed=True),
}


def trial(**changes: object) -> AntidepressantTrial:
    values: dict[str, object] = {
        "drug": "Sertraline",
        "daily_dose_mg": Decimal(100),
        "duration_weeks": Decimal(8),
        "adherence": Adherence.GOOD,
        "outcome": TrialOutcome.NO_RESPONSE,
        "reason_stopped": ReasonStopped.NOT_EFFECTIVE,
        "in_current_episode": True,
    }
    values.update(changes)
    return AntidepressantTrial(**values)  # type: ignore[arg-type]


def assess(t: AntidepressantTrial):
    return assess_trial(t, minimum_doses=CLINIC_DOSES)


# ATHF-style adequacy


def test_an_adequate_dose_for_more_than_4_weeks_rates_3_and_counts_as_adequate():
    result = assess(trial())
    assert result.athf_rating == 3
    assert result.adequate
    assert result.failed


def test_a_trial_of_exactly_4_weeks_is_not_adequate():
    result = assess(trial(duration_weeks=Decimal(4)))
    assert result.athf_rating == 2
    assert not result.adequate


def test_a_trial_just_over_4_weeks_is_adequate():
    assert assess(trial(duration_weeks=Decimal("4.1"))).adequate


def test_a_dose_below_the_clinic_minimum_is_not_adequate():
    result = assess(trial(daily_dose_mg=Decimal(25)))
    assert result.dose_adequacy is DoseAdequacy.BELOW_MINIMUM
    assert result.athf_rating == 1
    assert not result.adequate


def test_a_dose_at_the_clinic_minimum_is_adequate():
    assert assess(trial(daily_dose_mg=Decimal(50))).dose_adequacy is DoseAdequacy.ADEQUATE


def test_stopping_early_for_poor_tolerability_subtracts_one_point():
    result = assess(trial(reason_stopped=ReasonStopped.POOR_TOLERABILITY))
    assert result.athf_rating == 2
    assert not result.adequate


def test_non_adherence_subtracts_one_point():
    assert assess(trial(adherence=Adherence.POOR)).athf_rating == 2
    assert assess(trial(reason_stopped=ReasonStopped.NON_ADHERENCE)).athf_rating == 2


def test_a_drug_missing_from_the_table_counts_only_when_the_prescriber_marks_the_dose_adequate():
    unknown = assess(trial(drug="Vortioxetine"))
    assert unknown.dose_adequacy is DoseAdequacy.UNKNOWN
    assert not unknown.adequate
    marked = assess(trial(drug="Vortioxetine", prescriber_marked_dose_adequate=True))
    assert marked.dose_adequacy is DoseAdequacy.ADEQUATE
    assert marked.adequate


def test_with_the_shipped_empty_table_only_prescriber_marked_doses_are_adequate():
    assert not assess_trial(trial(), minimum_doses=DEFAULT_MINIMUM_DOSES).adequate
    marked = trial(prescriber_marked_dose_adequate=True)
    assert assess_trial(marked, minimum_doses=DEFAULT_MINIMUM_DOSES).adequate


def test_a_prescriber_marking_the_dose_inadequate_overrides_the_table():
    result = assess(trial(prescriber_marked_dose_adequate=False))
    assert result.dose_adequacy is DoseAdequacy.BELOW_MINIMUM
    assert not result.adequate


def test_a_prescriber_cannot_lift_a_dose_the_table_calls_too_low():
    low = trial(daily_dose_mg=Decimal(25), prescriber_marked_dose_adequate=True)
    assert not assess(low).adequate


def test_drug_names_match_the_table_regardless_of_case_and_spacing():
    assert assess(trial(drug="  SERTRALINE ")).dose_adequacy is DoseAdequacy.ADEQUATE


def test_an_adequate_trial_that_worked_is_not_a_failure():
    result = assess(trial(outcome=TrialOutcome.RESPONSE))
    assert result.adequate
    assert not result.failed


def test_a_partial_response_counts_as_a_failed_trial():
    assert assess(trial(outcome=TrialOutcome.PARTIAL_RESPONSE)).failed


@pytest.mark.parametrize("weeks", [Decimal(-1), Decimal("-0.5")])
def test_it_refuses_negative_weeks(weeks):
    with pytest.raises(ValueError, match="cannot be negative"):
        trial(duration_weeks=weeks)


@pytest.mark.parametrize("dose", [Decimal(-50), Decimal(0)])
def test_it_refuses_a_dose_of_zero_or_less(dose):
    with pytest.raises(ValueError, match="more than 0 mg"):
        trial(daily_dose_mg=dose)


def test_it_refuses_a_float_dose():
    with pytest.raises(ValueError, match="Daily dose"):
        trial(daily_dose_mg=50.5)


def test_it_refuses_a_trial_without_a_drug_name():
    with pytest.raises(ValueError, match="drug name"):
        trial(drug=" ")


# Regulatory TRD test


def test_two_adequate_failed_oral_trials_in_this_episode_meet_the_trd_test():
    result = regulatory_trd([assess(trial()), assess(trial(drug="Escitalopram", daily_dose_mg=20))])
    assert result.met
    assert result.adequate_failed_oral_in_current_episode == 2
    assert result.source == "[S65], [S79]"


def test_one_adequate_failed_trial_does_not_meet_the_trd_test():
    result = regulatory_trd([assess(trial())])
    assert not result.met
    assert "needs at least 2" in result.explanation


def test_trials_from_an_earlier_episode_do_not_count_towards_trd():
    earlier = assess(trial(drug="Escitalopram", daily_dose_mg=20, in_current_episode=False))
    assert not regulatory_trd([assess(trial()), earlier]).met


def test_trials_that_were_not_oral_do_not_count_towards_trd():
    not_oral = assess(trial(drug="Escitalopram", daily_dose_mg=20, oral=False))
    assert not regulatory_trd([assess(trial()), not_oral]).met


def test_inadequate_trials_do_not_count_towards_trd():
    short = assess(trial(drug="Escitalopram", daily_dose_mg=20, duration_weeks=3))
    assert not regulatory_trd([assess(trial()), short]).met


# Maudsley Staging Method


def stage(**changes: object):
    values: dict[str, object] = {
        "episode_duration_months": 6,
        "severity": EpisodeSeverity.SUBSYNDROMAL,
        "failed_antidepressants": 1,
        "augmentation_used": False,
        "ect_used": False,
    }
    values.update(changes)
    return maudsley_stage(**values)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("months", "points"), [(0, 1), (12, 1), (13, 2), (24, 2), (25, 3), (120, 3)]
)
def test_duration_points_change_at_12_and_24_months(months, points):
    assert stage(episode_duration_months=months).duration_points == points


@pytest.mark.parametrize(
    ("severity", "points"),
    [
        (EpisodeSeverity.SUBSYNDROMAL, 1),
        (EpisodeSeverity.MILD, 2),
        (EpisodeSeverity.MODERATE, 3),
        (EpisodeSeverity.SEVERE_WITHOUT_PSYCHOSIS, 4),
        (EpisodeSeverity.SEVERE_WITH_PSYCHOSIS, 5),
    ],
)
def test_severity_points_run_from_subsyndromal_1_to_psychotic_5(severity, points):
    assert stage(severity=severity).severity_points == points


@pytest.mark.parametrize(
    ("failed", "points"),
    [(1, 1), (2, 1), (3, 2), (4, 2), (5, 3), (6, 3), (7, 4), (10, 4), (11, 5), (30, 5)],
)
def test_antidepressant_points_change_at_each_band_edge(failed, points):
    assert stage(failed_antidepressants=failed).antidepressant_points == points


def test_augmentation_and_ect_each_add_one_point():
    result = stage(augmentation_used=True, ect_used=True)
    assert (result.augmentation_points, result.ect_points) == (1, 1)
    assert result.total == stage().total + 2


def test_the_lowest_possible_score_is_3_and_mild():
    result = stage()
    assert result.total == 3
    assert result.category is MaudsleyCategory.MILD


def test_the_highest_possible_score_is_15_and_severe():
    result = stage(
        episode_duration_months=36,
        severity=EpisodeSeverity.SEVERE_WITH_PSYCHOSIS,
        failed_antidepressants=11,
        augmentation_used=True,
        ect_used=True,
    )
    assert result.total == 15
    assert result.category is MaudsleyCategory.SEVERE


@pytest.mark.parametrize(
    ("severity", "failed", "ect", "total", "category"),
    [
        # 1 duration + severity + antidepressant points + ECT
        (EpisodeSeverity.MODERATE, 3, False, 6, MaudsleyCategory.MILD),
        (EpisodeSeverity.MODERATE, 3, True, 7, MaudsleyCategory.MODERATE),
        (EpisodeSeverity.SEVERE_WITH_PSYCHOSIS, 7, False, 10, MaudsleyCategory.MODERATE),
        (EpisodeSeverity.SEVERE_WITH_PSYCHOSIS, 7, True, 11, MaudsleyCategory.SEVERE),
    ],
)
def test_categories_change_between_6_and_7_and_between_10_and_11(
    severity, failed, ect, total, category
):
    result = stage(severity=severity, failed_antidepressants=failed, ect_used=ect)
    assert result.total == total
    assert result.category is category


def test_the_shipped_antidepressant_levels_are_marked_unconfirmed():
    assert not DEFAULT_MAUDSLEY_ANTIDEPRESSANT_LEVELS.confirmed
    result = stage()
    assert not result.confirmed
    assert "UNCONFIRMED" in result.source


def test_a_clinic_can_confirm_its_own_antidepressant_levels():
    levels = AntidepressantLevels(
        bands=(CountBand(1, 2, 1), CountBand(3, None, 2)), source="Clinic", confirmed=True
    )
    result = stage(failed_antidepressants=5, antidepressant_levels=levels)
    assert result.antidepressant_points == 2
    assert result.confirmed


def test_antidepressant_levels_with_a_gap_are_refused():
    with pytest.raises(ValueError, match="without gaps"):
        AntidepressantLevels(
            bands=(CountBand(1, 2, 1), CountBand(4, None, 2)), source="x", confirmed=True
        )


def test_maudsley_staging_needs_at_least_one_failed_antidepressant():
    with pytest.raises(ValueError, match="one failed antidepressant"):
        stage(failed_antidepressants=0)


def test_it_refuses_a_negative_episode_duration():
    with pytest.raises(ValueError, match="Episode duration"):
        stage(episode_duration_months=-1)


@given(
    months=st.integers(min_value=0, max_value=600),
    severity=st.sampled_from(list(EpisodeSeverity)),
    failed=st.integers(min_value=1, max_value=40),
    augmentation=st.booleans(),
    ect=st.booleans(),
)
def test_every_score_lies_between_3_and_15_in_the_matching_category(
    months, severity, failed, augmentation, ect
):
    result = stage(
        episode_duration_months=months,
        severity=severity,
        failed_antidepressants=failed,
        augmentation_used=augmentation,
        ect_used=ect,
    )
    assert 3 <= result.total <= 15
    expected = (
        MaudsleyCategory.MILD
        if result.total <= 6
        else MaudsleyCategory.MODERATE
        if result.total <= 10
        else MaudsleyCategory.SEVERE
    )
    assert result.category is expected


# The whole staging


def test_staging_counts_adequate_failures_runs_trd_and_stages_the_episode():
    trials = [
        trial(),
        trial(drug="Escitalopram", daily_dose_mg=Decimal(20), augmentation="lithium"),
        trial(drug="Escitalopram", daily_dose_mg=Decimal(5), in_current_episode=False),
    ]
    result = stage_treatment_resistance(
        trials,
        minimum_doses=CLINIC_DOSES,
        episode_duration_months=18,
        severity=EpisodeSeverity.MODERATE,
        ect_used=False,
    )
    assert result.adequate_failed_trials == 2
    assert result.adequate_failed_in_current_episode == 2
    assert result.trials_without_response == 3
    assert result.trd.met
    assert result.maudsley is not None
    # duration 2 + severity 3 + 2 antidepressants 1 + augmentation 1 = 7
    assert result.maudsley.total == 7
    assert result.maudsley.augmentation_points == 1


def test_staging_without_a_failed_trial_has_no_maudsley_stage():
    result = stage_treatment_resistance(
        [trial(outcome=TrialOutcome.REMISSION)],
        minimum_doses=CLINIC_DOSES,
        episode_duration_months=3,
        severity=EpisodeSeverity.MILD,
        ect_used=False,
    )
    assert result.maudsley is None
    assert not result.trd.met

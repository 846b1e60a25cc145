"""change(): percent change, response, remission and relapse with the definition used."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from remit.measures import InvalidAnswers, change

# Response: >= 50% reduction [S7], [S8], [S24], [S29b], [S46], [S48].


@pytest.mark.parametrize(
    ("baseline", "current", "response"),
    [
        (20, 10, True),
        (20, 11, False),
        (21, 10, True),
        (21, 11, False),
        (1, 0, True),
        (27, 14, False),
    ],
)
def test_response_needs_at_least_a_50_percent_reduction(baseline, current, response):
    assert change("phq9", baseline, current).response is response


def test_it_reports_percent_change_with_improvement_negative():
    result = change("phq9", 20, 8)
    assert result.percent == Decimal("-60.0")
    assert result.points == -12


def test_it_reports_worsening_as_a_positive_percent():
    assert change("gad7", 8, 10).percent == Decimal("25.0")


def test_it_rounds_percent_to_one_decimal_half_away_from_zero():
    # 1/3 -> -33.3; 2/3 -> -66.7; 1/8 -> -12.5 exactly.
    assert change("phq9", 3, 2).percent == Decimal("-33.3")
    assert change("phq9", 3, 1).percent == Decimal("-66.7")
    assert change("madrs", 16, 14).percent == Decimal("-12.5")


def test_response_is_decided_on_exact_numbers_not_the_rounded_percent():
    # 27 -> 14 is a 48.1% reduction; 27 -> 13 is 51.9%.
    assert change("qids_sr16", 27, 14).response is False
    assert change("qids_sr16", 27, 13).response is True


def test_a_baseline_of_zero_allows_no_response_and_has_no_percent():
    result = change("phq9", 0, 0)
    assert result.percent is None
    assert result.response is False
    assert result.remission is True
    assert "baseline total is 0" in result.definition


def test_a_baseline_of_zero_with_a_worse_current_score_does_not_divide_by_zero():
    result = change("madrs", 0, 12)
    assert (result.percent, result.response, result.points) == (None, False, 12)


@pytest.mark.parametrize(("current", "remission"), [(4, True), (5, False)])
def test_phq9_remission_is_below_5(current, remission):
    result = change("phq9", 20, current)
    assert result.remission is remission
    assert "[S7], [S8]" in result.definition


@pytest.mark.parametrize(("current", "remission"), [(5, True), (6, False)])
def test_qids_remission_is_5_or_below(current, remission):
    assert change("qids_sr16", 20, current).remission is remission


@pytest.mark.parametrize(("current", "relapse"), [(10, False), (11, True)])
def test_qids_relapse_is_11_or_above(current, relapse):
    result = change("qids_sr16", 20, current)
    assert result.relapse is relapse
    assert "[S23]" in result.definition


@pytest.mark.parametrize(("current", "remission"), [(10, True), (11, False), (12, False)])
def test_madrs_remission_defaults_to_10_or_below(current, remission):
    result = change("madrs", 30, current)
    assert result.remission is remission
    assert "[S44]" in result.definition


@pytest.mark.parametrize("choice", ["madrs_remission_le_12", 12])
@pytest.mark.parametrize(("current", "remission"), [(12, True), (13, False)])
def test_madrs_remission_at_12_or_below_can_be_chosen_for_esketamine(choice, current, remission):
    result = change("madrs", 30, current, remission_cutoff=choice)
    assert result.remission is remission
    assert "[S47], [S48]" in result.definition
    assert "esketamine" in result.definition


def test_it_refuses_a_remission_cutoff_that_is_not_published():
    with pytest.raises(ValueError, match="no remission definition 11"):
        change("madrs", 30, 10, remission_cutoff=11)


def test_gad7_response_and_remission_are_marked_as_a_convention():
    result = change("gad7", 16, 4)
    assert (result.response, result.remission) == (True, True)
    assert result.confirmed is False
    assert "convention, not a standard" in result.definition


def test_gad7_remission_is_below_5():
    assert change("gad7", 16, 5).remission is False


@pytest.mark.parametrize(
    ("baseline", "current", "response", "meaningful"),
    [(40, 36, False, False), (40, 35, True, False), (40, 31, True, False), (40, 30, True, True)],
)
def test_pcl5_response_is_5_points_and_meaningful_change_10_points(
    baseline, current, response, meaningful
):
    result = change("pcl5", baseline, current)
    assert (result.response, result.meaningful_change) == (response, meaningful)
    assert result.remission is None
    assert "[S33]" in result.definition


def test_instruments_without_outcome_definitions_report_change_but_no_flags():
    result = change("cadss", 20, 5)
    assert result.percent == Decimal("-75.0")
    assert (result.response, result.remission, result.relapse) == (None, None, None)
    assert "no published response or remission definition" in result.definition


def test_it_refuses_change_for_the_cssrs_which_has_no_total():
    with pytest.raises(InvalidAnswers, match="no total score"):
        change("cssrs_screen", 0, 0)


def test_it_refuses_change_for_moaas_where_lower_is_worse():
    with pytest.raises(InvalidAnswers, match="higher score is worse"):
        change("moaas", 5, 2)


@pytest.mark.parametrize(("baseline", "current"), [(28, 10), (10, -1), (True, 3), (10, 2.5)])
def test_it_refuses_totals_outside_the_range_or_not_whole_numbers(baseline, current):
    with pytest.raises(InvalidAnswers, match="PHQ-9"):
        change("phq9", baseline, current)


def test_it_refuses_an_unknown_instrument():
    with pytest.raises(InvalidAnswers, match="Unknown instrument"):
        change("hamd17", 20, 10)


@given(st.integers(0, 27), st.integers(0, 27))
@settings(deadline=None)
def test_response_matches_the_exact_50_percent_rule_for_every_phq9_pair(baseline, current):
    result = change("phq9", baseline, current)
    assert result.response is (baseline > 0 and 2 * (baseline - current) >= baseline)
    assert result.remission is (current < 5)
    if baseline:
        assert result.percent is not None
        assert abs(result.percent - Decimal(100 * (current - baseline)) / baseline) <= Decimal(
            "0.05"
        )

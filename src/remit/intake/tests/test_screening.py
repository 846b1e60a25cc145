from __future__ import annotations

import sys

import pytest
from hypothesis import given
from hypothesis import strategies as st

from remit.intake.screening import (
    CLINICIAN_DECIDES,
    DEFAULT_CRISIS_RESOURCES,
    ClinicianSuggested,
    Condition,
    CrisisResource,
    ScreenAnswers,
    Symptom,
    Treatment,
    screen_result,
)

CALM_PHQ9 = (1, 1, 1, 1, 1, 1, 1, 1, 0)


def answers(**changes: object) -> ScreenAnswers:
    values: dict[str, object] = {
        "conditions": frozenset({Condition.DEPRESSION}),
        "symptoms": frozenset({Symptom.SADNESS, Symptom.POOR_SLEEP}),
        "antidepressants_tried": 2,
        "talk_therapy_tried": True,
    }
    values.update(changes)
    return ScreenAnswers(**values)  # type: ignore[arg-type]


# Which treatments may fit


def test_depression_after_two_antidepressants_may_fit_all_three_treatments():
    result = screen_result(answers())
    assert all(fit.may_fit for fit in result.fits)
    assert "[S65]" in result.fit(Treatment.ESKETAMINE).reasons[0]
    assert "[S102]" in result.fit(Treatment.TMS).reasons[0]
    assert CLINICIAN_DECIDES in result.summary
    assert not result.urgent
    assert result.crisis_resources == ()


def test_after_one_antidepressant_esketamine_does_not_fit_its_label_but_tms_may():
    result = screen_result(answers(antidepressants_tried=1))
    esketamine = result.fit(Treatment.ESKETAMINE)
    assert not esketamine.may_fit
    assert "at least two antidepressants" in esketamine.reasons[0]
    assert "tried 1 antidepressant." in esketamine.reasons[0]
    assert result.fit(Treatment.TMS).may_fit


def test_before_any_antidepressant_nothing_is_said_to_fit():
    result = screen_result(answers(antidepressants_tried=0))
    assert not any(fit.may_fit for fit in result.fits)
    assert "cannot say" in result.summary


def test_ocd_may_fit_tms_as_an_add_on():
    result = screen_result(answers(conditions=frozenset({Condition.OCD}), antidepressants_tried=0))
    tms = result.fit(Treatment.TMS)
    assert tms.may_fit
    assert any("[S104]" in reason for reason in tms.reasons)
    assert not result.fit(Treatment.ESKETAMINE).may_fit


def test_bipolar_depression_may_fit_ketamine_as_research():
    result = screen_result(
        answers(conditions=frozenset({Condition.BIPOLAR_DEPRESSION}), antidepressants_tried=0)
    )
    ketamine = result.fit(Treatment.KETAMINE)
    assert ketamine.may_fit
    assert any("[S78]" in reason for reason in ketamine.reasons)
    assert not result.fit(Treatment.ESKETAMINE).may_fit


def test_anxiety_alone_is_not_said_to_fit_and_the_result_says_why():
    result = screen_result(answers(conditions=frozenset({Condition.ANXIETY})))
    assert not any(fit.may_fit for fit in result.fits)
    assert "does not cover" in result.fit(Treatment.TMS).reasons[0]


def test_a_phq9_at_the_depression_cutoff_counts_as_depression_even_if_not_ticked():
    ten = (2, 2, 2, 2, 2, 0, 0, 0, 0)
    result = screen_result(answers(conditions=frozenset(), phq9_answers=ten))
    assert result.phq9 is not None
    assert result.phq9.total == 10
    assert result.fit(Treatment.ESKETAMINE).may_fit


def test_a_phq9_just_below_the_cutoff_does_not():
    nine = (2, 2, 2, 2, 1, 0, 0, 0, 0)
    result = screen_result(answers(conditions=frozenset(), phq9_answers=nine))
    assert not result.fit(Treatment.ESKETAMINE).may_fit


def test_a_clinicians_suggestion_is_mentioned_with_the_treatment():
    result = screen_result(answers(clinician_suggested=ClinicianSuggested.TMS))
    assert any("clinician suggested TMS" in reason for reason in result.fit(Treatment.TMS).reasons)


# Scoring through remit.measures


def test_phq9_and_gad7_answers_are_scored_with_their_bands():
    result = screen_result(answers(phq9_answers=CALM_PHQ9, gad7_answers=(3,) * 7))
    assert result.phq9 is not None and result.gad7 is not None
    assert (result.phq9.total, result.phq9.severity) == (8, "mild")
    assert (result.gad7.total, result.gad7.severity) == (21, "severe")


def test_a_total_given_without_answers_is_shown_without_a_band():
    result = screen_result(answers(gad7_total=12))
    assert result.gad7 is not None
    assert (result.gad7.total, result.gad7.severity) == (12, None)


def test_without_the_measures_code_answers_are_still_summed_and_item_9_still_seen(monkeypatch):
    monkeypatch.setitem(sys.modules, "remit.measures", None)
    result = screen_result(answers(phq9_answers=(0,) * 8 + (2,)))
    assert result.phq9 is not None
    assert (result.phq9.total, result.phq9.severity) == (2, None)
    assert result.urgent


# Urgency


def test_any_answer_above_0_on_phq9_item_9_makes_the_screen_urgent_with_crisis_resources():
    result = screen_result(answers(phq9_answers=(0,) * 8 + (1,)))
    assert result.urgent
    assert result.crisis_resources == DEFAULT_CRISIS_RESOURCES
    assert "988" in result.crisis_resources[0].how_to_reach
    assert "[S9]" in result.urgent_reasons[0]
    assert result.summary.startswith("Please reach out for help now")


def test_item_9_at_0_is_not_urgent():
    assert not screen_result(answers(phq9_answers=CALM_PHQ9)).urgent


def test_saying_yes_to_thoughts_of_ending_your_life_is_urgent():
    result = screen_result(answers(thoughts_of_ending_life=True))
    assert result.urgent
    assert "ending your life" in result.urgent_reasons[0]


def test_saying_no_to_thoughts_of_ending_your_life_is_not_urgent():
    assert not screen_result(answers(thoughts_of_ending_life=False)).urgent


def test_a_clinic_can_supply_its_own_crisis_resources():
    samaritans = (CrisisResource("Samaritans", "Call 116 123", "UK"),)
    result = screen_result(answers(thoughts_of_ending_life=True), crisis_resources=samaritans)
    assert result.crisis_resources == samaritans


def test_it_refuses_an_empty_crisis_resource_list():
    with pytest.raises(ValueError, match="crisis resource"):
        screen_result(answers(), crisis_resources=())


@given(
    item9=st.integers(min_value=1, max_value=3),
    others=st.lists(st.integers(0, 3), min_size=8, max_size=8),
)
def test_every_positive_item_9_answer_is_urgent(item9, others):
    assert screen_result(answers(phq9_answers=(*others, item9))).urgent


# Bad input


def test_it_refuses_a_negative_number_of_antidepressants():
    with pytest.raises(ValueError, match="antidepressants tried"):
        answers(antidepressants_tried=-1)


def test_it_refuses_a_phq9_answer_out_of_range_naming_the_question():
    with pytest.raises(ValueError, match="question 3"):
        answers(phq9_answers=(0, 0, 4, 0, 0, 0, 0, 0, 0))


def test_it_refuses_a_phq9_with_too_few_answers():
    with pytest.raises(ValueError, match="9 answers"):
        answers(phq9_answers=(0,) * 8)


@pytest.mark.parametrize(("field", "total"), [("phq9_total", 28), ("gad7_total", 22)])
def test_it_refuses_a_total_above_the_maximum(field, total):
    with pytest.raises(ValueError, match="total"):
        answers(**{field: total})


def test_it_refuses_both_answers_and_a_total():
    with pytest.raises(ValueError, match="not both"):
        answers(phq9_answers=CALM_PHQ9, phq9_total=8)


def test_it_refuses_an_unknown_condition():
    with pytest.raises(ValueError):
        answers(conditions=frozenset({"migraine"}))

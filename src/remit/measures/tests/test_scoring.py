"""score(): totals, bands at every edge, published non-additive rules, alerts and bad input.

Expected values are typed in from clinical-reference.md (and worked by hand), never read from the
instrument files, so these tests catch a wrong file.
"""

from __future__ import annotations

import pytest

from remit.measures import InvalidAnswers, score
from remit.measures.tests.answers import bprs_1_to_7, qids, summed

# (code, total, band) at both edges of every published band.
BAND_EDGES = [
    # PHQ-9 [S1], [S4]
    ("phq9", 0, "none/minimal"), ("phq9", 4, "none/minimal"),
    ("phq9", 5, "mild"), ("phq9", 9, "mild"),
    ("phq9", 10, "moderate"), ("phq9", 14, "moderate"),
    ("phq9", 15, "moderately severe"), ("phq9", 19, "moderately severe"),
    ("phq9", 20, "severe"), ("phq9", 27, "severe"),
    # GAD-7 [S13], [S14]
    ("gad7", 0, "minimal"), ("gad7", 4, "minimal"),
    ("gad7", 5, "mild"), ("gad7", 9, "mild"),
    ("gad7", 10, "moderate"), ("gad7", 14, "moderate"),
    ("gad7", 15, "severe"), ("gad7", 21, "severe"),
    # MADRS, Snaith [S26c]
    ("madrs", 0, "absent"), ("madrs", 6, "absent"),
    ("madrs", 7, "mild"), ("madrs", 19, "mild"),
    ("madrs", 20, "moderate"), ("madrs", 34, "moderate"),
    ("madrs", 35, "severe"), ("madrs", 60, "severe"),
]  # fmt: skip

QIDS_EDGES = [
    # QIDS-SR16 [S18], [S20]
    (0, "none"),
    (5, "none"),
    (6, "mild"),
    (10, "mild"),
    (11, "moderate"),
    (15, "moderate"),
    (16, "severe"),
    (20, "severe"),
    (21, "very severe"),
    (27, "very severe"),
]


@pytest.mark.parametrize(("code", "total", "band"), BAND_EDGES)
def test_it_puts_each_band_edge_in_the_published_band(code, total, band):
    result = score(code, summed(code, total))
    assert (result.total, result.severity) == (total, band)


@pytest.mark.parametrize(("total", "band"), QIDS_EDGES)
def test_it_puts_each_qids_band_edge_in_the_published_band(total, band):
    result = score("qids_sr16", qids(total))
    assert (result.total, result.severity) == (total, band)


@pytest.mark.parametrize("code", ["pcl5", "cadss", "cadss6", "phq2", "moaas", "bprs_positive_0_6"])
def test_it_reports_no_severity_where_no_bands_are_published(code):
    assert score(code, summed(code, 3)).severity is None


NO = False
YES = True

# PHQ-9


def test_it_sums_a_hand_worked_phq9_and_flags_item_9():
    result = score("phq9", [3, 2, 1, 0, 1, 2, 3, 0, 1])
    assert result.total == 13
    assert result.severity == "moderate"
    assert [a.link_id for a in result.alerts] == ["phq9-9"]
    assert result.alerts[0].item_number == "9"
    assert result.alerts[0].rule == "item 9 at or above 1"
    assert str(result.alerts[0]).startswith("PHQ-9 item 9 (thoughts of being better off dead")


def test_it_raises_no_alert_when_phq9_item_9_is_not_at_all():
    assert score("phq9", [3, 3, 3, 3, 3, 3, 3, 3, 0]).alerts == ()


def test_it_accepts_phq9_with_the_optional_difficulty_item_without_adding_it():
    with_item_10 = score("phq9", [1, 1, 1, 1, 1, 1, 1, 1, 0, 3])
    assert with_item_10.total == 8
    assert with_item_10.answers["phq9-10"] == 3


def test_it_reports_the_phq2_inside_a_phq9():
    assert score("phq9", [2, 3, 0, 0, 0, 0, 0, 0, 0]).subscores["phq2"] == 5


def test_it_scores_the_phq2_on_its_own():
    assert score("phq2", [3, 2]).total == 5


def test_it_accepts_phq9_answers_by_link_id():
    answers = {f"phq9-{i}": 2 for i in range(1, 10)}
    result = score("phq9", answers)
    assert (result.total, result.severity) == (18, "moderately severe")


# GAD-7


def test_it_sums_a_hand_worked_gad7_with_no_critical_item():
    result = score("gad7", [1, 2, 3, 0, 1, 2, 3])
    assert (result.total, result.severity, result.alerts) == (12, "moderate", ())


# QIDS-SR16


def test_it_scores_qids_as_the_sum_of_domain_maxima_not_the_item_sum():
    # Sleep max(1,3,2,0)=3; mood 2; appetite/weight max(0,2,1)=2; 10-14: 1+2+0+1+2;
    # psychomotor max(1,3)=3. Total 16 (the plain item sum would be 21).
    answers = [1, 3, 2, 0, 2, 0, 2, 1, None, 1, 2, 0, 1, 2, 1, 3]
    result = score("qids_sr16", answers)
    assert result.total == 16
    assert result.severity == "severe"
    assert result.subscores["sleep"] == 3
    assert result.subscores["appetite/weight"] == 2
    assert result.subscores["psychomotor"] == 3
    assert result.alerts == ()


def test_it_takes_only_the_highest_sleep_item():
    all_sleep_items_at_3 = [3, 3, 3, 3] + [0] * 12
    assert score("qids_sr16", all_sleep_items_at_3).total == 3


def test_it_takes_the_highest_of_appetite_and_weight_items():
    answers: list[int | None] = [0] * 16
    answers[5:9] = [1, None, 3, None]
    assert score("qids_sr16", answers).total == 3


def test_it_flags_qids_item_12_above_0():
    answers = qids(0)
    answers[11] = 1
    result = score("qids_sr16", answers)
    assert [a.link_id for a in result.alerts] == ["qids-12"]
    assert result.alerts[0].confirmed is False


def test_it_refuses_qids_without_item_6_or_7():
    answers = qids(4)
    answers[5] = None
    with pytest.raises(InvalidAnswers, match="item 6 or QIDS-SR16 item 7"):
        score("qids_sr16", answers)


def test_it_accepts_qids_with_only_item_7_of_the_appetite_pair():
    answers: list[int | None] = [0] * 16
    answers[5], answers[6], answers[8] = None, 2, None
    assert score("qids_sr16", answers).total == 2


# MADRS


def test_it_sums_a_hand_worked_madrs_and_flags_item_10_at_the_default_level():
    result = score("madrs", [4, 4, 3, 4, 2, 3, 3, 3, 2, 1])
    assert (result.total, result.severity) == (29, "moderate")
    assert [a.link_id for a in result.alerts] == ["madrs-10"]


def test_it_lets_a_clinic_raise_the_madrs_item_10_alert_level():
    answers = [0] * 9 + [2]
    assert score("madrs", answers, alert_at={"madrs-10": 3}).alerts == ()
    assert score("madrs", answers, alert_at={"madrs-10": 2}).alerts[0].value == 2


def test_it_refuses_to_move_a_sourced_alert_level():
    with pytest.raises(ValueError, match="fixed by its source"):
        score("phq9", [0] * 9, alert_at={"phq9-9": 2})


def test_it_refuses_to_switch_off_a_cssrs_high_risk_alert():
    with pytest.raises(ValueError, match="fixed by its source"):
        score("cssrs_screen", [NO, NO, None, None, None, NO], alert_at={"cssrs-4": 1})


def test_it_ignores_alert_levels_meant_for_other_instruments():
    assert score("phq9", [0] * 9, alert_at={"madrs-10": 2}).alerts == ()


def test_it_refuses_an_alert_level_for_an_item_that_is_not_critical():
    with pytest.raises(ValueError, match="not a critical item"):
        score("madrs", [0] * 10, alert_at={"madrs-9": 2})


def test_it_refuses_an_alert_level_outside_the_item_range():
    with pytest.raises(ValueError, match="between 0 and 6"):
        score("madrs", [0] * 10, alert_at={"madrs-10": 7})


# PCL-5


def test_it_reports_pcl5_clusters_and_the_dsm5_rule():
    b = [1, 2, 0, 0, 0]
    c = [0, 2]
    d = [2, 2, 0, 0, 0, 0, 0]
    e = [3, 0, 0, 0, 0, 2]
    result = score("pcl5", b + c + d + e)
    assert result.total == 14
    assert result.severity is None
    assert dict(result.subscores) == {"B": 3, "C": 2, "D": 4, "E": 5}
    assert result.findings["cluster_rule_met"] is True
    assert result.findings["at_or_above_cutpoint"] is False


def test_the_pcl5_cluster_rule_needs_two_d_items_rated_2_or_more():
    b, c, e = [2, 0, 0, 0, 0], [2, 0], [2, 2, 0, 0, 0, 0]
    d = [2, 1, 1, 1, 1, 1, 1]
    assert score("pcl5", b + c + d + e).findings["cluster_rule_met"] is False


@pytest.mark.parametrize(
    ("total", "cutpoint", "positive"),
    [(30, None, False), (31, None, True), (32, 33, False), (33, 33, True)],
)
def test_the_pcl5_cutpoint_defaults_to_31_and_can_be_set_within_31_to_33(total, cutpoint, positive):
    result = score("pcl5", summed("pcl5", total), cutpoint=cutpoint)
    assert result.findings["at_or_above_cutpoint"] is positive
    assert result.cutpoint == (cutpoint or 31)


def test_it_refuses_a_pcl5_cutpoint_outside_the_published_range():
    with pytest.raises(ValueError, match="between 31 and 33"):
        score("pcl5", [0] * 20, cutpoint=38)


# C-SSRS screener


@pytest.mark.parametrize(
    ("answers", "level", "alerts"),
    [
        ([NO, NO, None, None, None, NO], "none", []),
        ([YES, NO, None, None, None, NO], "low", []),
        ([NO, YES, NO, NO, NO, NO], "low", []),
        ([YES, YES, YES, NO, NO, NO], "moderate", []),
        ([NO, NO, None, None, None, YES, NO], "moderate", []),
        ([YES, YES, YES, YES, NO, NO], "high", ["cssrs-4"]),
        ([YES, YES, YES, YES, YES, NO], "high", ["cssrs-4", "cssrs-5"]),
        ([NO, NO, None, None, None, YES, YES], "high", ["cssrs-6a"]),
        ([YES, YES, NO, NO, YES, YES, YES], "high", ["cssrs-5", "cssrs-6a"]),
    ],
)
def test_it_triages_the_cssrs_screener(answers, level, alerts):
    result = score("cssrs_screen", answers)
    assert result.total is None
    assert result.severity == level
    assert [a.link_id for a in result.alerts] == alerts


def test_it_accepts_the_cssrs_by_link_id_with_skipped_questions_absent():
    result = score("cssrs_screen", {"cssrs-1": True, "cssrs-2": False, "cssrs-6": False})
    assert result.severity == "low"
    assert result.answers["cssrs-3"] is None


def test_it_refuses_a_yes_to_question_3_after_a_no_to_question_2():
    with pytest.raises(InvalidAnswers, match="item 3 is answered yes, but C-SSRS Screener item 2"):
        score("cssrs_screen", [YES, NO, YES, None, None, NO])


def test_it_refuses_recent_behaviour_without_lifetime_behaviour():
    with pytest.raises(InvalidAnswers, match="item 6a"):
        score("cssrs_screen", [NO, NO, None, None, None, NO, YES])


def test_it_refuses_questions_3_to_5_left_blank_after_a_yes_to_question_2():
    with pytest.raises(InvalidAnswers, match="item 3 is missing"):
        score("cssrs_screen", [NO, YES, None, None, None, NO])


def test_it_refuses_lifetime_behaviour_without_the_3_month_follow_up():
    with pytest.raises(InvalidAnswers, match="item 6a is missing"):
        score("cssrs_screen", [NO, NO, None, None, None, YES])


def test_it_refuses_a_number_as_a_cssrs_answer():
    with pytest.raises(InvalidAnswers, match="item 1: 1 is not a yes/no answer"):
        score("cssrs_screen", [1, NO, None, None, None, NO])


# CADSS, BPRS+, MOAA/s


def test_it_scores_the_full_cadss_and_the_cadss6_from_the_same_link_ids():
    full = {f"cadss-{i}": (i % 5) for i in range(1, 24)}
    assert score("cadss", full).total == sum(i % 5 for i in range(1, 24))
    short = {
        link: full[link]
        for link in ("cadss-1", "cadss-2", "cadss-6", "cadss-7", "cadss-15", "cadss-22")
    }
    # Items 1, 2, 6, 7, 15, 22 rated 1, 2, 1, 2, 0, 2.
    assert score("cadss6", short).total == 8


def test_it_scores_bprs_positive_items_on_the_1_to_7_form_and_states_the_convention():
    result = score("bprs_positive", bprs_1_to_7(4))
    assert result.total == 4
    assert result.convention and "1-7" in result.convention
    assert score("bprs_positive", [7, 7, 7, 7]).total == 28


def test_it_refuses_0_on_the_1_to_7_bprs_form():
    with pytest.raises(InvalidAnswers, match=r"item 1: 0 is out of range \(1-7\)"):
        score("bprs_positive", [0, 1, 1, 1])


def test_it_scores_bprs_positive_items_on_the_0_to_6_convention():
    result = score("bprs_positive_0_6", [0, 6, 3, 2])
    assert result.total == 11
    assert result.convention and "0-6" in result.convention


def test_it_flags_moaas_0_as_loss_of_consciousness():
    assert [a.link_id for a in score("moaas", [0]).alerts] == ["moaas"]
    assert score("moaas", [5]).alerts == ()
    assert score("moaas", [2], alert_at={"moaas": 2}).alerts[0].value == 2


# Bad input


def test_invalid_answers_is_a_value_error():
    assert issubclass(InvalidAnswers, ValueError)


def test_it_refuses_an_unknown_instrument():
    with pytest.raises(InvalidAnswers, match="Unknown instrument 'phq8'"):
        score("phq8", [0] * 8)


def test_it_refuses_too_few_answers_and_names_the_missing_item():
    with pytest.raises(InvalidAnswers, match="PHQ-9 item 9 is missing") as error:
        score("phq9", [0] * 8)
    assert error.value.link_id == "phq9-9"


def test_it_refuses_too_many_answers():
    with pytest.raises(InvalidAnswers, match="PHQ-9 has 10 items; got 11"):
        score("phq9", [0] * 11)


def test_it_refuses_an_out_of_range_answer_and_names_the_item():
    with pytest.raises(InvalidAnswers, match=r"GAD-7 item 3: 4 is out of range \(0-3\)") as error:
        score("gad7", [0, 0, 4, 0, 0, 0, 0])
    assert error.value.link_id == "gad7-3"


def test_it_refuses_a_negative_answer():
    with pytest.raises(InvalidAnswers, match="MADRS item 1: -1 is out of range"):
        score("madrs", [-1] + [0] * 9)


@pytest.mark.parametrize("value", ["2", 2.0, True, [2]])
def test_it_refuses_an_answer_that_is_not_a_whole_number(value):
    with pytest.raises(InvalidAnswers, match="PHQ-9 item 1: .* is not a whole number"):
        score("phq9", [value] + [0] * 8)


def test_it_refuses_a_blank_required_item():
    with pytest.raises(InvalidAnswers, match="PCL-5 item 4 is missing"):
        score("pcl5", [0, 0, 0, None] + [0] * 16)


def test_it_refuses_a_mapping_with_an_unknown_link_id():
    answers = {f"phq9-{i}": 0 for i in range(1, 10)} | {"phq9-11": 0}
    with pytest.raises(InvalidAnswers, match="'phq9-11' is not an item"):
        score("phq9", answers)


def test_it_refuses_a_mapping_missing_an_item():
    answers = {f"phq9-{i}": 0 for i in range(1, 9)}
    with pytest.raises(InvalidAnswers, match="PHQ-9 item 9 is missing"):
        score("phq9", answers)


def test_it_refuses_a_string_in_place_of_the_answer_list():
    with pytest.raises(InvalidAnswers, match="answers must be a list"):
        score("phq2", "12")  # type: ignore[arg-type]

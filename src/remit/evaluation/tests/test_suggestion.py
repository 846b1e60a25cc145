from __future__ import annotations

from decimal import Decimal

import pytest

from remit.evaluation.rules import DEFAULT_SETTINGS, Findings, Modality, PregnancyStatus, evaluate
from remit.evaluation.staging import (
    Adherence,
    AntidepressantTrial,
    EpisodeSeverity,
    ReasonStopped,
    TreatmentResistance,
    TrialOutcome,
    stage_treatment_resistance,
)
from remit.evaluation.suggestion import (
    PRESCRIBER_DECIDES,
    DiagnosisGroup,
    Preferences,
    SuggestionStatus,
    suggest,
)


def failed_trial(drug: str) -> AntidepressantTrial:
    return AntidepressantTrial(
        drug=drug,
        daily_dose_mg=Decimal(100),
        duration_weeks=Decimal(8),
        adherence=Adherence.GOOD,
        outcome=TrialOutcome.NO_RESPONSE,
        reason_stopped=ReasonStopped.NOT_EFFECTIVE,
        in_current_episode=True,
        prescriber_marked_dose_adequate=True,
    )


def staging(failed_trials: int) -> TreatmentResistance:
    return stage_treatment_resistance(
        [failed_trial(f"Drug {n}") for n in range(failed_trials)],
        minimum_doses={},
        episode_duration_months=14,
        severity=EpisodeSeverity.MODERATE,
        ect_used=False,
    )


def findings(*codes: str) -> Findings:
    return Findings(
        codes=frozenset(codes),
        systolic_at_rest_mmhg=122,
        diastolic_at_rest_mmhg=78,
        pregnancy_status=PregnancyStatus.NOT_PREGNANT,
    )


def run(*codes: str, failed_trials: int = 2, diagnosis=DiagnosisGroup.MAJOR_DEPRESSION, **kw):
    rule_findings = evaluate(findings(*codes), settings=DEFAULT_SETTINGS)
    return suggest(rule_findings, staging=staging(failed_trials), diagnosis=diagnosis, **kw)


def test_treatment_resistant_depression_with_no_findings_suggests_esketamine_tms_and_iv_first():
    result = run()
    assert result.suggested[:3] == (Modality.ESKETAMINE, Modality.TMS, Modality.IV_KETAMINE)
    assert result.assessment(Modality.ESKETAMINE).status is SuggestionStatus.SUGGESTED
    assert "[S65]" in result.assessment(Modality.ESKETAMINE).reasons[0]


def test_the_output_says_the_prescriber_decides():
    assert run().notice == PRESCRIBER_DECIDES
    assert "prescriber decides" in PRESCRIBER_DECIDES


def test_less_studied_ketamine_routes_need_consideration_even_without_findings():
    result = run()
    for route in (Modality.IM_KETAMINE, Modality.ORAL_KETAMINE, Modality.SUBLINGUAL_KETAMINE):
        assert result.assessment(route).status is SuggestionStatus.NEEDS_CONSIDERATION
    assert "[S61]" in result.assessment(Modality.ORAL_KETAMINE).reasons[0]


def test_an_aneurysm_rules_out_esketamine_and_names_the_finding():
    result = run("aneurysmal_vascular_disease")
    esketamine = result.assessment(Modality.ESKETAMINE)
    assert esketamine.status is SuggestionStatus.RULED_OUT
    assert Modality.ESKETAMINE not in result.suggested
    assert any("[S74]" in reason for reason in esketamine.reasons)
    assert [f.rule_id for f in esketamine.absolute_findings] == ["esketamine.aneurysm_or_avm"]
    assert esketamine in result.ruled_out()
    assert result.suggested[0] is Modality.TMS


def test_a_cochlear_implant_rules_out_tms_but_leaves_the_drugs():
    result = run("cochlear_implant")
    assert result.assessment(Modality.TMS).status is SuggestionStatus.RULED_OUT
    assert result.suggested[0] is Modality.ESKETAMINE


def test_psychosis_history_moves_the_drugs_behind_tms_as_needing_consideration():
    result = run("psychosis_history")
    assert result.assessment(Modality.ESKETAMINE).status is SuggestionStatus.NEEDS_CONSIDERATION
    assert result.suggested[0] is Modality.TMS
    reasons = result.assessment(Modality.ESKETAMINE).reasons
    assert any(reason.startswith("Needs consideration: History of psychosis") for reason in reasons)


def test_with_one_failed_trial_esketamine_is_outside_the_label_but_tms_fits():
    result = run(failed_trials=1)
    esketamine = result.assessment(Modality.ESKETAMINE)
    assert esketamine.status is SuggestionStatus.OUTSIDE_EVIDENCE
    assert "does not meet" in esketamine.reasons[0]
    assert result.assessment(Modality.TMS).status is SuggestionStatus.SUGGESTED
    assert result.suggested == (Modality.TMS,)


def test_with_no_failed_trial_nothing_is_suggested():
    assert run(failed_trials=0).suggested == ()


def test_acute_suicidal_ideation_fits_the_esketamine_label_without_trd():
    result = run(failed_trials=0, diagnosis=DiagnosisGroup.MAJOR_DEPRESSION_WITH_SUICIDAL_IDEATION)
    assert result.assessment(Modality.ESKETAMINE).status is SuggestionStatus.SUGGESTED
    assert "[S54]" in result.assessment(Modality.ESKETAMINE).reasons[0]


def test_ocd_suggests_tms_as_an_add_on():
    result = run(diagnosis=DiagnosisGroup.OCD)
    assert result.suggested == (Modality.TMS,)
    assert "[S104]" in result.assessment(Modality.TMS).reasons[0]


def test_bipolar_depression_offers_iv_ketamine_only_as_research_level_evidence():
    result = run(diagnosis=DiagnosisGroup.BIPOLAR_DEPRESSION)
    iv = result.assessment(Modality.IV_KETAMINE)
    assert iv.status is SuggestionStatus.NEEDS_CONSIDERATION
    assert "[S78]" in iv.reasons[0]
    assert result.assessment(Modality.ESKETAMINE).status is SuggestionStatus.OUTSIDE_EVIDENCE
    assert result.assessment(Modality.TMS).status is SuggestionStatus.OUTSIDE_EVIDENCE


def test_a_diagnosis_outside_the_reference_suggests_nothing():
    assert run(diagnosis=DiagnosisGroup.OTHER).suggested == ()


def test_a_preferred_treatment_comes_first_when_it_fits():
    result = run(preferences=Preferences(preferred=frozenset({Modality.IV_KETAMINE})))
    assert result.suggested[0] is Modality.IV_KETAMINE


def test_a_declined_treatment_is_not_suggested():
    result = run(preferences=Preferences(declined=frozenset({Modality.ESKETAMINE})))
    assert result.assessment(Modality.ESKETAMINE).status is SuggestionStatus.DECLINED
    assert Modality.ESKETAMINE not in result.suggested


def test_an_absolute_contraindication_outranks_a_preference():
    result = run("cochlear_implant", preferences=Preferences(preferred=frozenset({Modality.TMS})))
    assert result.assessment(Modality.TMS).status is SuggestionStatus.RULED_OUT
    assert Modality.TMS not in result.suggested


def test_it_refuses_a_treatment_both_preferred_and_declined():
    with pytest.raises(ValueError, match="both preferred and declined"):
        Preferences(preferred=frozenset({Modality.TMS}), declined=frozenset({Modality.TMS}))


def test_it_refuses_an_evaluation_missing_a_modality():
    rule_findings = evaluate(findings(), settings=DEFAULT_SETTINGS)
    del rule_findings[Modality.TMS]
    with pytest.raises(ValueError, match="tms"):
        suggest(rule_findings, staging=staging(2), diagnosis=DiagnosisGroup.MAJOR_DEPRESSION)

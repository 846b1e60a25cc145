from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from remit.core.models import AuditEvent
from remit.evaluation.models import Evaluation, RemsEnrolment
from remit.evaluation.rules import Modality, Severity
from remit.evaluation.selectors import (
    clinic_evaluation_settings,
    evaluation_outcome,
    latest_signed_evaluation,
    rems_enrolled,
)
from remit.evaluation.services import (
    blood_pressure_limit_set,
    evaluation_addendum_add,
    evaluation_body_record,
    evaluation_consent_record,
    evaluation_diagnosis_add,
    evaluation_medication_add,
    evaluation_sign,
    evaluation_start,
    evaluation_trial_add,
    evaluation_update,
    rems_enrolment_record,
)
from remit.patients.services import diagnosis_add

pytestmark = pytest.mark.django_db

TRIAL = {
    "drug": "sertraline",
    "daily_dose_mg": Decimal("150"),
    "duration_weeks": Decimal("8"),
    "adherence": "good",
    "outcome": "no_response",
    "reason_stopped": "not_effective",
    "dose_adequate": True,
    "in_current_episode": True,
    "oral": True,
}


def _evaluation(cast, **changes) -> Evaluation:
    evaluation = evaluation_start(patient=cast.patient, by=cast.prescriber)
    base = {
        "pregnancy_status": "not_pregnant",
        "systolic_at_rest_mmhg": 124,
        "diastolic_at_rest_mmhg": 78,
        "heart_rate_at_rest_bpm": 70,
    }
    return evaluation_update(evaluation=evaluation, by=cast.prescriber, changes={**base, **changes})


def _trd(cast, evaluation: Evaluation) -> None:
    diagnosis_add(patient=cast.patient, by=cast.prescriber, code="F33.2")
    evaluation_trial_add(evaluation=evaluation, by=cast.prescriber, data=TRIAL)
    evaluation_trial_add(
        evaluation=evaluation, by=cast.prescriber, data={**TRIAL, "drug": "bupropion"}
    )


def test_rems_enrolled_is_false_until_the_enrolment_is_recorded(cast):
    assert rems_enrolled(cast.patient) is False
    rems_enrolment_record(
        patient=cast.patient, by=cast.prescriber, enrolled_on=date(2026, 1, 5), reference="RX-1"
    )
    assert rems_enrolled(cast.patient) is True
    # The same reference twice records nothing new.
    rems_enrolment_record(
        patient=cast.patient, by=cast.prescriber, enrolled_on=date(2026, 1, 5), reference="RX-1"
    )
    assert RemsEnrolment.objects.count() == 1


def test_a_rems_enrolment_without_a_reference_is_refused(cast):
    with pytest.raises(ValidationError) as error:
        rems_enrolment_record(
            patient=cast.patient, by=cast.prescriber, enrolled_on=date(2026, 1, 5), reference=" "
        )
    assert "reference" in error.value.message_dict


def test_starting_twice_gives_the_same_draft(cast):
    first = evaluation_start(patient=cast.patient, by=cast.prescriber)
    assert evaluation_start(patient=cast.patient, by=cast.prescriber) == first


def test_a_nurse_cannot_start_or_sign_an_evaluation(cast):
    with pytest.raises(PermissionDenied):
        evaluation_start(patient=cast.patient, by=cast.nurse)


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"systolic_at_rest_mmhg": 1200}, "systolic_at_rest_mmhg"),
        ({"diastolic_at_rest_mmhg": 130, "systolic_at_rest_mmhg": 120}, "diastolic_at_rest_mmhg"),
        ({"heart_rate_at_rest_bpm": 0}, "heart_rate_at_rest_bpm"),
        ({"systolic_at_rest_mmhg": None}, "diastolic_at_rest_mmhg"),
    ],
)
def test_impossible_vitals_are_refused_on_their_field_and_nothing_saved(cast, changes, field):
    evaluation = _evaluation(cast)
    with pytest.raises(ValidationError) as error:
        evaluation_update(evaluation=evaluation, by=cast.prescriber, changes=changes)
    assert field in error.value.message_dict
    evaluation.refresh_from_db()
    assert (evaluation.systolic_at_rest_mmhg, evaluation.diastolic_at_rest_mmhg) == (124, 78)


def test_a_negative_trial_duration_is_refused_and_nothing_saved(cast):
    evaluation = _evaluation(cast)
    with pytest.raises(ValidationError) as error:
        evaluation_trial_add(
            evaluation=evaluation, by=cast.prescriber, data={**TRIAL, "duration_weeks": Decimal(-2)}
        )
    assert "cannot be negative" in error.value.message_dict["duration_weeks"][0]
    assert not evaluation.trials.exists()


def test_staging_is_computed_from_the_trials(cast):
    evaluation = _evaluation(
        cast, episode_duration_months=18, episode_severity="severe_without_psychosis"
    )
    _trd(cast, evaluation)
    staging = evaluation_outcome(evaluation).staging
    assert staging.adequate_failed_trials == 2
    assert staging.trd.met
    # Duration 13–24 = 2, severe without psychosis = 4, 1–2 failed = 1 [S81].
    assert staging.maudsley is not None and staging.maudsley.total == 7
    assert staging.maudsley.category == "moderate"


def test_medicine_flags_become_findings_for_the_rules(cast):
    evaluation = _evaluation(cast)
    evaluation_medication_add(
        evaluation=evaluation,
        by=cast.prescriber,
        data={"name": "lorazepam", "flag": "takes_benzodiazepine"},
    )
    found = evaluation_outcome(evaluation).rule_findings[Modality.ESKETAMINE]
    assert any(f.rule_id == "esketamine.rems_listed_medicine" for f in found)


def test_a_decision_without_a_signature_is_refused_and_nothing_saved(cast):
    evaluation = _evaluation(cast)
    with pytest.raises(ValidationError) as error:
        evaluation_sign(
            evaluation=evaluation,
            by=cast.prescriber,
            decision="not_eligible",
            decision_reason="No depression",
            signature_confirmed=False,
        )
    assert "signature_confirmed" in error.value.message_dict
    evaluation.refresh_from_db()
    assert evaluation.status == "draft" and evaluation.decision == ""


def test_signing_needs_the_sign_clinical_capability(cast):
    evaluation = _evaluation(cast)
    with pytest.raises(PermissionDenied):
        evaluation_sign(
            evaluation=evaluation,
            by=cast.nurse,
            decision="not_eligible",
            decision_reason="x",
            signature_confirmed=True,
        )


def test_eligible_needs_a_protocol_of_the_chosen_treatment(cast):
    evaluation = _evaluation(cast)
    _trd(cast, evaluation)
    with pytest.raises(ValidationError) as error:
        evaluation_sign(
            evaluation=evaluation,
            by=cast.prescriber,
            decision="eligible",
            decision_modality="iv_ketamine",
            protocol_code="tms-10hz",
            signature_confirmed=True,
        )
    assert "protocol_code" in error.value.message_dict


def test_esketamine_despite_an_absolute_contraindication_needs_an_override_reason(cast):
    evaluation = _evaluation(cast, finding_codes=["aneurysmal_vascular_disease"])
    _trd(cast, evaluation)
    decision: dict[str, Any] = {
        "decision": "eligible",
        "decision_modality": "esketamine",
        "protocol_code": "esketamine-trd",
        "signature_confirmed": True,
    }
    with pytest.raises(ValidationError) as error:
        evaluation_sign(evaluation=evaluation, by=cast.prescriber, **decision)
    assert "Aneurysmal vascular disease" in error.value.message_dict["override_reason"][0]
    evaluation.refresh_from_db()
    assert not evaluation.is_signed
    signed = evaluation_sign(
        evaluation=evaluation,
        by=cast.prescriber,
        override_reason="Vascular surgeon cleared; aneurysm repaired in 2024.",
        **decision,
    )
    assert signed.is_signed and signed.override_reason
    absolute = signed.signed_outcome["findings"]["esketamine"][0]
    assert absolute["severity"] == Severity.ABSOLUTE


def test_needs_clearance_needs_what_and_a_future_date(cast):
    evaluation = _evaluation(cast, systolic_at_rest_mmhg=186, diastolic_at_rest_mmhg=104)
    with pytest.raises(ValidationError) as error:
        evaluation_sign(
            evaluation=evaluation,
            by=cast.prescriber,
            decision="needs_clearance",
            reevaluate_on=timezone.localdate() - timedelta(days=1),
            signature_confirmed=True,
        )
    assert {"clearance_needed", "reevaluate_on"} <= set(error.value.message_dict)
    signed = evaluation_sign(
        evaluation=evaluation,
        by=cast.prescriber,
        decision="needs_clearance",
        clearance_needed="Blood-pressure control by the GP",
        reevaluate_on=timezone.localdate() + timedelta(days=28),
        signature_confirmed=True,
    )
    assert latest_signed_evaluation(cast.patient) == signed


def test_a_signed_evaluation_is_read_only_and_corrected_by_addendum(cast):
    evaluation = _evaluation(cast)
    evaluation_sign(
        evaluation=evaluation,
        by=cast.prescriber,
        decision="not_eligible",
        decision_reason="Symptoms resolved",
        signature_confirmed=True,
    )
    with pytest.raises(ValidationError):
        evaluation_update(
            evaluation=evaluation, by=cast.prescriber, changes={"heart_rate_at_rest_bpm": 90}
        )
    with pytest.raises(ValidationError):
        evaluation_trial_add(evaluation=evaluation, by=cast.prescriber, data=TRIAL)
    with pytest.raises(ValidationError):
        evaluation_sign(
            evaluation=evaluation,
            by=cast.prescriber,
            decision="not_eligible",
            decision_reason="again",
            signature_confirmed=True,
        )
    evaluation_addendum_add(evaluation=evaluation, by=cast.prescriber, text="Heart rate was 90.")
    evaluation.refresh_from_db()
    assert evaluation.heart_rate_at_rest_bpm == 70
    assert evaluation.addenda.get().text == "Heart rate was 90."


def test_a_stale_draft_copy_cannot_add_a_diagnosis_or_weight_after_signing(cast):
    evaluation = _evaluation(cast)
    stale = Evaluation.objects.get(pk=evaluation.pk)
    evaluation_sign(
        evaluation=evaluation,
        by=cast.prescriber,
        decision="not_eligible",
        decision_reason="Symptoms resolved",
        signature_confirmed=True,
    )
    assert not stale.is_signed  # the copy in hand predates the signature
    diagnoses, weights = cast.patient.diagnoses.count(), cast.patient.measurements.count()
    with pytest.raises(ValidationError) as diagnosis:
        evaluation_diagnosis_add(evaluation=stale, by=cast.prescriber, code="F33.2")
    assert "add an addendum instead" in diagnosis.value.message_dict["code"][0]
    with pytest.raises(ValidationError) as body:
        evaluation_body_record(evaluation=stale, by=cast.prescriber, weight_kg=Decimal("70"))
    assert "add an addendum instead" in body.value.message_dict["weight_kg"][0]
    assert cast.patient.diagnoses.count() == diagnoses
    assert cast.patient.measurements.count() == weights


def test_consent_follows_an_eligible_decision_once(cast):
    evaluation = _evaluation(cast)
    _trd(cast, evaluation)
    with pytest.raises(ValidationError):
        evaluation_consent_record(evaluation=evaluation, by=cast.prescriber, document_version="v1")
    evaluation_sign(
        evaluation=evaluation,
        by=cast.prescriber,
        decision="eligible",
        decision_modality="tms",
        protocol_code="tms-10hz",
        signature_confirmed=True,
    )
    evaluation_consent_record(evaluation=evaluation, by=cast.prescriber, document_version="v1")
    evaluation_consent_record(evaluation=evaluation, by=cast.prescriber, document_version="v1")
    assert cast.patient.consents.filter(kind="tms").count() == 1


def test_a_clinic_limit_replaces_the_default_and_names_the_clinic_protocol(cast):
    default = clinic_evaluation_settings(cast.clinic).blood_pressure_limits[
        "ketamine_caution_above"
    ]
    assert (default.systolic_mmhg, default.confirmed) == (140, False)
    blood_pressure_limit_set(
        clinic=cast.clinic,
        by=cast.prescriber,
        name="ketamine_caution_above",
        systolic_mmhg=150,
        diastolic_mmhg=95,
        protocol="Harbour protocol v3",
    )
    own = clinic_evaluation_settings(cast.clinic).blood_pressure_limits["ketamine_caution_above"]
    assert own.systolic_mmhg == 150 and "the clinic's own protocol" in own.source
    other = clinic_evaluation_settings(cast.other_clinic).blood_pressure_limits[
        "ketamine_caution_above"
    ]
    assert other.systolic_mmhg == 140
    evaluation = _evaluation(cast, systolic_at_rest_mmhg=145, diastolic_at_rest_mmhg=85)
    iv = evaluation_outcome(evaluation).rule_findings[Modality.IV_KETAMINE]
    assert not any("145/85" in f.matched for f in iv)


def test_every_change_is_audited_without_values(cast):
    evaluation = _evaluation(cast, substance_use="Cannabis daily")
    events = AuditEvent.objects.filter(
        object_type="evaluation.Evaluation", object_id=str(evaluation.pk)
    )
    assert events.count() == 2
    assert "Cannabis" not in str(list(events.values_list("detail", flat=True)))

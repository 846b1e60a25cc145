"""Demo evaluations: signed, with history, trials, findings, staging and a decision, for a good
share of the patients this run created; REMS enrolment and consent for the eligible ones.

Only patients created by this run get evaluations, so a second run adds nothing.
"""

from __future__ import annotations

import random
from datetime import timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from remit.core.audit import AuditEntry, audit_record_many
from remit.core.models import AuditAction
from remit.core.seeding import SeedContext
from remit.evaluation.models import (
    AntidepressantTrialRecord,
    CurrentMedication,
    Decision,
    Evaluation,
    EvaluationStatus,
    PriorTreatment,
    RemsEnrolment,
)
from remit.evaluation.rules import Findings, Modality, PregnancyStatus, has_absolute
from remit.evaluation.selectors import (
    clinic_evaluation_settings,
    diagnosis_group_of,
    outcome_compute,
    outcome_snapshot,
    trial_of,
)
from remit.evaluation.services import CONSENT_KINDS
from remit.evaluation.staging import EpisodeSeverity
from remit.patients.models import Consent, Diagnosis, Patient

# Share of new patients with a signed evaluation, and a cap to keep big seeds fast.
SHARE = 0.6
MAX_EVALUATIONS = 600
DRUGS = [
    ("sertraline", "150"),
    ("escitalopram", "20"),
    ("fluoxetine", "40"),
    ("bupropion", "300"),
    ("venlafaxine", "225"),
    ("duloxetine", "60"),
    ("mirtazapine", "45"),
]
HISTORY = [
    ("hypertension_poorly_controlled", 8),
    ("substance_use_disorder", 8),
    ("seizure_history_or_epilepsy", 3),
    ("psychosis_history", 3),
    ("aneurysmal_vascular_disease", 2),
    ("cochlear_implant", 1),
    ("cardiovascular_disease", 5),
]
MEDICINES = [
    ("lorazepam", "1 mg at night", "takes_benzodiazepine"),
    ("zolpidem", "5 mg at night", "takes_sedative_hypnotic"),
    ("methylphenidate", "20 mg", "takes_psychostimulant"),
    ("lamotrigine", "100 mg", ""),
    ("lisinopril", "10 mg", ""),
]
# The protocol that carries out an eligible decision for each modality in the demo.
DEMO_PROTOCOL = {
    Modality.ESKETAMINE: "esketamine-trd",
    Modality.TMS: "tms-10hz",
    Modality.IV_KETAMINE: "iv-ketamine-induction",
}


def _trials(rng: random.Random, evaluation: Evaluation) -> list[AntidepressantTrialRecord]:
    records = []
    for drug, dose in rng.sample(DRUGS, k=rng.randint(1, 4)):
        records.append(
            AntidepressantTrialRecord(
                evaluation=evaluation,
                drug=drug,
                daily_dose_mg=Decimal(dose),
                duration_weeks=Decimal(rng.choice([3, 6, 8, 10, 12])),
                adherence=rng.choices(["good", "partial", "poor"], weights=[7, 2, 1])[0],
                outcome=rng.choices(
                    ["no_response", "partial_response", "response"], weights=[5, 4, 1]
                )[0],
                reason_stopped=rng.choices(
                    ["not_effective", "poor_tolerability", "still_taking"], weights=[6, 2, 2]
                )[0],
                in_current_episode=rng.random() < 0.85,
                dose_adequate=rng.random() < 0.8,
                augmentation=rng.choice(["", "", "", "aripiprazole", "lithium"]),
            )
        )
    return records


def seed(context: SeedContext) -> None:
    if context.clinic is None or not context.new_patient_ids:
        return
    rng = context.rng("evaluation-choice")
    chosen = [pid for pid in context.new_patient_ids if rng.random() < SHARE][:MAX_EVALUATIONS]
    for start in range(0, len(chosen), 200):
        _create(context, chosen[start : start + 200])


@transaction.atomic
def _create(context: SeedContext, patient_ids: list[int]) -> None:
    prescriber = context.staff.get("prescriber")
    settings = clinic_evaluation_settings(context.clinic.pk)  # type: ignore[union-attr]
    patients = Patient.objects.in_bulk(patient_ids)
    codes: dict[int, list[str]] = {}
    for diagnosis in Diagnosis.objects.filter(patient_id__in=patient_ids, status="active"):
        codes.setdefault(diagnosis.patient_id, []).append(diagnosis.code)
    now = timezone.now()
    today = timezone.localdate()
    evaluations, trials, medicines, treatments = [], [], [], []
    enrolments, consents = [], []
    for pid in patient_ids:
        patient = patients[pid]
        rng = context.rng("evaluation", pid)
        signed_at = now - timedelta(days=rng.randint(2, 200))
        findings_codes = [code for code, pct in HISTORY if rng.random() * 100 < pct]
        high = "hypertension_poorly_controlled" in findings_codes
        systolic = rng.randint(150, 186) if high else rng.randint(104, 138)
        diastolic = min(systolic - 20, rng.randint(88, 104) if high else rng.randint(64, 86))
        pregnancy = (
            PregnancyStatus.NOT_PREGNANT
            if patient.sex_at_birth == "female"
            else PregnancyStatus.NOT_APPLICABLE
        )
        evaluation = Evaluation(
            clinic_id=patient.clinic_id,
            patient=patient,
            status=EvaluationStatus.SIGNED,
            finding_codes=findings_codes,
            systolic_at_rest_mmhg=systolic,
            diastolic_at_rest_mmhg=diastolic,
            heart_rate_at_rest_bpm=rng.randint(58, 96),
            pregnancy_status=pregnancy.value,
            episode_duration_months=rng.randint(3, 48),
            episode_severity=rng.choice(
                [EpisodeSeverity.MODERATE, EpisodeSeverity.SEVERE_WITHOUT_PSYCHOSIS]
            ).value,
            signed_by=prescriber,
            signed_at=signed_at,
            created_by=prescriber,
        )
        patient_trials = _trials(rng, evaluation)
        medicine = rng.choice(MEDICINES) if rng.random() < 0.35 else None
        outcome = outcome_compute(
            findings=Findings(
                codes=frozenset(findings_codes)
                | ({medicine[2]} if medicine and medicine[2] else set()),
                systolic_at_rest_mmhg=systolic,
                diastolic_at_rest_mmhg=diastolic,
                heart_rate_at_rest_bpm=evaluation.heart_rate_at_rest_bpm,
                pregnancy_status=pregnancy,
            ),
            trials=[trial_of(t) for t in patient_trials],
            prior_kinds=[],
            settings=settings,
            diagnosis=diagnosis_group_of(codes.get(pid, []), acute_suicidal_ideation=False),
            episode_duration_months=evaluation.episode_duration_months or 0,
            severity=EpisodeSeverity(evaluation.episode_severity),
        )
        evaluation.signed_outcome = outcome_snapshot(outcome)
        choice = next((m for m in outcome.suggestion.suggested if m in DEMO_PROTOCOL), None)
        if high:
            evaluation.decision = Decision.NEEDS_CLEARANCE
            evaluation.clearance_needed = "Blood-pressure control by the primary-care physician"
            evaluation.reevaluate_on = today + timedelta(days=rng.randint(14, 42))
        elif choice is None:
            evaluation.decision = Decision.NOT_ELIGIBLE
            evaluation.decision_reason = "No treatment fits the evidence for this diagnosis yet."
        else:
            evaluation.decision = Decision.ELIGIBLE
            evaluation.decision_modality = choice.value
            evaluation.protocol_code = DEMO_PROTOCOL[choice]
            # Never true for a suggested modality; kept for safety.
            if has_absolute(outcome.rule_findings[choice]):
                evaluation.override_reason = "Demo override"
        evaluations.append(evaluation)
        trials.extend(patient_trials)
        if medicine:
            medicines.append(
                CurrentMedication(
                    evaluation=evaluation, name=medicine[0], dose=medicine[1], flag=medicine[2]
                )
            )
        if rng.random() < 0.3:
            treatments.append(
                PriorTreatment(
                    evaluation=evaluation,
                    kind="psychotherapy",
                    description=rng.choice(["CBT", "Interpersonal therapy", "DBT"]),
                    sessions=rng.randint(6, 30),
                    outcome="partial_response",
                )
            )
        if evaluation.decision == Decision.ELIGIBLE:
            consents.append(
                Consent(
                    patient=patient,
                    kind=CONSENT_KINDS[evaluation.decision_modality],
                    document_version="2026.1",
                    signed_at=signed_at,
                    witnessed_by=prescriber,
                )
            )
            if evaluation.decision_modality == Modality.ESKETAMINE:
                enrolments.append(
                    RemsEnrolment(
                        patient=patient,
                        enrolled_on=signed_at.date(),
                        reference=f"REMS-DEMO-{pid:06d}",
                        recorded_by=prescriber,
                    )
                )
    Evaluation.objects.bulk_create(evaluations)
    AntidepressantTrialRecord.objects.bulk_create(trials)
    CurrentMedication.objects.bulk_create(medicines)
    PriorTreatment.objects.bulk_create(treatments)
    RemsEnrolment.objects.bulk_create(enrolments)
    Consent.objects.bulk_create(consents)
    audit_record_many(
        [
            AuditEntry(
                action=AuditAction.CREATE,
                clinic_id=e.clinic_id,
                patient_id=e.patient_id,
                object_type="evaluation.Evaluation",
                object_id=str(e.pk),
                detail={"source": "seed"},
            )
            for e in evaluations
        ]
    )
    context.count("evaluations", len(evaluations))
    context.count("REMS enrolments", len(enrolments))

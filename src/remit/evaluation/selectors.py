"""Reads of evaluations, scoped through the patient; and the pure rules run on them."""

from __future__ import annotations

import importlib
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.db.models import Prefetch, QuerySet
from django.http import Http404

from remit.accounts.models import StaffUser
from remit.evaluation.models import (
    AntidepressantTrialRecord,
    BloodPressureLimitSetting,
    Evaluation,
    EvaluationStatus,
    PriorTreatmentKind,
    RemsEnrolment,
)
from remit.evaluation.rules import (
    DEFAULT_BLOOD_PRESSURE_LIMITS,
    BloodPressureLimit,
    EvaluationSettings,
    Findings,
    Modality,
    PregnancyStatus,
    RuleFinding,
    evaluate,
)
from remit.evaluation.staging import (
    DEFAULT_MINIMUM_DOSES,
    Adherence,
    AntidepressantTrial,
    EpisodeSeverity,
    ReasonStopped,
    TreatmentResistance,
    TrialOutcome,
    stage_treatment_resistance,
)
from remit.evaluation.suggestion import DiagnosisGroup, Preferences, Suggestion, suggest
from remit.patients.selectors import patients_visible_to

if TYPE_CHECKING:
    from remit.clinics.models import Clinic
    from remit.patients.models import Patient

# Baseline instruments shown on an evaluation (codes of remit.measures' instrument library).
BASELINE_INSTRUMENTS = ("phq9", "gad7", "qids_sr16", "madrs")
# Bipolar disorder, current episode depressed (and bipolar II), in the shipped ICD-10-CM list.
BIPOLAR_DEPRESSION_CODES = frozenset({"F31.30", "F31.31", "F31.32", "F31.4", "F31.5", "F31.81"})
# The source shown for a threshold the clinic has changed.
CLINIC_OWN_PROTOCOL = "the clinic's own protocol"


def rems_enrolled(patient: Patient) -> bool:
    """Whether the patient's esketamine REMS enrolment is recorded (a hard stop for a first
    esketamine dose when it is not)."""
    return RemsEnrolment.objects.filter(patient=patient).exists()


def rems_enrolment_latest(patient: Patient) -> RemsEnrolment | None:
    return RemsEnrolment.objects.filter(patient=patient).first()


def latest_signed_evaluation(patient: Patient) -> Evaluation | None:
    """The patient's most recently signed evaluation (with its decision), or None."""
    return (
        Evaluation.objects.filter(patient=patient, status=EvaluationStatus.SIGNED)
        .select_related("signed_by")
        .order_by("-signed_at", "-id")
        .first()
    )


def _with_history(evaluations: QuerySet[Evaluation]) -> QuerySet[Evaluation]:
    return evaluations.select_related("patient", "patient__clinic", "signed_by").prefetch_related(
        Prefetch("trials", queryset=AntidepressantTrialRecord.objects.order_by("id")),
        "prior_treatments",
        "medications",
        "addenda__written_by",
        # The rules and the page's diagnosis list both read them.
        "patient__diagnoses",
    )


def evaluations_visible_to(user: StaffUser) -> QuerySet[Evaluation]:
    return Evaluation.objects.filter(patient__in=patients_visible_to(user))


def evaluation_get_for_staff(*, user: StaffUser, evaluation_id: int) -> Evaluation:
    """The evaluation, or 404 whether it is missing or its patient is out of the user's scope."""
    evaluation = _with_history(evaluations_visible_to(user)).filter(pk=evaluation_id).first()
    if evaluation is None:
        raise Http404("No such evaluation")
    return evaluation


def evaluations_of(patient: Patient) -> list[Evaluation]:
    """A patient's evaluations, newest first (the patient is already scoped by the caller)."""
    return list(
        Evaluation.objects.filter(patient=patient)
        .select_related("signed_by", "created_by")
        .prefetch_related("addenda")
        .order_by("-created_at", "-id")
    )


def clinic_evaluation_settings(clinic: Clinic | int) -> EvaluationSettings:
    """The clinic's evaluation settings: the reference's defaults, with the clinic's own values
    where it has set them (their source names the clinic's protocol)."""
    clinic_id = clinic if isinstance(clinic, int) else clinic.pk
    return evaluation_settings_from(BloodPressureLimitSetting.objects.filter(clinic_id=clinic_id))


def evaluation_settings_from(rows: Iterable[BloodPressureLimitSetting]) -> EvaluationSettings:
    """The settings from a clinic's own rows already in hand (the thresholds page shows them
    too, so it reads them once)."""
    settings = EvaluationSettings()
    for row in rows:
        if row.name not in DEFAULT_BLOOD_PRESSURE_LIMITS:
            continue
        settings = settings.with_blood_pressure_limit(
            row.name,
            BloodPressureLimit(
                systolic_mmhg=row.systolic_mmhg,
                diastolic_mmhg=row.diastolic_mmhg,
                source=f"{CLINIC_OWN_PROTOCOL}: {row.protocol}",
                confirmed=True,
            ),
        )
    return settings


def findings_of(evaluation: Evaluation) -> Findings:
    """The evaluation as the rules' Findings record (medicine flags become finding codes)."""
    codes = set(evaluation.finding_codes or [])
    codes.update(m.flag for m in evaluation.medications.all() if m.flag)
    return Findings(
        codes=frozenset(codes),
        systolic_at_rest_mmhg=evaluation.systolic_at_rest_mmhg,
        diastolic_at_rest_mmhg=evaluation.diastolic_at_rest_mmhg,
        heart_rate_at_rest_bpm=evaluation.heart_rate_at_rest_bpm,
        pregnancy_status=PregnancyStatus(evaluation.pregnancy_status),
    )


def trial_of(record: AntidepressantTrialRecord) -> AntidepressantTrial:
    return AntidepressantTrial(
        drug=record.drug,
        daily_dose_mg=Decimal(record.daily_dose_mg),
        duration_weeks=Decimal(record.duration_weeks),
        adherence=Adherence(record.adherence),
        outcome=TrialOutcome(record.outcome),
        reason_stopped=ReasonStopped(record.reason_stopped),
        in_current_episode=record.in_current_episode,
        augmentation=record.augmentation or None,
        oral=record.oral,
        prescriber_marked_dose_adequate=record.dose_adequate,
    )


def diagnosis_group_of(codes: list[str], *, acute_suicidal_ideation: bool) -> DiagnosisGroup:
    """The suggestion's diagnosis group, from active ICD-10-CM codes."""
    depressive = any(code.startswith(("F32", "F33")) for code in codes)
    if depressive and acute_suicidal_ideation:
        return DiagnosisGroup.MAJOR_DEPRESSION_WITH_SUICIDAL_IDEATION
    if depressive:
        return DiagnosisGroup.MAJOR_DEPRESSION
    if any(code in BIPOLAR_DEPRESSION_CODES for code in codes):
        return DiagnosisGroup.BIPOLAR_DEPRESSION
    if any(code.startswith("F42") for code in codes):
        return DiagnosisGroup.OCD
    return DiagnosisGroup.OTHER


@dataclass(frozen=True)
class EvaluationOutcome:
    findings: Findings
    rule_findings: dict[Modality, list[RuleFinding]]
    staging: TreatmentResistance
    diagnosis: DiagnosisGroup
    suggestion: Suggestion
    settings: EvaluationSettings


def outcome_compute(
    *,
    findings: Findings,
    trials: list[AntidepressantTrial],
    prior_kinds: list[str],
    settings: EvaluationSettings,
    diagnosis: DiagnosisGroup,
    episode_duration_months: int,
    severity: EpisodeSeverity,
    preferred: str = "",
) -> EvaluationOutcome:
    """Rules, staging and suggestion from plain values (`prior_kinds`: current-episode kinds)."""
    rule_findings = evaluate(findings, settings=settings)
    staging = stage_treatment_resistance(
        trials,
        minimum_doses=DEFAULT_MINIMUM_DOSES,
        episode_duration_months=episode_duration_months,
        severity=severity,
        # Maudsley counts ECT and augmentation used in the current episode [S81].
        ect_used=PriorTreatmentKind.ECT in prior_kinds,
        augmentation_used=any(t.augmentation for t in trials if t.in_current_episode)
        or PriorTreatmentKind.AUGMENTATION in prior_kinds,
    )
    preferences = Preferences(frozenset({Modality(preferred)}) if preferred else frozenset())
    suggestion = suggest(
        rule_findings, staging=staging, diagnosis=diagnosis, preferences=preferences
    )
    return EvaluationOutcome(findings, rule_findings, staging, diagnosis, suggestion, settings)


def evaluation_outcome(evaluation: Evaluation) -> EvaluationOutcome:
    """Run the pure rules, staging and suggestion on a stored evaluation."""
    codes = [d.code for d in evaluation.patient.diagnoses.all() if d.status == "active"]
    return outcome_compute(
        findings=findings_of(evaluation),
        trials=[trial_of(record) for record in evaluation.trials.all()],
        prior_kinds=[p.kind for p in evaluation.prior_treatments.all() if p.in_current_episode],
        settings=clinic_evaluation_settings(evaluation.clinic_id),
        diagnosis=diagnosis_group_of(
            codes, acute_suicidal_ideation=evaluation.acute_suicidal_ideation
        ),
        episode_duration_months=evaluation.episode_duration_months or 0,
        severity=EpisodeSeverity(evaluation.episode_severity),
        preferred=evaluation.preferred_modality,
    )


def outcome_snapshot(outcome: EvaluationOutcome) -> dict[str, Any]:
    """What is frozen with a signature: every finding, the staging and the suggestion."""
    maudsley = outcome.staging.maudsley
    return {
        "findings": {
            modality.value: [
                {
                    "rule": f.rule_id,
                    "severity": f.severity.value,
                    "matched": f.matched,
                    "reason": f.reason,
                    "source": f.source,
                    "confirmed": f.confirmed,
                }
                for f in found
            ]
            for modality, found in outcome.rule_findings.items()
        },
        "staging": {
            "adequate_failed_trials": outcome.staging.adequate_failed_trials,
            "trd_met": outcome.staging.trd.met,
            "trd_explanation": outcome.staging.trd.explanation,
            "maudsley_total": maudsley.total if maudsley else None,
            "maudsley_category": maudsley.category.value if maudsley else None,
        },
        "diagnosis_group": outcome.diagnosis.value,
        "suggested": [m.value for m in outcome.suggestion.suggested],
    }


def baseline_assessments(patient: Patient) -> dict[str, Any]:
    """Latest PHQ-9 / GAD-7 / QIDS-SR16 / MADRS from the measures capability, if it is there."""
    try:
        selectors = importlib.import_module("remit.measures.selectors")
    except ModuleNotFoundError:
        return {}
    latest = getattr(selectors, "latest_assessments", None)
    if latest is None:
        return {}
    found: dict[str, Any] = latest(patient, BASELINE_INSTRUMENTS)
    return found

"""Every write of evaluation data: one transaction each, with its audit row.

A draft evaluation is edited section by section; the prescriber records the decision and signs
in one step; a signed evaluation never changes again and is corrected by addendum.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from remit.accounts.models import StaffUser
from remit.clinics.models import Clinic
from remit.core.access import user_can
from remit.core.audit import audit_record
from remit.core.models import AuditAction
from remit.core.roles import Capability
from remit.evaluation.models import (
    AntidepressantTrialRecord,
    BloodPressureLimitSetting,
    CurrentMedication,
    Decision,
    Evaluation,
    EvaluationAddendum,
    EvaluationStatus,
    ModalityChoice,
    PriorTreatment,
    RemsEnrolment,
)
from remit.evaluation.rules import (
    DEFAULT_BLOOD_PRESSURE_LIMITS,
    FINDING_LABELS,
    BloodPressureLimit,
    Findings,
    Modality,
    PregnancyStatus,
    Severity,
)
from remit.evaluation.selectors import evaluation_outcome, outcome_snapshot, trial_of
from remit.patients.models import BodyMeasurement, ConsentKind, Diagnosis, Patient
from remit.patients.services import body_measurement_record, consent_record, diagnosis_add

SIGNED_IS_READ_ONLY = "This evaluation is signed and cannot be changed; add an addendum instead."
# Diagnoses and weights live on the patient; the draft check names the field the page shows.
SIGNED_PATIENT_RECORD = "The evaluation is signed; add an addendum instead."
SIGNATURE_MISSING = "Confirm your signature to record the decision; nothing has been saved."
OVERRIDE_NEEDED = (
    "{modality} has an absolute contraindication for this patient ({matched}). Record an "
    "explicit override reason to decide otherwise."
)
# Medicine flags are recorded through CurrentMedication, not as history findings.
MEDICINE_FINDINGS = frozenset(code for code in FINDING_LABELS if code.startswith("takes_"))
HISTORY_FINDINGS = tuple(code for code in FINDING_LABELS if code not in MEDICINE_FINDINGS)

# Which protocol library entries (modality, route) carry out a decision for each modality.
PROTOCOL_ROUTES: Mapping[str, tuple[str, str]] = {
    Modality.IV_KETAMINE: ("ketamine", "intravenous"),
    Modality.IM_KETAMINE: ("ketamine", "intramuscular"),
    Modality.ORAL_KETAMINE: ("ketamine", "oral"),
    Modality.SUBLINGUAL_KETAMINE: ("ketamine", "sublingual"),
    Modality.ESKETAMINE: ("esketamine", "intranasal"),
    Modality.TMS: ("tms", "transcranial"),
}
CONSENT_KINDS: Mapping[str, str] = {
    Modality.IV_KETAMINE: ConsentKind.TREATMENT_IV_KETAMINE,
    Modality.IM_KETAMINE: ConsentKind.TREATMENT_OTHER_KETAMINE,
    Modality.ORAL_KETAMINE: ConsentKind.TREATMENT_OTHER_KETAMINE,
    Modality.SUBLINGUAL_KETAMINE: ConsentKind.TREATMENT_OTHER_KETAMINE,
    Modality.ESKETAMINE: ConsentKind.TREATMENT_ESKETAMINE,
    Modality.TMS: ConsentKind.TREATMENT_TMS,
}
EDITABLE_FIELDS = (
    "finding_codes",
    "systolic_at_rest_mmhg",
    "diastolic_at_rest_mmhg",
    "heart_rate_at_rest_bpm",
    "pregnancy_status",
    "substance_use",
    "history_notes",
    "acute_suicidal_ideation",
    "episode_duration_months",
    "episode_severity",
    "preferred_modality",
)


def _require_signer(by: StaffUser) -> None:
    if not user_can(by, Capability.SIGN_CLINICAL):
        raise PermissionDenied


def _require_draft(evaluation: Evaluation) -> None:
    # Ask the database, under a row lock: the object in hand may predate a signature.
    current = Evaluation.objects.select_for_update().filter(pk=evaluation.pk).values("status")
    if not current or current[0]["status"] != EvaluationStatus.DRAFT:
        raise ValidationError(SIGNED_IS_READ_ONLY)


def _require_draft_for_field(evaluation: Evaluation, field: str) -> None:
    try:
        _require_draft(evaluation)
    except ValidationError:
        raise ValidationError({field: SIGNED_PATIENT_RECORD}) from None


def _audit(evaluation: Evaluation, by: StaffUser, action: str, obj: Any, **detail: Any) -> None:
    audit_record(
        action=action,
        actor=by,
        obj=obj,
        patient_id=evaluation.patient_id,
        clinic_id=evaluation.clinic_id,
        detail=detail,
    )


def _findings_field(message: str) -> str:
    # The pure Findings record names the reading in its message; put it on that form field.
    for prefix, name in (
        ("Systolic", "systolic_at_rest_mmhg"),
        ("Diastolic", "diastolic_at_rest_mmhg"),
        ("Heart rate", "heart_rate_at_rest_bpm"),
        ("Blood pressure at rest needs", "diastolic_at_rest_mmhg"),
    ):
        if message.startswith(prefix):
            return name
    return "finding_codes"


@transaction.atomic
def evaluation_start(*, patient: Patient, by: StaffUser) -> Evaluation:
    """A new draft evaluation, or the patient's open draft (so a double submit adds nothing)."""
    _require_signer(by)
    if patient.clinic_id != by.clinic_id:
        # Emergency access is read-only.
        raise PermissionDenied
    draft = Evaluation.objects.filter(patient=patient, status=EvaluationStatus.DRAFT).first()
    if draft is not None:
        return draft
    evaluation = Evaluation(patient=patient, clinic_id=patient.clinic_id, created_by=by)
    evaluation.full_clean()
    evaluation.save()
    _audit(evaluation, by, AuditAction.CREATE, evaluation)
    return evaluation


@transaction.atomic
def evaluation_update(
    *, evaluation: Evaluation, by: StaffUser, changes: Mapping[str, Any]
) -> Evaluation:
    """Update the history, vitals and episode fields of a draft; impossible readings refused."""
    _require_signer(by)
    _require_draft(evaluation)
    changed = [
        name
        for name in EDITABLE_FIELDS
        if name in changes and getattr(evaluation, name) != changes[name]
    ]
    for name in changed:
        setattr(evaluation, name, changes[name])
    codes = list(evaluation.finding_codes or [])
    unknown = sorted(set(codes) - set(HISTORY_FINDINGS))
    if unknown:
        raise ValidationError({"finding_codes": f"Unknown finding(s): {', '.join(unknown)}."})
    try:
        Findings(
            codes=frozenset(codes),
            systolic_at_rest_mmhg=evaluation.systolic_at_rest_mmhg,
            diastolic_at_rest_mmhg=evaluation.diastolic_at_rest_mmhg,
            heart_rate_at_rest_bpm=evaluation.heart_rate_at_rest_bpm,
            pregnancy_status=PregnancyStatus(evaluation.pregnancy_status),
        )
    except ValueError as error:
        raise ValidationError({_findings_field(str(error)): str(error)}) from None
    evaluation.full_clean()
    if changed:
        evaluation.save()
        _audit(evaluation, by, AuditAction.CHANGE, evaluation, fields=sorted(changed))
    return evaluation


def _trial_field(message: str) -> str:
    if "Duration" in message or "duration" in message:
        return "duration_weeks"
    if "dose" in message or "Dose" in message:
        return "daily_dose_mg"
    if "drug" in message:
        return "drug"
    return "__all__"


@transaction.atomic
def evaluation_trial_add(
    *, evaluation: Evaluation, by: StaffUser, data: Mapping[str, Any]
) -> AntidepressantTrialRecord:
    _require_signer(by)
    _require_draft(evaluation)
    try:
        dose = Decimal(str(data.get("daily_dose_mg")))
        weeks = Decimal(str(data.get("duration_weeks")))
    except InvalidOperation:
        raise ValidationError(
            {"daily_dose_mg": "Enter the dose and duration as numbers."}
        ) from None
    trial = AntidepressantTrialRecord(
        evaluation=evaluation,
        drug=str(data.get("drug", "")).strip(),
        daily_dose_mg=dose,
        duration_weeks=weeks,
        adherence=data.get("adherence") or "unknown",
        outcome=data.get("outcome") or "unknown",
        reason_stopped=data.get("reason_stopped") or "other",
        in_current_episode=bool(data.get("in_current_episode", True)),
        oral=bool(data.get("oral", True)),
        augmentation=str(data.get("augmentation") or "").strip(),
        dose_adequate=data.get("dose_adequate"),
    )
    try:
        trial_of(trial)  # the pure record refuses negative weeks and doses of 0 mg or less
    except ValueError as error:
        raise ValidationError({_trial_field(str(error)): str(error)}) from None
    trial.full_clean()
    trial.save()
    _audit(evaluation, by, AuditAction.CREATE, trial)
    return trial


@transaction.atomic
def evaluation_part_remove(
    *, evaluation: Evaluation, by: StaffUser, part: str, part_id: int
) -> None:
    """Remove a trial, prior treatment or medication row from a draft."""
    _require_signer(by)
    _require_draft(evaluation)
    models = {
        "trial": AntidepressantTrialRecord,
        "treatment": PriorTreatment,
        "medication": CurrentMedication,
    }
    model = models.get(part)
    if model is None:
        raise ValidationError("Unknown part of an evaluation.")
    row = model.objects.filter(evaluation=evaluation, pk=part_id).first()  # type: ignore[attr-defined]
    if row is None:
        return  # already removed: a double submit is harmless
    _audit(evaluation, by, AuditAction.DELETE, row)
    row.delete()


@transaction.atomic
def evaluation_prior_treatment_add(
    *, evaluation: Evaluation, by: StaffUser, data: Mapping[str, Any]
) -> PriorTreatment:
    _require_signer(by)
    _require_draft(evaluation)
    treatment = PriorTreatment(
        evaluation=evaluation,
        kind=data.get("kind", ""),
        description=str(data.get("description") or "").strip(),
        sessions=data.get("sessions"),
        year=data.get("year"),
        outcome=data.get("outcome") or "unknown",
        in_current_episode=bool(data.get("in_current_episode", True)),
    )
    treatment.full_clean()
    treatment.save()
    _audit(evaluation, by, AuditAction.CREATE, treatment)
    return treatment


@transaction.atomic
def evaluation_medication_add(
    *, evaluation: Evaluation, by: StaffUser, data: Mapping[str, Any]
) -> CurrentMedication:
    _require_signer(by)
    _require_draft(evaluation)
    medication = CurrentMedication(
        evaluation=evaluation,
        name=str(data.get("name") or "").strip(),
        dose=str(data.get("dose") or "").strip(),
        flag=data.get("flag") or "",
    )
    medication.full_clean()
    medication.save()
    _audit(evaluation, by, AuditAction.CREATE, medication)
    return medication


@transaction.atomic
def evaluation_diagnosis_add(*, evaluation: Evaluation, by: StaffUser, code: str) -> Diagnosis:
    """A diagnosis for the evaluated patient, while the evaluation is still a draft."""
    _require_signer(by)
    _require_draft_for_field(evaluation, "code")
    return diagnosis_add(patient=evaluation.patient, by=by, code=code)


@transaction.atomic
def evaluation_body_record(
    *,
    evaluation: Evaluation,
    by: StaffUser,
    weight_kg: Decimal,
    height_cm: Decimal | None = None,
) -> BodyMeasurement:
    """The evaluated patient's weight (and height), while the evaluation is still a draft."""
    _require_signer(by)
    _require_draft_for_field(evaluation, "weight_kg")
    return body_measurement_record(
        patient=evaluation.patient, by=by, weight_kg=weight_kg, height_cm=height_cm
    )


def _check_decision(
    evaluation: Evaluation,
    *,
    decision: str,
    modality: str,
    protocol_code: str,
    decision_reason: str,
    clearance_needed: str,
    reevaluate_on: date | None,
    override_reason: str,
    today: date,
) -> dict[str, Any]:
    from remit.protocols.definitions import load_library

    errors: dict[str, str] = {}
    outcome = evaluation_outcome(evaluation)
    if decision not in Decision.values:
        errors["decision"] = "Choose eligible, not eligible or needs clearance."
    elif decision == Decision.ELIGIBLE:
        if modality not in ModalityChoice.values:
            errors["decision_modality"] = "Name the treatment the patient is eligible for."
        else:
            protocol = load_library().get(protocol_code)
            wanted = PROTOCOL_ROUTES[modality]
            if protocol is None:
                errors["protocol_code"] = "Choose a protocol from the library."
            elif (protocol.modality, protocol.route) != wanted:
                errors["protocol_code"] = (
                    f"{protocol.title} is not a {Modality(modality).label} protocol."
                )
            absolute = [
                f
                for f in outcome.rule_findings[Modality(modality)]
                if f.severity is Severity.ABSOLUTE
            ]
            if absolute and len(override_reason.strip()) < 10:
                errors["override_reason"] = OVERRIDE_NEEDED.format(
                    modality=Modality(modality).label,
                    matched="; ".join(f.matched for f in absolute),
                )
    elif decision == Decision.NOT_ELIGIBLE:
        if not decision_reason.strip():
            errors["decision_reason"] = "Say why the patient is not eligible."
    elif decision == Decision.NEEDS_CLEARANCE:
        if not clearance_needed.strip():
            errors["clearance_needed"] = (
                "Say what clearance is needed (e.g. blood-pressure control, cardiology)."
            )
        if reevaluate_on is None:
            errors["reevaluate_on"] = "Give the date to re-evaluate."
        elif reevaluate_on <= today:
            errors["reevaluate_on"] = "The re-evaluation date must be in the future."
    if errors:
        raise ValidationError(errors)
    return outcome_snapshot(outcome)


@transaction.atomic
def evaluation_sign(
    *,
    evaluation: Evaluation,
    by: StaffUser,
    decision: str,
    signature_confirmed: bool,
    decision_modality: str = "",
    protocol_code: str = "",
    decision_reason: str = "",
    clearance_needed: str = "",
    reevaluate_on: date | None = None,
    override_reason: str = "",
) -> Evaluation:
    """Record the decision and sign it. Signing needs SIGN_CLINICAL; afterwards the evaluation
    is read-only. Eligibility despite an absolute contraindication needs an override reason."""
    _require_signer(by)
    _require_draft(evaluation)  # takes the row lock
    evaluation.refresh_from_db()
    if not signature_confirmed:
        raise ValidationError({"signature_confirmed": SIGNATURE_MISSING})
    eligible = decision == Decision.ELIGIBLE
    snapshot = _check_decision(
        evaluation,
        decision=decision,
        modality=decision_modality if eligible else "",
        protocol_code=protocol_code if eligible else "",
        decision_reason=decision_reason,
        clearance_needed=clearance_needed,
        reevaluate_on=reevaluate_on,
        override_reason=override_reason,
        today=timezone.localdate(),
    )
    evaluation.decision = decision
    evaluation.decision_modality = decision_modality if eligible else ""
    evaluation.protocol_code = protocol_code if eligible else ""
    evaluation.decision_reason = decision_reason.strip()
    evaluation.clearance_needed = (
        clearance_needed.strip() if decision == Decision.NEEDS_CLEARANCE else ""
    )
    evaluation.reevaluate_on = reevaluate_on if decision == Decision.NEEDS_CLEARANCE else None
    evaluation.override_reason = override_reason.strip() if eligible else ""
    evaluation.signed_outcome = snapshot
    evaluation.status = EvaluationStatus.SIGNED
    evaluation.signed_by = by
    evaluation.signed_at = timezone.now()
    evaluation.full_clean()
    evaluation.save()
    _audit(
        evaluation,
        by,
        AuditAction.CHANGE,
        evaluation,
        event="signed",
        overridden=bool(evaluation.override_reason),
    )
    return evaluation


@transaction.atomic
def evaluation_addendum_add(
    *, evaluation: Evaluation, by: StaffUser, text: str
) -> EvaluationAddendum:
    _require_signer(by)
    evaluation.refresh_from_db()
    if evaluation.status != EvaluationStatus.SIGNED:
        raise ValidationError({"text": "A draft is edited directly; addenda are for signed ones."})
    if not text.strip():
        raise ValidationError({"text": "Write the addendum."})
    addendum = EvaluationAddendum(evaluation=evaluation, text=text.strip(), written_by=by)
    addendum.full_clean()
    addendum.save()
    _audit(evaluation, by, AuditAction.CREATE, addendum)
    return addendum


@transaction.atomic
def evaluation_consent_record(
    *, evaluation: Evaluation, by: StaffUser, document_version: str
) -> Any:
    """The patient's consent to the treatment chosen in a signed eligibility decision."""
    _require_signer(by)
    evaluation.refresh_from_db()
    if evaluation.status != EvaluationStatus.SIGNED or evaluation.decision != Decision.ELIGIBLE:
        raise ValidationError(
            {"document_version": "Consent follows a signed decision of eligibility."}
        )
    if not document_version.strip():
        raise ValidationError({"document_version": "Give the consent form's version."})
    kind = CONSENT_KINDS[evaluation.decision_modality]
    existing = evaluation.patient.consents.filter(
        kind=kind, document_version=document_version.strip(), withdrawn_at__isnull=True
    ).first()
    if existing is not None:
        return existing  # a double submit records nothing new
    return consent_record(
        patient=evaluation.patient, by=by, kind=kind, document_version=document_version.strip()
    )


@transaction.atomic
def rems_enrolment_record(
    *, patient: Patient, by: StaffUser, enrolled_on: date, reference: str
) -> RemsEnrolment:
    """Record the patient's esketamine REMS enrolment (a hard stop for a first dose without it)."""
    reference = reference.strip()
    if not reference:
        raise ValidationError({"reference": "Give the REMS enrolment reference."})
    if enrolled_on > timezone.localdate():
        raise ValidationError({"enrolled_on": "The enrolment date cannot be in the future."})
    existing = RemsEnrolment.objects.filter(patient=patient, reference=reference).first()
    if existing is not None:
        return existing
    enrolment = RemsEnrolment(
        patient=patient, enrolled_on=enrolled_on, reference=reference, recorded_by=by
    )
    enrolment.full_clean()
    enrolment.save()
    audit_record(
        action=AuditAction.CREATE,
        actor=by,
        obj=enrolment,
        patient_id=patient.pk,
        clinic_id=patient.clinic_id,
    )
    return enrolment


@transaction.atomic
def blood_pressure_limit_set(
    *,
    clinic: Clinic,
    by: StaffUser,
    name: str,
    systolic_mmhg: int,
    diastolic_mmhg: int,
    protocol: str,
) -> BloodPressureLimitSetting:
    """The clinic's own value for one rule limit, naming its own protocol as the source."""
    _require_signer(by)
    if name not in DEFAULT_BLOOD_PRESSURE_LIMITS:
        raise ValidationError({"name": "Unknown blood-pressure limit."})
    if not protocol.strip():
        raise ValidationError({"protocol": "Name the clinic protocol this value comes from."})
    try:
        BloodPressureLimit(systolic_mmhg, diastolic_mmhg, source=protocol, confirmed=True)
    except ValueError as error:
        field = "systolic_mmhg" if "Systolic" in str(error) else "diastolic_mmhg"
        raise ValidationError({field: str(error)}) from None
    if diastolic_mmhg >= systolic_mmhg:
        raise ValidationError({"diastolic_mmhg": "The diastolic limit must be below the systolic."})
    row, _ = BloodPressureLimitSetting.objects.get_or_create(
        clinic=clinic,
        name=name,
        defaults={
            "systolic_mmhg": systolic_mmhg,
            "diastolic_mmhg": diastolic_mmhg,
            "protocol": protocol.strip(),
        },
    )
    row.systolic_mmhg, row.diastolic_mmhg, row.protocol = (
        systolic_mmhg,
        diastolic_mmhg,
        protocol.strip(),
    )
    row.changed_by = by
    row.full_clean()
    row.save()
    audit_record(
        action=AuditAction.CHANGE,
        actor=by,
        obj=row,
        clinic_id=clinic.pk,
        detail={"fields": ["systolic_mmhg", "diastolic_mmhg", "protocol"], "limit": name},
    )
    return row


@transaction.atomic
def blood_pressure_limit_reset(*, clinic: Clinic, by: StaffUser, name: str) -> None:
    """Back to the reference's default for one limit."""
    _require_signer(by)
    row = BloodPressureLimitSetting.objects.filter(clinic=clinic, name=name).first()
    if row is None:
        return
    audit_record(
        action=AuditAction.DELETE, actor=by, obj=row, clinic_id=clinic.pk, detail={"limit": name}
    )
    row.delete()

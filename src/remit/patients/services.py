"""Every write of patient data: one transaction each, with its audit row."""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.utils import timezone

from remit.accounts.models import StaffUser
from remit.clinics.models import Clinic
from remit.core.audit import audit_record
from remit.core.models import AuditAction, AuditOutcome
from remit.core.roles import Role
from remit.patients.codes import diagnosis_codes
from remit.patients.models import (
    BodyMeasurement,
    Consent,
    Diagnosis,
    DiagnosisStatus,
    EmergencyAccess,
    Patient,
)
from remit.patients.validation import mrn_from_number

# The demographic fields a form or the API may set; anything else is ignored, never trusted.
PATIENT_DETAIL_FIELDS = (
    "legal_given_name",
    "legal_family_name",
    "preferred_name",
    "date_of_birth",
    "sex_at_birth",
    "gender_identity",
    "pronouns",
    "phone",
    "email",
    "address_line",
    "city",
    "region",
    "postal_code",
    "country",
    "preferred_language",
    "emergency_contact_name",
    "emergency_contact_relationship",
    "emergency_contact_phone",
    "active",
)

DUPLICATE_MRN = "Another patient already has this MRN."


def mrn_generate() -> str:
    while True:
        candidate = mrn_from_number(secrets.randbelow(10_000_000))
        if not Patient.objects.filter(mrn=candidate).exists():
            return candidate


def _details(data: Mapping[str, Any]) -> dict[str, Any]:
    return {name: data[name] for name in PATIENT_DETAIL_FIELDS if name in data}


@transaction.atomic
def patient_create(
    *,
    clinic: Clinic,
    by: StaffUser,
    details: Mapping[str, Any],
    mrn: str | None = None,
    weight_kg: Decimal | None = None,
    height_cm: Decimal | None = None,
) -> Patient:
    patient = Patient(clinic=clinic, mrn=mrn or mrn_generate(), **_details(details))
    patient.full_clean()
    try:
        with transaction.atomic():
            patient.save()
    except IntegrityError:
        # Two people registering with the same typed MRN at once: the unique index decides.
        raise ValidationError({"mrn": DUPLICATE_MRN}) from None
    audit_record(
        action=AuditAction.CREATE, actor=by, obj=patient, patient_id=patient.pk, clinic_id=clinic.pk
    )
    if weight_kg is not None:
        body_measurement_record(patient=patient, by=by, weight_kg=weight_kg, height_cm=height_cm)
    return patient


@transaction.atomic
def patient_update(*, patient: Patient, by: StaffUser, changes: Mapping[str, Any]) -> Patient:
    changed = [name for name, value in _details(changes).items() if getattr(patient, name) != value]
    if not changed:
        return patient
    for name in changed:
        setattr(patient, name, changes[name])
    patient.full_clean()
    patient.save(update_fields=[*changed, "updated_at"])
    # Field names only: the audit trail records what changed, not the sensitive values.
    audit_record(
        action=AuditAction.CHANGE,
        actor=by,
        obj=patient,
        patient_id=patient.pk,
        clinic_id=patient.clinic_id,
        detail={"fields": sorted(changed)},
    )
    return patient


@transaction.atomic
def body_measurement_record(
    *,
    patient: Patient,
    by: StaffUser,
    weight_kg: Decimal,
    height_cm: Decimal | None = None,
    measured_at: datetime | None = None,
) -> BodyMeasurement:
    measurement = BodyMeasurement(
        patient=patient,
        weight_kg=weight_kg,
        height_cm=height_cm,
        measured_at=measured_at or timezone.now(),
        measured_by=by,
    )
    measurement.full_clean()
    measurement.save()
    audit_record(
        action=AuditAction.CREATE,
        actor=by,
        obj=measurement,
        patient_id=patient.pk,
        clinic_id=patient.clinic_id,
    )
    return measurement


@transaction.atomic
def diagnosis_add(
    *,
    patient: Patient,
    by: StaffUser,
    code: str,
    onset_date: Any = None,
    status: str = DiagnosisStatus.ACTIVE,
) -> Diagnosis:
    known = diagnosis_codes().get(code)
    if known is None:
        raise ValidationError({"code": f"{code!r} is not in Remit's ICD-10-CM code list."})
    diagnosis = Diagnosis(
        patient=patient,
        code=code,
        label=known.label,
        onset_date=onset_date,
        status=status,
        recorded_by=by,
    )
    diagnosis.full_clean()
    diagnosis.save()
    audit_record(
        action=AuditAction.CREATE,
        actor=by,
        obj=diagnosis,
        patient_id=patient.pk,
        clinic_id=patient.clinic_id,
    )
    return diagnosis


@transaction.atomic
def consent_record(
    *,
    patient: Patient,
    by: StaffUser,
    kind: str,
    document_version: str,
    signed_at: datetime | None = None,
) -> Consent:
    consent = Consent(
        patient=patient,
        kind=kind,
        document_version=document_version,
        signed_at=signed_at or timezone.now(),
        witnessed_by=by,
    )
    consent.full_clean()
    consent.save()
    audit_record(
        action=AuditAction.CREATE,
        actor=by,
        obj=consent,
        patient_id=patient.pk,
        clinic_id=patient.clinic_id,
    )
    return consent


def patient_read_record(
    *, patient: Patient, by: StaffUser, section: str, channel: str = "page"
) -> None:
    """Record that a member of staff read a patient's data (each chart tab, API read, print).
    A read outside the user's own clinic can only be emergency access, and is flagged."""
    detail: dict[str, Any] = {"section": section, "channel": channel}
    if patient.clinic_id != by.clinic_id:
        detail["break_glass"] = True
    audit_record(
        action=AuditAction.VIEW,
        actor=by,
        obj=patient,
        patient_id=patient.pk,
        clinic_id=patient.clinic_id,
        detail=detail,
    )


EMERGENCY_NO_MATCH = "No patient matches that MRN and date of birth."
EMERGENCY_REASON_TOO_SHORT = "Give the clinical reason in at least 20 characters."


@transaction.atomic
def emergency_access_grant(
    *, user: StaffUser, mrn: str, date_of_birth: date, reason: str
) -> EmergencyAccess:
    """Open one patient of another clinic for a short time, with a reason, a flagged audit
    event and an email to that clinic's (and the user's clinic's) administrators."""
    reason = reason.strip()
    if len(reason) < 20:
        raise ValidationError({"reason": EMERGENCY_REASON_TOO_SHORT})
    patient = Patient.objects.filter(mrn=mrn.strip().upper(), date_of_birth=date_of_birth).first()
    if patient is None or patient.clinic_id == user.clinic_id:
        # Same answer for "no such patient" and "your own patient": nothing to break glass for.
        audit_record(
            action=AuditAction.BREAK_GLASS,
            actor=user,
            clinic_id=user.clinic_id,
            outcome=AuditOutcome.DENIED,
            detail={"reason": reason[:500]},
        )
        raise ValidationError({"mrn": EMERGENCY_NO_MATCH})
    now = timezone.now()
    access = EmergencyAccess.objects.create(
        user=user,
        patient=patient,
        reason=reason,
        opened_at=now,
        expires_at=now + timedelta(minutes=settings.REMIT_BREAK_GLASS_MIN),
    )
    audit_record(
        action=AuditAction.BREAK_GLASS,
        actor=user,
        obj=access,
        patient_id=patient.pk,
        clinic_id=patient.clinic_id,
        detail={"reason": reason[:500], "break_glass": True, "user_clinic_id": user.clinic_id},
    )
    transaction.on_commit(lambda: _notify_administrators(access))
    return access


def _notify_administrators(access: EmergencyAccess) -> None:
    admins = (
        StaffUser.objects.filter(
            clinic_id__in={access.patient.clinic_id, access.user.clinic_id},
            groups__name=Role.CLINIC_ADMIN,
            is_active=True,
        )
        .exclude(email="")
        .distinct()
    )
    # Identifiers stay inside Remit: the email says that it happened and where to look.
    send_mail(
        subject="Remit: emergency access to a patient record",
        message=(
            f"{access.user.get_full_name() or access.user.username} used emergency access at "
            f"{access.opened_at:%Y-%m-%d %H:%M %Z}. Review it in Remit's audit report "
            "(action: emergency access)."
        ),
        from_email=None,
        recipient_list=[admin.email for admin in admins],
        fail_silently=True,
    )

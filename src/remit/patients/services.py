"""Every write of patient data: one transaction each, with its audit row."""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from remit.accounts.models import StaffUser
from remit.clinics.models import Clinic
from remit.core.audit import audit_record
from remit.core.models import AuditAction
from remit.patients.codes import diagnosis_codes
from remit.patients.models import (
    BodyMeasurement,
    Consent,
    Diagnosis,
    DiagnosisStatus,
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


def patient_chart_open(*, patient: Patient, by: StaffUser, section: str) -> None:
    """Record that a member of staff read a patient's chart (every tab is a read)."""
    audit_record(
        action=AuditAction.VIEW,
        actor=by,
        obj=patient,
        patient_id=patient.pk,
        clinic_id=patient.clinic_id,
        detail={"section": section},
    )

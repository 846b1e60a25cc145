from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from remit.core.models import AuditEvent
from remit.patients.models import BodyMeasurement, Diagnosis, Patient
from remit.patients.services import (
    body_measurement_record,
    diagnosis_add,
    patient_create,
    patient_update,
)

pytestmark = pytest.mark.django_db

DETAILS = {
    "legal_given_name": "Wren",
    "legal_family_name": "Proxley",
    "date_of_birth": date(1984, 3, 9),
    "sex_at_birth": "female",
    "phone": "+1 555 010 0142",
    "email": "wren.proxley@example.org",
}


def test_registering_a_patient_generates_an_mrn_and_audits_it(cast):
    patient = patient_create(
        clinic=cast.clinic,
        by=cast.intake,
        details=DETAILS,
        weight_kg=Decimal("68.2"),
        height_cm=Decimal("170"),
    )
    assert patient.mrn.startswith("R") and len(patient.mrn) == 9
    assert patient.measurements.get().weight_kg == Decimal("68.2")
    actions = list(
        AuditEvent.objects.filter(patient_id=patient.pk).values_list("action", "object_type")
    )
    assert ("create", "patients.Patient") in actions
    assert ("create", "patients.BodyMeasurement") in actions


def test_a_bad_weight_saves_neither_patient_nor_measurement(cast):
    before = (Patient.objects.count(), BodyMeasurement.objects.count(), AuditEvent.objects.count())
    with pytest.raises(ValidationError):
        patient_create(clinic=cast.clinic, by=cast.intake, details=DETAILS, weight_kg=Decimal("0"))
    assert before == (
        Patient.objects.count(),
        BodyMeasurement.objects.count(),
        AuditEvent.objects.count(),
    )


def test_a_duplicate_mrn_is_refused(cast):
    with pytest.raises(ValidationError) as error:
        patient_create(clinic=cast.clinic, by=cast.intake, details=DETAILS, mrn=cast.patient.mrn)
    assert "mrn" in error.value.message_dict


def test_an_update_audits_the_names_of_the_changed_fields_not_their_values(cast):
    patient_update(
        patient=cast.patient, by=cast.intake, changes={"phone": "+1 555 010 0177", "city": "Salem"}
    )
    event = AuditEvent.objects.filter(action="change").get()
    assert event.detail == {"fields": ["city", "phone"]}
    assert "0177" not in str(event.detail)


def test_an_update_that_changes_nothing_writes_nothing(cast):
    before = AuditEvent.objects.count()
    patient_update(patient=cast.patient, by=cast.intake, changes={"phone": cast.patient.phone})
    assert AuditEvent.objects.count() == before


def test_an_invalid_update_leaves_the_record_as_it_was(cast):
    with pytest.raises(ValidationError):
        patient_update(patient=cast.patient, by=cast.intake, changes={"email": "not-an-email"})
    cast.patient.refresh_from_db()
    assert cast.patient.email.endswith("@example.org")


def test_a_diagnosis_must_come_from_the_shipped_code_list(cast):
    diagnosis = diagnosis_add(patient=cast.patient, by=cast.prescriber, code="F33.2")
    assert diagnosis.label.startswith("Major depressive disorder, recurrent severe")
    with pytest.raises(ValidationError, match="code list"):
        diagnosis_add(patient=cast.patient, by=cast.prescriber, code="Z99.99")
    assert Diagnosis.objects.count() == 1


def test_a_measurement_outside_plausible_height_is_refused(cast):
    with pytest.raises(ValidationError):
        body_measurement_record(
            patient=cast.patient, by=cast.nurse, weight_kg=Decimal("70"), height_cm=Decimal("260")
        )
    assert not BodyMeasurement.objects.exists()

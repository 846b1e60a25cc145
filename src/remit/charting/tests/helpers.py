"""Builders for charting tests: a booked appointment on a library protocol, and a session
walked to a given stage through the services (never by writing rows directly)."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from django.utils import timezone

from remit.accounts.models import StaffUser
from remit.charting import services
from remit.charting.models import DoseRecord, Session
from remit.clinics.models import Clinic, Resource
from remit.core.tests.factories import BodyMeasurementFactory, ResourceFactory
from remit.patients.models import Patient
from remit.protocols.definitions import load_library
from remit.protocols.models import ProtocolVersion, TreatmentCourse
from remit.protocols.versions import protocol_to_dict
from remit.scheduling.models import Appointment

IV = "iv-ketamine-induction"
ESKETAMINE = "esketamine-trd"
TMS = "tms-10hz"


def protocol_version(code: str = IV) -> ProtocolVersion:
    protocol = load_library()[code]
    version, _ = ProtocolVersion.objects.get_or_create(
        clinic=None,
        code=code,
        version=protocol.version,
        defaults={
            "title": protocol.title,
            "modality": protocol.modality,
            "route": protocol.route,
            "definition": protocol_to_dict(protocol),
        },
    )
    return version


def booked_appointment(
    *,
    clinic: Clinic,
    patient: Patient,
    code: str = IV,
    start: datetime | None = None,
    resource: Resource | None = None,
    session_number: int = 2,
) -> Appointment:
    version = protocol_version(code)
    protocol = load_library()[code]
    course = TreatmentCourse.objects.create(
        clinic=clinic,
        patient=patient,
        protocol_version=version,
        phase=protocol.phases[0].code,
        status="active",
    )
    start = start or timezone.now() - timedelta(minutes=5)
    return Appointment.objects.create(
        clinic=clinic,
        patient=patient,
        course=course,
        phase=protocol.phases[0].code,
        session_number=session_number,
        resource=resource or ResourceFactory(clinic=clinic, kind=protocol.resource_kind.value),
        start=start,
        end=start + timedelta(minutes=protocol.session.occupancy_min or 60),
    )


NORMAL: dict[str, Any] = {
    "systolic": 122,
    "diastolic": 78,
    "heart_rate": 72,
    "spo2": 98,
    "respiratory_rate": 14,
}


def checked_in(*, clinic: Clinic, patient: Patient, nurse: StaffUser, code: str = IV) -> Session:
    appointment = booked_appointment(clinic=clinic, patient=patient, code=code)
    return services.session_check_in(appointment=appointment, by=nurse)


def ready(
    *,
    clinic: Clinic,
    patient: Patient,
    nurse: StaffUser,
    prescriber: StaffUser | None = None,
    code: str = IV,
    weight_kg: Decimal = Decimal("70.0"),
) -> Session:
    """Checked in, weighed, weight basis chosen, normal pre-dose vitals, gate clear."""
    BodyMeasurementFactory(patient=patient, weight_kg=weight_kg, measured_by=nurse)
    session = checked_in(clinic=clinic, patient=patient, nurse=nurse, code=code)
    services.weight_basis_set(patient=patient, basis="actual", by=nurse)
    services.vitals_record(session=session, by=nurse, **NORMAL)
    services.gate_check(
        session=session,
        by=nurse,
        answers=services.GateAnswers(
            fasting_confirmed=True,
            ride_home_confirmed=True,
            prescriber_on_site=prescriber,
        ),
    )
    session.refresh_from_db()
    return session


def esketamine_dosed(cast: Any, mg: int = 56, lot: str = "EK-55") -> tuple[Session, DoseRecord]:
    """An esketamine session of the cast's patient, past the gate, with the dose recorded."""
    session = ready(
        clinic=cast.clinic,
        patient=cast.patient,
        nurse=cast.nurse,
        prescriber=cast.prescriber,
        code=ESKETAMINE,
    )
    dose = services.dose_record(
        session=session, by=cast.nurse, entry=services.DoseInput(dose_mg=Decimal(mg), lot=lot)
    )
    return session, dose

"""Patient operations of the JSON API; the same selectors and services as the pages."""

from __future__ import annotations

from typing import Literal

from django.http import HttpRequest
from ninja import Query, Router, Schema, Status
from pydantic import Field

from remit.api import ErrorPublic, staff_auth, staff_user
from remit.core.roles import Capability
from remit.patients.models import BodyMeasurement, Patient
from remit.patients.schemas import (
    MeasurementCreate,
    MeasurementPublic,
    PatientCreate,
    PatientPublic,
    PatientsPublic,
    PatientUpdate,
)
from remit.patients.selectors import patient_get_for_edit, patient_get_for_staff, patient_search
from remit.patients.services import (
    body_measurement_record,
    patient_create,
    patient_read_record,
    patient_update,
)

API_PREFIX = "/patients"
router = Router(auth=staff_auth, tags=["patients"])
ERRORS = {401: ErrorPublic, 403: ErrorPublic, 404: ErrorPublic, 422: ErrorPublic}


class PatientQuery(Schema):
    q: str = Field("", max_length=100)
    sort: Literal["name", "-name", "mrn", "dob", "-dob"] = "name"
    limit: int = Field(25, ge=1, le=100)
    offset: int = Field(0, ge=0, le=1_000_000)


@router.get("", response={200: PatientsPublic, **ERRORS})
def list_patients(request: HttpRequest, query: Query[PatientQuery]) -> dict[str, object]:
    user = staff_user(request, Capability.VIEW_DEMOGRAPHICS)
    patients = patient_search(user=user, query=query.q, sort=query.sort)
    return {
        "data": list(patients[query.offset : query.offset + query.limit]),
        "count": patients.count(),
    }


@router.post("", response={201: PatientPublic, **ERRORS})
def create_patient(request: HttpRequest, payload: PatientCreate) -> Status[Patient]:
    user = staff_user(request, Capability.EDIT_DEMOGRAPHICS)
    details = payload.dict(exclude={"weight_kg", "height_cm"})
    patient = patient_create(
        clinic=user.home_clinic,
        by=user,
        details=details,
        weight_kg=payload.weight_kg,
        height_cm=payload.height_cm,
    )
    return Status(201, patient)


@router.get("/{patient_id}", response={200: PatientPublic, **ERRORS})
def get_patient(request: HttpRequest, patient_id: int) -> Patient:
    user = staff_user(request, Capability.VIEW_DEMOGRAPHICS)
    patient = patient_get_for_staff(user=user, patient_id=patient_id)
    patient_read_record(patient=patient, by=user, section="demographics", channel="api")
    return patient


@router.patch("/{patient_id}", response={200: PatientPublic, **ERRORS})
def update_patient(request: HttpRequest, patient_id: int, payload: PatientUpdate) -> Patient:
    user = staff_user(request, Capability.EDIT_DEMOGRAPHICS)
    patient = patient_get_for_edit(user=user, patient_id=patient_id)
    return patient_update(patient=patient, by=user, changes=payload.dict(exclude_unset=True))


@router.get("/{patient_id}/measurements", response={200: list[MeasurementPublic], **ERRORS})
def list_measurements(request: HttpRequest, patient_id: int) -> list[BodyMeasurement]:
    user = staff_user(request, Capability.VIEW_CLINICAL)
    patient = patient_get_for_staff(user=user, patient_id=patient_id)
    patient_read_record(patient=patient, by=user, section="measurements", channel="api")
    return list(patient.measurements.all())


@router.post("/{patient_id}/measurements", response={201: MeasurementPublic, **ERRORS})
def create_measurement(
    request: HttpRequest, patient_id: int, payload: MeasurementCreate
) -> Status[BodyMeasurement]:
    user = staff_user(request, Capability.CHART_SESSION)
    patient = patient_get_for_edit(user=user, patient_id=patient_id)
    measurement = body_measurement_record(
        patient=patient, by=user, weight_kg=payload.weight_kg, height_cm=payload.height_cm
    )
    return Status(201, measurement)

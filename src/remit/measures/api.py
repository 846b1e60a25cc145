"""Measures operations of the JSON API; the same selectors and services as the pages."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest
from ninja import Router

from remit.api import ErrorPublic, staff_auth, staff_user
from remit.core.roles import Capability
from remit.measures.models import Assessment
from remit.measures.schemas import AssessmentCreate, AssessmentPublic
from remit.measures.scoring import InvalidAnswers
from remit.measures.selectors import patient_assessments
from remit.measures.services import assessment_record
from remit.patients.selectors import patient_get_for_staff
from remit.patients.services import patient_read_record
from remit.protocols.models import TreatmentCourse

API_PREFIX = "/measures"
router = Router(auth=staff_auth, tags=["measures"])
ERRORS = {401: ErrorPublic, 403: ErrorPublic, 404: ErrorPublic, 422: ErrorPublic}


@router.get("/patients/{patient_id}/assessments", response={200: list[AssessmentPublic], **ERRORS})
def list_assessments(request: HttpRequest, patient_id: int) -> list[Assessment]:
    user = staff_user(request, Capability.VIEW_CLINICAL)
    patient = patient_get_for_staff(user=user, patient_id=patient_id)
    patient_read_record(patient=patient, by=user, section="measures", channel="api")
    return list(patient_assessments(patient)[:500])


@router.post("/patients/{patient_id}/assessments", response={201: AssessmentPublic, **ERRORS})
def create_assessment(
    request: HttpRequest, patient_id: int, payload: AssessmentCreate
) -> tuple[int, Assessment]:
    user = staff_user(request, Capability.CHART_SESSION)
    patient = patient_get_for_staff(user=user, patient_id=patient_id)
    if patient.clinic_id != user.clinic_id:
        raise PermissionDenied  # emergency access reads; it never writes
    course = None
    if payload.course_id is not None:
        course = TreatmentCourse.objects.filter(pk=payload.course_id, patient=patient).first()
        if course is None:
            raise ValidationError({"course_id": "No such course for this patient."})
    try:
        assessment = assessment_record(
            patient=patient,
            code=payload.instrument,
            answers=payload.answers,
            method=payload.method,
            collected_by=user,
            course=course,
            collected_at=payload.collected_at,
        )
    except InvalidAnswers as error:
        raise ValidationError({error.link_id or "answers": str(error)}) from None
    return 201, assessment

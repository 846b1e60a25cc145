"""Every write of intake data: public submissions, status changes, conversion to a patient.

Nothing here logs personal data: requests are stored and audited by id only.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from remit.accounts.models import StaffUser
from remit.clinics.models import Clinic
from remit.core.audit import audit_record
from remit.core.models import AuditAction
from remit.intake.models import ConsultationRequest, PublicSubmission, RequestStatusChange
from remit.intake.screening import ClinicianSuggested, ScreenAnswers, ScreenResult, screen_result
from remit.intake.transitions import RequestStatus, TransitionError, check_transition
from remit.patients.models import Patient
from remit.patients.services import patient_create

# Public submissions allowed per address in the window; a person who fills the form twice
# is fine, a script is not. Plain constants, documented in docs/intake.md.
MAX_SUBMISSIONS_PER_ADDRESS = 5
SUBMISSION_WINDOW = timedelta(hours=1)
REQUEST_FIELDS = (
    "given_name",
    "family_name",
    "date_of_birth",
    "email",
    "phone",
    "contact_method",
    "contact_times",
    "consent_to_contact",
    "heard_from",
    "message",
)


class RateLimited(Exception):
    """Too many public submissions from one address in the window."""


def address_hash(address: str) -> str:
    """A keyed hash of the client address: enough to count, useless to identify."""
    key = settings.SECRET_KEY.encode()
    return hmac.new(key, address.encode(), hashlib.sha256).hexdigest()


@transaction.atomic
def public_submission_admit(*, address: str) -> None:
    """Count one public submission from `address`, or raise RateLimited (database-backed, so it
    holds across worker processes)."""
    now = timezone.now()
    # Old rows say nothing any more; clearing them keeps the table small.
    PublicSubmission.objects.filter(at__lt=now - SUBMISSION_WINDOW).delete()
    hashed = address_hash(address)
    recent = PublicSubmission.objects.filter(address_hash=hashed, at__gte=now - SUBMISSION_WINDOW)
    if recent.count() >= MAX_SUBMISSIONS_PER_ADDRESS:
        raise RateLimited
    PublicSubmission.objects.create(address_hash=hashed, at=now)


def screen_answers_dict(answers: ScreenAnswers) -> dict[str, Any]:
    """The answers as stored (keys are the self-screen's linkIds)."""
    return {
        "conditions": sorted(answers.conditions),
        "symptoms": sorted(answers.symptoms),
        "antidepressants_tried": answers.antidepressants_tried,
        "talk_therapy_tried": answers.talk_therapy_tried,
        "clinician_suggested": answers.clinician_suggested.value,
        "phq9": list(answers.phq9_answers) if answers.phq9_answers is not None else None,
        "gad7": list(answers.gad7_answers) if answers.gad7_answers is not None else None,
        "thoughts_of_ending_life": answers.thoughts_of_ending_life,
    }


def screen_answers_from(data: Mapping[str, Any]) -> ScreenAnswers:
    """Stored answers back into the pure record; ValueError when they do not fit."""
    phq9, gad7 = data.get("phq9"), data.get("gad7")
    return ScreenAnswers(
        conditions=frozenset(data.get("conditions") or ()),
        symptoms=frozenset(data.get("symptoms") or ()),
        antidepressants_tried=int(data.get("antidepressants_tried") or 0),
        talk_therapy_tried=bool(data.get("talk_therapy_tried")),
        clinician_suggested=ClinicianSuggested(data.get("clinician_suggested") or "none"),
        phq9_answers=tuple(phq9) if phq9 is not None else None,
        gad7_answers=tuple(gad7) if gad7 is not None else None,
        thoughts_of_ending_life=data.get("thoughts_of_ending_life"),
    )


def screen_result_dict(result: ScreenResult) -> dict[str, Any]:
    def questionnaire(q: Any) -> dict[str, Any] | None:
        if q is None:
            return None
        return {"instrument": q.instrument, "total": q.total, "severity": q.severity}

    return {
        "urgent": result.urgent,
        "urgent_reasons": list(result.urgent_reasons),
        "summary": result.summary,
        "fits": [
            {"name": f.name, "may_fit": f.may_fit, "reasons": list(f.reasons)} for f in result.fits
        ],
        "phq9": questionnaire(result.phq9),
        "gad7": questionnaire(result.gad7),
    }


def _status_change(
    request: ConsultationRequest, old: str, new: str, by: StaffUser | None, reason: str = ""
) -> None:
    RequestStatusChange.objects.create(
        request=request, old_status=old, new_status=new, reason=reason, changed_by=by
    )


@transaction.atomic
def consultation_request_submit(
    *, clinic: Clinic, data: Mapping[str, Any], screen: ScreenAnswers | None
) -> ConsultationRequest:
    """A consultation request from the public page; urgent when the screen suggests acute risk.
    The screen's result is recomputed here, never taken from the browser."""
    result = screen_result(screen) if screen is not None else None
    request = ConsultationRequest(
        clinic=clinic,
        urgent=bool(result and result.urgent),
        screen_answers=screen_answers_dict(screen) if screen is not None else {},
        screen_result=screen_result_dict(result) if result is not None else {},
        **{name: data[name] for name in REQUEST_FIELDS if name in data},
    )
    if not request.consent_to_contact:
        raise ValidationError({"consent_to_contact": "We can only reply if you agree to this."})
    if not request.email and not request.phone:
        raise ValidationError({"phone": "Give a phone number or an email address."})
    if request.contact_method == "email" and not request.email:
        raise ValidationError({"email": "Give an email address, or choose another way to reply."})
    if request.contact_method in {"phone", "text"} and not request.phone:
        raise ValidationError({"phone": "Give a phone number, or choose email."})
    request.full_clean()
    request.save()
    _status_change(request, "", RequestStatus.NEW, None)
    audit_record(
        action=AuditAction.CREATE,
        obj=request,
        clinic_id=clinic.pk,
        detail={"source": "public", "urgent": request.urgent},
    )
    return request


def consultation_request_read_record(*, request: ConsultationRequest, by: StaffUser) -> None:
    """Record that a member of staff opened a consultation request: it holds a prospective
    patient's contact details and self-screen answers, read as carefully as a chart."""
    audit_record(
        action=AuditAction.VIEW,
        actor=by,
        obj=request,
        patient_id=request.patient_id,
        clinic_id=request.clinic_id,
        detail={"section": "consultation request", "channel": "page"},
    )


@transaction.atomic
def consultation_request_transition(
    *, request: ConsultationRequest, by: StaffUser, new_status: str, reason: str = ""
) -> ConsultationRequest:
    request = ConsultationRequest.objects.select_for_update().get(pk=request.pk)
    if request.status == new_status:
        return request  # a double submit changes nothing
    try:
        check_transition(request.status, new_status, reason=reason)
        if RequestStatus(new_status) is RequestStatus.BECAME_PATIENT:
            raise TransitionError("A request becomes a patient by converting it.")
    except (TransitionError, ValueError) as error:
        field = error.field if isinstance(error, TransitionError) else "status"
        raise ValidationError({field: str(error)}) from None
    old = request.status
    request.status = new_status
    if new_status == RequestStatus.DECLINED:
        request.decline_reason = reason.strip()
    request.save(update_fields=["status", "decline_reason", "updated_at"])
    _status_change(request, old, new_status, by, reason.strip())
    audit_record(
        action=AuditAction.CHANGE,
        actor=by,
        obj=request,
        clinic_id=request.clinic_id,
        detail={"fields": ["status"], "status": new_status},
    )
    return request


@transaction.atomic
def consultation_request_convert(
    *, request: ConsultationRequest, by: StaffUser, details: Mapping[str, Any]
) -> Patient:
    """Create the patient from the request (the self-screen stays attached to the request,
    which now points at the patient) and close the request as "became a patient"."""
    request = ConsultationRequest.objects.select_for_update().get(pk=request.pk)
    if request.patient_id is not None:
        return request.patient  # type: ignore[return-value]  # converted already
    try:
        check_transition(request.status, RequestStatus.BECAME_PATIENT)
    except TransitionError as error:
        raise ValidationError({"__all__": str(error)}) from None
    patient = patient_create(clinic=request.clinic, by=by, details=details)
    old = request.status
    request.patient = patient
    request.status = RequestStatus.BECAME_PATIENT
    request.save(update_fields=["patient", "status", "updated_at"])
    _status_change(request, old, RequestStatus.BECAME_PATIENT, by)
    audit_record(
        action=AuditAction.CHANGE,
        actor=by,
        obj=request,
        patient_id=patient.pk,
        clinic_id=request.clinic_id,
        detail={"fields": ["patient", "status"], "status": RequestStatus.BECAME_PATIENT.value},
    )
    return patient

"""Consultation requests for tests, through the model (the public service is tested itself)."""

from __future__ import annotations

from typing import Any

from remit.clinics.models import Clinic
from remit.intake.models import ConsultationRequest, RequestStatusChange


def consultation_request(clinic: Clinic, **fields: Any) -> ConsultationRequest:
    values: dict[str, Any] = {
        "given_name": "Quinn",
        "family_name": "Requester",
        "email": "quinn.requester@example.org",
        "phone": "+1 555 0150",
        "contact_method": "email",
        "consent_to_contact": True,
        **fields,
    }
    request = ConsultationRequest.objects.create(clinic=clinic, **values)
    RequestStatusChange.objects.create(request=request, old_status="", new_status=request.status)
    return request

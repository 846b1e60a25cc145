"""What a patient link may ask of the API: its own patient's portal data, nothing else."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Router, Schema

from remit.api import ErrorPublic, patient_auth
from remit.portal.models import PatientLink
from remit.portal.services import link_read_record

API_PREFIX = "/portal"
router = Router(auth=patient_auth, tags=["portal"])


class PortalMe(Schema):
    preferred_name: str
    clinic: str
    link_expires_at: str


@router.get("/me", response={200: PortalMe, 401: ErrorPublic})
def me(request: HttpRequest) -> dict[str, str]:
    link: PatientLink = request.auth  # type: ignore[attr-defined]
    link_read_record(link=link, section="portal-api")
    patient = link.patient
    return {
        "preferred_name": patient.preferred_name or patient.legal_given_name,
        "clinic": patient.clinic.name,
        "link_expires_at": link.expires_at.isoformat(),
    }

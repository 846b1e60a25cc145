"""Reads of consultation requests, scoped to the staff member's clinic."""

from __future__ import annotations

from django.db.models import Count, Q, QuerySet
from django.http import Http404

from remit.accounts.models import StaffUser
from remit.core.access import user_can
from remit.core.roles import Capability
from remit.intake.models import ConsultationRequest
from remit.intake.transitions import RequestStatus
from remit.patients.models import Patient

# Queue filters a request may ask for; anything else shows the open requests.
QUEUE_FILTERS: dict[str, tuple[str, ...]] = {
    "open": (
        RequestStatus.NEW.value,
        RequestStatus.CONTACTED.value,
        RequestStatus.CONSULTATION_BOOKED.value,
    ),
    **{status.value: (status.value,) for status in RequestStatus},
}


def requests_visible_to(user: StaffUser) -> QuerySet[ConsultationRequest]:
    if not user_can(user, Capability.WORK_INTAKE):
        return ConsultationRequest.objects.none()
    return ConsultationRequest.objects.filter(clinic_id=user.home_clinic_id)


def intake_queue(*, user: StaffUser, show: str = "open") -> QuerySet[ConsultationRequest]:
    """Urgent first, then oldest first, so nobody waits longest by accident."""
    statuses = QUEUE_FILTERS.get(show, QUEUE_FILTERS["open"])
    return (
        requests_visible_to(user)
        .filter(status__in=statuses)
        .order_by("-urgent", "created_at", "id")
    )


def intake_counts(user: StaffUser) -> dict[str, int]:
    rows = requests_visible_to(user).values("status").annotate(n=Count("id"))
    counts = {status.value: 0 for status in RequestStatus}
    counts.update({row["status"]: row["n"] for row in rows})
    counts["urgent_open"] = (
        requests_visible_to(user).filter(urgent=True, status__in=QUEUE_FILTERS["open"]).count()
    )
    return counts


def request_get_for_staff(*, user: StaffUser, request_id: int) -> ConsultationRequest:
    """The request, or 404 whether missing or of another clinic."""
    found = (
        requests_visible_to(user)
        .select_related("clinic", "patient")
        .prefetch_related("status_changes__changed_by")
        .filter(pk=request_id)
        .first()
    )
    if found is None:
        raise Http404("No such request")
    return found


def _digits(text: str) -> str:
    return "".join(ch for ch in text if ch.isdigit())


def possible_duplicates(request: ConsultationRequest) -> list[Patient]:
    """Patients of the same clinic with the same name and date of birth, or the same email or
    phone number (compared by digits)."""
    match = Q(pk__in=[])
    if request.date_of_birth is not None:
        match |= Q(
            legal_family_name__iexact=request.family_name.strip(),
            legal_given_name__iexact=request.given_name.strip(),
            date_of_birth=request.date_of_birth,
        )
    if request.email:
        match |= Q(email__iexact=request.email.strip())
    digits = _digits(request.phone)
    if len(digits) >= 7:
        # Narrow in the database by the last four digits, then compare every digit here.
        match |= Q(phone__endswith=digits[-4:])
    candidates = Patient.objects.filter(Q(clinic_id=request.clinic_id) & match).order_by(
        "legal_family_name", "legal_given_name", "id"
    )[:50]
    found = []
    for patient in candidates:
        same_phone = bool(digits) and _digits(patient.phone)[-10:] == digits[-10:]
        same_email = bool(request.email) and patient.email.lower() == request.email.strip().lower()
        same_person = (
            request.date_of_birth is not None
            and patient.date_of_birth == request.date_of_birth
            and patient.legal_family_name.lower() == request.family_name.strip().lower()
            and patient.legal_given_name.lower() == request.given_name.strip().lower()
        )
        if same_phone or same_email or same_person:
            found.append(patient)
    return found


def screened_requests_of(patient: Patient) -> list[ConsultationRequest]:
    """The patient's converted requests that carried a self-screen (the patient is scoped)."""
    return [
        r
        for r in ConsultationRequest.objects.filter(patient=patient).order_by("-created_at")[:3]
        if r.screen_result
    ]

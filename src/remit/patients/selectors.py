"""Reads of patient data, always scoped to what the asking staff member may see."""

from __future__ import annotations

import re
from datetime import date, datetime

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone

from remit.accounts.models import StaffUser
from remit.core.access import user_can
from remit.core.roles import Capability
from remit.patients.models import BodyMeasurement, EmergencyAccess, Patient

# Sort keys a request may ask for, mapped to columns: nothing else reaches ORDER BY.
PATIENT_SORTS = {
    "name": ("legal_family_name", "legal_given_name", "id"),
    "-name": ("-legal_family_name", "-legal_given_name", "-id"),
    "mrn": ("mrn",),
    "dob": ("date_of_birth", "id"),
    "-dob": ("-date_of_birth", "-id"),
}
_MRN_LIKE = re.compile(r"^R?\d{3,8}$", re.IGNORECASE)


def patients_visible_to(user: StaffUser) -> QuerySet[Patient]:
    """The one scope for patient data: staff see their own clinic's patients if their role
    needs demographics, plus any patient they opened by emergency access that is still open."""
    scope = Q(pk__in=[])
    if user_can(user, Capability.VIEW_DEMOGRAPHICS):
        scope |= Q(clinic_id=user.clinic_id)
    if user_can(user, Capability.BREAK_GLASS):
        # A subquery, not a join: a join needs DISTINCT over every column on each search.
        opened = EmergencyAccess.objects.filter(user=user, expires_at__gt=timezone.now())
        scope |= Q(pk__in=opened.values("patient_id"))
    return Patient.objects.filter(scope)


def _parse_date(text: str) -> date | None:
    for pattern in ("%Y-%m-%d", "%m/%d/%Y", "%d.%m.%Y"):
        try:
            return datetime.strptime(text, pattern).date()  # noqa: DTZ007 (a date, no time)
        except ValueError:
            continue
    return None


def patient_search(
    *, user: StaffUser, query: str = "", sort: str = "name", include_inactive: bool = False
) -> QuerySet[Patient]:
    patients = patients_visible_to(user)
    if not include_inactive:
        patients = patients.filter(active=True)
    query = query.strip()
    if query:
        born = _parse_date(query)
        if born is not None:
            patients = patients.filter(date_of_birth=born)
        elif _MRN_LIKE.match(query):
            patients = patients.filter(mrn__istartswith=query if query[0] in "Rr" else f"R{query}")
        else:
            for word in query.split()[:4]:
                patients = patients.filter(
                    Q(legal_family_name__icontains=word)
                    | Q(legal_given_name__icontains=word)
                    | Q(preferred_name__icontains=word)
                )
    return patients.order_by(*PATIENT_SORTS.get(sort, PATIENT_SORTS["name"]))


def patient_get_for_staff(*, user: StaffUser, patient_id: int) -> Patient:
    """The patient, or 404 whether it does not exist or is outside the user's scope."""
    patient = patients_visible_to(user).select_related("clinic").filter(pk=patient_id).first()
    if patient is None:
        raise Http404("No such patient")
    return patient


def patient_get_for_edit(*, user: StaffUser, patient_id: int) -> Patient:
    """A patient of the user's own clinic, to change: emergency access reads, it never edits
    (403), and a patient outside the user's scope is a 404 as for reading."""
    patient = patient_get_for_staff(user=user, patient_id=patient_id)
    if patient.clinic_id != user.clinic_id:
        raise PermissionDenied("Emergency access is read-only.")
    return patient


def latest_measurement(patient: Patient) -> BodyMeasurement | None:
    return patient.measurements.select_related("measured_by").first()  # newest first (Meta)

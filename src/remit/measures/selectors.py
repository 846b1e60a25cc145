"""Reads of assessments, requests and alerts.

Functions taking a `patient` expect one already scoped for the asking user (from
`patient_get_for_staff`); functions taking a `user` scope through `patients_visible_to`.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from django.db.models import QuerySet
from django.http import Http404

from remit.accounts.models import StaffUser
from remit.clinics.models import Clinic
from remit.measures.instruments import Instrument
from remit.measures.models import (
    AlertStatus,
    Assessment,
    AssessmentRequest,
    AssessmentSchedule,
    LicensedItemText,
    MeasuresSettings,
    SafetyAlert,
)
from remit.patients.models import Patient
from remit.patients.selectors import patients_visible_to

# Appointment statuses that mean a session took place or is planned (for chart session marks).
SESSION_STATUSES = ("booked", "arrived", "checked-in", "fulfilled")


def open_safety_alerts(patient: Patient) -> QuerySet[SafetyAlert]:
    """The patient's safety alerts no prescriber has acknowledged yet, newest first."""
    return (
        SafetyAlert.objects.filter(patient=patient, status=AlertStatus.OPEN)
        .select_related("assessment")
        .order_by("-raised_at", "-id")
    )


def latest_assessments(patient: Patient, codes: Sequence[str]) -> dict[str, Assessment]:
    """The patient's most recent assessment of each instrument in `codes` that has one."""
    latest: dict[str, Assessment] = {}
    for assessment in Assessment.objects.filter(
        patient=patient, instrument__in=list(codes)
    ).order_by("instrument", "-collected_at", "-id"):
        latest.setdefault(assessment.instrument, assessment)
    return latest


def assessments_since(
    patient: Patient, since: datetime, codes: Sequence[str] | None = None
) -> QuerySet[Assessment]:
    """The patient's assessments collected at or after `since`, oldest first."""
    found = Assessment.objects.filter(patient=patient, collected_at__gte=since)
    if codes is not None:
        found = found.filter(instrument__in=list(codes))
    return found.select_related("collected_by").order_by("collected_at", "id")


def patient_assessments(patient: Patient) -> QuerySet[Assessment]:
    return (
        Assessment.objects.filter(patient=patient)
        .select_related("collected_by")
        .order_by("-collected_at", "-id")
    )


def patient_requests(patient: Patient) -> QuerySet[AssessmentRequest]:
    return AssessmentRequest.objects.filter(patient=patient).select_related("created_by")


def patient_schedules(patient: Patient) -> QuerySet[AssessmentSchedule]:
    return AssessmentSchedule.objects.filter(patient=patient).select_related("course")


def patient_alerts(patient: Patient) -> QuerySet[SafetyAlert]:
    return (
        SafetyAlert.objects.filter(patient=patient)
        .select_related("assessment", "acknowledged_by")
        .order_by("-status", "-raised_at", "-id")
    )


def session_starts(patient: Patient) -> list[datetime]:
    from remit.scheduling.models import Appointment

    return list(
        Appointment.objects.filter(patient=patient, status__in=SESSION_STATUSES).values_list(
            "start", flat=True
        )
    )


def clinic_open_alerts(user: StaffUser) -> QuerySet[SafetyAlert]:
    """Open alerts of the user's own clinic's patients (the prescribers' start page)."""
    if user.clinic_id is None:
        return SafetyAlert.objects.none()
    return (
        SafetyAlert.objects.filter(
            status=AlertStatus.OPEN,
            clinic_id=user.clinic_id,
            patient__in=patients_visible_to(user),
        )
        .select_related("patient", "assessment")
        .order_by("raised_at", "id")
    )


def alert_get_for_staff(*, user: StaffUser, alert_id: int) -> SafetyAlert:
    """The alert, or 404 whether it does not exist or its patient is out of the user's scope."""
    alert = (
        SafetyAlert.objects.filter(pk=alert_id, patient__in=patients_visible_to(user))
        .select_related("patient", "assessment", "acknowledged_by")
        .first()
    )
    if alert is None:
        raise Http404("No such alert")
    return alert


def schedule_get_for_staff(*, user: StaffUser, schedule_id: int) -> AssessmentSchedule:
    schedule = (
        AssessmentSchedule.objects.filter(pk=schedule_id, patient__in=patients_visible_to(user))
        .select_related("patient")
        .first()
    )
    if schedule is None:
        raise Http404("No such schedule")
    return schedule


def measures_settings_of(clinic: Clinic) -> MeasuresSettings:
    """The clinic's settings, or the defaults (unsaved) if it never changed them."""
    found = MeasuresSettings.objects.filter(clinic=clinic).first()
    return found if found is not None else MeasuresSettings(clinic=clinic)


def item_texts(clinic: Clinic | None, instrument: Instrument) -> dict[str, str]:
    """Each item's wording for this clinic: its licensed text where it loaded one, else the
    text Remit ships (full wording or a short label). One query."""
    texts = {item.link_id: item.text for item in instrument.items}
    if clinic is None or instrument.licence.item_text_included:
        return texts
    for link_id, text in LicensedItemText.objects.filter(
        clinic=clinic, instrument=instrument.code
    ).values_list("link_id", "text"):
        if link_id in texts:
            texts[link_id] = text
    return texts


def option_texts(clinic: Clinic | None, instrument: Instrument) -> dict[str, dict[str, str]]:
    """The clinic's licensed answer-option wording, by linkId then option value. One query."""
    if clinic is None or instrument.licence.item_text_included:
        return {}
    return {
        link_id: options
        for link_id, options in LicensedItemText.objects.filter(
            clinic=clinic, instrument=instrument.code
        ).values_list("link_id", "option_texts")
        if options
    }


def licensed_texts_of(clinic: Clinic) -> dict[str, int]:
    """How many items of each instrument have licensed text loaded by the clinic."""
    counts: dict[str, int] = {}
    for code in LicensedItemText.objects.filter(clinic=clinic).values_list("instrument", flat=True):
        counts[code] = counts.get(code, 0) + 1
    return counts

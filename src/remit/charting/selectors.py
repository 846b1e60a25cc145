"""Reads for charting, always scoped through the patient or the staff member's clinic."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Count, Max, Prefetch, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from remit.accounts.models import StaffUser
from remit.charting.dosing import Modality
from remit.charting.models import (
    RUNNING_STAGES,
    ClinicChartingSettings,
    Session,
    SessionAlert,
    Stage,
    ThresholdSetting,
    VitalSigns,
)
from remit.charting.monitoring import (
    DEFAULT_THRESHOLDS,
    MONITORING_SCHEDULES,
    Threshold,
    VitalsThresholds,
    next_check_due,
)
from remit.clinics.models import Clinic
from remit.patients.models import Patient
from remit.patients.selectors import patients_visible_to
from remit.protocols.definitions import Protocol, ProtocolError
from remit.protocols.selectors import protocol_of
from remit.scheduling.models import Appointment
from remit.scheduling.selectors import local_day_bounds, zone

# The REMS Patient Monitoring Form is due within 7 days of the session [S72], [S73].
REMS_FORM_DUE_DAYS = 7


def clinic_settings(clinic: Clinic) -> ClinicChartingSettings:
    """The clinic's charting settings, or the defaults (unsaved) when it never changed them."""
    found = ClinicChartingSettings.objects.filter(clinic=clinic).first()
    return found or ClinicChartingSettings(clinic=clinic)


def thresholds_for(clinic_id: int) -> VitalsThresholds:
    """The shipped defaults of monitoring.py with the clinic's own values laid over them."""
    rows = ThresholdSetting.objects.filter(clinic_id=clinic_id)
    changes = {
        row.name: Threshold(row.value, row.source, row.confirmed)
        for row in rows
        if hasattr(DEFAULT_THRESHOLDS, row.name)
    }
    if not changes:
        return DEFAULT_THRESHOLDS
    return dataclasses.replace(DEFAULT_THRESHOLDS, **changes)


def local_today(clinic: Clinic) -> tuple[datetime, datetime]:
    """Local midnight at the start and end of today in the clinic's zone (DST-safe)."""
    return local_day_bounds(clinic, timezone.now().astimezone(zone(clinic)).date())


# --- Protocol and modality ----------------------------------------------------------------------

_ROUTES = {
    "intravenous": Modality.IV_KETAMINE,
    "intramuscular": Modality.IM_KETAMINE,
    "oral": Modality.ORAL_KETAMINE,
    "sublingual": Modality.SUBLINGUAL_KETAMINE,
}
_RESOURCE_MODALITY = {
    "esketamine_room": Modality.ESKETAMINE,
    "tms_device": Modality.TMS,
}


def appointment_protocol(appointment: Appointment) -> Protocol | None:
    """The protocol of the appointment's course (parsed once per version row by
    protocol_of), or None without a course or with a definition that no longer validates."""
    course = appointment.course
    if course is None:
        return None
    try:
        return protocol_of(course.protocol_version)
    except ProtocolError:
        return None


def modality_for(protocol: Protocol | None, resource_kind: str) -> Modality:
    if protocol is not None:
        if protocol.modality == "esketamine":
            return Modality.ESKETAMINE
        if protocol.modality == "tms":
            return Modality.TMS
        if protocol.route in _ROUTES:
            return _ROUTES[protocol.route]
    return _RESOURCE_MODALITY.get(resource_kind, Modality.IV_KETAMINE)


def vitals_interval_for(protocol: Protocol | None, modality: Modality) -> int | None:
    if protocol is not None and protocol.monitoring.vitals_interval_min:
        return protocol.monitoring.vitals_interval_min
    return MONITORING_SCHEDULES[modality].interval_min


def session_protocol(session: Session) -> Protocol | None:
    return appointment_protocol(session.appointment)


# --- Sessions -----------------------------------------------------------------------------------


def _sessions() -> QuerySet[Session]:
    return Session.objects.select_related(
        "patient",
        "clinic",
        "appointment__resource",
        "appointment__course__protocol_version",
        "prescriber_on_site",
    )


def session_get_for_staff(*, user: StaffUser, session_id: int) -> Session:
    """A session the user may read (404 otherwise, the same as a missing id)."""
    session = _sessions().filter(pk=session_id, patient__in=patients_visible_to(user)).first()
    if session is None:
        raise Http404("No such session")
    return session


def session_get_for_charting(*, user: StaffUser, session_id: int) -> Session:
    """A session the user may chart: their own clinic only (emergency access is read-only)."""
    session = _sessions().filter(pk=session_id, clinic_id=user.home_clinic_id).first()
    if session is None:
        raise Http404("No such session")
    return session


def alert_get_for_charting(*, user: StaffUser, alert_id: int) -> SessionAlert:
    alert = (
        SessionAlert.objects.select_related("session__patient", "session__appointment")
        .filter(pk=alert_id, session__clinic_id=user.home_clinic_id)
        .first()
    )
    if alert is None:
        raise Http404("No such alert")
    return alert


def appointment_get_for_check_in(*, user: StaffUser, appointment_id: int) -> Appointment:
    appointment = (
        Appointment.objects.select_related("patient", "resource", "course__protocol_version")
        .filter(pk=appointment_id, clinic_id=user.home_clinic_id)
        .first()
    )
    if appointment is None:
        raise Http404("No such appointment")
    return appointment


def session_vitals(session: Session) -> list[VitalSigns]:
    return list(session.vitals.order_by("taken_at", "id"))


def session_alerts(session: Session) -> list[SessionAlert]:
    return list(session.alerts.select_related("acknowledged_by").order_by("-raised_at", "-id"))


def next_vitals_due(session: Session, last_taken_at: datetime | None) -> datetime | None:
    """When the next routine set is due: only while the drug acts (dosed, not discharged)."""
    if session.stage != Stage.MONITORING or not session.vitals_interval_min:
        return None
    start = last_taken_at or session.dosed_at
    if start is None:
        return None
    return next_check_due(start, session.vitals_interval_min)


@dataclass(frozen=True)
class BoardRow:
    session: Session
    minutes_elapsed: int
    next_due: datetime | None
    overdue: bool
    open_alerts: list[SessionAlert]


def board_rows(clinic_id: int, now: datetime | None = None) -> list[BoardRow]:
    """Every running session of the clinic, for the floor board: one query for the sessions
    (with the time of their latest vital signs) and one for their open alerts."""
    now = now or timezone.now()
    sessions = (
        Session.objects.filter(clinic_id=clinic_id, stage__in=RUNNING_STAGES)
        .select_related("patient", "appointment__resource")
        .only(
            "stage",
            "checked_in_at",
            "dosed_at",
            "vitals_interval_min",
            "patient__legal_given_name",
            "patient__preferred_name",
            "patient__legal_family_name",
            "appointment__resource__name",
        )
        .annotate(last_vitals_at=Max("vitals__taken_at"))
        .prefetch_related(
            Prefetch(
                "alerts",
                queryset=SessionAlert.objects.filter(acknowledged_at__isnull=True)
                .only("session_id", "level", "reason", "raised_at")
                .order_by("-raised_at"),
                to_attr="open_alert_list",
            )
        )
        .order_by("appointment__resource__name", "checked_in_at")
    )
    rows = []
    for session in sessions:
        due = next_vitals_due(session, session.last_vitals_at)
        rows.append(
            BoardRow(
                session=session,
                minutes_elapsed=max(0, int((now - session.checked_in_at).total_seconds() // 60)),
                next_due=due,
                overdue=due is not None and now >= due,
                open_alerts=session.open_alert_list,
            )
        )
    return rows


def appointments_to_check_in(user: StaffUser) -> QuerySet[Appointment]:
    """Today's booked appointments of the user's clinic that have no session yet."""
    clinic = user.home_clinic
    start, end = local_today(clinic)
    return (
        Appointment.objects.filter(
            clinic=clinic,
            start__gte=start,
            start__lt=end,
            status__in=["booked", "arrived", "checked-in"],
            charting_session__isnull=True,
        )
        .select_related("patient", "resource")
        .order_by("start")
    )


def patient_sessions(patient: Patient) -> QuerySet[Session]:
    return (
        Session.objects.filter(patient=patient)
        .select_related("appointment__resource", "dose", "note")
        .annotate(
            alert_count=Count("alerts", distinct=True),
            open_alert_count=Count(
                "alerts", filter=Q(alerts__acknowledged_at__isnull=True), distinct=True
            ),
        )
        .order_by("-checked_in_at")
    )


@dataclass(frozen=True)
class RemsDue:
    session: Session
    due_at: datetime
    submitted: bool
    overdue: bool


def rems_forms(user: StaffUser, now: datetime | None = None) -> list[RemsDue]:
    """Esketamine sessions of the clinic: forms due within 7 days, overdue, and submitted
    in the last 30 days."""
    now = now or timezone.now()
    since = now - timedelta(days=30)
    sessions = (
        Session.objects.filter(
            clinic_id=user.home_clinic_id,
            modality=Modality.ESKETAMINE.value,
            dosed_at__isnull=False,
        )
        .filter(Q(rems_form__submitted_at__isnull=True) | Q(dosed_at__gte=since))
        .select_related("patient", "rems_form", "appointment__resource")
        .order_by("dosed_at")
    )
    rows = []
    for session in sessions:
        due = (session.dosed_at or session.checked_in_at) + timedelta(days=REMS_FORM_DUE_DAYS)
        form = getattr(session, "rems_form", None)
        submitted = form is not None and form.submitted_at is not None
        rows.append(RemsDue(session, due, submitted, not submitted and now > due))
    return rows

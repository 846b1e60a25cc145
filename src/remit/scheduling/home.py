"""The start page's "Today's sessions" panel for the staff who run them (nurses, TMS
technicians, prescribers): the day's chairs, rooms and devices in order of time."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from remit.core.audit import audit_record
from remit.core.extensions import HomePanel
from remit.core.http import StaffRequest
from remit.core.models import AuditAction
from remit.core.roles import Capability, Role
from remit.scheduling.selectors import todays_sessions, zone


def _today(request: StaffRequest) -> dict[str, Any]:
    clinic = request.user.home_clinic
    day = timezone.now().astimezone(zone(clinic)).date()
    sessions = list(todays_sessions(clinic, day)[:60])
    # A TMS technician sees the devices; nurses and prescribers see every session.
    user = request.user
    if user.has_role(Role.TMS_TECHNICIAN) and not user.has_role(Role.NURSE, Role.PRESCRIBER):
        sessions = [s for s in sessions if s.resource.kind == "tms_device"]
    if sessions:
        audit_record(
            action=AuditAction.VIEW,
            actor=user,
            clinic_id=clinic.pk,
            detail={
                "section": "todays_sessions",
                "channel": "page",
                "patients": sorted({s.patient_id for s in sessions}),
            },
        )
    return {"today_sessions": sessions, "today": day, "today_tz": clinic.time_zone}


TODAYS_SESSIONS = HomePanel(
    "todays_sessions", 20, Capability.CHART_SESSION, "scheduling/_panel_today.html", _today
)
PANELS = [TODAYS_SESSIONS]

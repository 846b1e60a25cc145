"""Reads of the audit trail for the audit report."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db.models import QuerySet
from django.utils import timezone

from remit.accounts.models import StaffUser
from remit.core.models import AuditAction, AuditEvent


@dataclass(frozen=True)
class AuditFilter:
    username: str = ""
    patient_id: int | None = None
    action: str = ""
    date_from: date | None = None
    date_to: date | None = None


def audit_events_for(*, admin: StaffUser, filters: AuditFilter) -> QuerySet[AuditEvent]:
    """Events of the administrator's clinic, plus the clinic's own staff acting elsewhere
    (emergency access), newest first."""
    clinic_id = admin.home_clinic_id
    events = AuditEvent.objects.filter(clinic_id=clinic_id) | AuditEvent.objects.filter(
        actor__clinic_id=clinic_id
    )
    if filters.username:
        events = events.filter(actor_username__iexact=filters.username)
    if filters.patient_id is not None:
        events = events.filter(patient_id=filters.patient_id)
    if filters.action in AuditAction.values:
        events = events.filter(action=filters.action)
    zone = timezone.get_current_timezone()
    if filters.date_from:
        events = events.filter(at__gte=datetime.combine(filters.date_from, time(), tzinfo=zone))
    if filters.date_to:
        end = datetime.combine(filters.date_to + timedelta(days=1), time(), tzinfo=zone)
        events = events.filter(at__lt=end)
    return events.order_by("-id")


def disclosures_for(*, admin: StaffUser) -> QuerySet[AuditEvent]:
    """The accounting of disclosures: every export of patient data, to whom and why."""
    return audit_events_for(admin=admin, filters=AuditFilter(action=AuditAction.EXPORT))

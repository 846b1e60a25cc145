"""Writes for a clinic's own settings and resources (administrators only)."""

from __future__ import annotations

from django.db import transaction

from remit.accounts.models import StaffUser
from remit.clinics.models import Clinic, Resource
from remit.core.audit import audit_record
from remit.core.models import AuditAction


@transaction.atomic
def clinic_settings_update(
    *, clinic: Clinic, by: StaffUser, time_zone: str, idle_timeout_min: int
) -> Clinic:
    clinic.time_zone = time_zone
    clinic.idle_timeout_min = idle_timeout_min
    clinic.full_clean()
    clinic.save(update_fields=["time_zone", "idle_timeout_min"])
    audit_record(
        action=AuditAction.CHANGE,
        actor=by,
        obj=clinic,
        clinic_id=clinic.pk,
        detail={"fields": ["idle_timeout_min", "time_zone"]},
    )
    return clinic


@transaction.atomic
def resource_add(*, clinic: Clinic, by: StaffUser, kind: str, name: str) -> Resource:
    resource = Resource(clinic=clinic, kind=kind, name=name.strip())
    resource.full_clean()
    resource.save()
    audit_record(action=AuditAction.CREATE, actor=by, obj=resource, clinic_id=clinic.pk)
    return resource


@transaction.atomic
def resource_set_active(*, resource: Resource, by: StaffUser, active: bool) -> Resource:
    resource.active = active
    resource.save(update_fields=["active"])
    audit_record(
        action=AuditAction.CHANGE,
        actor=by,
        obj=resource,
        clinic_id=resource.clinic_id,
        detail={"active": active},
    )
    return resource

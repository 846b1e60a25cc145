"""Writes of protocol versions and treatment courses; each change is audited in its transaction."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from remit.accounts.models import StaffUser
from remit.clinics.models import Clinic
from remit.core.audit import AuditEntry, audit_record, audit_record_many
from remit.core.models import AuditAction
from remit.patients.models import Patient
from remit.protocols.definitions import ProtocolError, load_library
from remit.protocols.models import CourseStatusChange, ProtocolVersion, TreatmentCourse
from remit.protocols.selectors import (
    protocol_of,
    protocol_version_is_current,
    protocol_versions_for,
)
from remit.protocols.transitions import CourseStatus, CourseTransitionError, check_transition
from remit.protocols.versions import new_version, protocol_to_dict


@transaction.atomic
def protocol_library_ensure() -> int:
    """Store every shipped library version that is not stored yet; returns how many were added.

    Idempotent: rows are keyed on (code, version), and a stored version is never rewritten.
    """
    stored = set(ProtocolVersion.objects.filter(clinic__isnull=True).values_list("code", "version"))
    new = [
        ProtocolVersion(
            clinic=None,
            code=p.code,
            version=p.version,
            title=p.title,
            modality=p.modality,
            route=p.route,
            definition=protocol_to_dict(p),
            change_note=p.change_note,
        )
        for p in load_library().values()
        if (p.code, p.version) not in stored
    ]
    if not new:
        return 0
    created = ProtocolVersion.objects.bulk_create(new)
    audit_record_many(
        AuditEntry(
            action=AuditAction.CREATE,
            object_type=ProtocolVersion._meta.label,
            object_id=str(v.pk) if v.pk else "",
            detail={"code": v.code, "version": v.version, "source": "library"},
        )
        for v in created
    )
    return len(created)


@transaction.atomic
def protocol_change(
    *,
    version: ProtocolVersion,
    clinic: Clinic,
    changes: dict[str, Any],
    reason: str,
    by: StaffUser,
) -> ProtocolVersion:
    """A new version of the clinic's current protocol with ``changes`` applied.

    Courses keep the version they started on; new courses start on the new one.
    """
    if version.clinic_id not in (None, clinic.pk):
        raise ValidationError({"__all__": "This protocol belongs to another clinic."})
    if not protocol_version_is_current(version, clinic):
        raise ValidationError(
            {"__all__": "Only the current version can be changed; open the latest one."}
        )
    try:
        changed = new_version(protocol_of(version), changes, reason=reason)
    except ProtocolError as error:
        raise ValidationError({error.field or "__all__": str(error)}) from None
    top = (
        protocol_versions_for(clinic)
        .filter(code=version.code)
        .aggregate(Max("version"))["version__max"]
        or 0
    )
    number = max(changed.version, top + 1)
    definition = protocol_to_dict(changed)
    definition["version"] = number
    row = ProtocolVersion(
        clinic=clinic,
        code=changed.code,
        version=number,
        title=changed.title,
        modality=changed.modality,
        route=changed.route,
        definition=definition,
        created_by=by,
        change_note=reason,
    )
    # Clinic and author are loaded, and the number is above every version of the code the
    # clinic can see, so the per-clinic uniqueness constraints need no queries here.
    row.full_clean(exclude=["clinic", "created_by"], validate_constraints=False)
    row.save()
    audit_record(
        action=AuditAction.CREATE,
        actor=by,
        obj=row,
        clinic_id=clinic.pk,
        detail={"code": row.code, "version": number, "fields": sorted(changes)},
    )
    return row


def _status_row(
    course: TreatmentCourse, old: str, new: str, reason: str, by: StaffUser | None
) -> None:
    CourseStatusChange.objects.create(
        course=course, old_status=old, new_status=new, reason=reason, changed_by=by
    )


@transaction.atomic
def course_create(
    *,
    patient: Patient,
    version: ProtocolVersion,
    phase: str,
    by: StaffUser,
    earliest_start: date | None = None,
) -> TreatmentCourse:
    """A planned course for ``patient`` on ``version`` (which the course keeps for good)."""
    if version.clinic_id not in (None, patient.clinic_id):
        raise ValidationError({"protocol": "This protocol belongs to another clinic."})
    try:
        protocol_of(version).phase(phase)
    except ProtocolError as error:
        raise ValidationError({"phase": str(error)}) from None
    course = TreatmentCourse(
        clinic_id=patient.clinic_id,
        patient=patient,
        protocol_version=version,
        phase=phase,
        status=CourseStatus.PLANNED.value,
        earliest_start=earliest_start,
        created_by=by,
    )
    # Patient, version and author are loaded, and the clinic is the patient's own.
    course.full_clean(
        exclude=["clinic", "patient", "protocol_version", "created_by"],
        validate_constraints=False,
    )
    course.save()
    _status_row(course, "", CourseStatus.PLANNED.value, "", by)
    audit_record(
        action=AuditAction.CREATE,
        actor=by,
        obj=course,
        patient_id=patient.pk,
        clinic_id=patient.clinic_id,
        detail={"fields": ["protocol_version", "phase", "status", "earliest_start"]},
    )
    return course


@transaction.atomic
def course_status_change(
    *, course: TreatmentCourse, new_status: str, by: StaffUser | None, reason: str = ""
) -> TreatmentCourse:
    """Move a course along the transition table; stopping needs a reason and frees its future
    sessions (they are cancelled with the same reason)."""
    course = TreatmentCourse.objects.select_for_update().get(pk=course.pk)
    try:
        target = check_transition(course.status, new_status, reason=reason)
    except CourseTransitionError as error:
        raise ValidationError({error.field: str(error)}) from None
    old = course.status
    now = timezone.now()
    course.status = target.value
    fields = ["status"]
    if target == CourseStatus.ACTIVE and course.started_at is None:
        course.started_at = now
        fields.append("started_at")
    if target in (CourseStatus.COMPLETED, CourseStatus.STOPPED):
        course.ended_at = now
        fields.append("ended_at")
    if target == CourseStatus.STOPPED:
        course.stop_reason = reason.strip()
        fields.append("stop_reason")
    course.save(update_fields=fields)
    _status_row(course, old, target.value, reason.strip(), by)
    audit_record(
        action=AuditAction.CHANGE,
        actor=by,
        obj=course,
        patient_id=course.patient_id,
        clinic_id=course.clinic_id,
        detail={"fields": fields, "status": target.value},
    )
    if target == CourseStatus.STOPPED:
        from remit.scheduling.services import course_future_sessions_cancel

        course_future_sessions_cancel(course=course, reason=f"Course stopped: {reason}", by=by)
    return course


@transaction.atomic
def course_extend(*, course: TreatmentCourse, sessions: int, by: StaffUser) -> TreatmentCourse:
    """Add sessions to the current phase (e.g. after a payer approves more), in the protocol's
    extension steps."""
    course = TreatmentCourse.objects.select_for_update().get(pk=course.pk)
    phase = protocol_of(course.protocol_version).phase(course.phase)
    if course.status not in (CourseStatus.PLANNED, CourseStatus.ACTIVE):
        raise ValidationError({"sessions": f"A {course.status} course cannot be extended."})
    step = phase.extension_step_sessions
    if step is None:
        raise ValidationError({"sessions": f"The {phase.title} phase cannot be extended."})
    if sessions < 1 or sessions % step:
        raise ValidationError(
            {"sessions": f"Extend in steps of {step} session(s) (e.g. {step} or {2 * step})."}
        )
    if course.extra_sessions + sessions > 100:
        raise ValidationError({"sessions": "That is more sessions than a course can hold."})
    course.extra_sessions += sessions
    course.save(update_fields=["extra_sessions"])
    audit_record(
        action=AuditAction.CHANGE,
        actor=by,
        obj=course,
        patient_id=course.patient_id,
        clinic_id=course.clinic_id,
        detail={"fields": ["extra_sessions"], "added": sessions},
    )
    return course


@transaction.atomic
def course_phase_change(*, course: TreatmentCourse, phase: str, by: StaffUser) -> TreatmentCourse:
    """Move an open course to another phase of its protocol (e.g. esketamine induction to
    weekly maintenance); the extensions of the old phase do not carry over."""
    course = TreatmentCourse.objects.select_for_update().get(pk=course.pk)
    if course.status not in (CourseStatus.PLANNED, CourseStatus.ACTIVE):
        raise ValidationError({"phase": f"A {course.status} course cannot change phase."})
    try:
        protocol_of(course.protocol_version).phase(phase)
    except ProtocolError as error:
        raise ValidationError({"phase": str(error)}) from None
    if phase == course.phase:
        return course
    course.phase = phase
    course.extra_sessions = 0
    course.save(update_fields=["phase", "extra_sessions"])
    audit_record(
        action=AuditAction.CHANGE,
        actor=by,
        obj=course,
        patient_id=course.patient_id,
        clinic_id=course.clinic_id,
        detail={"fields": ["phase", "extra_sessions"]},
    )
    return course

"""Demo treatment courses: the shipped protocol library, and a course in every protocol for the
new demo patients (most started in the last three weeks, a few planned and waiting for the
clinic planner). The scheduling seeder books their sessions."""

from __future__ import annotations

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from remit.core.audit import AuditEntry, audit_record_many
from remit.core.models import AuditAction
from remit.core.seeding import SeedContext
from remit.protocols.models import CourseStatusChange, TreatmentCourse
from remit.protocols.selectors import protocol_versions_current
from remit.protocols.services import protocol_library_ensure

# (protocol, phase, courses): every protocol, in rough proportion to a mixed clinic's load.
DEMO_COURSES = [
    ("iv-ketamine-induction", "induction", 36),
    ("esketamine-trd", "induction", 9),
    ("tms-10hz", "acute", 5),
    ("iv-ketamine-boosters", "boosters", 10),
    ("esketamine-trd", "maintenance-weekly", 4),
    ("itbs", "acute", 4),
    ("im-ketamine", "series", 5),
    ("oral-ketamine", "titration", 5),
    ("sublingual-ketamine", "series", 5),
    ("tms-10hz-short", "acute", 3),
    ("accelerated-itbs-snt", "accelerated", 1),
]
# Planned courses with no bookings yet, for the clinic planner page.
WAITING = [("iv-ketamine-induction", "induction")] * 6 + [("tms-10hz", "acute")] * 2


def demo_plan() -> list[tuple[str, str, bool]]:
    """(protocol, phase, waiting) per demo course, one of each protocol first so that a small
    demo still has every protocol."""
    firsts, rest = [], []
    for code, phase, count in DEMO_COURSES:
        firsts.append((code, phase, False))
        rest += [(code, phase, False)] * (count - 1)
    return firsts + [(code, phase, True) for code, phase in WAITING] + rest


@transaction.atomic
def seed(context: SeedContext) -> None:
    added = protocol_library_ensure()
    context.count("protocol versions", added)
    if context.clinic is None or not context.new_patient_ids:
        return
    versions = {v.code: v for v in protocol_versions_current(context.clinic)}
    prescriber = context.staff.get("prescriber")
    today = timezone.now().astimezone(timezone.get_default_timezone()).date()
    courses = []
    for index, (patient_id, (code, phase, waiting)) in enumerate(
        zip(sorted(context.new_patient_ids), demo_plan(), strict=False)
    ):
        rng = context.rng("course", index)
        back = rng.randint(1, 20)
        if phase == "accelerated":
            # Five consecutive days: two weeks back always holds a whole Monday-Friday week.
            back = 14
        started = today + timedelta(days=rng.randint(1, 10) if waiting else -back)
        courses.append(
            TreatmentCourse(
                clinic=context.clinic,
                patient_id=patient_id,
                protocol_version=versions[code],
                phase=phase,
                status="planned",
                earliest_start=started,
                created_by=prescriber,
            )
        )
    created = TreatmentCourse.objects.bulk_create(courses)
    CourseStatusChange.objects.bulk_create(
        CourseStatusChange(course=c, old_status="", new_status="planned", changed_by=prescriber)
        for c in created
    )
    audit_record_many(
        (
            AuditEntry(
                action=AuditAction.CREATE,
                clinic_id=c.clinic_id,
                patient_id=c.patient_id,
                object_type=TreatmentCourse._meta.label,
                object_id=str(c.pk),
                detail={"fields": ["protocol_version", "phase", "status"], "source": "seed"},
            )
            for c in created
        ),
        actor=prescriber,
    )
    context.count("courses", len(created))

"""Builders for measures tests (not a test module)."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from unittest import mock

from django.core import mail
from django.core.management import call_command

from remit.clinics.models import ResourceKind
from remit.core.tests.factories import ResourceFactory
from remit.patients.models import Patient
from remit.protocols.models import ProtocolVersion, TreatmentCourse
from remit.scheduling.models import Appointment

PHQ9_MILD = [1, 1, 1, 1, 1, 1, 1, 0, 0]  # 7, mild, item 9 = 0
PHQ9_ITEM9 = [1, 1, 1, 1, 1, 1, 1, 0, 1]  # 8, mild, item 9 "several days"
PHQ9_SEVERE = [3, 3, 3, 3, 3, 2, 2, 2, 0]  # 21, severe, item 9 = 0
GAD7_MODERATE = [2, 2, 2, 2, 1, 1, 1]  # 11, moderate

_LINK = re.compile(r"/measures/q/([^/\s]+)/")


def course_for(patient: Patient, *, status: str = "active") -> TreatmentCourse:
    protocol, _ = ProtocolVersion.objects.get_or_create(
        code="test-iv-ketamine",
        version=1,
        clinic=None,
        defaults={
            "title": "IV ketamine induction",
            "modality": "iv_ketamine",
            "route": "iv",
            "definition": {},
        },
    )
    return TreatmentCourse.objects.create(
        clinic=patient.clinic,
        patient=patient,
        protocol_version=protocol,
        phase="induction",
        status=status,
    )


def session_for(
    course: TreatmentCourse, start: datetime, *, status: str = "booked", minutes: int = 100
) -> Appointment:
    resource = ResourceFactory(clinic=course.clinic, kind=ResourceKind.INFUSION_CHAIR)
    return Appointment.objects.create(
        clinic=course.clinic,
        patient=course.patient,
        course=course,
        resource=resource,
        start=start,
        end=start + timedelta(minutes=minutes),
        status=status,
    )


def run_worker() -> None:
    """`remit worker --batch` inside a test transaction. The worker closes idle database
    connections between tasks, which on PostgreSQL would end the test's transaction; that
    housekeeping is switched off here (test_schedules has one committed test without it)."""
    with mock.patch("django_tasks_db.management.commands.db_worker.close_old_connections"):
        call_command("worker", batch=True, verbosity=0)


def token_from_last_email() -> str:
    found = _LINK.search(str(mail.outbox[-1].body))
    assert found, "the email carries a questionnaire link"
    return found.group(1)

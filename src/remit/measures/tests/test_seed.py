"""The demo gives patients assessment histories, computed by the scoring code."""

from __future__ import annotations

import pytest
from django.core import mail

from remit.core.seeding import SeedContext, seed_all
from remit.measures import score
from remit.measures.models import AlertStatus, Assessment, AssessmentSchedule, SafetyAlert
from remit.measures.tests.helpers import run_worker

pytestmark = pytest.mark.django_db


def test_the_demo_patients_have_histories_with_some_open_alerts_and_a_rerun_adds_nothing():
    context = seed_all(SeedContext(seed=5, patient_count=30, progress=lambda _: None))
    assessments = list(Assessment.objects.all())
    assert len({a.patient_id for a in assessments}) >= 12
    for assessment in assessments[:50]:
        assert assessment.total == score(assessment.instrument, assessment.answers).total
    followups = [a for a in assessments if a.baseline_id is not None]
    assert followups and all(a.change_definition for a in followups)
    assert any(a.response for a in followups) and any(a.response is False for a in followups)
    assert 1 <= SafetyAlert.objects.filter(status=AlertStatus.OPEN).count() <= 4
    assert AssessmentSchedule.objects.count() == 3
    counts = (Assessment.objects.count(), SafetyAlert.objects.count())
    seed_all(SeedContext(seed=5, patient_count=30, progress=lambda _: None))
    assert (Assessment.objects.count(), SafetyAlert.objects.count()) == counts
    assert context.report["assessments"] == counts[0]


def test_the_demo_worker_sends_the_scheduled_questionnaires_to_the_console_only():
    seed_all(SeedContext(seed=6, patient_count=10, progress=lambda _: None))
    assert mail.outbox == []
    run_worker()
    assert len(mail.outbox) == 3
    assert all(m.to[0].endswith("@example.org") for m in mail.outbox)

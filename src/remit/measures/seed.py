"""Demo assessment histories: weekly PHQ-9 and GAD-7 with plausible trajectories.

Most patients improve over the first weeks of treatment, some partly, some not at all. Every
total is computed by `score()` from generated item answers and every change flag by `change()`,
exactly as for real assessments. A few patients have an item-9 answer on their latest PHQ-9
with the alert still open, so a prescriber's start page has something to acknowledge. A few
patients get a weekly questionnaire schedule, which the demo's worker sends to the console
email backend (synthetic example.org addresses; nothing real is sent).
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from remit.accounts.models import StaffUser
from remit.core.audit import AuditEntry, audit_record_many
from remit.core.models import AuditAction
from remit.core.seeding import SeedContext
from remit.measures import change, score
from remit.measures.instruments import INSTRUMENTS
from remit.measures.models import (
    DEFAULT_ALERT_BANDS,
    AlertStatus,
    Assessment,
    Method,
    SafetyAlert,
)
from remit.measures.services import (
    alerts_json,
    band_alert_reason,
    baseline_change_set,
    schedule_create,
)
from remit.patients.models import Patient
from remit.protocols.models import TreatmentCourse

# Share of patients with histories, and how their scores move over the weeks (a demo shape, not
# a benchmark: see clinical-reference.md section 8 for published response rates).
WITH_HISTORY = 0.7
COURSES = (("responder", 0.6, 0.3), ("partial", 0.2, 0.7), ("non-responder", 0.2, 1.0))
OPEN_ALERTS = 4
SCHEDULED = 3


def _answers(rng: random.Random, code: str, total: int, item9: int = 0) -> list[int]:
    """Item answers adding up to `total` (item 9 of the PHQ-9 fixed separately)."""
    count = len(INSTRUMENTS[code].items) if code == "gad7" else 8
    left = max(0, min(total - item9, 3 * count))
    answers = [0] * count
    while left:
        index = rng.randrange(count)
        if answers[index] < 3:
            answers[index] += 1
            left -= 1
    return answers + [item9] if code == "phq9" else answers


def _history(
    rng: random.Random, patient: Patient, now: datetime, course: TreatmentCourse | None
) -> list[tuple[str, datetime, list[int]]]:
    weeks = rng.randint(3, 12)
    start = now - timedelta(weeks=weeks, hours=rng.randint(1, 72))
    roll, kind_floor = rng.random(), 1.0
    for _, share, floor in COURSES:
        if roll < share:
            kind_floor = floor
            break
        roll -= share
    baselines = {"phq9": rng.randint(12, 24), "gad7": rng.randint(7, 18)}
    history = []
    for week in range(weeks + 1):
        when = start + timedelta(weeks=week, minutes=rng.randint(0, 600))
        # Improvement comes over the first ~4 weeks, then plateaus at the floor.
        progress = min(week / 4, 1.0)
        factor = 1 - (1 - kind_floor) * progress
        for code, maximum in (("phq9", 27), ("gad7", 21)):
            total = round(baselines[code] * factor + rng.gauss(0, 1.5))
            total = max(0, min(maximum, total))
            item9 = 0
            if code == "phq9" and total >= 14 and rng.random() < 0.12:
                item9 = 1
            history.append((code, when, _answers(rng, code, total, item9)))
    return history


@transaction.atomic
def seed(context: SeedContext) -> None:
    if not context.new_patient_ids:
        return
    now = timezone.now()
    prescriber = context.staff.get("prescriber")
    patients = list(
        Patient.objects.filter(pk__in=context.new_patient_ids)
        .exclude(assessments__isnull=False)
        .order_by("mrn")
    )
    courses = {
        course.patient_id: course
        for course in TreatmentCourse.objects.filter(patient__in=patients).order_by("created_at")
    }
    first_round: list[Assessment] = []
    later: list[tuple[Assessment, int]] = []
    for patient in patients:
        rng = context.rng("measures", patient.mrn)
        if rng.random() > WITH_HISTORY:
            continue
        course = courses.get(patient.pk)
        seen: set[str] = set()
        for code, when, answers in _history(rng, patient, now, course):
            result = score(code, answers)
            assessment = Assessment(
                patient=patient,
                clinic_id=patient.clinic_id,
                instrument=code,
                instrument_version=result.version,
                answers=dict(result.answers),
                total=result.total,
                severity=result.severity or "",
                severity_source=result.severity_source or "",
                subscores=dict(result.subscores),
                alerts=alerts_json(result.alerts),
                method=Method.PATIENT_LINK,
                collected_at=when,
                course=course,
            )
            if code in seen:
                later.append((assessment, len(first_round)))
            else:
                seen.add(code)
                first_round.append(assessment)
    baselines = Assessment.objects.bulk_create(first_round)
    key = {(a.patient_id, a.instrument): a for a in baselines}
    for assessment, _ in later:
        baseline = key[(assessment.patient_id, assessment.instrument)]
        delta = change(assessment.instrument, baseline.total or 0, assessment.total or 0)
        baseline_change_set(assessment, baseline, delta)
    created = baselines + Assessment.objects.bulk_create([a for a, _ in later])
    alerts = _alerts(context, created, prescriber)
    audit_record_many(
        [
            AuditEntry(
                action=AuditAction.CREATE,
                clinic_id=a.clinic_id,
                patient_id=a.patient_id,
                object_type="measures.Assessment",
                object_id=str(a.pk),
                detail={"source": "seed"},
            )
            for a in created
        ]
    )
    _schedules(context, patients, prescriber)
    context.count("assessments", len(created))
    context.count("safety alerts", len(alerts))


def _alerts(
    context: SeedContext, assessments: list[Assessment], prescriber: StaffUser | None
) -> list[SafetyAlert]:
    latest: dict[tuple[int, str], Assessment] = {}
    for a in assessments:
        current = latest.get((a.patient_id, a.instrument))
        if current is None or a.collected_at > current.collected_at:
            latest[(a.patient_id, a.instrument)] = a
    open_left = OPEN_ALERTS
    alerts = []
    for a in sorted(assessments, key=lambda a: (a.patient_id, a.collected_at)):
        reasons = [
            {
                "kind": "item",
                "text": f"{r['label']}: answered {r['value']}",
                "rule": r["rule"],
                "source": r["source"],
            }
            for r in a.alerts
        ]
        if f"{a.instrument}:{a.severity}" in DEFAULT_ALERT_BANDS:
            reasons.append(
                band_alert_reason(
                    code=a.instrument, severity=a.severity, total=a.total, source=a.severity_source
                )
            )
        if not reasons:
            continue
        keep_open = bool(a.alerts) and latest[(a.patient_id, a.instrument)] is a and open_left > 0
        open_left -= keep_open
        alerts.append(
            SafetyAlert(
                patient_id=a.patient_id,
                clinic_id=a.clinic_id,
                assessment=a,
                reasons=reasons,
                raised_at=a.collected_at,
                status=AlertStatus.OPEN if keep_open else AlertStatus.ACKNOWLEDGED,
                acknowledged_by=None if keep_open else prescriber,
                acknowledged_at=None if keep_open else a.collected_at + timedelta(hours=3),
                note="" if keep_open else "Called the patient; safety plan reviewed (demo).",
            )
        )
    return SafetyAlert.objects.bulk_create(alerts)


def _schedules(context: SeedContext, patients: list[Patient], prescriber: StaffUser | None) -> None:
    if prescriber is None:
        return
    for patient in [p for p in patients if p.email][:SCHEDULED]:
        schedule_create(
            patient=patient,
            by=prescriber,
            instruments=["phq9", "gad7"],
            kind="every_n_days",
            interval_days=7,
        )

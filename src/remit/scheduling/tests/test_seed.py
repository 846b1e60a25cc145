from __future__ import annotations

import time as clock
from collections.abc import Iterator, Sequence
from datetime import datetime

import pytest
import time_machine

from remit.core.seeding import SeedContext, seed_all
from remit.protocols.models import TreatmentCourse
from remit.protocols.seed import DEMO_COURSES
from remit.scheduling.models import Appointment
from remit.scheduling.selectors import HOLDING

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True, params=["2025-03-12T15:00:00-04:00", "2026-11-21T19:00:00-05:00"])
def _now(request: pytest.FixtureRequest) -> Iterator[None]:
    # A Wednesday and a Saturday evening: the demo must come out whole on any day.
    with time_machine.travel(datetime.fromisoformat(request.param), tick=False):
        yield


def _seed(patients: int) -> SeedContext:
    return seed_all(SeedContext(seed=3, patient_count=patients, progress=lambda _: None))


def _overlaps(rows: Sequence[tuple[int, datetime, datetime]]) -> int:
    clashes = 0
    by_key: dict[int, list[tuple[datetime, datetime]]] = {}
    for key, start, end in rows:
        by_key.setdefault(key, []).append((start, end))
    for spans in by_key.values():
        spans.sort()
        clashes += sum(1 for (_, e), (s, _) in zip(spans, spans[1:], strict=False) if s < e)
    return clashes


def test_the_demo_has_active_courses_in_every_protocol_and_a_full_calendar():
    started = clock.perf_counter()
    _seed(160)
    elapsed = clock.perf_counter() - started
    active = set(
        TreatmentCourse.objects.filter(status="active").values_list(
            "protocol_version__code", flat=True
        )
    )
    assert active == {code for code, _, _ in DEMO_COURSES}
    held = Appointment.objects.filter(status__in=HOLDING)
    kinds = set(held.values_list("resource__kind", flat=True))
    assert kinds == {"infusion_chair", "esketamine_room", "tms_device"}
    assert held.filter(status="fulfilled").exists() and held.filter(status="booked").exists()
    assert held.values("resource").distinct().count() == 10, "every chair, room and device used"
    assert TreatmentCourse.objects.filter(status="planned", appointments__isnull=True).exists()
    rows = list(held.values_list("resource_id", "start", "end"))
    assert _overlaps(rows) == 0, "no double-booking in the demo either"
    patients = list(held.values_list("patient_id", "start", "end"))
    assert _overlaps(patients) == 0
    assert elapsed < 60


def test_seeding_twice_books_nothing_more():
    _seed(60)
    counts = (TreatmentCourse.objects.count(), Appointment.objects.count())
    context = _seed(60)
    assert (TreatmentCourse.objects.count(), Appointment.objects.count()) == counts
    assert context.report.get("appointments", 0) == 0

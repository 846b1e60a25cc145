from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.management import call_command

from remit.protocols.models import CourseStatusChange
from remit.protocols.services import course_extend, course_status_change
from remit.scheduling import services
from remit.scheduling.models import Appointment, AppointmentStatusChange, PatientAvailability
from remit.scheduling.selectors import todays_sessions
from remit.scheduling.services import (
    SlotTaken,
    appointment_book,
    appointment_cancel,
    appointment_replace,
    appointment_status_change,
    replacement_slots,
    series_book,
)
from remit.scheduling.tests.helpers import equip, new_course, open_weekdays
from remit.scheduling.transitions import HOLDS_RESOURCE

pytestmark = pytest.mark.django_db

NY = ZoneInfo("America/New_York")
# Monday 3 March 2025, 09:00 in New York; US clocks go forward on Sunday 9 March.
NOW = datetime(2025, 3, 3, 9, 0, tzinfo=NY)


@pytest.fixture
def clinic(cast):
    open_weekdays(cast.clinic)
    return {r.name: r for r in equip(cast.clinic)}


@pytest.fixture(autouse=True)
def _now():
    with time_machine.travel(NOW, tick=False):
        yield


def _local(moment: datetime) -> datetime:
    return moment.astimezone(NY)


def test_booking_the_whole_series_places_six_infusions_that_keep_the_spacing(cast, clinic):
    course = new_course(cast.patient, cast.prescriber)
    outcome = series_book(course=course, by=cast.intake)
    assert outcome.booked and len(outcome.appointments) == 6
    days = [_local(a.start).date() for a in outcome.appointments]
    assert all((b - a).days >= 2 for a, b in zip(days, days[1:], strict=False))
    assert (days[-1] - days[0]).days < 21
    assert all(a.resource.kind == "infusion_chair" for a in outcome.appointments)
    assert [a.session_number for a in outcome.appointments] == [1, 2, 3, 4, 5, 6]
    assert AppointmentStatusChange.objects.filter(new_status="booked").count() == 6


def test_booking_the_series_twice_books_nothing_more(cast, clinic):
    course = new_course(cast.patient, cast.prescriber)
    series_book(course=course, by=cast.intake)
    with pytest.raises(ValidationError, match="already booked"):
        series_book(course=course, by=cast.intake)
    assert Appointment.objects.filter(course=course).count() == 6


def test_a_series_that_cannot_fit_is_explained_and_nothing_is_booked(cast, clinic):
    PatientAvailability.objects.create(
        patient=cast.patient, weekday=0, starts_at=time(8), ends_at=time(18)
    )
    course = new_course(cast.patient, cast.prescriber)
    outcome = series_book(course=course, by=cast.intake)
    assert not outcome.appointments
    assert outcome.unplaced[0].constraint == "patient_times"
    assert "available on only 1 day(s) a week" in outcome.unplaced[0].message
    assert not Appointment.objects.exists()


def test_the_series_prefers_the_patients_preferred_times(cast, clinic):
    for day in range(5):
        PatientAvailability.objects.create(
            patient=cast.patient, weekday=day, starts_at=time(8), ends_at=time(18)
        )
        PatientAvailability.objects.create(
            patient=cast.patient, weekday=day, starts_at=time(14), ends_at=time(17), preferred=True
        )
    outcome = series_book(course=new_course(cast.patient, cast.prescriber), by=cast.intake)
    assert all(_local(a.start).time() >= time(14) for a in outcome.appointments)


def _slot(day: int, hour: int) -> tuple[datetime, datetime]:
    start = datetime(2025, 3, day, hour, tzinfo=NY)
    return start, start + timedelta(minutes=130)


def test_a_second_booking_of_the_same_chair_and_time_is_refused_with_a_clear_conflict(cast, clinic):
    start, end = _slot(4, 9)
    chair = clinic["Chair 1"]
    appointment_book(patient=cast.patient, resource=chair, start=start, end=end, by=cast.nurse)
    other = type(cast.patient).objects.create(
        clinic=cast.clinic,
        mrn="R7654321",
        legal_given_name="Dana",
        legal_family_name="Sampleton",
        date_of_birth=date(1980, 1, 1),
        sex_at_birth="female",
    )
    with pytest.raises(SlotTaken, match="Chair 1 is already booked"):
        appointment_book(
            patient=other,
            resource=chair,
            start=start + timedelta(minutes=30),
            end=end + timedelta(minutes=30),
            by=cast.nurse,
        )
    assert Appointment.objects.count() == 1


def test_the_patient_cannot_be_in_two_chairs_at_once(cast, clinic):
    start, end = _slot(4, 9)
    appointment_book(
        patient=cast.patient, resource=clinic["Chair 1"], start=start, end=end, by=cast.nurse
    )
    with pytest.raises(SlotTaken, match="patient already has an appointment"):
        appointment_book(
            patient=cast.patient, resource=clinic["Chair 2"], start=start, end=end, by=cast.nurse
        )


def test_a_cancelled_slot_is_free_again(cast, clinic):
    start, end = _slot(4, 9)
    first = appointment_book(
        patient=cast.patient, resource=clinic["Chair 1"], start=start, end=end, by=cast.nurse
    )
    appointment_cancel(appointment=first, reason="Patient unwell", by=cast.nurse)
    again = appointment_book(
        patient=cast.patient, resource=clinic["Chair 1"], start=start, end=end, by=cast.nurse
    )
    assert again.status == "booked"


def test_it_refuses_a_booking_outside_opening_hours(cast, clinic):
    start, end = _slot(4, 17)
    with pytest.raises(ValidationError, match="not open for the whole appointment"):
        appointment_book(
            patient=cast.patient, resource=clinic["Chair 1"], start=start, end=end, by=cast.nurse
        )


def test_cancelling_needs_a_reason(cast, clinic):
    start, end = _slot(4, 9)
    booked = appointment_book(
        patient=cast.patient, resource=clinic["Chair 1"], start=start, end=end, by=cast.nurse
    )
    with pytest.raises(ValidationError, match="Say why"):
        appointment_cancel(appointment=booked, reason="  ", by=cast.nurse)
    booked.refresh_from_db()
    assert booked.status == "booked"


def test_a_finished_appointment_cannot_go_back_to_booked(cast, clinic):
    start, end = _slot(4, 9)
    booked = appointment_book(
        patient=cast.patient, resource=clinic["Chair 1"], start=start, end=end, by=cast.nurse
    )
    appointment_status_change(appointment=booked, new_status="arrived", by=cast.nurse)
    appointment_status_change(appointment=booked, new_status="fulfilled", by=cast.nurse)
    with pytest.raises(ValidationError, match="cannot become booked"):
        appointment_status_change(appointment=booked, new_status="booked", by=cast.nurse)
    assert list(
        AppointmentStatusChange.objects.filter(appointment=booked).values_list(
            "old_status", "new_status"
        )
    ) == [("", "booked"), ("booked", "arrived"), ("arrived", "fulfilled")]


def test_arriving_for_the_first_session_makes_the_course_active(cast, clinic):
    course = new_course(cast.patient, cast.prescriber)
    first = series_book(course=course, by=cast.intake).appointments[0]
    appointment_status_change(appointment=first, new_status="arrived", by=cast.nurse)
    course.refresh_from_db()
    assert course.status == "active" and course.started_at is not None
    assert list(course.status_changes.values_list("new_status", flat=True)) == [
        "planned",
        "active",
    ]


def test_cancelling_a_session_offers_replacements_that_keep_the_spacing(cast, clinic):
    course = new_course(cast.patient, cast.prescriber)
    sessions = list(series_book(course=course, by=cast.intake).appointments)
    third = sessions[2]
    appointment_cancel(appointment=third, reason="Patient away", by=cast.intake)
    offers = replacement_slots(appointment=third)
    assert offers
    kept = [_local(a.start).date() for a in sessions if a.pk != third.pk]
    for offer in offers:
        day = _local(offer.start).date()
        assert all(abs((day - other).days) >= 2 for other in kept)
    moved = appointment_replace(
        appointment=third,
        start=offers[0].start,
        resource_id=int(offers[0].resource_id),
        by=cast.intake,
    )
    assert moved.session_number == 3 and moved.status == "booked"
    with pytest.raises(ValidationError, match="already booked"):
        appointment_replace(appointment=third, start=offers[-1].start, by=cast.intake)


def test_moving_a_session_next_to_another_is_refused_for_spacing(cast, clinic):
    course = new_course(cast.patient, cast.prescriber)
    sessions = list(series_book(course=course, by=cast.intake).appointments)
    day_after_first = sessions[0].start + timedelta(days=1)
    with pytest.raises(ValidationError, match="needs at least 2"):
        appointment_replace(appointment=sessions[1], start=day_after_first, by=cast.intake)
    sessions[1].refresh_from_db()
    assert sessions[1].status == "booked", "a refused move leaves the session as it was"


def test_esketamine_is_not_scheduled_without_rems_enrolment(cast, clinic, monkeypatch):
    monkeypatch.setattr(services, "_rems_enrolled", lambda patient: False)
    course = new_course(cast.patient, cast.prescriber, "esketamine-trd", "induction")
    with pytest.raises(ValidationError, match="REMS"):
        series_book(course=course, by=cast.intake)
    assert not Appointment.objects.exists()
    monkeypatch.setattr(services, "_rems_enrolled", lambda patient: True)
    outcome = series_book(course=course, by=cast.intake)
    assert len(outcome.appointments) == 8


def test_stopping_a_course_needs_a_reason_and_frees_its_future_sessions(cast, clinic):
    course = new_course(cast.patient, cast.prescriber)
    series_book(course=course, by=cast.intake)
    with pytest.raises(ValidationError, match="Say why"):
        course_status_change(course=course, new_status="stopped", by=cast.prescriber)
    course_status_change(
        course=course, new_status="stopped", reason="Blood pressure 180/115", by=cast.prescriber
    )
    course.refresh_from_db()
    assert course.status == "stopped" and course.stop_reason == "Blood pressure 180/115"
    assert set(Appointment.objects.filter(course=course).values_list("status", flat=True)) == {
        "cancelled"
    }
    assert CourseStatusChange.objects.filter(course=course, new_status="stopped").get().reason


def test_an_extension_adds_sessions_in_steps_and_books_them_after_the_series(cast, clinic):
    course = new_course(cast.patient, cast.prescriber)
    series = series_book(course=course, by=cast.intake).appointments
    with pytest.raises(ValidationError, match="steps of 2"):
        course_extend(course=course, sessions=3, by=cast.prescriber)
    course_extend(course=course, sessions=2, by=cast.prescriber)
    extra = series_book(course=course, by=cast.intake).appointments
    assert [a.session_number for a in extra] == [7, 8]
    assert extra[0].start >= series[-1].start + timedelta(days=2)


def test_sessions_keep_their_local_clock_time_across_the_clock_change(cast, clinic):
    for day in range(5):
        PatientAvailability.objects.create(
            patient=cast.patient, weekday=day, starts_at=time(10), ends_at=time(13), preferred=True
        )
    outcome = series_book(course=new_course(cast.patient, cast.prescriber), by=cast.intake)
    local_times = {_local(a.start).time() for a in outcome.appointments}
    utc_offsets = {_local(a.start).utcoffset() for a in outcome.appointments}
    assert local_times == {time(10)}
    assert len(utc_offsets) == 2, "the series spans the change from EST to EDT"
    assert all(a.end - a.start == timedelta(minutes=130) for a in outcome.appointments)


# The worker closes its database connection between tasks, which on PostgreSQL ends a test
# wrapped in a transaction; these tests commit for real instead.
@pytest.mark.django_db(transaction=True)
def test_a_reminder_goes_out_a_day_before_with_the_preparation_instructions(cast, clinic):
    cast.patient.email = "avery@example.org"
    cast.patient.save()
    course = new_course(cast.patient, cast.prescriber)
    sessions = series_book(course=course, by=cast.intake).appointments
    second = sessions[1]
    with time_machine.travel(second.start - timedelta(hours=25), tick=False):
        call_command("worker", batch=True, verbosity=0)
        early = len(mail.outbox)
    with time_machine.travel(second.start - timedelta(hours=23), tick=False):
        call_command("worker", batch=True, verbosity=0)
        call_command("worker", batch=True, verbosity=0)
    assert len(mail.outbox) == early + 1, "one reminder for the second session, a day before"
    sent = mail.outbox[-1]
    assert sent.to == ["avery@example.org"]
    assert "Arrange for a responsible adult to take you home" in sent.body
    assert "Do not drive" in sent.body
    second.refresh_from_db()
    assert second.reminder_sent_at is not None


@pytest.mark.django_db(transaction=True)
def test_no_reminder_for_a_cancelled_session(cast, clinic):
    cast.patient.email = "avery@example.org"
    cast.patient.save()
    start, end = _slot(5, 9)
    booked = appointment_book(
        patient=cast.patient, resource=clinic["Chair 1"], start=start, end=end, by=cast.nurse
    )
    appointment_cancel(appointment=booked, reason="Patient unwell", by=cast.nurse)
    with time_machine.travel(start - timedelta(hours=2), tick=False):
        call_command("worker", batch=True, verbosity=0)
    assert mail.outbox == []


def test_todays_sessions_reads_the_day_in_a_fixed_number_of_queries(
    cast, clinic, django_assert_num_queries
):
    for n, name in enumerate(["Chair 1", "Chair 2"]):
        patient = type(cast.patient).objects.create(
            clinic=cast.clinic,
            mrn=f"R765432{n}",
            legal_given_name="Dana",
            legal_family_name="Sampleton",
            date_of_birth=date(1980, 1, 1),
            sex_at_birth="female",
        )
        start, end = _slot(4, 9)
        appointment_book(
            patient=patient, resource=clinic[name], start=start, end=end, by=cast.nurse
        )
    with django_assert_num_queries(1):
        rows = list(todays_sessions(cast.clinic, date(2025, 3, 4)))
        assert [r.resource.name for r in rows] == ["Chair 1", "Chair 2"]
        assert all(r.patient.legal_family_name == "Sampleton" for r in rows)


def test_the_database_constraint_holds_the_same_statuses_as_the_transition_table():
    from importlib import import_module

    migration = import_module("remit.scheduling.migrations.0003_no_double_booking")
    listed = {s.strip(" '") for s in migration.HOLDING.strip("()").split(",")}
    assert listed == {s.value for s in HOLDS_RESOURCE}


def test_utc_is_never_naive_in_a_booking(cast, clinic):
    with pytest.raises(ValidationError):
        appointment_book(
            patient=cast.patient,
            resource=clinic["Chair 1"],
            start=datetime(2025, 3, 4, 14, tzinfo=UTC).replace(tzinfo=None),
            end=datetime(2025, 3, 4, 16, tzinfo=UTC),
            by=cast.nurse,
        )


def test_the_evaluation_apps_rems_record_decides_for_real(cast, clinic):
    # No monkeypatch: remit.evaluation.selectors.rems_enrolled reads the enrolment records.
    course = new_course(cast.patient, cast.prescriber, "esketamine-trd", "induction")
    with pytest.raises(ValidationError, match="REMS"):
        series_book(course=course, by=cast.intake)

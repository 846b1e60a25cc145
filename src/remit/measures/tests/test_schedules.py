"""Schedules anchored to treatment: the pure plan, and the worker sending what is due."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import time_machine
from django.core import mail
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from remit.measures.models import AssessmentRequest, AssessmentSchedule
from remit.measures.schedules import LATE_LIMIT, RESCAN, Session, plan
from remit.measures.services import schedule_create, schedule_stop
from remit.measures.tests.helpers import course_for, run_worker, session_for

T0 = datetime(2025, 3, 3, 9, 0, tzinfo=UTC)


def _plan(kind, now, sessions=(), sent=(), **kwargs):
    defaults: dict[str, Any] = {
        "offset_h": 24,
        "interval_days": 7,
        "starts_at": T0,
        "ends_at": None,
    }
    return plan(kind=kind, sessions=list(sessions), sent=set(sent), now=now, **defaults | kwargs)


def test_before_session_sends_the_set_hours_before_each_session():
    session = Session(7, T0 + timedelta(days=2), T0 + timedelta(days=2, hours=2))
    early = _plan("before_session", T0, [session])
    assert early.due == () and early.next_run_at == T0 + timedelta(days=1)
    due = _plan("before_session", T0 + timedelta(days=1, minutes=5), [session])
    assert [o.key for o in due.due] == ["appointment:7"]
    assert due.due[0].appointment_id == 7


def test_a_before_session_questionnaire_is_not_sent_once_the_session_began():
    session = Session(7, T0 + timedelta(hours=1), T0 + timedelta(hours=3))
    assert _plan("before_session", T0 + timedelta(hours=2), [session]).due == ()


def test_after_session_sends_n_hours_after_the_end_and_skips_stale_ones():
    session = Session(3, T0, T0 + timedelta(hours=2))
    due_at = T0 + timedelta(hours=26)
    assert _plan("after_session", due_at - timedelta(minutes=1), [session]).next_run_at == due_at
    assert len(_plan("after_session", due_at, [session]).due) == 1
    assert _plan("after_session", due_at + LATE_LIMIT + timedelta(minutes=1), [session]).due == ()
    assert _plan("after_session", due_at, [session], sent={"appointment:3"}).due == ()


def test_session_schedules_look_again_at_least_daily_for_new_bookings():
    assert _plan("after_session", T0).next_run_at == T0 + RESCAN


def test_every_n_days_sends_on_each_interval_until_the_end():
    week = timedelta(days=7)
    first = _plan("every_n_days", T0)
    assert [o.key for o in first.due] == ["day:0"] and first.next_run_at == T0 + week
    second = _plan("every_n_days", T0 + week, sent={"day:0"})
    assert [o.key for o in second.due] == ["day:1"]
    last = _plan("every_n_days", T0 + week, sent={"day:0"}, ends_at=T0 + 2 * week - timedelta(1))
    assert last.next_run_at is None
    assert _plan("every_n_days", T0 + 3 * week, ends_at=T0 + week).due == ()


@given(
    offset=st.integers(min_value=0, max_value=72),
    hours=st.lists(st.integers(min_value=0, max_value=24 * 30), max_size=8, unique=True),
    now_h=st.integers(min_value=0, max_value=24 * 30),
    kind=st.sampled_from(["before_session", "after_session"]),
)
def test_nothing_is_ever_due_before_its_time_and_the_next_look_is_in_the_future(
    offset, hours, now_h, kind
):
    sessions = [
        Session(i, T0 + timedelta(hours=h), T0 + timedelta(hours=h + 2))
        for i, h in enumerate(hours)
    ]
    now = T0 + timedelta(hours=now_h)
    result = _plan(kind, now, sessions, offset_h=offset)
    assert all(o.send_at <= now for o in result.due)
    assert result.next_run_at is not None and result.next_run_at > now
    assert len({o.key for o in result.due}) == len(result.due)


@pytest.mark.django_db
def test_the_worker_sends_a_questionnaire_24_hours_after_each_infusion(cast):
    course = course_for(cast.patient)
    start = timezone.now()
    session_for(course, start + timedelta(days=1), status="fulfilled")
    schedule = schedule_create(
        patient=cast.patient,
        by=cast.prescriber,
        instruments=["phq9"],
        kind="after_session",
        course=course,
        offset_h=24,
    )
    run_worker()
    assert mail.outbox == []
    with time_machine.travel(start + timedelta(days=2, hours=3)):
        run_worker()
        assert len(mail.outbox) == 1
        request = AssessmentRequest.objects.get()
        assert request.schedule == schedule and request.appointment is not None
        assert request.course == course
        run_worker()
    assert len(mail.outbox) == 1, "each session's questionnaire goes out once"


@pytest.mark.django_db
def test_a_new_booking_is_found_by_the_daily_look(cast):
    course = course_for(cast.patient)
    start = timezone.now()
    schedule_create(
        patient=cast.patient,
        by=cast.prescriber,
        instruments=["phq9", "gad7"],
        kind="before_session",
        course=course,
        offset_h=12,
    )
    run_worker()
    session_for(course, start + timedelta(days=2))
    with time_machine.travel(start + timedelta(days=1, hours=13)):
        run_worker()
    assert len(mail.outbox) == 1
    assert "2 short questionnaires" in mail.outbox[0].body


@pytest.mark.django_db
def test_a_weekly_schedule_sends_each_week_and_stops_when_stopped(cast):
    start = timezone.now()
    schedule = schedule_create(
        patient=cast.patient, by=cast.nurse, instruments=["phq9"], kind="every_n_days"
    )
    run_worker()
    assert len(mail.outbox) == 1
    with time_machine.travel(start + timedelta(days=7, hours=1)):
        run_worker()
    assert len(mail.outbox) == 2
    schedule_stop(schedule=schedule, by=cast.nurse)
    with time_machine.travel(start + timedelta(days=14, hours=1)):
        run_worker()
    assert len(mail.outbox) == 2
    assert not AssessmentSchedule.objects.get().active


@pytest.mark.django_db
def test_a_session_schedule_needs_a_course(cast):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError, match="course"):
        schedule_create(
            patient=cast.patient, by=cast.nurse, instruments=["phq9"], kind="before_session"
        )
    assert not AssessmentSchedule.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_the_real_worker_command_sends_a_scheduled_questionnaire(cast):
    from django.core.management import call_command

    schedule_create(patient=cast.patient, by=cast.nurse, instruments=["phq9"], kind="every_n_days")
    call_command("worker", batch=True, verbosity=0)
    assert len(mail.outbox) == 1
    assert "/measures/q/" in mail.outbox[0].body

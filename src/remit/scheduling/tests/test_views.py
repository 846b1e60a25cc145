from __future__ import annotations

import json
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command

from remit.core.models import AuditEvent
from remit.protocols.models import ProtocolVersion, TreatmentCourse
from remit.scheduling.models import Appointment, PatientAvailability, PlannerRun, StaffHours
from remit.scheduling.services import patient_calendar_link_issue, series_book
from remit.scheduling.tests.helpers import equip, new_course, open_weekdays, version

pytestmark = pytest.mark.django_db

NY = ZoneInfo("America/New_York")
NOW = datetime(2025, 3, 3, 9, 0, tzinfo=NY)


@pytest.fixture(autouse=True)
def _now():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def booked(cast):
    open_weekdays(cast.clinic)
    equip(cast.clinic)
    course = new_course(cast.patient, cast.prescriber)
    return series_book(course=course, by=cast.intake).appointments


def test_the_week_shows_names_to_schedulers_and_only_bookings_to_administrators(
    cast, client_for, booked
):
    page = client_for(cast.intake).get("/schedule/", {"view": "week", "date": "2025-03-04"})
    assert page.status_code == 200
    assert b"Testwood, A." in page.content
    assert b"IV ketamine induction series" in page.content
    admin = client_for(cast.admin).get("/schedule/", {"view": "week", "date": "2025-03-04"})
    assert b"Testwood" not in admin.content and b"Booked" in admin.content
    assert b"ketamine induction" not in admin.content
    seen = AuditEvent.objects.filter(detail__section="calendar").latest("id")
    assert seen.detail["patients"] == [cast.patient.pk]


def test_the_calendar_filters_by_resource_and_refuses_another_clinics(cast, client_for, booked):
    chair = booked[0].resource
    page = client_for(cast.nurse).get(
        "/schedule/", {"view": "day", "date": "2025-03-04", "resource": chair.pk}
    )
    assert page.status_code == 200
    other = equip(cast.other_clinic, chairs=1, rooms=0, devices=0)[0]
    assert client_for(cast.nurse).get("/schedule/", {"resource": other.pk}).status_code == 404
    assert (
        client_for(cast.nurse)
        .get("/schedule/", {"date": "not-a-date", "resource": "x"})
        .status_code
        == 200
    )


def test_cancelling_from_the_page_offers_replacements_and_one_click_books_it(
    cast, client_for, booked
):
    client = client_for(cast.intake)
    third = booked[2]
    response = client.post(
        f"/schedule/appointments/{third.pk}/status/", {"status": "cancelled", "reason": "Away"}
    )
    assert response.status_code == 302
    page = client.get(f"/schedule/appointments/{third.pk}/")
    assert b"Valid replacements" in page.content
    start = page.content.split(b'name="start" value="')[1].split(b'"')[0].decode()
    moved = client.post(f"/schedule/appointments/{third.pk}/replace/", {"start": start})
    assert moved.status_code == 302
    new = Appointment.objects.get(course=third.course, session_number=3, status="booked")
    assert new.start == datetime.fromisoformat(start)
    again = client.post(
        f"/schedule/appointments/{third.pk}/replace/", {"start": start}, follow=True
    )
    assert b"already booked" in again.content
    assert Appointment.objects.filter(course=third.course, status="booked").count() == 6


def test_a_cancel_without_a_reason_changes_nothing(cast, client_for, booked):
    response = client_for(cast.nurse).post(
        f"/schedule/appointments/{booked[0].pk}/status/", {"status": "cancelled"}, follow=True
    )
    assert b"Say why" in response.content
    booked[0].refresh_from_db()
    assert booked[0].status == "booked"


def test_a_technician_marks_arrival_but_cannot_cancel(cast, client_for, booked):
    client = client_for(cast.tms_tech)
    assert (
        client.post(
            f"/schedule/appointments/{booked[0].pk}/status/", {"status": "cancelled", "reason": "x"}
        ).status_code
        == 403
    )
    assert (
        client.post(
            f"/schedule/appointments/{booked[0].pk}/status/", {"status": "arrived"}
        ).status_code
        == 302
    )
    booked[0].refresh_from_db()
    assert booked[0].status == "arrived"


def test_the_patients_times_are_saved_and_bad_times_save_nothing(cast, client_for):
    client = client_for(cast.intake)
    url = f"/schedule/patients/{cast.patient.pk}/availability/"
    bad = client.post(url, {"weekdays": ["0"], "available_from": "12:00", "available_to": "09:00"})
    assert bad.status_code == 422 and b"must end after it starts" in bad.content
    assert not PatientAvailability.objects.exists()
    good = client.post(
        url,
        {
            "weekdays": ["0", "2"],
            "available_from": "09:00",
            "available_to": "17:00",
            "preferred_from": "10:00",
            "preferred_to": "12:00",
        },
    )
    assert good.status_code == 302
    assert PatientAvailability.objects.filter(patient=cast.patient).count() == 4
    assert PatientAvailability.objects.filter(patient=cast.patient, preferred=True).count() == 2


def test_an_administrator_enters_staff_hours_and_overlaps_are_refused(cast, client_for):
    client = client_for(cast.admin)
    data = {
        "staff": cast.nurse.pk,
        "weekdays": ["0", "1"],
        "starts_at": "08:00",
        "ends_at": "14:00",
    }
    assert client.post("/schedule/staff-hours/", data).status_code == 302
    again = client.post(
        "/schedule/staff-hours/", {**data, "starts_at": "12:00", "ends_at": "16:00"}
    )
    assert again.status_code == 422 and b"overlap" in again.content
    outsider = client.post("/schedule/staff-hours/", {**data, "staff": cast.outsider.pk})
    assert outsider.status_code == 422
    row = StaffHours.objects.get(weekday=0)
    assert client.post(f"/schedule/staff-hours/{row.pk}/delete/").status_code == 302
    assert StaffHours.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_the_clinic_planner_runs_in_the_background_and_books_the_waiting_courses(cast, client_for):
    open_weekdays(cast.clinic)
    equip(cast.clinic, chairs=2)
    waiting = [new_course(cast.patient, cast.prescriber)]
    client = client_for(cast.intake)
    page = client.get("/schedule/planner/")
    assert b"Plan 1 course" in page.content
    response = client.post(
        "/schedule/planner/", {"first_day": "2025-03-04", "period": "28", "time_limit_s": "3"}
    )
    run = PlannerRun.objects.get()
    assert response.status_code == 302 and run.status == "queued"
    polling = client.get(f"/schedule/planner/{run.pk}/", headers={"HX-Request": "true"})
    assert b"every 2s" in polling.content
    call_command("worker", batch=True, verbosity=0)
    run.refresh_from_db()
    assert run.status == "done" and run.result["placed"] == 1 and run.result["sessions"] == 6
    done = client.get(f"/schedule/planner/{run.pk}/")
    assert b"every 2s" not in done.content and b"1 of 1 course booked" in done.content
    assert Appointment.objects.filter(course=waiting[0]).count() == 6


def test_the_patients_calendar_feed_has_times_and_the_clinic_only(cast, client_for, booked):
    token = patient_calendar_link_issue(patient=cast.patient, by=cast.intake)
    feed = client_for(None).get(f"/schedule/feed/{token}.ics")
    assert feed.status_code == 200 and feed["Content-Type"] == "text/calendar"
    text = feed.content.decode()
    assert text.count("BEGIN:VEVENT") == 6
    assert "SUMMARY:Appointment at Harbour Ketamine & TMS" in text
    for secret in ("induction", "Testwood", cast.patient.mrn, "Chair"):
        assert secret not in text
    assert client_for(None).get(f"/schedule/feed/{token[:-2]}xx.ics").status_code == 404


def test_a_resource_feed_is_for_the_clinics_staff(cast, client_for, booked):
    chair = booked[0].resource
    feed = client_for(cast.nurse).get(f"/schedule/resources/{chair.pk}.ics")
    assert feed.status_code == 200 and b"BEGIN:VEVENT" in feed.content
    assert b"Testwood" not in feed.content
    assert client_for(None).get(f"/schedule/resources/{chair.pk}.ics").status_code == 302


def test_the_api_books_a_session_and_refuses_a_taken_time_with_409(cast, client_for, booked):
    course = new_course(
        type(cast.patient).objects.create(
            clinic=cast.clinic,
            mrn="R5551234",
            legal_given_name="Iris",
            legal_family_name="Proxley",
            date_of_birth="1975-05-05",
            sex_at_birth="female",
        ),
        cast.prescriber,
    )
    client = client_for(cast.intake)
    url = f"/api/v1/scheduling/courses/{course.pk}/appointments"
    start = booked[0].start.isoformat()
    chair = booked[0].resource
    taken = client.post(
        url, json.dumps({"start": start, "resource_id": chair.pk}), content_type="application/json"
    )
    assert taken.status_code == 409
    assert "already booked" in taken.json()["error"]
    free = client.post(url, json.dumps({"start": start}), content_type="application/json")
    assert free.status_code == 201 and free.json()["resource_id"] != chair.pk
    missing = client.post(url, json.dumps({}), content_type="application/json")
    assert missing.status_code == 422
    listed = client.get("/api/v1/scheduling/appointments", {"day": "2025-03-04"})
    assert listed.status_code == 200 and len(listed.json()) == 2


def test_a_prescriber_plans_a_course_and_changes_a_protocol_from_the_pages(cast, client_for):
    client = client_for(cast.prescriber)
    iv = version(cast.clinic, "iv-ketamine-induction")
    bad = client.post(f"/protocols/courses/new/{cast.patient.pk}/", {"plan": "999:induction"})
    assert bad.status_code == 422 and not TreatmentCourse.objects.exists()
    made = client.post(f"/protocols/courses/new/{cast.patient.pk}/", {"plan": f"{iv.pk}:induction"})
    course = TreatmentCourse.objects.get()
    assert made.status_code == 302 and made["Location"] == f"/protocols/courses/{course.pk}/"
    form = client.get(f"/protocols/{iv.pk}/edit/")
    assert form.status_code == 200
    fields = {
        "session.preparation_min": 0,
        "session.administration_min": 40,
        "session.observation_min": 75,
        "phases.induction.session_count": 6,
        "phases.induction.spacing.min_days_between": 2,
        "phases.induction.spacing.max_per_week": 3,
        "phases.induction.spacing.window_days": 21,
    }
    nothing = client.post(f"/protocols/{iv.pk}/edit/", {**fields, "reason": ""})
    assert nothing.status_code == 422
    saved = client.post(f"/protocols/{iv.pk}/edit/", {**fields, "reason": "75 min recovery"})
    assert saved.status_code == 302
    assert ProtocolVersion.objects.filter(clinic=cast.clinic, code=iv.code, version=2).exists()
    stop = client.post(
        f"/protocols/courses/{course.pk}/status/", {"status": "stopped"}, follow=True
    )
    assert b"Say why" in stop.content


def test_the_chart_course_tab_shows_the_course_and_the_booking_button(cast, client_for):
    new_course(cast.patient, cast.prescriber)
    tab = client_for(cast.intake).get(f"/patients/{cast.patient.pk}/", {"tab": "course"})
    assert b"IV ketamine induction series" in tab.content
    assert b"Book the whole series" in tab.content
    assert b"New course" not in tab.content
    assert (
        b"New course"
        in client_for(cast.prescriber)
        .get(f"/patients/{cast.patient.pk}/", {"tab": "course"})
        .content
    )


def test_the_start_page_lists_todays_sessions_for_the_chair_side_staff(cast, client_for, booked):
    with time_machine.travel(booked[0].start - timedelta(hours=1), tick=False):
        page = client_for(cast.nurse).get("/")
        assert b"<h2>Today's sessions" in page.content
        assert b"Testwood, Avery" in page.content
        tech = client_for(cast.tms_tech).get("/")
        assert b"Testwood" not in tech.content, "a technician sees the TMS devices only"

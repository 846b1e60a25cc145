"""Staff pages and API: the measures tab, the start-page alerts, ratings, acknowledging."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from remit.core.models import AuditEvent
from remit.measures.charts import BandSpec, trajectory
from remit.measures.models import AlertStatus, Assessment, AssessmentRequest, SafetyAlert
from remit.measures.services import assessment_record
from remit.measures.tests.helpers import PHQ9_ITEM9, PHQ9_SEVERE, course_for, session_for

pytestmark = pytest.mark.django_db


def _history(cast):
    now = timezone.now()
    course = course_for(cast.patient)
    session_for(course, now - timedelta(days=10), status="fulfilled")
    for days, answers in ((21, PHQ9_SEVERE), (14, [2] * 8 + [0]), (7, [1] * 8 + [0])):
        assessment_record(
            patient=cast.patient,
            code="phq9",
            answers=answers,
            method="patient_link",
            course=course,
            collected_at=now - timedelta(days=days),
        )


def test_the_measures_tab_draws_each_instruments_trajectory_with_bands_and_lines(cast, client_for):
    _history(cast)
    page = client_for(cast.nurse).get(f"/patients/{cast.patient.pk}/?tab=measures")
    assert page.status_code == 200
    html = page.content.decode()
    assert "<svg" in html and "PHQ-9 totals over time; 3 assessments" in html
    assert 'class="level-response"' in html and 'class="level-remission"' in html
    assert 'class="session"' in html
    assert "moderately severe" in html
    assert "Little interest or pleasure" in html, "item answers are in the table"
    assert "Send questionnaire" in html and "Acknowledge with a note" not in html


def test_the_chart_geometry_puts_higher_totals_higher_up():
    now = timezone.now()
    chart = trajectory(
        scores=[(now - timedelta(days=7), 20, "severe"), (now, 5, "mild")],
        min_total=0,
        max_total=27,
        bands=[BandSpec("mild", 5, 9), BandSpec("severe", 20, 27)],
        baseline=20,
        response=(10.0, "response"),
        remission=("<", 5),
    )
    first, second = chart.points
    assert first.y < second.y and first.x < second.x
    assert [level.kind for level in chart.levels] == ["baseline", "response", "remission"]
    assert chart.bands[-1].y == chart.top  # the top band reaches the top of the axis


def test_a_prescriber_sees_the_alert_on_the_start_page_and_acknowledges_it(cast, client_for):
    alert = assessment_record(
        patient=cast.patient, code="phq9", answers=PHQ9_ITEM9, method="patient_link"
    ).safety_alert
    client = client_for(cast.prescriber)
    home = client.get("/")
    assert home.status_code == 200
    assert b"Safety alerts" in home.content and b"Testwood, Avery" in home.content
    url = f"/measures/alerts/{alert.pk}/acknowledge/"
    refused = client.post(url, {"note": "", "next": "home"})
    assert refused.status_code == 422 and b"Nothing has been saved" in refused.content
    assert SafetyAlert.objects.get().status == AlertStatus.OPEN
    done = client.post(url, {"note": "Called; safe, plan reviewed.", "next": "home"})
    assert done.status_code == 302 and done["Location"] == "/"
    assert SafetyAlert.objects.get().status == AlertStatus.ACKNOWLEDGED
    assert b"Testwood, Avery" not in client.get("/").content
    assert client_for(cast.nurse).post(url, {"note": "x"}).status_code == 403


def test_a_clinician_enters_a_madrs_and_remit_computes_the_total(cast, client_for):
    client = client_for(cast.prescriber)
    url = f"/measures/patients/{cast.patient.pk}/assessments/new/?instrument=madrs"
    form = {f"madrs-{n}": "3" for n in range(1, 11)} | {
        "collected_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
        "total": "0",
    }
    missing = client.post(url, form | {"madrs-4": ""})
    assert missing.status_code == 422 and b"MADRS item 4" in missing.content
    assert not Assessment.objects.exists()
    assert client.post(url, form).status_code == 302
    madrs = Assessment.objects.get()
    assert madrs.total == 30 and madrs.severity == "moderate"
    assert madrs.method == "clinician" and madrs.collected_by == cast.prescriber


def test_a_nurse_sends_a_questionnaire_from_the_chart_and_the_worker_sends_it(cast, client_for):
    from remit.measures.tests.helpers import run_worker

    url = f"/measures/patients/{cast.patient.pk}/requests/new/"
    client = client_for(cast.nurse)
    assert client.get(url).status_code == 200
    empty = client.post(url, {"channel": "email", "max_reminders": "3", "reminder_every_h": "24"})
    assert empty.status_code == 422 and not AssessmentRequest.objects.exists()
    body = {
        "instruments": ["phq9", "gad7"],
        "channel": "email",
        "max_reminders": "3",
        "reminder_every_h": "24",
    }
    assert client.post(url, body).status_code == 302
    assert AssessmentRequest.objects.get().instruments == ["phq9", "gad7"]
    run_worker()
    assert len(mail.outbox) == 1


def test_the_api_lists_and_records_assessments_and_refuses_bad_answers(cast, client_for):
    client = client_for(cast.nurse)
    url = f"/api/v1/measures/patients/{cast.patient.pk}/assessments"
    bad = client.post(
        url, {"instrument": "phq9", "answers": [1, 1, 1, 9, 1, 1, 1, 1, 1]}, "application/json"
    )
    assert bad.status_code == 422
    assert "phq9-4" in bad.json()["fields"]
    text = client.post(
        url, {"instrument": "phq9", "answers": ["1"] * 9}, content_type="application/json"
    )
    assert text.status_code == 422
    assert not Assessment.objects.exists()
    made = client.post(
        url,
        {"instrument": "phq9", "answers": {f"phq9-{n}": 2 for n in range(1, 10)}, "total": 0},
        content_type="application/json",
    )
    assert made.status_code == 201
    assert made.json()["total"] == 18 and made.json()["severity"] == "moderately severe"
    listed = client.get(url)
    assert [a["total"] for a in listed.json()] == [18]
    reads = AuditEvent.objects.filter(action="view", patient_id=cast.patient.pk)
    assert reads.filter(detail__channel="api").exists()


def test_an_administrator_sets_the_clinics_crisis_text(cast, client_for):
    client = client_for(cast.admin)
    page = client.get("/measures/settings/")
    assert page.status_code == 200 and b"988" in page.content
    body = {
        "crisis_text": "Call 988 or the Harbour on-call line 555-0100.",
        "alert_bands": ["phq9:severe"],
        "qids_item12_alert_at": "1",
        "madrs_item10_alert_at": "2",
        "madrs_remission": "madrs_remission_le_12",
        "link_lifetime_h": "48",
    }
    assert client.post("/measures/settings/", body).status_code == 302
    assert b"on-call line" in client.get("/measures/settings/").content
    assert client.post("/measures/settings/", body | {"link_lifetime_h": "0"}).status_code == 422


def test_the_schedule_form_shares_the_request_fields_but_keeps_its_own_order(cast):
    from remit.measures.forms import RequestForm, ScheduleForm

    request_form = RequestForm(patient=cast.patient)
    schedule_form = ScheduleForm(patient=cast.patient)
    assert list(request_form.fields) == [
        "instruments",
        "channel",
        "course",
        "max_reminders",
        "reminder_every_h",
    ]
    assert list(schedule_form.fields) == [
        "instruments",
        "kind",
        "course",
        "offset_h",
        "interval_days",
        "ends_on",
        "channel",
        "max_reminders",
        "reminder_every_h",
    ]
    assert request_form.fields["instruments"].initial == ["phq9", "gad7"]
    assert schedule_form.fields["instruments"].initial == ["phq9"]

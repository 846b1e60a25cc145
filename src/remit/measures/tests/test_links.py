"""Questionnaire requests: sent by the worker, filled in through a single-use link."""

from __future__ import annotations

import logging
from datetime import timedelta

import pytest
import time_machine
from conftest import verified_client
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from remit.measures.models import Assessment, AssessmentRequest, RequestStatus, SafetyAlert
from remit.measures.services import request_create
from remit.measures.sms import MemorySmsBackend
from remit.measures.tests.helpers import run_worker, token_from_last_email
from remit.portal.models import LinkPurpose
from remit.portal.services import link_issue

pytestmark = pytest.mark.django_db

PHQ9_FORM = {f"phq9-{n}": "1" for n in range(1, 10)} | {"phq9-9": "0", "instrument": "phq9"}
GAD7_FORM = {f"gad7-{n}": "2" for n in range(1, 8)} | {"instrument": "gad7"}


def _sent_request(cast, instruments=("phq9", "gad7"), **kwargs):
    request = request_create(
        patient=cast.patient, instruments=list(instruments), by=cast.nurse, **kwargs
    )
    assert mail.outbox == [], "nothing is sent inside the web request"
    run_worker()
    return request, token_from_last_email()


def test_the_worker_emails_a_link_that_opens_the_request(cast):
    request, token = _sent_request(cast)
    message = mail.outbox[0]
    assert message.to == [cast.patient.email]
    assert "questionnaire" in message.subject.lower()
    assert cast.patient.legal_family_name not in message.body
    request.refresh_from_db()
    assert request.sent_at is not None and request.link is not None
    page = Client().get(f"/measures/q/{token}/")
    assert page.status_code == 200
    assert b"Questionnaire 1 of 2" in page.content
    assert b"Little interest or pleasure" in page.content


def test_a_patient_fills_in_both_questionnaires_and_the_link_is_then_used_up(cast):
    request, token = _sent_request(cast)
    client = Client()
    url = f"/measures/q/{token}/"
    assert client.post(url, PHQ9_FORM).status_code == 302
    second = client.get(url)
    assert b"Questionnaire 2 of 2" in second.content and b"GAD-7" in second.content
    done = client.post(url, GAD7_FORM)
    assert done.status_code == 200 and b"Thank you" in done.content
    request.refresh_from_db()
    assert request.status == RequestStatus.COMPLETED
    assert sorted(a.instrument for a in request.assessments.all()) == ["gad7", "phq9"]
    phq9 = request.assessments.get(instrument="phq9")
    assert phq9.total == 8 and phq9.method == "patient_link" and phq9.collected_by is None
    assert Client().get(url).status_code == 404, "a used link opens nothing"


def test_a_double_submit_records_each_questionnaire_once(cast):
    _, token = _sent_request(cast)
    client = Client()
    url = f"/measures/q/{token}/"
    client.post(url, PHQ9_FORM)
    client.post(url, PHQ9_FORM)
    assert Assessment.objects.filter(instrument="phq9").count() == 1
    first = client.post(url, GAD7_FORM)
    again = client.post(url, GAD7_FORM)
    assert first.status_code == again.status_code == 200
    assert b"Thank you" in again.content, "the same browser is told it is done"
    assert Assessment.objects.count() == 2
    # Another browser replaying the finished link learns nothing.
    replay = Client().post(url, GAD7_FORM)
    assert replay.status_code == 404 and b"Thank you" not in replay.content


def test_bad_answers_are_refused_with_the_item_named_and_the_rest_kept(cast):
    request, token = _sent_request(cast)
    url = f"/measures/q/{token}/"
    form = PHQ9_FORM | {"phq9-3": "7", "phq9-5": ""}
    response = Client().post(url, form)
    assert response.status_code == 422
    assert b"PHQ-9 item 3" in response.content
    assert not Assessment.objects.exists()
    request.refresh_from_db()
    kept = request.partial_answers["phq9"]
    assert kept["phq9-1"] == 1 and "phq9-3" not in kept and "phq9-5" not in kept
    missing = Client().post(url, PHQ9_FORM | {"phq9-5": ""})
    assert missing.status_code == 422 and b"item 5" in missing.content
    assert not Assessment.objects.exists()


def test_answers_are_kept_as_the_patient_goes_and_item_9_shows_crisis_resources(cast):
    request, token = _sent_request(cast)
    save = f"/measures/q/{token}/save/"
    quiet = Client().post(save, {"instrument": "phq9", "phq9-1": "2", "phq9-9": "0"})
    assert quiet.status_code == 200 and b"988" not in quiet.content
    loud = Client().post(save, {"instrument": "phq9", "phq9-1": "2", "phq9-9": "1"})
    assert b"988" in loud.content and b"Help is available now" in loud.content
    request.refresh_from_db()
    assert request.partial_answers == {"phq9": {"phq9-1": 2, "phq9-9": 1}}
    page = Client().get(f"/measures/q/{token}/")
    assert b'value="2" checked' in page.content
    assert b"988" in page.content


def test_a_corrected_critical_answer_hides_the_crisis_resources_again(cast):
    _, token = _sent_request(cast)
    save = f"/measures/q/{token}/save/"
    assert b"988" in Client().post(save, {"instrument": "phq9", "phq9-9": "1"}).content
    corrected = Client().post(save, {"instrument": "phq9", "phq9-9": "0"})
    assert corrected.status_code == 200 and b"988" not in corrected.content


def test_an_autosave_opens_the_link_and_reads_the_clinic_settings_once(cast):
    # The autosave runs on every answer a patient gives: no second open, no re-read settings.
    _, token = _sent_request(cast)
    save = f"/measures/q/{token}/save/"
    with CaptureQueriesContext(connection) as queries:
        Client().post(save, {"instrument": "phq9", "phq9-1": "2", "phq9-9": "1"})
    tables = [q["sql"] for q in queries.captured_queries]
    assert sum('FROM "portal_patientlink"' in sql for sql in tables) == 1
    assert sum('FROM "measures_measuressettings"' in sql for sql in tables) == 1


def test_the_crisis_text_is_the_clinics(cast):
    from remit.measures.services import measures_settings_update

    measures_settings_update(
        clinic=cast.clinic, by=cast.admin, changes={"crisis_text": "Call Samaritans on 116 123."}
    )
    _, token = _sent_request(cast)
    answer = Client().post(f"/measures/q/{token}/save/", {"instrument": "phq9", "phq9-9": "2"})
    assert b"116 123" in answer.content and b"988" not in answer.content


def test_a_critical_answer_raises_the_alert_as_the_questionnaire_is_sent(cast):
    _, token = _sent_request(cast)
    Client().post(f"/measures/q/{token}/", PHQ9_FORM | {"phq9-9": "1"})
    alert = SafetyAlert.objects.get()
    assert alert.assessment is not None and alert.assessment.instrument == "phq9"


def test_a_critical_answer_reaches_the_prescriber_even_if_the_patient_never_sends(cast):
    _, token = _sent_request(cast)
    Client().post(f"/measures/q/{token}/save/", {"instrument": "phq9", "phq9-9": "1"})
    alert = SafetyAlert.objects.get()
    assert alert.status == "open" and alert.assessment is None
    assert "not yet sent" in alert.reasons[0]["text"]
    home = verified_client(cast.prescriber).get("/")
    assert b"not yet sent" in home.content


def test_sending_after_an_early_alert_completes_that_alert_instead_of_adding_one(cast):
    _, token = _sent_request(cast)
    Client().post(f"/measures/q/{token}/save/", {"instrument": "phq9", "phq9-9": "2"})
    Client().post(f"/measures/q/{token}/save/", {"instrument": "phq9", "phq9-9": "3"})
    Client().post(f"/measures/q/{token}/", PHQ9_FORM | {"phq9-9": "2"})
    alert = SafetyAlert.objects.get()
    assert alert.assessment is not None and alert.assessment.instrument == "phq9"
    assert alert.reasons[0]["kind"] == "item"
    assert "item 9" in alert.reasons[0]["text"].lower()


@pytest.mark.parametrize("mutation", ["forged", "tampered", "truncated", "portal"])
def test_a_bad_link_gets_one_clear_page_that_reveals_nothing(cast, mutation):
    _, token = _sent_request(cast)
    if mutation == "forged":
        bad = "eyJsIjoxLCJuIjoiYWJjIn0:1tXYZ:forged"
    elif mutation == "tampered":
        bad = token[:-3] + ("AAA" if not token.endswith("AAA") else "BBB")
    elif mutation == "truncated":
        bad = token[: len(token) // 2]
    else:
        _, bad = link_issue(
            patient=cast.patient,
            purpose=LinkPurpose.PORTAL,
            lifetime=timedelta(days=1),
            single_use=False,
        )
    for response in (
        Client().get(f"/measures/q/{bad}/"),
        Client().post(f"/measures/q/{bad}/", PHQ9_FORM),
        Client().post(f"/measures/q/{bad}/save/", PHQ9_FORM),
    ):
        assert response.status_code == 404
        assert b"This link cannot be used" in response.content
        assert cast.patient.legal_family_name.encode() not in response.content
    assert not Assessment.objects.exists()


def test_a_link_opens_its_own_request_only(cast):
    # A questionnaire link of the other patient, scoped to this patient's request, opens nothing.
    request, _ = _sent_request(cast)
    _, crossed = link_issue(
        patient=cast.other_patient,
        purpose=LinkPurpose.QUESTIONNAIRE,
        lifetime=timedelta(days=1),
        single_use=True,
        scope=request,
    )
    assert Client().get(f"/measures/q/{crossed}/").status_code == 404
    assert Client().post(f"/measures/q/{crossed}/", PHQ9_FORM).status_code == 404
    assert not Assessment.objects.exists()


def test_an_expired_link_is_refused(cast):
    _, token = _sent_request(cast)
    with time_machine.travel(timezone.now() + timedelta(days=4)):
        assert Client().get(f"/measures/q/{token}/").status_code == 404


def test_reminders_go_out_daily_until_completed_up_to_the_limit(cast):
    request, _ = _sent_request(cast, max_reminders=3, reminder_every_h=24)
    start = timezone.now()
    for day in (1, 2):
        with time_machine.travel(start + timedelta(days=day, hours=day)):
            run_worker()
    assert len(mail.outbox) == 3
    assert mail.outbox[-1].subject.startswith("Reminder")
    request.refresh_from_db()
    assert request.reminders_sent == 2
    token = token_from_last_email()
    client = Client()
    client.post(f"/measures/q/{token}/", PHQ9_FORM)
    client.post(f"/measures/q/{token}/", GAD7_FORM)
    with time_machine.travel(start + timedelta(days=3, minutes=1)):
        run_worker()
    assert len(mail.outbox) == 3, "no reminder after completion"


def test_a_request_needs_instruments_and_a_way_to_reach_the_patient(cast):
    with pytest.raises(ValidationError, match="at least one"):
        request_create(patient=cast.patient, instruments=[])
    with pytest.raises(ValidationError, match="patient questionnaire"):
        request_create(patient=cast.patient, instruments=["madrs"])
    cast.patient.email = ""
    with pytest.raises(ValidationError, match="no email"):
        request_create(patient=cast.patient, instruments=["phq9"], channel="email")
    assert not AssessmentRequest.objects.exists()


def test_an_sms_goes_through_the_backend_and_the_log_names_no_one(cast, settings, caplog):
    settings.REMIT_SMS_BACKEND = "remit.measures.sms.MemorySmsBackend"
    MemorySmsBackend.outbox.clear()
    request_create(patient=cast.patient, instruments=["phq9"], channel="sms")
    run_worker()
    (message,) = MemorySmsBackend.outbox
    assert message.to == cast.patient.phone and "/measures/q/" in message.body
    settings.REMIT_SMS_BACKEND = ""
    caplog.set_level(logging.INFO, logger="remit.measures.sms")
    request_create(patient=cast.patient, instruments=["phq9"], channel="sms")
    run_worker()
    assert "SMS not sent" in caplog.text
    assert cast.patient.phone not in caplog.text
    assert cast.patient.legal_family_name not in caplog.text
    assert "/measures/q/" not in caplog.text

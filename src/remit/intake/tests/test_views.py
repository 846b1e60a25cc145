from __future__ import annotations

import logging

import pytest
import time_machine
from django.core import mail  # noqa: F401

from remit.intake.models import ConsultationRequest, PublicSubmission
from remit.intake.services import MAX_SUBMISSIONS_PER_ADDRESS
from remit.intake.transitions import RequestStatus
from remit.patients.models import Patient

pytestmark = pytest.mark.django_db

SCREEN = {
    "conditions": ["depression"],
    "symptoms": ["sadness", "poor_sleep"],
    "antidepressants_tried": "3",
    "talk_therapy_tried": "yes",
    "clinician_suggested": "none",
    "thoughts_of_ending_life": "no",
}
REQUEST = {
    "given_name": "Yara",
    "family_name": "Synthwick",
    "date_of_birth": "1990-05-17",
    "phone": "+1 555 0101",
    "email": "yara@example.org",
    "contact_method": "phone",
    "contact_times": "weekday mornings",
    "heard_from": "search",
    "consent_to_contact": "on",
}


def _phq9(*answers: int) -> dict[str, str]:
    return {f"phq9_{n}": str(value) for n, value in enumerate(answers, start=1)}


def _screen_token(client, clinic, data=None) -> str:
    response = client.post(f"/intake/start/{clinic.pk}/", data or SCREEN)
    assert response.status_code == 200
    return str(response.context["token"])


def test_the_self_screen_needs_no_login_and_says_which_treatments_may_fit(cast, client):
    page = client.get(f"/intake/start/{cast.clinic.pk}/")
    assert page.status_code == 200
    assert b"PHQ-9" in page.content
    result = client.post(f"/intake/start/{cast.clinic.pk}/", SCREEN)
    assert result.status_code == 200
    text = result.content.decode()
    assert "Esketamine (Spravato nasal spray)" in text and "May fit" in text
    assert "Ketamine, esketamine or TMS?" in text and "[S46]" in text
    assert "crisis-heading" not in text  # no crisis box when there is no risk


def test_the_self_screen_of_an_unknown_clinic_is_not_found(client):
    assert client.get("/intake/start/999999/").status_code == 404


def test_phq9_answers_are_scored_by_the_measures_code(cast, client):
    response = client.post(
        f"/intake/start/{cast.clinic.pk}/", {**SCREEN, **_phq9(2, 2, 2, 2, 2, 1, 1, 1, 0)}
    )
    assert response.context["result"].phq9.total == 13
    assert response.context["result"].phq9.severity == "moderate"


def test_a_partly_answered_phq9_is_refused_with_a_message_per_question(cast, client):
    response = client.post(f"/intake/start/{cast.clinic.pk}/", {**SCREEN, "phq9_1": "2"})
    assert response.status_code == 422
    assert "Answer every PHQ-9 question, or none of them." in response.content.decode()


def test_thoughts_of_ending_life_show_crisis_resources_at_once(cast, client):
    response = client.post(
        f"/intake/start/{cast.clinic.pk}/", {**SCREEN, "thoughts_of_ending_life": "yes"}
    )
    text = response.content.decode()
    assert response.context["result"].urgent
    assert text.index("988 Suicide &amp; Crisis Lifeline") < text.index("<h1>Your result")


def test_a_phq9_item_9_answer_shows_crisis_resources_even_on_an_incomplete_form(cast, client):
    response = client.post(f"/intake/start/{cast.clinic.pk}/", {**SCREEN, "phq9_9": "1"})
    assert response.status_code == 422
    assert "988 Suicide" in response.content.decode()


def test_a_request_with_an_urgent_screen_is_marked_urgent_and_stored_with_it(cast, client):
    token = _screen_token(client, cast.clinic, {**SCREEN, **_phq9(3, 3, 3, 3, 3, 3, 3, 3, 2)})
    response = client.post(f"/intake/start/{cast.clinic.pk}/request/", {**REQUEST, "screen": token})
    assert response.status_code == 302 and "urgent=1" in response["Location"]
    request = ConsultationRequest.objects.get()
    assert request.urgent and request.clinic == cast.clinic
    assert request.screen_answers["phq9"][8] == 2
    assert request.screen_result["urgent"] is True
    assert request.status_changes.get().new_status == RequestStatus.NEW


def test_a_tampered_screen_token_is_ignored_not_trusted(cast, client):
    token = _screen_token(client, cast.clinic)
    client.post(f"/intake/start/{cast.clinic.pk}/request/", {**REQUEST, "screen": token + "x"})
    assert ConsultationRequest.objects.get().screen_answers == {}


def test_a_request_without_consent_or_any_contact_is_refused_and_nothing_saved(cast, client):
    data = {**REQUEST, "phone": "", "email": ""}
    del data["consent_to_contact"]
    response = client.post(f"/intake/start/{cast.clinic.pk}/request/", data)
    assert response.status_code == 422
    text = response.content.decode()
    assert "We can only reply if you agree to this." in text
    assert "Give a phone number or an email address." in text
    assert not ConsultationRequest.objects.exists()


def test_email_as_contact_method_needs_an_email(cast, client):
    data = {**REQUEST, "email": "", "contact_method": "email"}
    response = client.post(f"/intake/start/{cast.clinic.pk}/request/", data)
    assert response.status_code == 422
    assert "Give an email address" in response.content.decode()


def test_a_filled_honeypot_looks_like_success_but_saves_nothing(cast, client):
    response = client.post(
        f"/intake/start/{cast.clinic.pk}/request/", {**REQUEST, "website": "http://spam"}
    )
    assert response.status_code == 302
    assert not ConsultationRequest.objects.exists()


def test_too_many_requests_from_one_address_are_refused_until_the_window_passes(cast, client):
    with time_machine.travel("2026-03-02 10:00 +0000", tick=False):
        for _ in range(MAX_SUBMISSIONS_PER_ADDRESS):
            assert (
                client.post(f"/intake/start/{cast.clinic.pk}/request/", REQUEST).status_code == 302
            )
        refused = client.post(f"/intake/start/{cast.clinic.pk}/request/", REQUEST)
        assert refused.status_code == 429
        assert ConsultationRequest.objects.count() == MAX_SUBMISSIONS_PER_ADDRESS
    with time_machine.travel("2026-03-02 11:01 +0000", tick=False):
        assert client.post(f"/intake/start/{cast.clinic.pk}/request/", REQUEST).status_code == 302
    # Only a keyed hash of the address is kept.
    assert all("127.0.0.1" not in s.address_hash for s in PublicSubmission.objects.all())


def test_another_address_is_not_limited_by_the_first(cast, client):
    for _ in range(MAX_SUBMISSIONS_PER_ADDRESS + 1):
        client.post(f"/intake/start/{cast.clinic.pk}/request/", REQUEST)
    other = client.post(f"/intake/start/{cast.clinic.pk}/request/", REQUEST, REMOTE_ADDR="10.1.2.3")
    assert other.status_code == 302


def test_no_personal_data_reaches_the_logs(cast, client, caplog):
    caplog.set_level(logging.DEBUG)
    client.post(f"/intake/start/{cast.clinic.pk}/request/", {**REQUEST, "phone": "12"})
    client.post(f"/intake/start/{cast.clinic.pk}/request/", REQUEST)
    for secret in ("Synthwick", "yara@example.org", "0101"):
        assert secret not in caplog.text


def test_the_queue_shows_urgent_requests_first(cast, client_for):
    from remit.intake.tests.factories import consultation_request

    calm = consultation_request(cast.clinic, family_name="Calmson")
    urgent = consultation_request(cast.clinic, family_name="Urgento", urgent=True)
    page = client_for(cast.intake).get("/intake/")
    names = [r.family_name for r in page.context["page"].object_list]
    assert names == [urgent.family_name, calm.family_name]


def test_the_queue_never_shows_another_clinics_requests(cast, client_for):
    from remit.intake.tests.factories import consultation_request

    consultation_request(cast.other_clinic, family_name="Elsewhere")
    page = client_for(cast.intake).get("/intake/?show=new")
    assert b"Elsewhere" not in page.content


def test_opening_a_request_is_recorded_in_the_audit_trail(cast, client_for):
    from remit.core.models import AuditEvent
    from remit.intake.tests.factories import consultation_request

    found = consultation_request(cast.clinic)
    assert client_for(cast.intake).get(f"/intake/requests/{found.pk}/").status_code == 200
    event = AuditEvent.objects.get(
        action="view", object_type="intake.ConsultationRequest", object_id=str(found.pk)
    )
    assert event.actor == cast.intake
    assert event.clinic_id == cast.clinic.pk
    assert event.detail["section"] == "consultation request"


def test_a_request_of_another_clinic_is_not_found_and_no_read_is_recorded(cast, client_for):
    from remit.core.models import AuditEvent
    from remit.intake.tests.factories import consultation_request

    elsewhere = consultation_request(cast.other_clinic)
    assert client_for(cast.intake).get(f"/intake/requests/{elsewhere.pk}/").status_code == 404
    assert not AuditEvent.objects.filter(
        action="view", object_type="intake.ConsultationRequest", object_id=str(elsewhere.pk)
    ).exists()


def test_possible_duplicates_are_shown_on_the_request(cast, client_for):
    from remit.intake.tests.factories import consultation_request

    patient = cast.patient
    same_email = consultation_request(cast.clinic, email=patient.email or "x@example.org")
    if not patient.email:
        Patient.objects.filter(pk=patient.pk).update(email="x@example.org")
    same_person = consultation_request(
        cast.clinic,
        given_name=patient.legal_given_name.upper(),
        family_name=patient.legal_family_name,
        date_of_birth=patient.date_of_birth,
        email="",
        phone="+1 555 0199",
    )
    stranger = consultation_request(cast.clinic, email="new@example.org", phone="+1 555 0177")
    client = client_for(cast.intake)
    for found in (same_email, same_person):
        assert patient in client.get(f"/intake/requests/{found.pk}/").context["duplicates"]
    assert client.get(f"/intake/requests/{stranger.pk}/").context["duplicates"] == []


def test_a_coordinator_moves_a_request_through_the_statuses_with_history(cast, client_for):
    from remit.intake.tests.factories import consultation_request

    request = consultation_request(cast.clinic)
    client = client_for(cast.intake)
    url = f"/intake/requests/{request.pk}/status/"
    assert client.post(url, {"status": "contacted"}).status_code == 302
    assert client.post(url, {"status": "consultation_booked"}).status_code == 302
    refused = client.post(url, {"status": "declined"})
    assert refused.status_code == 422
    assert "Give the reason the request was declined." in refused.content.decode()
    assert (
        client.post(url, {"status": "declined", "reason": "Chose another clinic"}).status_code
        == 302
    )
    request.refresh_from_db()
    assert request.status == "declined" and request.decline_reason == "Chose another clinic"
    assert [c.new_status for c in request.status_changes.all()] == [
        "new",
        "contacted",
        "consultation_booked",
        "declined",
    ]
    # Declined is final.
    assert client.post(url, {"status": "contacted"}).status_code == 422


def test_converting_creates_the_patient_with_the_screen_attached(cast, client, client_for):
    token = _screen_token(client, cast.clinic)
    client.post(f"/intake/start/{cast.clinic.pk}/request/", {**REQUEST, "screen": token})
    request = ConsultationRequest.objects.get()
    staff = client_for(cast.intake)
    data = {
        "legal_given_name": "Yara",
        "legal_family_name": "Synthwick",
        "date_of_birth": "1990-05-17",
        "sex_at_birth": "female",
        "phone": "+1 555 0101",
        "email": "yara@example.org",
    }
    response = staff.post(f"/intake/requests/{request.pk}/convert/", data)
    assert response.status_code == 302
    patient = Patient.objects.get(legal_family_name="Synthwick")
    assert patient.clinic == cast.clinic
    request.refresh_from_db()
    assert request.patient == patient and request.status == "became_patient"
    assert ConsultationRequest.objects.get(patient=patient).screen_result["fits"]
    # A second submit creates nothing more.
    staff.post(f"/intake/requests/{request.pk}/convert/", data)
    assert Patient.objects.filter(legal_family_name="Synthwick").count() == 1


def test_converting_without_sex_at_birth_is_refused_and_nothing_saved(cast, client_for):
    from remit.intake.tests.factories import consultation_request

    request = consultation_request(cast.clinic)
    response = client_for(cast.intake).post(
        f"/intake/requests/{request.pk}/convert/",
        {"legal_given_name": "A", "legal_family_name": "B", "date_of_birth": "1990-01-01"},
    )
    assert response.status_code == 422
    request.refresh_from_db()
    assert request.patient is None and request.status == "new"

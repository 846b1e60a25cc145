from __future__ import annotations

import re

import pytest
from django.urls import reverse

from remit.core.models import AuditEvent
from remit.core.tests.factories import PatientFactory
from remit.patients.models import BodyMeasurement, Patient

pytestmark = pytest.mark.django_db

VALID_FORM = {
    "legal_given_name": "Yara",
    "legal_family_name": "Synthwick",
    "date_of_birth": "1990-05-17",
    "sex_at_birth": "female",
    "phone": "+1 555 010 0123",
    "email": "yara@example.org",
    "country": "United States",
    "preferred_language": "English",
    "weight_kg": "64.0",
    "height_cm": "165",
}

# Who may open which patient page: 200 allowed, 403 role without access, 404 out of scope.
EXPECTED = {
    "prescriber": {"list": 200, "chart": 200, "new": 200, "edit": 200, "other_chart": 404},
    "nurse": {"list": 200, "chart": 200, "new": 403, "edit": 403, "other_chart": 404},
    "tms_tech": {"list": 200, "chart": 200, "new": 403, "edit": 403, "other_chart": 404},
    "intake": {"list": 200, "chart": 200, "new": 200, "edit": 200, "other_chart": 404},
    "admin": {"list": 403, "chart": 403, "new": 403, "edit": 403, "other_chart": 403},
    "researcher": {"list": 403, "chart": 403, "new": 403, "edit": 403, "other_chart": 403},
    "outsider": {"list": 200, "chart": 404, "new": 200, "edit": 404, "other_chart": 200},
}


def _urls(cast):
    return {
        "list": reverse("patients:list"),
        "chart": reverse("patients:chart", args=[cast.patient.pk]),
        "new": reverse("patients:new"),
        "edit": reverse("patients:edit", args=[cast.patient.pk]),
        "other_chart": reverse("patients:chart", args=[cast.other_patient.pk]),
    }


def test_each_role_gets_exactly_the_patient_pages_it_should(cast, client_for):
    urls = _urls(cast)
    for name, user in cast.everyone().items():
        client = client_for(user)
        for page, url in urls.items():
            status = client.get(url).status_code
            assert status == EXPECTED[name][page], f"{name} {page}: {status}"


def test_anonymous_visitors_are_sent_to_sign_in(cast, client_for):
    for url in _urls(cast).values():
        response = client_for(None).get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))


def test_an_unknown_patient_id_is_a_404_page_not_a_stack_trace(cast, client_for):
    response = client_for(cast.nurse).get(reverse("patients:chart", args=[987654]))
    assert response.status_code == 404
    assert b"Not found" in response.content and b"Traceback" not in response.content


def test_an_unknown_url_is_a_404_page(client_for, cast):
    response = client_for(cast.nurse).get("/no/such/page/")
    assert response.status_code == 404


def test_the_list_searches_by_name_mrn_and_date_of_birth(cast, client_for):
    PatientFactory(clinic=cast.clinic, legal_given_name="Opal", legal_family_name="Dummond")
    client = client_for(cast.nurse)
    assert b"Dummond" in client.get("/patients/?q=dumm").content
    assert b"Dummond" not in client.get("/patients/?q=testwood").content
    assert b"Testwood" in client.get(f"/patients/?q={cast.patient.mrn}").content
    dob = cast.patient.date_of_birth.isoformat()
    assert b"Testwood" in client.get(f"/patients/?q={dob}").content


def test_the_list_never_shows_another_clinics_patients(cast, client_for):
    response = client_for(cast.nurse).get("/patients/?q=Mockridge")
    assert response.context["page"].paginator.count == 0
    assert b"Basil" not in response.content


def test_the_list_paginates_and_htmx_gets_only_the_table(cast, client_for):
    PatientFactory.create_batch(30, clinic=cast.clinic)
    client = client_for(cast.nurse)
    first = client.get("/patients/")
    assert b"Page 1 of 2" in first.content
    partial = client.get("/patients/?page=2", headers={"HX-Request": "true"})
    assert b"<html" not in partial.content and b"Page 2 of 2" in partial.content


def test_an_unknown_sort_key_falls_back_to_name(cast, client_for):
    response = client_for(cast.nurse).get("/patients/?sort=id);DROP TABLE patients_patient;--")
    assert response.status_code == 200


def test_registering_a_patient_redirects_to_the_new_chart(cast, client_for):
    response = client_for(cast.intake).post(reverse("patients:new"), VALID_FORM)
    patient = Patient.objects.get(legal_family_name="Synthwick")
    assert response.status_code == 302
    assert response["Location"] == reverse("patients:chart", args=[patient.pk])
    assert patient.clinic == cast.clinic
    assert patient.measurements.get().weight_kg == 64


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("date_of_birth", "2999-01-01", "future"),
        ("date_of_birth", "1890-01-01", "120 years"),
        ("email", "yara-at-example", "valid email"),
        ("phone", "12", "phone number"),
        ("weight_kg", "0", "between 20 and 400 kg"),
        ("weight_kg", "401", "between 20 and 400 kg"),
        ("height_cm", "99", "between 100 and 250 cm"),
        ("height_cm", "251", "between 100 and 250 cm"),
    ],
)
def test_the_form_refuses_bad_input_field_by_field_and_saves_nothing(
    cast, client_for, field, value, message
):
    before = (Patient.objects.count(), BodyMeasurement.objects.count(), AuditEvent.objects.count())
    response = client_for(cast.intake).post(reverse("patients:new"), {**VALID_FORM, field: value})
    assert response.status_code == 422
    errors = response.context["form"].errors
    assert list(errors) == [field]
    assert message in " ".join(errors[field])
    assert before == (
        Patient.objects.count(),
        BodyMeasurement.objects.count(),
        AuditEvent.objects.count(),
    )


def test_the_form_refuses_a_duplicate_mrn(cast, client_for):
    response = client_for(cast.intake).post(
        reverse("patients:new"), {**VALID_FORM, "mrn": cast.patient.mrn}
    )
    assert response.status_code == 422
    assert "already has this MRN" in response.context["form"].errors["mrn"][0]


def test_editing_cannot_change_the_mrn(cast, client_for):
    mrn = cast.patient.mrn
    data = {**VALID_FORM, "mrn": "R00000000", "active": "on"}
    response = client_for(cast.intake).post(reverse("patients:edit", args=[cast.patient.pk]), data)
    assert response.status_code == 302
    cast.patient.refresh_from_db()
    assert cast.patient.mrn == mrn and cast.patient.legal_family_name == "Synthwick"


def test_opening_a_chart_is_audited_per_tab(cast, client_for):
    client = client_for(cast.nurse)
    client.get(reverse("patients:chart", args=[cast.patient.pk]))
    client.get(
        reverse("patients:chart", args=[cast.patient.pk]) + "?tab=sessions",
        headers={"HX-Request": "true"},
    )
    views = AuditEvent.objects.filter(action="view", patient_id=cast.patient.pk)
    assert [e.detail["section"] for e in views] == ["overview", "sessions"]
    assert all(e.actor_id == cast.nurse.pk and e.actor_roles == "nurse" for e in views)
    assert all(e.ip_address == "127.0.0.1" for e in views)


def test_intake_sees_demographics_but_no_clinical_tabs(cast, client_for):
    content = client_for(cast.intake).get(reverse("patients:chart", args=[cast.patient.pk])).content
    assert b"Overview" in content and b"Sessions" not in content and b"Diagnoses" not in content


def test_patient_pages_are_never_cached_and_carry_a_strict_csp(cast, client_for):
    response = client_for(cast.nurse).get(reverse("patients:chart", args=[cast.patient.pk]))
    assert response["Cache-Control"] == "no-store"
    assert "default-src 'self'" in response["Content-Security-Policy"]
    assert response["X-Frame-Options"] == "DENY"


def test_no_page_refers_to_a_third_party_host(cast, client_for):
    client = client_for(cast.prescriber)
    for url in [*_urls(cast).values(), reverse("login")]:
        html = client.get(url).content.decode()
        hosts = re.findall(r'(?:src|href|action)="(?:https?:)?//([^/"]+)', html)
        assert hosts == [], f"{url} refers to {hosts}"


def test_emergency_access_opens_the_chart_but_never_the_edit_form(cast, client_for):
    from remit.patients.services import emergency_access_grant

    other = cast.other_patient
    emergency_access_grant(
        user=cast.prescriber,
        mrn=other.mrn,
        date_of_birth=other.date_of_birth,
        reason="Patient collapsed in our waiting room, needs history",
    )
    client = client_for(cast.prescriber)
    assert client.get(reverse("patients:chart", args=[other.pk])).status_code == 200
    edit = reverse("patients:edit", args=[other.pk])
    assert client.get(edit).status_code == 403
    changed = {**VALID_FORM, "legal_given_name": "Changed"}
    assert client.post(edit, changed).status_code == 403
    other.refresh_from_db()
    assert other.legal_given_name != "Changed"

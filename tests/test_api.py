from __future__ import annotations

import json
from datetime import timedelta

import pytest
from conftest import verified_client

from remit.accounts.services import api_token_create
from remit.core.models import AuditEvent
from remit.patients.models import Patient
from remit.portal.models import LinkPurpose
from remit.portal.services import link_issue

pytestmark = pytest.mark.django_db


def test_the_api_publishes_an_openapi_description(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    paths = response.json()["paths"]
    assert "/api/v1/patients" in paths and "/api/v1/portal/me" in paths


def test_a_staff_token_reads_patients_and_every_read_is_audited(cast, client):
    _, token = api_token_create(user=cast.nurse, name="tablet")
    auth = {"Authorization": f"Bearer {token}"}
    listing = client.get("/api/v1/patients", headers=auth).json()
    assert listing["count"] == 1 and listing["data"][0]["mrn"] == cast.patient.mrn
    assert client.get(f"/api/v1/patients/{cast.patient.pk}", headers=auth).status_code == 200
    event = AuditEvent.objects.filter(action="view", patient_id=cast.patient.pk).get()
    assert event.detail["channel"] == "api" and event.actor_id == cast.nurse.pk


def test_a_forged_or_expired_token_is_refused_with_a_json_error(cast, client):
    record, token = api_token_create(user=cast.nurse, name="old", days=-1)
    for value in (token, "rmt_forged"):
        response = client.get("/api/v1/patients", headers={"Authorization": f"Bearer {value}"})
        assert response.status_code == 401
        assert response.json()["error"].startswith("Sign in")


def test_bad_values_are_refused_field_by_field_and_nothing_is_saved(cast):
    client = verified_client(cast.intake)
    before = Patient.objects.count()
    body = {
        "legal_given_name": "Iris",
        "legal_family_name": "Exemplar",
        "date_of_birth": "2999-01-01",
        "sex_at_birth": "female",
        "weight_kg": "0",
    }
    response = client.post("/api/v1/patients", json.dumps(body), content_type="application/json")
    assert response.status_code == 422
    assert "future" in " ".join(response.json()["fields"]["date_of_birth"])
    assert Patient.objects.count() == before


def test_malformed_json_is_a_clear_4xx(cast):
    client = verified_client(cast.intake)
    response = client.post("/api/v1/patients", "{not json", content_type="application/json")
    assert 400 <= response.status_code < 500
    assert "error" in response.json()


def test_an_unverified_session_cannot_use_the_api(cast, client):
    client.force_login(cast.nurse)  # password only, no second factor
    assert client.get("/api/v1/patients").status_code == 401


def test_a_patient_link_reads_only_its_own_patient(cast, client):
    _, token = link_issue(
        patient=cast.patient,
        purpose=LinkPurpose.PORTAL,
        lifetime=timedelta(days=1),
        single_use=False,
    )
    me = client.get("/api/v1/portal/me", headers={"X-Patient-Link": token})
    assert me.status_code == 200 and me.json()["preferred_name"] == "Avery"
    assert client.get("/api/v1/patients", headers={"X-Patient-Link": token}).status_code == 401

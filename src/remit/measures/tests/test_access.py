"""The measures rows of the access matrix and isolation tables, walked on their own (the shared
walkers in tests/ check every app's rows together)."""

from __future__ import annotations

import json

import pytest
from conftest import verified_client
from django.urls import reverse

from remit.measures.tests import access

pytestmark = pytest.mark.django_db


def _url(name: str, values: dict[str, object]) -> str:
    kwargs = {
        "measures:request_new": ["patient_id"],
        "measures:schedule_new": ["patient_id"],
        "measures:assessment_new": ["patient_id"],
        "measures:schedule_stop": ["schedule_id"],
        "measures:alert_acknowledge": ["alert_id"],
        "measures:questionnaire": ["token"],
        "measures:questionnaire_save": ["token"],
    }.get(name, [])
    given = {key: values.get(key, "not-a-real-link") for key in kwargs}
    return reverse(name, kwargs=given)


def test_each_measures_page_gives_each_role_the_expected_status(cast):
    values = access.route_values(cast)
    for name, expectations in access.PAGES.items():
        url = _url(name, values)
        for who, expected in expectations.items():
            user = None if who == "anonymous" else getattr(cast, who)
            status = verified_client(user).get(url).status_code
            assert status == expected, f"{who} GET {url} ({name}): {status}, expected {expected}"


def test_each_measures_api_operation_gives_each_role_the_expected_status(cast):
    values = access.route_values(cast)
    for operation, expectations in access.API.items():
        method, path = operation.split(" ", 1)
        url = path.format(**values)
        body = access.API_BODIES.get(operation)
        for who, expected in expectations.items():
            user = None if who == "anonymous" else getattr(cast, who)
            response = verified_client(user).generic(
                method, url, json.dumps(body) if body else "", content_type="application/json"
            )
            assert response.status_code == expected, f"{who} {operation}: {response.status_code}"


@pytest.mark.parametrize("route", access.ISOLATION_ROUTES)
def test_the_other_clinics_prescriber_gets_the_same_404_as_for_a_missing_id(cast, route):
    method, template = route
    values = access.route_values(cast)
    client = verified_client(cast.outsider)

    def send(url: str):
        if url.startswith("/api/"):
            return client.generic(
                method, url, json.dumps({"weight_kg": "71.0"}), "application/json"
            )
        if method == "POST":
            return client.post(url, {"note": "x", "instruments": ["phq9"], "kind": "every_n_days"})
        return client.get(url)

    real = send(template.format(**values))
    ghost = send(template.format(**{key: 10**7 for key in values}))
    assert real.status_code == 404
    assert ghost.status_code == 404
    assert cast.patient.mrn.encode() not in real.content

"""Schemathesis generates requests from the OpenAPI description (valid and invalid ones) and
checks that the API never answers with a server error or with a response its own schema does
not allow. It runs as a staff member with an API token and as a patient link."""

from __future__ import annotations

from datetime import timedelta

import pytest
import schemathesis
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.config import SchemathesisConfig
from schemathesis.generation import GenerationMode
from schemathesis.specs.openapi.checks import ignored_auth

from remit.accounts.services import api_token_create
from remit.portal.models import LinkPurpose
from remit.portal.services import link_issue

CASES_PER_OPERATION = 60
CASES = {"staff": 0, "patient_link": 0, "server_errors": 0}

config = SchemathesisConfig()
config.projects.default.generation.update(
    modes=[GenerationMode.POSITIVE, GenerationMode.NEGATIVE],
    max_examples=CASES_PER_OPERATION,
    deterministic=True,
)
schema = schemathesis.openapi.from_wsgi(
    "/api/v1/openapi.json", get_wsgi_application(), config=config
)
fuzz_settings = settings(
    max_examples=CASES_PER_OPERATION,
    deadline=None,
    derandomize=True,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.filter_too_much,
    ],
)


@pytest.fixture(autouse=True)
def _keep_the_test_transaction_open():
    """Schemathesis calls Django's real WSGI handler, whose request signals close "old"
    connections, and so the test's own transaction on PostgreSQL; Django's test client
    disconnects them the same way."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture
def staff_headers(cast) -> dict[str, str]:
    _, token = api_token_create(user=cast.prescriber, name="fuzz")
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def link_headers(cast) -> dict[str, str]:
    _, token = link_issue(
        patient=cast.patient,
        purpose=LinkPurpose.PORTAL,
        lifetime=timedelta(days=1),
        single_use=False,
    )
    return {"X-Patient-Link": token}


def _check(case, headers: dict[str, str], who: str) -> None:
    response = case.call(headers=headers)
    CASES[who] += 1
    if response.status_code >= 500:
        CASES["server_errors"] += 1
    assert response.status_code < 500, f"{case.method} {case.formatted_path}: {response.text[:300]}"
    # ignored_auth misreads OR-ed security schemes (a valid token plus a generated bad cookie
    # passes, correctly); invalid credentials are tested directly in test_api.py.
    case.validate_response(response, excluded_checks=[ignored_auth])


@pytest.mark.django_db
@schema.include(tag="patients").parametrize()
@fuzz_settings
def test_staff_api_never_errors_or_breaks_its_schema(case, staff_headers):
    _check(case, staff_headers, "staff")


@pytest.mark.django_db
@schema.parametrize()
@fuzz_settings
def test_patient_link_api_never_errors_or_breaks_its_schema(case, link_headers):
    _check(case, link_headers, "patient_link")


def test_zz_report_the_number_of_cases(capsys):
    with capsys.disabled():
        print(
            f"\nschemathesis: {CASES['staff']} staff cases, {CASES['patient_link']} patient-link "
            f"cases, {CASES['server_errors']} server errors"
        )
    assert CASES["server_errors"] == 0

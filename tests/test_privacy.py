"""The web surface keeps patient data private: headers, caching, logs, and dangerous code."""

from __future__ import annotations

import logging
import re
from pathlib import Path

import pytest
from conftest import verified_client
from django.test import Client
from django.urls import reverse

from remit.core.seeding import SeedContext, seed_all
from remit.patients.models import Patient

pytestmark = pytest.mark.django_db
SOURCE = Path(__file__).resolve().parents[1] / "src" / "remit"


def test_every_response_carries_the_security_headers(cast, client_for):
    client = client_for(cast.prescriber)
    for url in (
        "/login/",
        "/patients/",
        f"/patients/{cast.patient.pk}/",
        "/no-such-page/",
        "/api/v1/patients",
        "/p/forged/",
    ):
        response = client.get(url)
        policy = response["Content-Security-Policy"]
        assert "default-src 'self'" in policy and "script-src 'self'" in policy
        assert "http" not in policy, "the policy names no other host"
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response["Referrer-Policy"] == "same-origin"
        assert response["Cache-Control"] == "no-store"


def test_static_files_may_be_cached_but_pages_may_not(cast, client_for):
    response = Client().get("/static/css/remit.css")
    assert response.status_code == 200
    assert response.get("Cache-Control") != "no-store"


def test_production_cookies_are_secure_and_http_only():
    from remit import settings as production

    assert production.SESSION_COOKIE_HTTPONLY and production.CSRF_COOKIE_HTTPONLY
    # The test process runs with REMIT_DEBUG off, so these are the production values.
    assert production.SESSION_COOKIE_SECURE and production.CSRF_COOKIE_SECURE
    assert production.SECURE_HSTS_SECONDS >= 31_536_000


def test_no_patient_name_or_mrn_reaches_the_logs(caplog, client_for):
    context = seed_all(SeedContext(seed=3, patient_count=25, progress=lambda _: None))
    patients = list(Patient.objects.filter(pk__in=context.new_patient_ids))
    nurse = context.staff["nurse"]
    client = client_for(nurse)
    caplog.set_level(logging.DEBUG)
    for patient in patients[:10]:
        client.get(reverse("patients:chart", args=[patient.pk]))
        client.get(f"/patients/?q={patient.legal_family_name}")
        client.get(f"/api/v1/patients/{patient.pk}")
        client.post(reverse("patients:edit", args=[patient.pk]), {"email": "broken"})
    client.get("/patients/999999/")
    client_for(context.staff["researcher"]).get(reverse("patients:chart", args=[patients[0].pk]))
    logged = caplog.text
    assert logged, "the requests above should have logged something (404s, 403s)"
    for patient in patients:
        assert patient.mrn not in logged
        assert patient.legal_family_name not in logged
        assert patient.email not in logged


def _python_sources() -> list[Path]:
    return [
        p for p in SOURCE.rglob("*.py") if "tests" not in p.parts and "migrations" not in p.parts
    ]


def test_no_code_marks_strings_safe_or_builds_raw_sql():
    offenders = []
    for path in _python_sources():
        text = path.read_text()
        for pattern in (r"mark_safe\(", r"\.raw\(", r"\.extra\(", r"RawSQL\("):
            if re.search(pattern, text):
                offenders.append(f"{path.relative_to(SOURCE)}: {pattern}")
    assert offenders == []


def test_no_template_switches_off_autoescaping():
    offenders = []
    for path in SOURCE.rglob("*.html"):
        text = path.read_text()
        if re.search(r"\|\s*safe\b|autoescape off", text):
            offenders.append(str(path.relative_to(SOURCE)))
    assert offenders == []


def test_no_template_or_stylesheet_loads_from_another_host():
    offenders = []
    for path in [*SOURCE.rglob("*.html"), *SOURCE.rglob("*.css")]:
        if re.search(
            r"""(src|href)=["']?(https?:)?//|@import\s+url\(\s*["']?https?:""", path.read_text()
        ):
            offenders.append(str(path.relative_to(SOURCE)))
    assert offenders == []


def test_an_error_page_shows_no_stack_trace_or_settings(cast):
    client = verified_client(cast.nurse)
    client.raise_request_exception = False
    response = client.get(f"/patients/{cast.patient.pk}/?tab=' OR 1=1 --")
    assert response.status_code == 200  # an unknown tab falls back to the overview
    assert b"Traceback" not in response.content and b"SECRET_KEY" not in response.content

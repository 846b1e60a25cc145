"""Every URL pattern and every API operation, for every role and for an anonymous visitor.

The expected statuses are written out here by hand, not derived from the code, so a change of
access in the code must be matched by a change of this table. A route missing from the table
fails the test. A capability app adds its own rows in `remit/<app>/tests/access.py`:
`PAGES`, `API`, optional `API_BODIES`, and `route_values(cast) -> dict` giving a value for each
URL parameter its routes take (objects of the cast's first clinic).
"""

from __future__ import annotations

import json

import pytest
from conftest import verified_client
from django.urls import URLPattern, URLResolver, get_resolver

from remit.api import api
from remit.core.extensions import remit_app_modules
from remit.core.tests.factories import ResourceFactory

pytestmark = pytest.mark.django_db

ROLES = ("prescriber", "nurse", "tms_tech", "intake", "admin", "researcher", "outsider")
CLINICAL = {"prescriber", "nurse", "tms_tech"}
DEMOGRAPHIC = CLINICAL | {"intake"}


def _only(allowed: set[str], ok: int = 200, anonymous: int = 302) -> dict[str, int]:
    table = {role: (ok if role in allowed else 403) for role in ROLES}
    table["anonymous"] = anonymous
    return table


def _everyone(status: int) -> dict[str, int]:
    return {role: status for role in (*ROLES, "anonymous")}


# Page routes: role -> expected status of a GET. "outsider" is a prescriber at another clinic,
# so for the first clinic's objects it must get 404, never the object.
PAGES: dict[str, dict[str, int]] = {
    # The start page shows the panels of what a role holds (prescribers: safety alerts); a
    # role with no panel but the patient list goes straight to the list.
    "home": {**_only(set(ROLES), ok=200), "intake": 302},
    "healthz": _everyone(200),
    "login": {**_everyone(302), "anonymous": 200},
    "logout": _everyone(405),
    "mfa_setup": {**_everyone(302), "anonymous": 302},
    "mfa_verify": {**_everyone(200), "anonymous": 302},
    "staff_list": _only({"admin"}),
    "staff_new": _only({"admin"}),
    "staff_edit": _only({"admin"}),
    "staff_mfa_reset": _everyone(405),
    "clinic_settings": _only({"admin"}),
    "resource_list": _only({"admin"}),
    "resource_toggle": _everyone(405),
    "audit_report": _only({"admin"}),
    "audit_report_csv": _only({"admin"}),
    "disclosures": _only({"admin"}),
    "patients:list": _only(DEMOGRAPHIC | {"outsider"}),
    "patients:new": _only({"prescriber", "intake", "outsider"}),
    "patients:emergency_access": _only({"prescriber", "nurse", "outsider"}),
    "patients:chart": {**_only(DEMOGRAPHIC), "outsider": 404},
    "patients:edit": {**_only({"prescriber", "intake"}), "outsider": 404},
    "portal_home": _everyone(404),
}

# API operations: "METHOD path" -> role -> expected status (anonymous: 401).
API: dict[str, dict[str, int]] = {
    "GET /api/v1/patients": {**_only(DEMOGRAPHIC | {"outsider"}), "anonymous": 401},
    "POST /api/v1/patients": {
        **_only({"prescriber", "intake", "outsider"}, ok=201),
        "anonymous": 401,
    },
    "GET /api/v1/patients/{patient_id}": {**_only(DEMOGRAPHIC), "outsider": 404, "anonymous": 401},
    "PATCH /api/v1/patients/{patient_id}": {
        **_only({"prescriber", "intake"}),
        "outsider": 404,
        "anonymous": 401,
    },
    "GET /api/v1/patients/{patient_id}/measurements": {
        **_only(CLINICAL),
        "outsider": 404,
        "anonymous": 401,
    },
    "POST /api/v1/patients/{patient_id}/measurements": {
        **_only(CLINICAL, ok=201),
        "outsider": 404,
        "anonymous": 401,
    },
    "GET /api/v1/portal/me": _everyone(401),
}

API_BODIES = {
    "POST /api/v1/patients": {
        "legal_given_name": "Zoe",
        "legal_family_name": "Fixturo",
        "date_of_birth": "1979-02-03",
        "sex_at_birth": "female",
    },
    "PATCH /api/v1/patients/{patient_id}": {"preferred_name": "Ave"},
    "POST /api/v1/patients/{patient_id}/measurements": {"weight_kg": "70.4"},
}


APP_ROWS = remit_app_modules("tests.access")
for _module in APP_ROWS:
    PAGES.update(_module.PAGES)
    API.update(_module.API)
    API_BODIES.update(getattr(_module, "API_BODIES", {}))


# Parameters that several apps use for the same model, so any app's object will do; any other
# name two apps share must name the same object.
SHARED_PARAMETERS = {
    "patient_id",
    "user_id",
    "resource_id",
    "course_id",
    "appointment_id",
    "version_id",
    "hours_id",
    "run_id",
    "session_id",
}


def _named_patterns(patterns, prefix: str = "", namespace: str = ""):
    for entry in patterns:
        if isinstance(entry, URLResolver):
            if str(entry.pattern).startswith("api/"):
                continue  # API operations are walked from the OpenAPI description
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from _named_patterns(entry.url_patterns, prefix + str(entry.pattern), inner)
        elif isinstance(entry, URLPattern) and entry.name:
            yield f"{namespace}{entry.name}", prefix + str(entry.pattern)


def _fill(pattern: str, values: dict[str, object]) -> str:
    path = "/" + pattern
    for name, value in values.items():
        for converter in ("int", "str"):
            path = path.replace(f"<{converter}:{name}>", str(value))
    assert "<" not in path, f"no test value for a parameter in {pattern}"
    return path


def test_every_page_route_gives_each_role_the_expected_status(cast):
    resource = ResourceFactory(clinic=cast.clinic)
    values: dict[str, object] = {
        "patient_id": cast.patient.pk,
        "user_id": cast.nurse.pk,
        "resource_id": resource.pk,
        "token": "not-a-real-link",
    }
    for module in APP_ROWS:
        for name, value in module.route_values(cast).items():
            # Two apps naming different objects alike would test one app's route with the
            # other's object, passing or failing by accident of ids.
            assert values.setdefault(name, value) == value or name in SHARED_PARAMETERS, (
                f"{module.__name__} gives {name}={value}, another app {values[name]}"
            )
    routes = dict(_named_patterns(get_resolver().url_patterns))
    assert set(routes) == set(PAGES), "every route needs a row in PAGES (and no stale rows)"
    checked = 0
    for name, pattern in routes.items():
        url = _fill(pattern, values)
        for who, expected in PAGES[name].items():
            user = None if who == "anonymous" else getattr(cast, who)
            status = verified_client(user).get(url).status_code
            assert status == expected, f"{who} GET {url} ({name}): {status}, expected {expected}"
            checked += 1
    assert checked == len(PAGES) * (len(ROLES) + 1)


def test_every_api_operation_gives_each_role_the_expected_status(cast):
    schema = api.get_openapi_schema()
    operations = {
        f"{method.upper()} {path}" for path, item in schema["paths"].items() for method in item
    }
    assert operations == set(API), "every API operation needs a row in API"
    for operation, expectations in API.items():
        method, path = operation.split(" ", 1)
        values = {"patient_id": cast.patient.pk}
        for module in APP_ROWS:
            values.update(module.route_values(cast))
        url = path.format(**values) if "{" in path else path
        for who, expected in expectations.items():
            user = None if who == "anonymous" else getattr(cast, who)
            client = verified_client(user)
            body = API_BODIES.get(operation)
            response = client.generic(
                method, url, json.dumps(body) if body else "", content_type="application/json"
            )
            assert response.status_code == expected, (
                f"{who} {operation}: {response.status_code} {response.content[:200]!r}"
            )
            if response.status_code >= 400:
                assert "error" in response.json(), f"{operation} error is not JSON with 'error'"

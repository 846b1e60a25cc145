"""Property-based attempts to reach another patient's or another clinic's objects.

Every route and API operation that takes an id is attacked with ids in the path, the query
string and the body, by staff of another clinic and by roles without patient access, and with
patient links of another patient. A success is any response that reveals the target (its MRN
or name) or changes it. The response for a real-but-forbidden id must also be the same as for
an id that does not exist, so an attacker cannot even learn that a record exists.
"""

from __future__ import annotations

import json
import re
from datetime import timedelta
from urllib.parse import quote

import pytest
from conftest import verified_client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from remit.core.extensions import remit_app_modules
from remit.core.tests.factories import ResourceFactory
from remit.patients.models import Patient
from remit.portal.models import LinkPurpose
from remit.portal.services import link_issue

pytestmark = pytest.mark.django_db

ATTEMPTS = {"staff": 0, "link": 0, "successes": 0}
FORBIDDEN = {403, 404}
_NUMBERS = re.compile(rb"\d+")
# Per-response noise that says nothing about the object: masked CSRF tokens.
_CSRF = re.compile(rb'("X-CSRFToken": "|name="csrfmiddlewaretoken" value=")[^"]+')

APP_ROUTES = remit_app_modules("tests.access")
PATH_ROUTES = [
    ("GET", "/patients/{id}/"),
    ("GET", "/patients/{id}/?tab=sessions"),
    ("GET", "/patients/{id}/edit/"),
    ("POST", "/patients/{id}/edit/"),
    ("GET", "/staff/{staff}/"),
    ("POST", "/staff/{staff}/"),
    ("POST", "/staff/{staff}/mfa-reset/"),
    ("POST", "/clinic/resources/{resource}/toggle/"),
    ("GET", "/api/v1/patients/{id}"),
    ("PATCH", "/api/v1/patients/{id}"),
    ("GET", "/api/v1/patients/{id}/measurements"),
    ("POST", "/api/v1/patients/{id}/measurements"),
]
QUERY_ROUTES = ["/patients/", "/api/v1/patients", "/audit/", "/"]
BODY_ROUTES = [("POST", "/api/v1/patients"), ("POST", "/patients/new/")]
ID_KEYS = ["id", "patient", "patient_id", "clinic", "clinic_id", "pk", "user_id", "mrn"]

hypothesis_settings = settings(
    max_examples=600,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def _send(client, method: str, url: str, body: dict[str, object] | None = None):
    if url.startswith("/api/"):
        return client.generic(
            method, url, json.dumps(body or {"weight_kg": "71.0"}), content_type="application/json"
        )
    if method == "POST":
        return client.post(
            url, body or {"legal_given_name": "Mallory", "roles": ["nurse"], "is_active": "on"}
        )
    return client.get(url)


def _reveals(response, patient: Patient) -> bool:
    content = response.content
    return patient.mrn.encode() in content or patient.legal_family_name.encode() in content


def _normalised(response) -> tuple[int, bytes]:
    return response.status_code, _NUMBERS.sub(b"#", _CSRF.sub(rb"\1", response.content))


# Ids that exist nowhere: far above anything a test creates.
GHOST_IDS = st.integers(min_value=10**6, max_value=2**31 - 1)


@hypothesis_settings
@given(
    route=st.sampled_from(PATH_ROUTES),
    attacker=st.sampled_from(["outsider", "admin", "researcher"]),
    ghost_id=GHOST_IDS,
)
def test_no_one_reaches_another_clinics_objects_by_path(cast, route, attacker, ghost_id):
    user = getattr(cast, attacker)
    client = verified_client(user)
    method, template = route
    # Patients of the first clinic are out of reach for all three; staff and resources are
    # attacked across clinics (an administrator legitimately manages their own clinic's).
    other = cast.clinic if attacker == "outsider" else cast.other_clinic
    staff = cast.nurse if attacker == "outsider" else cast.outsider
    values = {
        "id": cast.patient.pk,
        "staff": staff.pk,
        "resource": ResourceFactory(clinic=other).pk,
    }
    missing = {key: ghost_id for key in values}
    real = _send(client, method, template.format(**values))
    ghost = _send(client, method, template.format(**missing))
    ATTEMPTS["staff"] += 1
    before = Patient.objects.filter(pk=cast.patient.pk).values().get()
    if real.status_code not in FORBIDDEN or _reveals(real, cast.patient):
        ATTEMPTS["successes"] += 1
    assert real.status_code in FORBIDDEN, f"{attacker} {method} {template}: {real.status_code}"
    assert not _reveals(real, cast.patient)
    assert _normalised(real) == _normalised(ghost), "a forbidden id must look like a missing one"
    assert Patient.objects.filter(pk=cast.patient.pk).values().get() == before


@hypothesis_settings
@given(
    url=st.sampled_from(QUERY_ROUTES),
    key=st.sampled_from(ID_KEYS),
    attacker=st.sampled_from(["outsider", "nurse", "intake", "researcher"]),
    spelling=st.sampled_from(["{}", "0{}", " {}", "{}.0", "[{}]", "{},{}", "-{}"]),
)
def test_ids_in_the_query_string_never_widen_what_a_list_shows(cast, url, key, attacker, spelling):
    user = getattr(cast, attacker)
    victim = cast.patient if attacker == "outsider" else cast.other_patient
    raw = {"mrn": victim.mrn, "clinic": victim.clinic_id, "clinic_id": victim.clinic_id}.get(
        key, victim.pk
    )
    value = spelling.format(raw, raw)
    # Search by the victim's birth date: a leak would then show their MRN or name, neither of
    # which the attacker sent (the page echoes the query itself).
    response = verified_client(user).get(url, {key: value, "q": victim.date_of_birth.isoformat()})
    ATTEMPTS["staff"] += 1
    assert response.status_code < 500
    if _reveals(response, victim):
        ATTEMPTS["successes"] += 1
    assert not _reveals(response, victim), f"{attacker} saw {victim} through ?{key}="


@settings(hypothesis_settings, max_examples=300)
@given(
    route=st.sampled_from(BODY_ROUTES),
    key=st.sampled_from(ID_KEYS),
    attacker=st.sampled_from(["outsider", "intake"]),
    as_text=st.booleans(),
    extra=st.sampled_from(["clinic", "clinic_id", "mrn", "id"]),
)
def test_ids_in_a_body_never_write_into_another_clinic(cast, route, key, attacker, as_text, extra):
    user = getattr(cast, attacker)
    victim_clinic = cast.clinic if attacker == "outsider" else cast.other_clinic
    body = {
        "legal_given_name": "Eve",
        "legal_family_name": "Pseudova",
        "date_of_birth": "1981-01-01",
        "sex_at_birth": "female",
        key: str(victim_clinic.pk) if as_text else victim_clinic.pk,
        extra: victim_clinic.pk,
    }
    before = Patient.objects.filter(clinic=victim_clinic).count()
    response = _send(verified_client(user), route[0], route[1], body)
    ATTEMPTS["staff"] += 1
    assert response.status_code < 500
    if Patient.objects.filter(clinic=victim_clinic).count() != before:
        ATTEMPTS["successes"] += 1
    assert Patient.objects.filter(clinic=victim_clinic).count() == before
    Patient.objects.filter(legal_family_name="Pseudova").update(active=False)


@hypothesis_settings
@given(
    mutation=st.sampled_from(["flip", "truncate", "other_purpose", "garbage", "swap"]),
    position=st.integers(min_value=0, max_value=200),
    junk=st.text(max_size=60),
)
def test_a_patient_link_opens_only_its_own_patient(cast, mutation, position, junk):
    _, own = link_issue(
        patient=cast.other_patient,
        purpose=LinkPurpose.PORTAL,
        lifetime=timedelta(days=1),
        single_use=False,
    )
    _, questionnaire = link_issue(
        patient=cast.patient,
        purpose=LinkPurpose.QUESTIONNAIRE,
        lifetime=timedelta(days=1),
        single_use=True,
    )
    if mutation == "flip":
        index = position % len(own)
        token = own[:index] + ("A" if own[index] != "A" else "B") + own[index + 1 :]
    elif mutation == "truncate":
        token = own[: position % len(own)]
    elif mutation == "other_purpose":
        token = questionnaire
    elif mutation == "swap":
        token = questionnaire.split(":")[0] + ":" + ":".join(own.split(":")[1:])
    else:
        token = junk
    client = verified_client(None)
    page = client.get(f"/p/{quote(token, safe='')}/") if token else None
    api = client.get(
        "/api/v1/portal/me",
        headers={"X-Patient-Link": token.encode("ascii", "ignore").decode()} if token else {},
    )
    ATTEMPTS["link"] += 1
    for response in filter(None, (page, api)):
        if response.status_code == 200 and token != own:
            ATTEMPTS["successes"] += 1
        if token != own:
            assert response.status_code in {401, 404}
            assert not _reveals(response, cast.patient)
            assert not _reveals(response, cast.other_patient)
    own_page = client.get(f"/p/{own}/")
    assert own_page.status_code == 200 and b"Mockridge" not in own_page.content
    assert cast.patient.legal_family_name.encode() not in own_page.content


# Capability apps list their id-taking routes as ISOLATION_ROUTES in tests/access.py, with
# route_values(cast) giving the first clinic's objects; the other clinic's prescriber attacks.
APP_PATH_ROUTES = [
    (module, route) for module in APP_ROUTES for route in getattr(module, "ISOLATION_ROUTES", [])
]


@pytest.mark.skipif(not APP_PATH_ROUTES, reason="no capability routes take ids yet")
@hypothesis_settings
@given(
    index=st.integers(min_value=0, max_value=max(len(APP_PATH_ROUTES) - 1, 0)),
    ghost_id=GHOST_IDS,
)
def test_no_one_reaches_another_clinics_capability_objects(cast, index, ghost_id):
    module, (method, template) = APP_PATH_ROUTES[index]
    values = module.route_values(cast)
    client = verified_client(cast.outsider)
    real = _send(client, method, template.format(**values))
    ghost = _send(client, method, template.format(**{key: ghost_id for key in values}))
    ATTEMPTS["staff"] += 1
    if real.status_code not in FORBIDDEN or _reveals(real, cast.patient):
        ATTEMPTS["successes"] += 1
    assert real.status_code in FORBIDDEN, f"outsider {method} {template}: {real.status_code}"
    assert not _reveals(real, cast.patient)
    assert _normalised(real) == _normalised(ghost), "a forbidden id must look like a missing one"


def test_zz_report_the_number_of_attempts(capsys):
    total = ATTEMPTS["staff"] + ATTEMPTS["link"]
    with capsys.disabled():
        print(
            f"\nisolation: {ATTEMPTS['staff']} staff attempts, {ATTEMPTS['link']} patient-link "
            f"attempts, {ATTEMPTS['successes']} successes"
        )
    if total:  # the counts exist only when the property tests ran in this process
        assert ATTEMPTS["successes"] == 0

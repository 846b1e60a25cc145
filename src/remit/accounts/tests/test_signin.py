from __future__ import annotations

import pytest
import time_machine
from django.test import Client, override_settings
from django.urls import reverse
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from remit.accounts.forms import LOCKED_OUT
from remit.core.models import AuditEvent
from remit.core.tests.factories import TEST_PASSWORD, totp_code, totp_device

pytestmark = pytest.mark.django_db


def _password(client: Client, username: str, password: str = TEST_PASSWORD, ip: str = "10.0.0.1"):
    return client.post(
        reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=ip
    )


def test_passwords_are_hashed_with_argon2_in_production():
    from remit import settings as production

    assert production.PASSWORD_HASHERS[0].endswith("Argon2PasswordHasher")


def test_a_new_staff_member_must_enrol_an_authenticator_before_anything_else(cast):
    client = Client()
    assert _password(client, "nurse").status_code == 302
    response = client.get(reverse("patients:list"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("mfa_setup"))
    setup = client.get(reverse("mfa_setup"))
    assert b"data:image/svg+xml" in setup.content  # the QR code is drawn by Remit itself


def test_enrolling_shows_ten_recovery_codes_once_and_opens_the_app(cast):
    client = Client()
    _password(client, "nurse")
    client.get(reverse("mfa_setup"))
    device = TOTPDevice.objects.get(user=cast.nurse, confirmed=False)
    response = client.post(reverse("mfa_setup"), {"code": totp_code(device)})
    assert response.status_code == 200
    assert len(response.context["codes"]) == 10
    assert client.get(reverse("patients:list")).status_code == 200
    assert AuditEvent.objects.filter(action="change", detail__mfa="enrolled").exists()


def test_a_wrong_enrolment_code_is_refused(cast):
    client = Client()
    _password(client, "nurse")
    client.get(reverse("mfa_setup"))
    response = client.post(reverse("mfa_setup"), {"code": "000000"})
    assert response.status_code == 422
    assert not TOTPDevice.objects.filter(user=cast.nurse, confirmed=True).exists()


def test_an_enrolled_user_passes_with_a_current_code(cast):
    device = totp_device(cast.nurse)
    client = Client()
    _password(client, "nurse")
    assert client.get(reverse("patients:list"))["Location"].startswith(reverse("mfa_verify"))
    response = client.post(reverse("mfa_verify") + "?next=/patients/", {"code": totp_code(device)})
    assert response.status_code == 302 and response["Location"] == "/patients/"
    assert client.get(reverse("patients:list")).status_code == 200


def test_a_recovery_code_works_exactly_once(cast):
    client = Client()
    _password(client, "nurse")
    client.get(reverse("mfa_setup"))
    device = TOTPDevice.objects.get(user=cast.nurse, confirmed=False)
    code = client.post(reverse("mfa_setup"), {"code": totp_code(device)}).context["codes"][0]
    for expected in (302, 422):
        fresh = Client()
        _password(fresh, "nurse")
        assert fresh.post(reverse("mfa_verify"), {"code": code}).status_code == expected
    assert StaticToken.objects.filter(device__user=cast.nurse).count() == 9


def test_the_verify_page_does_not_send_you_to_another_site(cast):
    device = totp_device(cast.nurse)
    client = Client()
    _password(client, "nurse")
    response = client.post(
        reverse("mfa_verify") + "?next=https://evil.example/", {"code": totp_code(device)}
    )
    assert response["Location"] == "/"


@override_settings(REMIT_LOGIN_MAX_FAILURES=10)
def test_ten_failures_lock_the_account_even_for_the_right_password(cast):
    client = Client()
    for attempt in range(10):
        _password(client, "nurse", "wrong-password", ip=f"10.0.1.{attempt}")
    response = _password(client, "nurse", ip="10.0.2.1")
    assert response.status_code == 200
    assert LOCKED_OUT in response.content.decode()
    assert "_auth_user_id" not in client.session


@override_settings(REMIT_LOGIN_MAX_FAILURES=10)
def test_ten_failures_from_one_address_lock_that_address(cast):
    client = Client()
    for attempt in range(10):
        _password(client, f"nobody{attempt}", "wrong-password", ip="10.9.9.9")
    locked = _password(client, "nurse", ip="10.9.9.9")
    assert LOCKED_OUT in locked.content.decode()
    assert _password(Client(), "nurse", ip="10.9.9.10").status_code == 302


@override_settings(REMIT_LOGIN_MAX_FAILURES=10, REMIT_LOGIN_WINDOW_MIN=15)
def test_a_lockout_ends_after_the_window(cast):
    with time_machine.travel("2026-11-20 09:00 +0000", tick=False):
        for attempt in range(10):
            _password(Client(), "nurse", "wrong-password", ip=f"10.0.3.{attempt}")
        assert LOCKED_OUT in _password(Client(), "nurse").content.decode()
    with time_machine.travel("2026-11-20 09:16 +0000", tick=False):
        assert _password(Client(), "nurse").status_code == 302


def test_failures_long_past_the_window_are_dropped_when_a_new_one_is_recorded(cast):
    from remit.accounts.models import LoginFailure

    with time_machine.travel("2026-11-18 09:00 +0000", tick=False):
        _password(Client(), "nurse", "wrong-password")
    with time_machine.travel("2026-11-20 09:00 +0000", tick=False):
        _password(Client(), "prescriber", "wrong-password")
    assert list(LoginFailure.objects.values_list("username", flat=True)) == ["prescriber"]


def test_sign_ins_and_failures_are_audited_without_the_password(cast):
    _password(Client(), "nurse", "hunter2-wrong")
    _password(Client(), "nurse")
    failed = AuditEvent.objects.get(action="login_failed")
    assert failed.actor_id == cast.nurse.pk and failed.outcome == "denied"
    assert "hunter2" not in str(failed.detail)
    assert AuditEvent.objects.filter(action="login", actor=cast.nurse).exists()


def test_an_idle_session_ends_after_the_clinic_limit_and_asks_to_sign_in_again(cast, client_for):
    cast.clinic.idle_timeout_min = 15
    cast.clinic.save()
    with time_machine.travel("2026-11-20 09:00 +0000", tick=False):
        client = client_for(cast.nurse)
        assert client.get(reverse("patients:list")).status_code == 200
    with time_machine.travel("2026-11-20 09:14 +0000", tick=False):
        assert client.get(reverse("patients:list")).status_code == 200
    with time_machine.travel("2026-11-20 09:30 +0000", tick=False):
        response = client.get(reverse("patients:list"))
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))
        assert client.get(reverse("patients:list"))["Location"].startswith(reverse("login"))


def test_an_idle_htmx_request_is_redirected_by_header(cast, client_for):
    with time_machine.travel("2026-11-20 09:00 +0000", tick=False):
        client = client_for(cast.nurse)
        client.get(reverse("patients:list"))
    with time_machine.travel("2026-11-20 10:00 +0000", tick=False):
        response = client.get(reverse("patients:list"), headers={"HX-Request": "true"})
        assert response.status_code == 204
        assert response["HX-Redirect"].startswith(reverse("login"))


def test_background_refreshes_do_not_keep_a_session_alive(cast, client_for):
    with time_machine.travel("2026-11-20 09:00 +0000", tick=False):
        client = client_for(cast.nurse)
        client.get(reverse("patients:list"))
    with time_machine.travel("2026-11-20 09:10 +0000", tick=False):
        client.get(reverse("patients:list"), headers={"X-Remit-Background": "1"})
    with time_machine.travel("2026-11-20 09:20 +0000", tick=False):
        assert client.get(reverse("patients:list")).status_code == 302

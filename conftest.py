"""Shared pytest fixtures: the named cast, logged-in clients, and the audit-trigger dance."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from django.db import connection
from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY

from remit.accounts.models import StaffUser
from remit.core import append_only
from remit.core.tests.cast import Cast, build_cast
from remit.core.tests.factories import totp_device


@pytest.fixture(autouse=True)
def _audit_triggers_survive_flush(request: pytest.FixtureRequest) -> Iterator[None]:
    """Transactional tests end with Django emptying every table, which the append-only
    triggers on the audit table refuse; lift them for that flush only."""
    marker = request.node.get_closest_marker("django_db")
    transactional = (
        "transactional_db" in request.fixturenames
        or "live_server" in (request.fixturenames)
        or bool(marker and marker.kwargs.get("transaction"))
    )
    if not transactional:
        yield
        return
    request.getfixturevalue("transactional_db")
    append_only.install(connection)
    yield
    append_only.uninstall(connection)


@pytest.fixture
def cast(db: None) -> Cast:
    return build_cast()


def verified_client(user: StaffUser | None) -> Client:
    """A test client signed in as `user` who has passed the second factor."""
    client = Client()
    if user is not None:
        client.force_login(user)
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = totp_device(user).persistent_id
        session.save()
    return client


@pytest.fixture
def client_for() -> Callable[[StaffUser | None], Client]:
    return verified_client

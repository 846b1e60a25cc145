"""Shared pytest fixtures: the named cast, logged-in clients, and the audit-trigger dance."""

from __future__ import annotations

import logging
import os
import re
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

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


# The logs of the whole test run must hold no patient identifiers: every record any logger
# emits (at Remit's configured level) goes to one file, scanned when the run ends.
_run_log_key = pytest.StashKey[tuple[str, logging.FileHandler]]()
_MRN = re.compile(r"\bR\d{8}\b")


def pytest_configure(config: pytest.Config) -> None:
    handle, path = tempfile.mkstemp(prefix="remit-test-run-", suffix=".log")
    os.close(handle)
    handler = logging.FileHandler(path)
    handler.setFormatter(logging.Formatter("%(levelname)s %(name)s %(message)s"))
    config.stash[_run_log_key] = (path, handler)


@pytest.fixture(autouse=True)
def _run_log_attached(request: pytest.FixtureRequest) -> None:
    """Django's logging set-up replaces the root logger's handlers when it runs, so the run's
    log file is (re)attached once tests start, after that has happened."""
    _, handler = request.config.stash[_run_log_key]
    root = logging.getLogger()
    if handler not in root.handlers:
        root.addHandler(handler)


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    from remit.core.tests.factories import SYNTHETIC_FAMILY_NAMES
    from remit.patients.seed import SURNAMES

    path, handler = session.config.stash[_run_log_key]
    handler.flush()
    logging.getLogger().removeHandler(handler)
    handler.close()
    text = Path(path).read_text(errors="replace")
    leaks = sorted(
        set(_MRN.findall(text))
        | {name for name in (*SURNAMES, *SYNTHETIC_FAMILY_NAMES) if name in text}
    )
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    if leaks:
        if reporter:
            reporter.write_line(
                f"patient identifiers found in the run's logs ({path}): {', '.join(leaks[:20])}",
                red=True,
            )
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
    elif reporter:
        size = len(text.splitlines())
        reporter.write_line(f"log scan: {size} log lines of the run, no patient names or MRNs")
    os.unlink(path)

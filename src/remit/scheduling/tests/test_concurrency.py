"""No double-booking under concurrency: many bookings of one chair at one time, from separate
threads (each with its own database connection), give exactly one appointment."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import connection

from remit.clinics.models import Resource
from remit.core.tests.cast import build_cast
from remit.patients.models import Patient
from remit.scheduling import services
from remit.scheduling.models import Appointment
from remit.scheduling.services import SlotTaken, appointment_book
from remit.scheduling.tests.helpers import equip, open_weekdays

pytestmark = pytest.mark.django_db(transaction=True)

ATTEMPTS = 50
START = datetime(2031, 3, 4, 10, 0, tzinfo=ZoneInfo("America/New_York"))
postgres_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="exclusion constraints are PostgreSQL's"
)


def _contenders(count: int) -> tuple[Resource, list[Patient]]:
    cast = build_cast()
    open_weekdays(cast.clinic)
    chair = equip(cast.clinic, chairs=1, rooms=0, devices=0)[0]
    patients = Patient.objects.bulk_create(
        Patient(
            clinic=cast.clinic,
            mrn=f"R{8000000 + n}",
            legal_given_name="Quinn",
            legal_family_name="Specimen",
            date_of_birth=date(1985, 1, 1) + timedelta(days=n),
            sex_at_birth="female",
        )
        for n in range(count)
    )
    return chair, patients


def _race(chair: Resource, patients: list[Patient]) -> tuple[int, list[str], list[str]]:
    barrier = threading.Barrier(len(patients))
    successes: list[int] = []
    conflicts: list[str] = []
    other: list[str] = []
    lock = threading.Lock()

    def book(patient: Patient) -> None:
        try:
            barrier.wait()
            appointment_book(
                patient=patient,
                resource=chair,
                start=START,
                end=START + timedelta(minutes=130),
                by=None,
            )
            with lock:
                successes.append(patient.pk)
        except SlotTaken as error:
            with lock:
                conflicts.append(error.message)
        except Exception as error:  # noqa: BLE001 (anything else is reported by the test)
            with lock:
                other.append(f"{type(error).__name__}: {error}")
        finally:
            connection.close()

    threads = [threading.Thread(target=book, args=(p,)) for p in patients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return len(successes), conflicts, other


def _assert_exactly_one(chair: Resource, outcome: tuple[int, list[str], list[str]]) -> None:
    successes, conflicts, other = outcome
    assert other == []
    assert successes == 1
    assert len(conflicts) == ATTEMPTS - 1
    assert all("Chair 1" in message for message in conflicts)
    assert Appointment.objects.filter(resource=chair, status="booked").count() == 1


@postgres_only
def test_fifty_concurrent_bookings_of_one_chair_give_exactly_one_on_postgresql():
    chair, patients = _contenders(ATTEMPTS)
    _assert_exactly_one(chair, _race(chair, patients))


@postgres_only
def test_the_exclusion_constraint_alone_refuses_the_racing_bookings(monkeypatch):
    # Without the service's own check, only the database stands between the 50 bookings.
    monkeypatch.setattr(services, "_conflict", lambda **kwargs: None)
    chair, patients = _contenders(ATTEMPTS)
    _assert_exactly_one(chair, _race(chair, patients))


def race_on_a_sqlite_file() -> None:
    """Run in a separate process: the suite's SQLite database lives in shared memory, whose
    table locks fail at once instead of waiting, so the race runs on a file database with
    Remit's production SQLite settings (WAL, BEGIN IMMEDIATE, a 20 s busy timeout)."""
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    chair, patients = _contenders(ATTEMPTS)
    successes, conflicts, other = _race(chair, patients)
    booked = Appointment.objects.filter(resource=chair, status="booked").count()
    print(
        json.dumps(
            {"successes": successes, "conflicts": conflicts, "other": other, "booked": booked}
        )
    )


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's serialised check")
def test_fifty_concurrent_bookings_of_one_chair_give_exactly_one_on_sqlite(tmp_path):
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "remit.settings_test",
        "REMIT_DATA_DIR": str(tmp_path),
        "REMIT_DATABASE_URL": f"sqlite:///{tmp_path / 'race.sqlite3'}",
    }
    script = (
        "import django; django.setup();"
        "from remit.scheduling.tests.test_concurrency import race_on_a_sqlite_file;"
        "race_on_a_sqlite_file()"
    )
    done = subprocess.run(  # noqa: S603 (our own interpreter and module)
        [sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr[-2000:]
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["other"] == []
    assert result["successes"] == 1 and result["booked"] == 1
    assert len(result["conflicts"]) == ATTEMPTS - 1
    assert all("Chair 1" in message for message in result["conflicts"])

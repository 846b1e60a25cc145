"""The demo's charting and ledger, as issue 7 asks: completed sessions with vitals, one running
session, REMS forms, esketamine devices as given, and a ledger that balances."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from decimal import Decimal

import pytest
import time_machine
from django.db.models import Count

from remit.charting.models import RemsForm, Session, SessionNote
from remit.clinics.models import Clinic
from remit.controlled.selectors import ledger_state
from remit.core.seeding import SeedContext, seed_all

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _now() -> Iterator[None]:
    with time_machine.travel(datetime.fromisoformat("2026-11-18T11:00:00-05:00"), tick=False):
        yield


@pytest.fixture
def demo() -> Clinic:
    context = seed_all(SeedContext(seed=5, patient_count=120, progress=lambda _: None))
    assert context.clinic is not None
    return context.clinic


def test_the_demo_has_completed_sessions_with_vitals_and_one_running(demo):
    sessions = Session.objects.filter(clinic=demo)
    completed = sessions.filter(stage="discharged").exclude(modality="tms")
    assert completed.count() >= 20
    counts = completed.annotate(n=Count("vitals")).values_list("n", flat=True)
    assert min(counts) >= 3, "every completed drug session has its vital signs"
    assert set(completed.values_list("modality", flat=True)) >= {"iv_ketamine", "esketamine"}
    running = sessions.filter(stage__in=["gate", "ready", "monitoring"])
    assert running.count() == 1
    assert SessionNote.objects.filter(session__clinic=demo, cosigned_at__isnull=False).exists()


def test_demo_esketamine_sessions_have_rems_forms_and_every_device(demo):
    esketamine = Session.objects.filter(clinic=demo, modality="esketamine", stage="discharged")
    assert esketamine.exists()
    assert RemsForm.objects.filter(session__in=esketamine).count() == esketamine.count()
    for session in esketamine.select_related("dose"):
        times = list(session.devices.values_list("given_at", flat=True))
        assert len(times) == session.dose.devices
        assert times[0] == session.dose.given_at
        assert all((b - a).total_seconds() == 300 for a, b in zip(times, times[1:], strict=False))


def test_the_demo_ledger_balances(demo):
    state = ledger_state(demo.pk)  # folding refuses any entry that breaks the rules
    assert state.vials, "stock was received"
    assert all(v.balance_ml >= 0 for v in state.vials.values())
    closed = [s for s in state.sessions.values() if s.closed]
    assert closed, "drawn sessions were closed"
    assert all(s.unaccounted_mg == Decimal(0) for s in closed)
    assert not state.open_discrepancies

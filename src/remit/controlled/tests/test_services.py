from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.utils import timezone

from remit.charting import services as charting
from remit.charting.tests.helpers import ready
from remit.controlled import services
from remit.controlled.models import AppendOnlyError, EntryKind, LedgerEntry
from remit.controlled.selectors import ledger_state, session_ledger, vial_history
from remit.controlled.tests.helpers import received
from remit.core.models import AuditEvent

pytestmark = pytest.mark.django_db


def _session(cast):
    session = ready(clinic=cast.clinic, patient=cast.patient, nurse=cast.nurse)
    charting.dose_record(session=session, by=cast.nurse, entry=charting.DoseInput())
    return session


def test_a_session_draws_gives_and_wastes_and_then_balances(cast):
    vial = received(cast)
    session = _session(cast)
    services.draw_record(session=session, vial=vial, volume_ml=Decimal("1.00"), by=cast.nurse)
    services.administration_record(session=session, amount_mg=Decimal("35"), by=cast.nurse)
    assert not session_ledger(session).closed
    services.waste_record(
        session=session, amount_mg=Decimal("15"), by=cast.nurse, witness=cast.prescriber
    )
    ledger = session_ledger(session)
    assert (ledger.drawn_mg, ledger.given_mg, ledger.wasted_mg) == (
        Decimal(50),
        Decimal(35),
        Decimal(15),
    )
    assert ledger.closed
    state = ledger_state(cast.clinic.pk)
    assert state.vials[str(vial.pk)].balance_ml == Decimal("9.00")
    assert [h.balance_ml for h in vial_history(vial)] == [Decimal("10.00"), Decimal("9.00")]


def test_discharge_waits_until_the_drawn_drug_is_accounted_for(cast):
    from remit.charting.discharge import DISCHARGE_CHECKLISTS
    from remit.charting.dosing import Modality

    vial = received(cast)
    session = _session(cast)
    services.draw_record(session=session, vial=vial, volume_ml=Decimal("1"), by=cast.nurse)
    criteria = {c.code: timezone.now() for c in DISCHARGE_CHECKLISTS[Modality.IV_KETAMINE].criteria}
    with pytest.raises(ValidationError, match="50 mg of drawn drug"):
        charting.discharge_record(session=session, by=cast.nurse, criteria=criteria)


def test_it_refuses_a_draw_from_an_expired_vial(cast):
    vial = received(cast, expiry=timezone.localdate() + timedelta(days=1))
    session = _session(cast)
    later = timezone.now() + timedelta(days=3)
    with time_machine.travel(later), pytest.raises(ValidationError, match="expired on"):
        services.draw_record(session=session, vial=vial, volume_ml=Decimal("1"), by=cast.nurse)
    assert not LedgerEntry.objects.filter(kind=EntryKind.DRAW).exists()


def test_it_refuses_a_draw_from_an_empty_vial_or_beyond_its_balance(cast):
    vial = received(cast, volume_ml="1")
    session = _session(cast)
    with pytest.raises(ValidationError, match="more than the 1.00 mL left"):
        services.draw_record(session=session, vial=vial, volume_ml=Decimal("1.5"), by=cast.nurse)
    services.draw_record(session=session, vial=vial, volume_ml=Decimal("1"), by=cast.nurse)
    with pytest.raises(ValidationError, match="is empty"):
        services.draw_record(session=session, vial=vial, volume_ml=Decimal("0.1"), by=cast.nurse)
    assert LedgerEntry.objects.filter(kind=EntryKind.DRAW).count() == 1


def test_waste_needs_a_witness_who_is_someone_else(cast):
    vial = received(cast)
    session = _session(cast)
    services.draw_record(session=session, vial=vial, volume_ml=Decimal("1"), by=cast.nurse)
    with pytest.raises(ValidationError) as no_witness:
        services.waste_record(session=session, amount_mg=Decimal("15"), by=cast.nurse, witness=None)
    assert "a second staff member must sign" in str(no_witness.value.message_dict["second_person"])
    with pytest.raises(ValidationError, match="different person"):
        services.waste_record(
            session=session, amount_mg=Decimal("15"), by=cast.nurse, witness=cast.nurse
        )
    with pytest.raises(ValidationError, match="this clinic's staff"):
        services.waste_record(
            session=session, amount_mg=Decimal("15"), by=cast.nurse, witness=cast.outsider
        )
    assert not LedgerEntry.objects.filter(kind=EntryKind.WASTE).exists()


def test_a_count_that_differs_freezes_the_vial_until_reconciled_by_two_people(cast):
    vial = received(cast)
    services.count_record(vial=vial, counted_ml=Decimal("10"), by=cast.nurse)
    assert not ledger_state(cast.clinic.pk).open_discrepancies
    services.count_record(vial=vial, counted_ml=Decimal("9.5"), by=cast.nurse)
    assert str(vial.pk) in ledger_state(cast.clinic.pk).open_discrepancies
    session = _session(cast)
    with pytest.raises(ValidationError, match="unreconciled count discrepancy"):
        services.draw_record(session=session, vial=vial, volume_ml=Decimal("1"), by=cast.nurse)
    with pytest.raises(ValidationError, match="reason is required"):
        services.reconciliation_record(
            vial=vial, reason="", by=cast.nurse, second_person=cast.prescriber
        )
    with pytest.raises(ValidationError, match="second staff member"):
        services.reconciliation_record(vial=vial, reason="Spill", by=cast.nurse, second_person=None)
    services.reconciliation_record(
        vial=vial,
        reason="Spill while drawing, seen by both",
        by=cast.nurse,
        second_person=cast.prescriber,
    )
    state = ledger_state(cast.clinic.pk)
    assert state.vials[str(vial.pk)].balance_ml == Decimal("9.5")
    assert not state.open_discrepancies


def test_ledger_entries_are_append_only(cast):
    received(cast)
    entry = LedgerEntry.objects.get()
    with pytest.raises(AppendOnlyError):
        entry.save()
    with pytest.raises(AppendOnlyError):
        entry.delete()
    with pytest.raises(AppendOnlyError):
        LedgerEntry.objects.update(reason="x")
    with pytest.raises(AppendOnlyError):
        LedgerEntry.objects.all().delete()


def test_every_entry_is_audited(cast):
    vial = received(cast)
    session = _session(cast)
    services.draw_record(session=session, vial=vial, volume_ml=Decimal("1"), by=cast.nurse)
    kinds = AuditEvent.objects.filter(object_type="controlled.LedgerEntry").values_list(
        "detail__kind", flat=True
    )
    assert sorted(kinds) == ["draw", "receipt"]
    draw = AuditEvent.objects.get(object_type="controlled.LedgerEntry", detail__kind="draw")
    assert draw.patient_id == cast.patient.pk


def test_the_draw_list_folds_only_its_drug_yet_shows_the_clinic_wide_balances(cast):
    from remit.controlled.selectors import drawable_vials, vial_rows

    first, second = received(cast, "K-001"), received(cast, "K-002")
    received(cast, "EK-001", drug="esketamine", volume_ml="4.8", concentration="140")
    session = _session(cast)
    services.draw_record(session=session, vial=first, volume_ml=Decimal("1"), by=cast.nurse)
    services.administration_record(session=session, amount_mg=Decimal("35"), by=cast.nurse)
    services.waste_record(
        session=session, amount_mg=Decimal("15"), by=cast.nurse, witness=cast.prescriber
    )
    services.count_record(vial=second, counted_ml=Decimal("9.5"), by=cast.nurse)
    everything, _ = vial_rows(cast.nurse)
    expected = [r for r in everything if r.vial.drug == "ketamine"]
    assert drawable_vials(cast.nurse, "ketamine") == expected
    assert [(r.balance_ml, r.open_discrepancy) for r in expected] == [
        (Decimal("9.00"), False),
        (Decimal("10.00"), True),
    ]


def test_the_vial_page_reads_the_open_discrepancy_from_the_vials_own_fold(cast):
    from remit.controlled.selectors import vial_ledger

    vial, other = received(cast, "K-001"), received(cast, "K-002")
    services.count_record(vial=other, counted_ml=Decimal("9"), by=cast.nurse)
    assert vial_ledger(vial).open_discrepancy is None
    services.count_record(vial=vial, counted_ml=Decimal("9.5"), by=cast.nurse)
    found = vial_ledger(vial).open_discrepancy
    assert found == ledger_state(cast.clinic.pk).open_discrepancies[str(vial.pk)]
    assert found is not None
    assert (found.expected_ml, found.counted_ml) == (Decimal(10), Decimal("9.5"))
    services.reconciliation_record(
        vial=vial, reason="Spill", by=cast.nurse, second_person=cast.prescriber
    )
    assert vial_ledger(vial).open_discrepancy is None


def test_append_reads_the_sessions_vials_itself_once_the_session_is_locked(cast):
    # A caller no longer passes the session's vials (read before the lock, a draw from a new vial
    # committed in between made the fold fail with a 500): _append finds them under the lock.
    first, second = received(cast, "K-001"), received(cast, "K-002")
    session = _session(cast)
    services.draw_record(session=session, vial=first, volume_ml=Decimal("1"), by=cast.nurse)
    services.draw_record(session=session, vial=second, volume_ml=Decimal("1"), by=cast.nurse)
    entry, after = services._append(
        LedgerEntry(
            clinic_id=cast.clinic.pk,
            kind=EntryKind.ADMINISTRATION,
            at=timezone.now(),
            by=cast.nurse,
            session=session,
            amount_mg=Decimal("60"),
        )
    )
    assert entry.pk is not None
    assert after.sessions[str(session.pk)].unaccounted_mg == Decimal(40)
    services.waste_record(
        session=session, amount_mg=Decimal("40"), by=cast.nurse, witness=cast.prescriber
    )
    assert session_ledger(session).closed

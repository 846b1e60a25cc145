"""Every write to the controlled-substance ledger.

Each new entry is checked by the pure ledger against the folded state of the entries it could
conflict with (its vials' and its session's), inside the transaction that saves it, with the
session row and then the vial rows locked (SELECT … FOR UPDATE on PostgreSQL; SQLite serialises
writers with BEGIN IMMEDIATE). So two tablets drawing from one vial at once cannot take it below
zero.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from remit.accounts.models import StaffUser
from remit.clinics.models import Clinic
from remit.controlled import ledger
from remit.controlled.models import EntryKind, LedgerEntry, Vial
from remit.controlled.selectors import clinic_zone, entries_touching, fold_rows, pure_entry
from remit.core.audit import audit_record
from remit.core.models import AuditAction

if TYPE_CHECKING:
    from remit.charting.models import Session


def _same_clinic(clinic_id: int, *people: StaffUser | None) -> None:
    for person in people:
        if person is not None and person.clinic_id != clinic_id:
            raise ValidationError({"second_person": "Choose a member of this clinic's staff."})


def _append(
    entry: LedgerEntry, *, vial_ids: Iterable[int] = (), field: str = "__all__"
) -> tuple[LedgerEntry, ledger.LedgerState]:
    """Check one new entry against the folded ledger and save it; refused: nothing saved.
    Also returns the ledger of those vials and that session after the entry, so a caller that
    needs it does not fold them again.

    `vial_ids` are the entry's own vials; the vials the session has drawn from are added here,
    read only once the session is locked. Read before, a draw from a new vial committed in
    between would bring that vial's draw into the fold without its receipt, and the fold would
    fail outside the check (a 500, not a form error)."""
    ids = set(vial_ids)
    # Always the session before the vials, and the vials in id order, so that two writers never
    # wait on each other in a circle.
    if entry.session_id is not None:
        from remit.charting.models import Session

        list(Session.objects.select_for_update().filter(pk=entry.session_id).values_list("pk"))
        ids.update(_session_vials(entry.session_id))
    locked = sorted(ids)
    list(Vial.objects.select_for_update().filter(pk__in=locked).order_by("pk").values_list("pk"))
    zone = clinic_zone(entry.clinic_id)
    state = fold_rows(
        entries_touching(clinic_id=entry.clinic_id, vial_ids=locked, session_id=entry.session_id),
        zone,
    )
    try:
        after = ledger.apply_entry(state, pure_entry(entry, zone))
    except ledger.LedgerError as error:
        raise ValidationError({field: str(error)}) from None
    entry.save()
    patient_id = entry.session.patient_id if entry.session is not None else None
    audit_record(
        action=AuditAction.CREATE,
        actor=entry.by,
        obj=entry,
        patient_id=patient_id,
        clinic_id=entry.clinic_id,
        detail={"kind": entry.kind},
    )
    return entry, after


def _session_vials(session_id: int) -> list[int]:
    return [
        v
        for v in LedgerEntry.objects.filter(session_id=session_id, kind=EntryKind.DRAW)
        .values_list("vial_id", flat=True)
        .distinct()
        if v is not None
    ]


@transaction.atomic
def vial_receive(
    *,
    clinic: Clinic,
    by: StaffUser,
    label: str,
    drug: str,
    concentration_mg_per_ml: Decimal,
    volume_ml: Decimal,
    lot: str,
    expiry: date,
    supplier: str,
) -> Vial:
    label = label.strip()
    if Vial.objects.filter(clinic=clinic, label__iexact=label).exists():
        raise ValidationError({"label": "A vial with this name was already received."})
    vial = Vial(
        clinic=clinic,
        label=label,
        drug=drug,
        concentration_mg_per_ml=concentration_mg_per_ml,
        volume_ml=volume_ml,
        lot=lot.strip(),
        expiry=expiry,
        supplier=supplier.strip(),
        received_at=timezone.now(),
        received_by=by,
    )
    vial.full_clean()
    # Saved inside this transaction: if the ledger refuses the receipt, both roll back.
    vial.save()
    _append(
        LedgerEntry(clinic=clinic, kind=EntryKind.RECEIPT, at=vial.received_at, by=by, vial=vial),
        vial_ids=[vial.pk],
    )
    return vial


@transaction.atomic
def draw_record(*, session: Session, vial: Vial, volume_ml: Decimal, by: StaffUser) -> LedgerEntry:
    if vial.clinic_id != session.clinic_id:
        raise ValidationError({"vial": "Choose a vial of this clinic."})
    entry, _ = _append(
        LedgerEntry(
            clinic_id=session.clinic_id,
            kind=EntryKind.DRAW,
            at=timezone.now(),
            by=by,
            vial=vial,
            session=session,
            volume_ml=volume_ml,
        ),
        vial_ids=[vial.pk],
        field="volume_ml",
    )
    return entry


def _close_if_balanced(session: Session, by: StaffUser, state: ledger.LedgerState) -> None:
    """`state` is what _append returned for the give or waste just saved."""
    totals = state.sessions.get(str(session.pk))
    if totals is not None and not totals.closed and totals.unaccounted_mg == 0:
        _append(
            LedgerEntry(
                clinic_id=session.clinic_id,
                kind=EntryKind.SESSION_CLOSE,
                at=timezone.now(),
                by=by,
                session=session,
            ),
        )


def _session_entry(
    session: Session,
    kind: EntryKind,
    by: StaffUser,
    *,
    amount_mg: Decimal,
    field: str,
    witness: StaffUser | None = None,
) -> LedgerEntry:
    """A give or a waste, checked and saved; the session closes itself once it balances."""
    entry, after = _append(
        LedgerEntry(
            clinic_id=session.clinic_id,
            kind=kind,
            at=timezone.now(),
            by=by,
            second_person=witness,
            session=session,
            amount_mg=amount_mg,
        ),
        field=field,
    )
    _close_if_balanced(session, by, after)
    return entry


@transaction.atomic
def administration_record(*, session: Session, amount_mg: Decimal, by: StaffUser) -> LedgerEntry:
    return _session_entry(
        session, EntryKind.ADMINISTRATION, by, amount_mg=amount_mg, field="amount_mg"
    )


@transaction.atomic
def waste_record(
    *, session: Session, amount_mg: Decimal, by: StaffUser, witness: StaffUser | None
) -> LedgerEntry:
    """Drug drawn but not given, wasted in front of a second staff member."""
    _same_clinic(session.clinic_id, witness)
    return _session_entry(
        session,
        EntryKind.WASTE,
        by,
        amount_mg=amount_mg,
        field="second_person" if witness is None or witness.pk == by.pk else "amount_mg",
        witness=witness,
    )


def _vial_entry(
    vial: Vial,
    kind: EntryKind,
    by: StaffUser,
    *,
    field: str = "__all__",
    second_person: StaffUser | None = None,
    volume_ml: Decimal | None = None,
    reason: str = "",
) -> LedgerEntry:
    """A vial waste, count or reconciliation, checked against the vial's entries and saved."""
    entry, _ = _append(
        LedgerEntry(
            clinic_id=vial.clinic_id,
            kind=kind,
            at=timezone.now(),
            by=by,
            second_person=second_person,
            vial=vial,
            volume_ml=volume_ml,
            reason=reason,
        ),
        vial_ids=[vial.pk],
        field=field,
    )
    return entry


@transaction.atomic
def vial_waste_record(
    *, vial: Vial, volume_ml: Decimal, reason: str, by: StaffUser, witness: StaffUser | None
) -> LedgerEntry:
    _same_clinic(vial.clinic_id, witness)
    return _vial_entry(
        vial,
        EntryKind.VIAL_WASTE,
        by,
        second_person=witness,
        volume_ml=volume_ml,
        reason=reason.strip(),
    )


@transaction.atomic
def count_record(*, vial: Vial, counted_ml: Decimal, by: StaffUser) -> LedgerEntry:
    """A physical count; a difference opens a discrepancy that freezes the vial."""
    return _vial_entry(vial, EntryKind.COUNT, by, field="volume_ml", volume_ml=counted_ml)


@transaction.atomic
def reconciliation_record(
    *, vial: Vial, reason: str, by: StaffUser, second_person: StaffUser | None
) -> LedgerEntry:
    """Close a count discrepancy: a reason and a second, different person."""
    _same_clinic(vial.clinic_id, second_person)
    return _vial_entry(
        vial, EntryKind.ADJUSTMENT, by, second_person=second_person, reason=reason.strip()
    )


def inventory_export_record(*, clinic: Clinic, by: StaffUser, rows: int) -> None:
    audit_record(
        action=AuditAction.EXPORT,
        actor=by,
        clinic_id=clinic.pk,
        detail={"export": "controlled_inventory", "rows": rows},
    )

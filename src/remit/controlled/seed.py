"""Demo ledger: vials received, and for every seeded drug session a draw from a named vial, the
dose given and any remainder wasted in front of a witness, so every session and vial balances.

Every entry is checked by the pure ledger (`ledger.fold`) before anything is saved, exactly as
the services check them one by one; the rows are then bulk-saved. Sessions that already have
ledger entries are skipped, so a second run adds nothing.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import ROUND_CEILING, Decimal
from zoneinfo import ZoneInfo

from django.db import transaction

from remit.accounts.models import StaffUser
from remit.charting.models import Session
from remit.controlled import ledger
from remit.controlled.models import EntryKind, LedgerEntry, Vial
from remit.controlled.selectors import drug_of, fold_rows, pure_entry
from remit.core.audit import AuditEntry, audit_record_many
from remit.core.models import AuditAction
from remit.core.seeding import SeedContext

# Ketamine 50 mg/mL in 10 mL vials; esketamine as packs of 24 devices, each 28 mg in 0.2 mL
# (entered as 140 mg/mL, the clinic's own convention for devices; see docs/charting.md).
STOCK = {
    "ketamine": (Decimal("50"), Decimal("10"), Decimal("0.5")),
    "esketamine": (Decimal("140"), Decimal("4.8"), Decimal("0.2")),
}


@dataclass
class _OpenVial:
    vial: Vial
    balance_ml: Decimal


def _staff(context: SeedContext, role: str, clinic_id: int) -> StaffUser | None:
    found = context.staff.get(role)
    if found is not None:
        return found
    return StaffUser.objects.filter(clinic_id=clinic_id, groups__name=role).order_by("pk").first()


@transaction.atomic
def seed(context: SeedContext) -> None:
    clinic = context.clinic
    if clinic is None:
        return
    nurse = _staff(context, "nurse", clinic.pk)
    witness = _staff(context, "prescriber", clinic.pk)
    if nurse is None or witness is None:
        return
    sessions = list(
        Session.objects.filter(clinic=clinic, dose__dose_mg__isnull=False)
        .exclude(ledger_entries__isnull=False)
        .select_related("dose")
        .order_by("dosed_at", "pk")
    )
    if not sessions:
        return
    zone = ZoneInfo(clinic.time_zone)
    existing = list(LedgerEntry.objects.filter(clinic=clinic).select_related("vial").order_by("id"))
    state = fold_rows(existing, zone)
    first_use = sessions[0].dosed_at or sessions[0].checked_in_at
    received_at = (
        min(first_use, *(e.at for e in existing)) - timedelta(days=1)
        if existing
        else (first_use - timedelta(days=1))
    )
    numbers = {drug: Vial.objects.filter(clinic=clinic, drug=drug).count() for drug in STOCK}
    open_vials: dict[str, _OpenVial] = {}
    for vial in Vial.objects.filter(clinic=clinic).order_by("pk"):
        balance = state.vials.get(str(vial.pk))
        if balance is not None and balance.balance_ml > 0:
            open_vials[vial.drug] = _OpenVial(vial, balance.balance_ml)
    new_vials: list[Vial] = []
    rows: list[LedgerEntry] = []

    def vial_for(drug: str, volume: Decimal, at: datetime) -> _OpenVial:
        current = open_vials.get(drug)
        if current is not None and current.balance_ml >= volume:
            return current
        concentration, size, _ = STOCK[drug]
        numbers[drug] += 1
        prefix = "K" if drug == "ketamine" else "EK"
        vial = Vial(
            clinic=clinic,
            label=f"DEMO-{prefix}-{numbers[drug]:03d}",
            drug=drug,
            concentration_mg_per_ml=concentration,
            volume_ml=size,
            lot=f"DEMO-LOT-{prefix}{numbers[drug] // 10 + 1}",
            expiry=(received_at + timedelta(days=730)).date(),
            supplier="Example Pharma Distribution (demo)",
            received_at=received_at,
            received_by=nurse,
        )
        new_vials.append(vial)
        # A vial left with less than a dose is wasted, witnessed, before the next is opened.
        if current is not None and current.balance_ml > 0:
            rows.append(
                LedgerEntry(
                    clinic=clinic,
                    kind=EntryKind.VIAL_WASTE,
                    at=at - timedelta(minutes=1),
                    by=nurse,
                    second_person=witness,
                    vial=current.vial,
                    volume_ml=current.balance_ml,
                    reason="Remainder too small for a dose",
                )
            )
        rows.append(
            LedgerEntry(clinic=clinic, kind=EntryKind.RECEIPT, at=received_at, by=nurse, vial=vial)
        )
        opened = _OpenVial(vial, size)
        open_vials[drug] = opened
        return opened

    for session in sessions:
        dose = session.dose
        if dose.dose_mg is None:
            continue
        drug = drug_of(session)
        concentration, _, step = STOCK[drug]
        # Draw in whole steps (0.5 mL of ketamine, one 0.2 mL device of esketamine).
        steps = (dose.dose_mg / concentration / step).to_integral_value(ROUND_CEILING)
        volume = steps * step
        at = dose.given_at - timedelta(minutes=10)
        current = vial_for(drug, volume, at)
        current.balance_ml -= volume
        rows.append(
            LedgerEntry(
                clinic=clinic,
                kind=EntryKind.DRAW,
                at=at,
                by=nurse,
                vial=current.vial,
                session=session,
                volume_ml=volume,
            )
        )
        rows.append(
            LedgerEntry(
                clinic=clinic,
                kind=EntryKind.ADMINISTRATION,
                at=dose.given_at,
                by=nurse,
                session=session,
                amount_mg=dose.dose_mg,
            )
        )
        left = volume * concentration - dose.dose_mg
        if left > 0:
            rows.append(
                LedgerEntry(
                    clinic=clinic,
                    kind=EntryKind.WASTE,
                    at=dose.given_at + timedelta(minutes=1),
                    by=nurse,
                    second_person=witness,
                    session=session,
                    amount_mg=left,
                )
            )
        rows.append(
            LedgerEntry(
                clinic=clinic,
                kind=EntryKind.SESSION_CLOSE,
                at=dose.given_at + timedelta(minutes=2),
                by=nurse,
                session=session,
            )
        )
    saved_vials = Vial.objects.bulk_create(new_vials)
    # Rows built on a vial before it was saved have no vial_id yet; the entry ids below use it.
    for row in rows:
        if row.vial_id is None and row.vial is not None:
            row.vial_id = row.vial.pk
    for row in rows:
        row.entry_id = uuid.UUID(
            int=context.rng(
                "ledger", row.kind, row.at.isoformat(), row.session_id, row.vial_id
            ).getrandbits(128)
        )
    # The pure ledger accepts the whole ledger, old and new, in time order, or nothing is kept.
    ordered = sorted(rows, key=lambda r: r.at)
    ledger.fold((pure_entry(r, zone) for r in ordered), state=state)
    LedgerEntry.objects.bulk_create(ordered)
    audit_record_many(
        [
            AuditEntry(
                action=AuditAction.CREATE,
                clinic_id=clinic.pk,
                object_type="controlled.LedgerEntry",
                object_id=str(row.pk),
                detail={"kind": row.kind, "source": "seed"},
            )
            for row in ordered
        ],
        actor=nurse,
    )
    context.count("ledger entries", len(ordered))
    context.count("vials", len(saved_vials))

"""Reads of the ledger, scoped to the staff member's clinic, and the fold that turns stored
entries into the pure ledger's entries."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from django.db.models import Q, QuerySet
from django.http import Http404

from remit.accounts.models import StaffUser
from remit.controlled import ledger
from remit.controlled.models import EntryKind, LedgerEntry, Vial

if TYPE_CHECKING:
    from remit.charting.models import Session


def _person(user_id: int | None) -> str:
    return str(user_id) if user_id is not None else ""


def pure_entry(row: LedgerEntry, zone: ZoneInfo) -> ledger.Entry:
    """The pure ledger's view of a stored entry. Times are read in the clinic's time zone (a
    vial's expiry date is its last day of use there); people are compared by staff id."""
    entry_id = str(row.entry_id)
    at = row.at.astimezone(zone)
    vial_id = str(row.vial_id) if row.vial_id is not None else ""
    session_id = str(row.session_id) if row.session_id is not None else ""
    by = _person(row.by_id)
    second = _person(row.second_person_id)
    match row.kind:
        case EntryKind.RECEIPT:
            vial = row.vial
            if vial is None:
                raise ValueError("A receipt must name its vial.")
            return ledger.Receipt(
                entry_id,
                at,
                vial_id,
                vial.drug,
                vial.concentration_mg_per_ml,
                vial.volume_ml,
                vial.lot,
                vial.expiry,
                vial.supplier,
                by,
            )
        case EntryKind.DRAW:
            return ledger.Draw(entry_id, at, vial_id, session_id, _ml(row), by)
        case EntryKind.ADMINISTRATION:
            return ledger.Administration(entry_id, at, session_id, _mg(row), by)
        case EntryKind.WASTE:
            return ledger.Waste(entry_id, at, session_id, _mg(row), by, second)
        case EntryKind.VIAL_WASTE:
            return ledger.VialWaste(entry_id, at, vial_id, _ml(row), by, second, row.reason)
        case EntryKind.SESSION_CLOSE:
            return ledger.SessionClose(entry_id, at, session_id, by)
        case EntryKind.COUNT:
            return ledger.Count(entry_id, at, vial_id, _ml(row), by)
        case EntryKind.ADJUSTMENT:
            return ledger.Adjustment(entry_id, at, vial_id, row.reason, by, second)
    raise ValueError(f"Unknown ledger entry kind {row.kind!r}")


def _ml(row: LedgerEntry) -> Decimal:
    return row.volume_ml if row.volume_ml is not None else Decimal(0)


def _mg(row: LedgerEntry) -> Decimal:
    return row.amount_mg if row.amount_mg is not None else Decimal(0)


def fold_rows(rows: Iterable[LedgerEntry], zone: ZoneInfo) -> ledger.LedgerState:
    return ledger.fold(pure_entry(row, zone) for row in rows)


def _entries() -> QuerySet[LedgerEntry]:
    return LedgerEntry.objects.select_related("vial", "by", "second_person").order_by("id")


def entries_touching(
    *, clinic_id: int, vial_ids: Iterable[int], session_id: int | None
) -> QuerySet[LedgerEntry]:
    """What a new entry must be checked against: every entry of the vials involved and of the
    session. Entries of other vials and sessions cannot change the answer."""
    scope = Q(vial_id__in=list(vial_ids))
    if session_id is not None:
        scope |= Q(session_id=session_id)
    return _entries().filter(scope, clinic_id=clinic_id)


def clinic_zone(clinic_id: int) -> ZoneInfo:
    from remit.clinics.models import Clinic

    return ZoneInfo(Clinic.objects.values_list("time_zone", flat=True).get(pk=clinic_id))


def ledger_state(clinic_id: int) -> ledger.LedgerState:
    return fold_rows(_entries().filter(clinic_id=clinic_id), clinic_zone(clinic_id))


def vials_of(user: StaffUser) -> QuerySet[Vial]:
    return Vial.objects.filter(clinic_id=user.home_clinic_id).select_related("received_by")


def vial_get(*, user: StaffUser, vial_id: int) -> Vial:
    vial = vials_of(user).filter(pk=vial_id).first()
    if vial is None:
        raise Http404("No such vial")
    return vial


@dataclass(frozen=True)
class VialRow:
    vial: Vial
    balance_ml: Decimal
    balance_mg: Decimal
    open_discrepancy: bool


def _vial_row(vial: Vial, state: ledger.LedgerState) -> VialRow:
    balance = state.vials.get(str(vial.pk))
    return VialRow(
        vial,
        balance.balance_ml if balance else Decimal(0),
        balance.balance_mg if balance else Decimal(0),
        str(vial.pk) in state.open_discrepancies,
    )


def vial_rows(user: StaffUser) -> tuple[list[VialRow], dict[str, Decimal]]:
    """Every vial with its balance, and the stock per drug (mg)."""
    state = ledger_state(user.home_clinic_id)
    return [_vial_row(vial, state) for vial in vials_of(user)], ledger.drug_balances_mg(state)


@dataclass(frozen=True)
class HistoryRow:
    entry: LedgerEntry
    balance_ml: Decimal
    note: str


@dataclass(frozen=True)
class VialLedger:
    history: list[HistoryRow]
    open_discrepancy: ledger.Discrepancy | None


def vial_history(vial: Vial) -> list[HistoryRow]:
    """The vial's entries, each with the running balance after it."""
    return vial_ledger(vial).history


def vial_ledger(vial: Vial) -> VialLedger:
    """The vial's history and its open count discrepancy, from one fold of its own entries: a
    discrepancy is opened and closed by entries of the vial alone."""
    zone = ZoneInfo(vial.clinic.time_zone)
    state = ledger.empty_ledger()
    rows = []
    for row in _entries().filter(vial=vial).select_related("session__patient"):
        state = ledger.apply_entry(state, pure_entry(row, zone))
        note = ""
        if row.kind == EntryKind.COUNT and str(vial.pk) in state.open_discrepancies:
            expected = state.open_discrepancies[str(vial.pk)].expected_ml
            note = f"Differs from the ledger ({expected} mL expected): reconcile."
        rows.append(HistoryRow(row, state.vials[str(vial.pk)].balance_ml, note))
    return VialLedger(rows, state.open_discrepancies.get(str(vial.pk)))


@dataclass(frozen=True)
class SessionLedger:
    entries: list[LedgerEntry]
    drawn_mg: Decimal
    given_mg: Decimal
    wasted_mg: Decimal
    closed: bool

    @property
    def unaccounted_mg(self) -> Decimal:
        return self.drawn_mg - self.given_mg - self.wasted_mg


def session_ledger(session: Session) -> SessionLedger:
    entries = list(_entries().filter(session=session))
    drawn = sum(
        (
            _ml(e) * e.vial.concentration_mg_per_ml
            for e in entries
            if e.kind == EntryKind.DRAW and e.vial is not None
        ),
        Decimal(0),
    )
    given = sum((_mg(e) for e in entries if e.kind == EntryKind.ADMINISTRATION), Decimal(0))
    wasted = sum((_mg(e) for e in entries if e.kind == EntryKind.WASTE), Decimal(0))
    closed = any(e.kind == EntryKind.SESSION_CLOSE for e in entries)
    return SessionLedger(entries, drawn, given, wasted, closed)


def session_unaccounted_mg(session: Session) -> Decimal:
    """Drug drawn for the session but not yet recorded as given or wasted."""
    return session_ledger(session).unaccounted_mg


def drug_of(session: Session) -> str:
    """The drug a session draws: esketamine for esketamine sessions, ketamine for the rest."""
    return "esketamine" if session.modality == "esketamine" else "ketamine"


def drawable_vials(user: StaffUser, drug: str) -> list[VialRow]:
    """The clinic's vials of one drug with their balances. A vial's balance and discrepancy
    depend only on its own entries (as `_append` relies on), so only those are folded, not the
    whole clinic's ledger on every refresh of the session page."""
    vials = list(vials_of(user).filter(drug=drug))
    clinic_id = user.home_clinic_id
    state = fold_rows(
        entries_touching(clinic_id=clinic_id, vial_ids=[v.pk for v in vials], session_id=None),
        clinic_zone(clinic_id),
    )
    return [_vial_row(vial, state) for vial in vials]


def staff_of_clinic(user: StaffUser) -> QuerySet[StaffUser]:
    """Who may witness or co-sign: active staff of the clinic who handle controlled drugs."""
    return (
        StaffUser.objects.filter(clinic_id=user.home_clinic_id, is_active=True)
        .filter(
            Q(groups__permissions__codename="handle_controlled")
            | Q(user_permissions__codename="handle_controlled")
        )
        .distinct()
        .order_by("last_name", "first_name", "username")
    )

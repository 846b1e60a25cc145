"""The arithmetic of a Schedule III controlled-substance ledger (ketamine, esketamine [S54]).

Pure code. Entries are frozen and append-only; apply_entry returns a new LedgerState and never
changes the one it was given, so a refused entry leaves no trace. The rules it enforces:

- a vial's balance can never go negative; nothing is drawn from an empty or expired vial;
- waste is witnessed by a second, different person;
- a session closes only when drawn = administered + wasted (in mg);
- a count that differs from the expected balance opens a discrepancy, which only an adjustment
  with a reason and a second person closes; the vial is frozen until then.

Vial-side amounts are in mL (what is drawn, wasted or counted); mg = mL × the vial's
concentration, exact in Decimal. Session-side amounts (given, wasted from the syringe) are in mg.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from decimal import Decimal
from types import MappingProxyType
from typing import Protocol, TypeVar

_V = TypeVar("_V")


class LedgerError(ValueError):
    """An entry the ledger refuses; the message says why in plain words."""


# --- Entries ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Receipt:
    entry_id: str
    at: datetime
    vial_id: str
    drug: str
    concentration_mg_per_ml: Decimal
    volume_ml: Decimal
    lot: str
    expiry: date
    supplier: str
    received_by: str


@dataclass(frozen=True)
class Draw:
    entry_id: str
    at: datetime
    vial_id: str
    session_id: str
    volume_ml: Decimal
    drawn_by: str


@dataclass(frozen=True)
class Administration:
    entry_id: str
    at: datetime
    session_id: str
    amount_mg: Decimal
    administered_by: str


@dataclass(frozen=True)
class Waste:
    """Drug drawn for a session but not given (left in the syringe or bag)."""

    entry_id: str
    at: datetime
    session_id: str
    amount_mg: Decimal
    wasted_by: str
    witnessed_by: str


@dataclass(frozen=True)
class VialWaste:
    """What is left in a vial, discarded (expired, broken, single-use remainder)."""

    entry_id: str
    at: datetime
    vial_id: str
    volume_ml: Decimal
    wasted_by: str
    witnessed_by: str
    reason: str


@dataclass(frozen=True)
class SessionClose:
    entry_id: str
    at: datetime
    session_id: str
    closed_by: str


@dataclass(frozen=True)
class Count:
    entry_id: str
    at: datetime
    vial_id: str
    counted_volume_ml: Decimal
    counted_by: str


@dataclass(frozen=True)
class Adjustment:
    """Closes a vial's open count discrepancy: the balance becomes what was counted."""

    entry_id: str
    at: datetime
    vial_id: str
    reason: str
    recorded_by: str
    second_person: str


Entry = Receipt | Draw | Administration | Waste | VialWaste | SessionClose | Count | Adjustment


# --- State --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class VialBalance:
    vial_id: str
    drug: str
    concentration_mg_per_ml: Decimal
    lot: str
    expiry: date
    supplier: str
    received_ml: Decimal
    balance_ml: Decimal

    @property
    def balance_mg(self) -> Decimal:
        return self.balance_ml * self.concentration_mg_per_ml


@dataclass(frozen=True)
class SessionTotals:
    session_id: str
    drug: str
    drawn_mg: Decimal
    administered_mg: Decimal
    wasted_mg: Decimal
    vial_ids: tuple[str, ...]
    closed: bool = False

    @property
    def unaccounted_mg(self) -> Decimal:
        return self.drawn_mg - self.administered_mg - self.wasted_mg


@dataclass(frozen=True)
class Discrepancy:
    vial_id: str
    count_entry_id: str
    expected_ml: Decimal
    counted_ml: Decimal
    counted_by: str


@dataclass(frozen=True)
class Reconciliation:
    expected_ml: Decimal
    counted_ml: Decimal
    difference_ml: Decimal
    reason: str
    recorded_by: str
    second_person: str


@dataclass(frozen=True)
class LedgerState:
    vials: Mapping[str, VialBalance]
    sessions: Mapping[str, SessionTotals]
    open_discrepancies: Mapping[str, Discrepancy]
    reconciliations: tuple[tuple[str, Reconciliation], ...]
    entries: tuple[Entry, ...]
    entry_ids: frozenset[str]


class _Books(Protocol):
    """What the rules read: LedgerState, or fold's live views of the dicts it updates in place."""

    @property
    def vials(self) -> Mapping[str, VialBalance]: ...

    @property
    def sessions(self) -> Mapping[str, SessionTotals]: ...

    @property
    def open_discrepancies(self) -> Mapping[str, Discrepancy]: ...


@dataclass(frozen=True)
class _Views:
    vials: Mapping[str, VialBalance]
    sessions: Mapping[str, SessionTotals]
    open_discrepancies: Mapping[str, Discrepancy]


def empty_ledger() -> LedgerState:
    return LedgerState(
        MappingProxyType({}), MappingProxyType({}), MappingProxyType({}), (), (), frozenset()
    )


# --- Checks shared by entries ---------------------------------------------------------------------


def _text(value: str, label: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise LedgerError(f"{label} must be filled in.")
    return value.strip()


def _same_person(a: str, b: str) -> bool:
    return a.strip().casefold() == b.strip().casefold()


def _second_person(first: str, second: str, first_label: str, second_label: str) -> None:
    _text(first, first_label)
    if not isinstance(second, str) or not second.strip():
        raise LedgerError(f"{second_label} is missing: a second staff member must sign.")
    if _same_person(first, second):
        raise LedgerError(
            f"{second_label} must be a different person from the {first_label.lower()}."
        )


def _amount(value: Decimal, label: str, *, allow_zero: bool = False) -> Decimal:
    # Floats are refused: a drug ledger must add up exactly.
    if isinstance(value, bool) or not isinstance(value, Decimal | int):
        raise LedgerError(f"{label} must be an exact decimal amount; got {value!r}.")
    amount = Decimal(value)
    if not amount.is_finite() or amount < 0 or (amount == 0 and not allow_zero):
        raise LedgerError(f"{label} must be more than 0; got {value}.")
    return amount


def _vial(state: _Books, vial_id: str) -> VialBalance:
    vial = state.vials.get(vial_id)
    if vial is None:
        raise LedgerError(f"Vial {vial_id} has no receipt in the ledger.")
    if vial_id in state.open_discrepancies:
        raise LedgerError(
            f"Vial {vial_id} has an unreconciled count discrepancy; "
            "reconcile it before using the vial."
        )
    return vial


def _open_session(state: _Books, session_id: str) -> SessionTotals:
    session = state.sessions.get(session_id)
    if session is None:
        raise LedgerError(f"Session {session_id} has no draw in the ledger.")
    if session.closed:
        raise LedgerError(f"Session {session_id} is already closed.")
    return session


def _fits(session: SessionTotals, extra_mg: Decimal, what: str) -> None:
    if session.administered_mg + session.wasted_mg + extra_mg > session.drawn_mg:
        raise LedgerError(
            f"{what} of {extra_mg} mg is more than is left of the {session.drawn_mg} mg drawn for "
            f"session {session.session_id} ({session.unaccounted_mg} mg not yet given or wasted)."
        )


def reconcile(
    *,
    expected_ml: Decimal,
    counted_ml: Decimal,
    recorded_by: str,
    reason: str = "",
    second_person: str = "",
) -> Reconciliation:
    """Counted against expected. Any difference needs a reason and a second, different person."""
    expected = _amount(expected_ml, "Expected volume", allow_zero=True)
    counted = _amount(counted_ml, "Counted volume", allow_zero=True)
    difference = counted - expected
    if difference != 0:
        if not isinstance(reason, str) or not reason.strip():
            raise LedgerError(
                f"The count differs from the ledger by {difference} mL: a reason is required."
            )
        _second_person(recorded_by, second_person, "Recorded by", "Second person")
    else:
        _text(recorded_by, "Recorded by")
    return Reconciliation(
        expected, counted, difference, reason.strip(), recorded_by.strip(), second_person.strip()
    )


# --- Applying entries ---------------------------------------------------------------------------


def apply_entry(state: LedgerState, entry: Entry) -> LedgerState:
    """The ledger after one more entry; raises LedgerError and changes nothing if refused."""
    entry_id = _admit(entry, state.entry_ids)
    changes = _changes(state, entry)
    discrepancies = state.open_discrepancies
    if changes.opened or changes.reconciled is not None:
        updated = dict(discrepancies)
        _merge_discrepancies(updated, changes)
        discrepancies = MappingProxyType(updated)
    return LedgerState(
        vials=_merged(state.vials, changes.vials),
        sessions=_merged(state.sessions, changes.sessions),
        open_discrepancies=discrepancies,
        reconciliations=state.reconciliations + changes.reconciliations,
        entries=(*state.entries, entry),
        entry_ids=state.entry_ids | {entry_id},
    )


def _admit(entry: Entry, entry_ids: frozenset[str] | set[str]) -> str:
    """The entry's id, once its id and time are checked; shared by apply_entry and fold."""
    entry_id = _text(entry.entry_id, "Entry id")
    if entry_id in entry_ids:
        raise LedgerError(f"Entry {entry_id} is already in the ledger; entries are append-only.")
    if not isinstance(entry.at, datetime) or entry.at.utcoffset() is None:
        raise LedgerError("The entry time must include its time zone.")
    return entry_id


@dataclass(frozen=True)
class _Changes:
    """Only what one entry changes, so fold can apply it in place without copying the state."""

    vials: Mapping[str, VialBalance] = field(default_factory=dict)
    sessions: Mapping[str, SessionTotals] = field(default_factory=dict)
    opened: Mapping[str, Discrepancy] = field(default_factory=dict)
    reconciled: str | None = None
    reconciliations: tuple[tuple[str, Reconciliation], ...] = ()


def _merged(old: Mapping[str, _V], new: Mapping[str, _V]) -> Mapping[str, _V]:
    return MappingProxyType({**old, **new}) if new else old


def _merge_discrepancies(discrepancies: dict[str, Discrepancy], changes: _Changes) -> None:
    if changes.reconciled is not None:
        del discrepancies[changes.reconciled]
    discrepancies.update(changes.opened)


def _changes(state: _Books, entry: Entry) -> _Changes:
    match entry:
        case Receipt():
            return _Changes(vials=_receive(state, entry))
        case Draw():
            return _draw(state, entry)
        case Administration():
            session = _open_session(state, entry.session_id)
            amount = _amount(entry.amount_mg, "Amount given")
            _text(entry.administered_by, "Given by")
            _fits(session, amount, "A dose")
            updated = replace(session, administered_mg=session.administered_mg + amount)
            return _Changes(sessions={updated.session_id: updated})
        case Waste():
            session = _open_session(state, entry.session_id)
            amount = _amount(entry.amount_mg, "Amount wasted")
            _second_person(entry.wasted_by, entry.witnessed_by, "Wasted by", "Witness")
            _fits(session, amount, "Waste")
            updated = replace(session, wasted_mg=session.wasted_mg + amount)
            return _Changes(sessions={updated.session_id: updated})
        case VialWaste():
            vial = _vial(state, entry.vial_id)
            volume = _amount(entry.volume_ml, "Volume wasted")
            _second_person(entry.wasted_by, entry.witnessed_by, "Wasted by", "Witness")
            _text(entry.reason, "Reason for the waste")
            _take(vial, volume, "Wasting")
            remaining = replace(vial, balance_ml=vial.balance_ml - volume)
            return _Changes(vials={vial.vial_id: remaining})
        case SessionClose():
            session = _open_session(state, entry.session_id)
            _text(entry.closed_by, "Closed by")
            if session.unaccounted_mg != 0:
                raise LedgerError(
                    f"Session {session.session_id} drew {session.drawn_mg} mg but "
                    f"{session.administered_mg} mg were given and {session.wasted_mg} mg wasted: "
                    f"{session.unaccounted_mg} mg must be given or wasted before it can close."
                )
            return _Changes(sessions={session.session_id: replace(session, closed=True)})
        case Count():
            return _count(state, entry)
        case Adjustment():
            return _adjust(state, entry)
    raise LedgerError(f"Unknown ledger entry {entry!r}.")


def _receive(state: _Books, entry: Receipt) -> dict[str, VialBalance]:
    vial_id = _text(entry.vial_id, "Vial id")
    if vial_id in state.vials:
        raise LedgerError(f"Vial {vial_id} was already received; give each vial its own id.")
    if not isinstance(entry.expiry, date) or isinstance(entry.expiry, datetime):
        raise LedgerError("Expiry must be a date.")
    _text(entry.received_by, "Received by")
    volume = _amount(entry.volume_ml, "Volume received")
    vial = VialBalance(
        vial_id=vial_id,
        drug=_text(entry.drug, "Drug"),
        concentration_mg_per_ml=_amount(entry.concentration_mg_per_ml, "Concentration"),
        lot=_text(entry.lot, "Lot number"),
        expiry=entry.expiry,
        supplier=_text(entry.supplier, "Supplier"),
        received_ml=volume,
        balance_ml=volume,
    )
    return {vial_id: vial}


def _take(vial: VialBalance, volume: Decimal, what: str) -> None:
    if vial.balance_ml == 0:
        raise LedgerError(f"Vial {vial.vial_id} is empty.")
    if volume > vial.balance_ml:
        raise LedgerError(
            f"{what} {volume} mL from vial {vial.vial_id} is more than the {vial.balance_ml} mL "
            "left in it; the balance cannot go below zero."
        )


def _draw(state: _Books, entry: Draw) -> _Changes:
    vial = _vial(state, entry.vial_id)
    session_id = _text(entry.session_id, "Session id")
    _text(entry.drawn_by, "Drawn by")
    volume = _amount(entry.volume_ml, "Volume drawn")
    # The expiry date is the last day of use, read in the clinic's time zone of `at`.
    if entry.at.date() > vial.expiry:
        raise LedgerError(
            f"Vial {vial.vial_id} (lot {vial.lot}) expired on {vial.expiry.isoformat()}; "
            "do not draw from it. Waste it with a witness."
        )
    _take(vial, volume, "Drawing")
    mg = volume * vial.concentration_mg_per_ml
    session = state.sessions.get(session_id)
    if session is None:
        session = SessionTotals(session_id, vial.drug, mg, Decimal(0), Decimal(0), (vial.vial_id,))
    else:
        session = _open_session(state, session_id)
        if session.drug != vial.drug:
            raise LedgerError(
                f"Session {session_id} uses {session.drug}; vial {vial.vial_id} holds {vial.drug}."
            )
        vial_ids = tuple(dict.fromkeys((*session.vial_ids, vial.vial_id)))
        session = replace(session, drawn_mg=session.drawn_mg + mg, vial_ids=vial_ids)
    return _Changes(
        vials={vial.vial_id: replace(vial, balance_ml=vial.balance_ml - volume)},
        sessions={session_id: session},
    )


def _count(state: _Books, entry: Count) -> _Changes:
    vial = _vial(state, entry.vial_id)
    counted = _amount(entry.counted_volume_ml, "Counted volume", allow_zero=True)
    counted_by = _text(entry.counted_by, "Counted by")
    if counted == vial.balance_ml:
        return _Changes()
    discrepancy = Discrepancy(vial.vial_id, entry.entry_id, vial.balance_ml, counted, counted_by)
    return _Changes(opened={vial.vial_id: discrepancy})


def _adjust(state: _Books, entry: Adjustment) -> _Changes:
    discrepancy = state.open_discrepancies.get(entry.vial_id)
    if discrepancy is None:
        raise LedgerError(f"Vial {entry.vial_id} has no open count discrepancy to reconcile.")
    reconciliation = reconcile(
        expected_ml=discrepancy.expected_ml,
        counted_ml=discrepancy.counted_ml,
        recorded_by=entry.recorded_by,
        reason=entry.reason,
        second_person=entry.second_person,
    )
    vial = replace(state.vials[entry.vial_id], balance_ml=discrepancy.counted_ml)
    return _Changes(
        vials={entry.vial_id: vial},
        reconciled=entry.vial_id,
        reconciliations=((entry.vial_id, reconciliation),),
    )


def fold(entries: Iterable[Entry], state: LedgerState | None = None) -> LedgerState:
    """All entries in order; the first refused one raises, naming its entry id.

    The same rules as apply_entry, but the changes go into plain dicts and lists that are frozen
    once at the end: copying the state for every entry made a clinic's fold quadratic. A refusal
    raises, so the half-updated containers are never seen."""
    start = empty_ledger() if state is None else state
    vials = dict(start.vials)
    sessions = dict(start.sessions)
    discrepancies = dict(start.open_discrepancies)
    reconciliations = list(start.reconciliations)
    accepted = list(start.entries)
    entry_ids = set(start.entry_ids)
    books = _Views(
        MappingProxyType(vials), MappingProxyType(sessions), MappingProxyType(discrepancies)
    )
    for entry in entries:
        try:
            entry_id = _admit(entry, entry_ids)
            changes = _changes(books, entry)
        except LedgerError as error:
            raise LedgerError(f"Entry {entry.entry_id}: {error}") from error
        vials.update(changes.vials)
        sessions.update(changes.sessions)
        _merge_discrepancies(discrepancies, changes)
        reconciliations.extend(changes.reconciliations)
        accepted.append(entry)
        entry_ids.add(entry_id)
    return LedgerState(
        vials=MappingProxyType(vials),
        sessions=MappingProxyType(sessions),
        open_discrepancies=MappingProxyType(discrepancies),
        reconciliations=tuple(reconciliations),
        entries=tuple(accepted),
        entry_ids=frozenset(entry_ids),
    )


# --- Reading the ledger -------------------------------------------------------------------------


def drug_balances_mg(state: LedgerState) -> dict[str, Decimal]:
    """Stock on hand per drug, in mg, over all vials."""
    totals: dict[str, Decimal] = {}
    for vial in state.vials.values():
        totals[vial.drug] = totals.get(vial.drug, Decimal(0)) + vial.balance_mg
    return totals


def inventory_rows(state: LedgerState) -> list[dict[str, str]]:
    """One row per vial for the inventory export, as text ready for CSV."""
    return [
        {
            "vial": v.vial_id,
            "drug": v.drug,
            "lot": v.lot,
            "expiry": v.expiry.isoformat(),
            "supplier": v.supplier,
            "concentration_mg_per_ml": str(v.concentration_mg_per_ml),
            "received_ml": str(v.received_ml),
            "balance_ml": str(v.balance_ml),
            "balance_mg": str(v.balance_mg),
            "open_discrepancy": "yes" if v.vial_id in state.open_discrepancies else "no",
        }
        for v in sorted(state.vials.values(), key=lambda v: v.vial_id)
    ]

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from remit.controlled.ledger import (
    Adjustment,
    Administration,
    Count,
    Draw,
    Entry,
    LedgerError,
    LedgerState,
    Receipt,
    SessionClose,
    VialWaste,
    Waste,
    apply_entry,
    drug_balances_mg,
    empty_ledger,
    fold,
    inventory_rows,
    reconcile,
)

NOW = datetime(2025, 6, 2, 9, 0, tzinfo=UTC)
_ids = itertools.count()


def eid() -> str:
    return f"e{next(_ids)}"


def receipt(
    vial_id="V1", volume="10", concentration="50", expiry=date(2026, 1, 31), drug="ketamine"
):
    return Receipt(
        eid(),
        NOW,
        vial_id,
        drug,
        Decimal(concentration),
        Decimal(volume),
        "LOT42",
        expiry,
        "Acme Pharma",
        "nurse.ana",
    )


def draw(volume="0.7", vial_id="V1", session_id="S1", at=NOW):
    return Draw(eid(), at, vial_id, session_id, Decimal(volume), "nurse.ana")


def given_(mg, session_id="S1"):
    return Administration(eid(), NOW, session_id, Decimal(mg), "nurse.ana")


def waste(mg, witness="nurse.ben", by="nurse.ana", session_id="S1"):
    return Waste(eid(), NOW, session_id, Decimal(mg), by, witness)


def close(session_id="S1"):
    return SessionClose(eid(), NOW, session_id, "nurse.ana")


def stocked(*entries: Entry) -> LedgerState:
    return fold([receipt(), *entries])


# --- Receipts, draws and balances -----------------------------------------------------------------


def test_a_receipt_opens_a_vial_with_its_full_volume_and_mg():
    state = stocked()
    vial = state.vials["V1"]
    assert (vial.balance_ml, vial.balance_mg) == (Decimal("10"), Decimal("500"))


def test_a_draw_takes_volume_from_the_vial_and_mg_into_the_session():
    state = stocked(draw("0.7"))
    assert state.vials["V1"].balance_ml == Decimal("9.3")
    assert state.sessions["S1"].drawn_mg == Decimal("35.0")


def test_a_full_session_closes_when_drawn_equals_given_plus_wasted():
    state = stocked(draw("0.8"), given_("35"), waste("5"), close())
    session = state.sessions["S1"]
    assert session.closed
    assert session.drawn_mg == session.administered_mg + session.wasted_mg == Decimal("40.0")


def test_it_refuses_to_close_a_session_with_drug_unaccounted_for():
    state = stocked(draw("0.8"), given_("35"))
    with pytest.raises(LedgerError, match="5.0 mg must be given or wasted"):
        apply_entry(state, close())


def test_it_refuses_to_give_more_than_was_drawn():
    state = stocked(draw("0.7"))
    with pytest.raises(LedgerError, match="more than is left of the 35.0 mg drawn"):
        apply_entry(state, given_("35.1"))


def test_it_refuses_a_draw_that_would_make_the_vial_negative():
    state = stocked(draw("9.5"))
    with pytest.raises(LedgerError, match="more than the 0.5 mL left"):
        apply_entry(state, draw("0.6", session_id="S2"))


def test_it_allows_a_draw_of_exactly_what_is_left():
    state = stocked(draw("9.5"), draw("0.5", session_id="S2"))
    assert state.vials["V1"].balance_ml == 0


def test_it_refuses_a_draw_from_an_empty_vial():
    state = stocked(draw("10"))
    with pytest.raises(LedgerError, match="Vial V1 is empty"):
        apply_entry(state, draw("0.1", session_id="S2"))


def test_it_refuses_a_draw_from_an_expired_vial():
    state = fold([receipt(expiry=date(2025, 6, 1))])
    with pytest.raises(LedgerError, match="expired on 2025-06-01"):
        apply_entry(state, draw())


def test_a_vial_may_be_drawn_on_its_expiry_date():
    state = fold([receipt(expiry=NOW.date())])
    assert apply_entry(state, draw()).vials["V1"].balance_ml == Decimal("9.3")


def test_it_refuses_a_draw_from_a_vial_never_received():
    with pytest.raises(LedgerError, match="Vial V9 has no receipt"):
        apply_entry(stocked(), draw(vial_id="V9"))


def test_it_refuses_to_mix_drugs_in_one_session():
    state = fold([receipt(), receipt("E1", "0.2", "140", drug="esketamine"), draw()])
    with pytest.raises(LedgerError, match="uses ketamine"):
        apply_entry(state, draw("0.2", vial_id="E1"))


def test_it_refuses_a_float_amount():
    with pytest.raises(LedgerError, match="exact decimal"):
        apply_entry(stocked(), Draw(eid(), NOW, "V1", "S1", 0.7, "nurse.ana"))  # type: ignore[arg-type]


@pytest.mark.parametrize("volume", ["0", "-1"])
def test_it_refuses_a_draw_of_nothing_or_less(volume):
    with pytest.raises(LedgerError, match="must be more than 0"):
        apply_entry(stocked(), draw(volume))


def test_it_refuses_an_entry_id_used_before():
    first = receipt()
    with pytest.raises(LedgerError, match="append-only"):
        fold([first, Draw(first.entry_id, NOW, "V1", "S1", Decimal(1), "nurse.ana")])


def test_it_refuses_a_time_without_a_time_zone():
    with pytest.raises(LedgerError, match="time zone"):
        apply_entry(stocked(), draw(at=datetime(2025, 6, 2, 9, 0)))  # noqa: DTZ001


def test_it_refuses_a_session_entry_after_the_session_closed():
    state = stocked(draw("0.7"), given_("35"), close())
    with pytest.raises(LedgerError, match="already closed"):
        apply_entry(state, draw("0.1"))


# --- Waste --------------------------------------------------------------------------------------


def test_it_refuses_waste_without_a_witness():
    state = stocked(draw("0.8"), given_("35"))
    with pytest.raises(LedgerError, match="Witness is missing"):
        apply_entry(state, waste("5", witness=""))


def test_it_refuses_waste_witnessed_by_the_same_person():
    state = stocked(draw("0.8"), given_("35"))
    with pytest.raises(LedgerError, match="Witness must be a different person"):
        apply_entry(state, waste("5", witness=" Nurse.Ana "))


def test_it_refuses_to_waste_more_than_is_left_in_the_syringe():
    state = stocked(draw("0.8"), given_("35"))
    with pytest.raises(LedgerError, match="Waste of 6 mg"):
        apply_entry(state, waste("6"))


def test_the_rest_of_a_vial_can_be_wasted_with_a_witness_and_a_reason():
    state = stocked(
        draw("0.7"),
        VialWaste(eid(), NOW, "V1", Decimal("9.3"), "nurse.ana", "nurse.ben", "single-use vial"),
    )
    assert state.vials["V1"].balance_ml == 0


def test_an_expired_vial_can_still_be_wasted():
    state = fold([receipt(expiry=date(2025, 1, 1))])
    entry = VialWaste(eid(), NOW, "V1", Decimal("10"), "nurse.ana", "nurse.ben", "expired")
    assert apply_entry(state, entry).vials["V1"].balance_ml == 0


def test_it_refuses_vial_waste_witnessed_by_the_same_person():
    entry = VialWaste(eid(), NOW, "V1", Decimal("1"), "nurse.ana", "nurse.ana", "broken")
    with pytest.raises(LedgerError, match="different person"):
        apply_entry(stocked(), entry)


# --- Counts and reconciliation ------------------------------------------------------------------


def test_a_count_that_matches_changes_nothing_but_the_log():
    state = stocked(draw("0.7"))
    after = apply_entry(state, Count(eid(), NOW, "V1", Decimal("9.3"), "nurse.ana"))
    assert after.vials == state.vials
    assert after.open_discrepancies == {}


def test_a_count_that_differs_opens_a_discrepancy_and_freezes_the_vial():
    state = stocked(draw("0.7"), Count(eid(), NOW, "V1", Decimal("9.1"), "nurse.ana"))
    assert state.open_discrepancies["V1"].expected_ml == Decimal("9.3")
    with pytest.raises(LedgerError, match="unreconciled count discrepancy"):
        apply_entry(state, draw("0.1", session_id="S2"))


def test_a_discrepancy_closes_only_with_a_reason_and_a_second_person():
    state = stocked(draw("0.7"), Count(eid(), NOW, "V1", Decimal("9.1"), "nurse.ana"))
    with pytest.raises(LedgerError, match="a reason is required"):
        apply_entry(state, Adjustment(eid(), NOW, "V1", " ", "nurse.ana", "dr.cho"))
    with pytest.raises(LedgerError, match="Second person is missing"):
        apply_entry(state, Adjustment(eid(), NOW, "V1", "spilt", "nurse.ana", ""))
    with pytest.raises(LedgerError, match="Second person must be a different person"):
        apply_entry(state, Adjustment(eid(), NOW, "V1", "spilt", "nurse.ana", "NURSE.ANA"))
    closed = apply_entry(state, Adjustment(eid(), NOW, "V1", "spilt 0.2 mL", "nurse.ana", "dr.cho"))
    assert closed.vials["V1"].balance_ml == Decimal("9.1")
    assert closed.open_discrepancies == {}
    ((vial_id, reconciliation),) = closed.reconciliations
    assert (vial_id, reconciliation.difference_ml) == ("V1", Decimal("-0.2"))


def test_an_adjustment_without_a_discrepancy_is_refused():
    with pytest.raises(LedgerError, match="no open count discrepancy"):
        apply_entry(stocked(), Adjustment(eid(), NOW, "V1", "why not", "nurse.ana", "dr.cho"))


def test_reconcile_accepts_a_matching_count_without_a_reason():
    result = reconcile(
        expected_ml=Decimal("9.3"), counted_ml=Decimal("9.3"), recorded_by="nurse.ana"
    )
    assert result.difference_ml == 0


def test_reconcile_refuses_a_difference_without_a_second_person():
    with pytest.raises(LedgerError, match="Second person is missing"):
        reconcile(
            expected_ml=Decimal("9.3"),
            counted_ml=Decimal("9"),
            recorded_by="nurse.ana",
            reason="spill",
        )


# --- Reading the ledger -------------------------------------------------------------------------


def test_it_totals_stock_per_drug_in_mg():
    state = fold(
        [
            receipt(),
            receipt("V2", "10", "10"),
            receipt("E1", "0.2", "140", drug="esketamine"),
            draw("1"),
        ]
    )
    assert drug_balances_mg(state) == {"ketamine": Decimal("550"), "esketamine": Decimal("28.0")}


def test_the_inventory_export_has_one_row_per_vial_with_lot_and_expiry():
    rows = inventory_rows(stocked(draw("0.7")))
    assert rows == [
        {
            "vial": "V1",
            "drug": "ketamine",
            "lot": "LOT42",
            "expiry": "2026-01-31",
            "supplier": "Acme Pharma",
            "concentration_mg_per_ml": "50",
            "received_ml": "10",
            "balance_ml": "9.3",
            "balance_mg": "465.0",
            "open_discrepancy": "no",
        }
    ]


def test_a_refused_entry_leaves_the_state_as_it_was():
    state = stocked(draw("0.7"))
    before = (dict(state.vials), dict(state.sessions), state.entries)
    with pytest.raises(LedgerError):
        apply_entry(state, given_("99"))
    assert (dict(state.vials), dict(state.sessions), state.entries) == before


def test_fold_names_the_entry_it_refused():
    bad = draw("99")
    with pytest.raises(LedgerError, match=f"Entry {bad.entry_id}: "):
        fold([receipt(), bad])


# --- Properties: any sequence of operations keeps the ledger sound ------------------------------

VIALS = ["V1", "V2"]
SESSIONS = ["S1", "S2"]
PEOPLE = ["ana", "ben", "cho"]
KINDS = [
    "receipt",
    "draw",
    "draw",
    "give",
    "give",
    "waste",
    "vwaste",
    "close",
    "close",
    "count",
    "adjust",
]
volumes = st.decimals(min_value=Decimal("0.1"), max_value=Decimal("6"), places=1)
mgs = st.decimals(min_value=Decimal("0.5"), max_value=Decimal("150"), places=1)


def _amount(
    data: st.DataObject, random: st.SearchStrategy[Decimal], exact: Decimal | None
) -> Decimal:
    """A random amount, or one that matches the state exactly (so closes and empties happen)."""
    choices = [random]
    if exact is not None and exact > 0:
        choices += [st.just(exact), st.just((exact / 2).quantize(Decimal("0.01")))]
    amount: Decimal = data.draw(st.one_of(*choices))
    return amount


def _op(data: st.DataObject, state: LedgerState, at: datetime, n: int) -> Entry:
    draw_ = data.draw
    kind = draw_(st.sampled_from(KINDS))
    vial_id, session_id = draw_(st.sampled_from(VIALS)), draw_(st.sampled_from(SESSIONS))
    a, b = draw_(st.sampled_from(PEOPLE)), draw_(st.sampled_from(PEOPLE))
    vial, session = state.vials.get(vial_id), state.sessions.get(session_id)
    left_ml = vial.balance_ml if vial else None
    unaccounted = session.unaccounted_mg if session else None
    entry_id = f"h{n}"
    match kind:
        case "receipt":
            drug = draw_(st.sampled_from(["ketamine", "esketamine"]))
            concentration = draw_(st.sampled_from([Decimal(10), Decimal(50), Decimal(100)]))
            volume = draw_(st.sampled_from([Decimal(2), Decimal(10)]))
            expiry = (NOW + timedelta(days=draw_(st.integers(0, 400)))).date()
            return Receipt(
                entry_id, at, vial_id, drug, concentration, volume, "L1", expiry, "Acme", a
            )
        case "draw":
            return Draw(entry_id, at, vial_id, session_id, _amount(data, volumes, left_ml), a)
        case "give":
            return Administration(entry_id, at, session_id, _amount(data, mgs, unaccounted), a)
        case "waste":
            return Waste(entry_id, at, session_id, _amount(data, mgs, unaccounted), a, b)
        case "vwaste":
            volume = _amount(data, volumes, left_ml)
            return VialWaste(entry_id, at, vial_id, volume, a, b, "broken")
        case "close":
            return SessionClose(entry_id, at, session_id, a)
        case "count":
            counted = _amount(data, st.decimals(0, 10, places=1), left_ml)
            return Count(entry_id, at, vial_id, counted, a)
        case _:
            reason = draw_(st.sampled_from(["", "spill"]))
            return Adjustment(entry_id, at, vial_id, reason, a, b)


def _assert_sound(state: LedgerState) -> None:
    for vial in state.vials.values():
        assert vial.balance_ml >= 0
    for session in state.sessions.values():
        assert session.unaccounted_mg >= 0
        if session.closed:
            assert session.drawn_mg == session.administered_mg + session.wasted_mg


def _run(data: st.DataObject) -> tuple[LedgerState, list[Entry], int]:
    """Apply a random sequence; returns the state, the accepted entries and the refusals."""
    state, accepted, refused = empty_ledger(), [], 0
    start = data.draw(st.integers(0, 300))
    for n in range(data.draw(st.integers(1, 60))):
        entry = _op(data, state, NOW + timedelta(days=start + n // 5), n)
        before = state
        try:
            state = apply_entry(state, entry)
        except LedgerError:
            refused += 1
            assert state is before
            continue
        accepted.append(entry)
        _assert_sound(state)
    return state, accepted, refused


@settings(max_examples=150, deadline=None)
@given(st.data())
def test_no_sequence_of_operations_makes_the_ledger_negative_or_unbalanced(data):
    state, accepted, _ = _run(data)
    # Refused entries left no trace: replaying only the accepted ones gives the same ledger.
    assert fold(accepted) == state
    assert state.entries == tuple(accepted)


@settings(max_examples=100, deadline=None)
@given(st.data())
def test_every_ml_received_is_on_the_shelf_or_accounted_for(data):
    state, _, _ = _run(data)
    adjusted_ml: dict[str, Decimal] = {}
    for vial_id, rec in state.reconciliations:
        adjusted_ml[vial_id] = adjusted_ml.get(vial_id, Decimal(0)) + rec.difference_ml
    out_ml = {v: Decimal(0) for v in state.vials}
    for entry in state.entries:
        if isinstance(entry, Draw | VialWaste):
            out_ml[entry.vial_id] += entry.volume_ml
    for vial in state.vials.values():
        expected = vial.received_ml - out_ml[vial.vial_id] + adjusted_ml.get(vial.vial_id, 0)
        assert vial.balance_ml == expected


@given(
    drawn=st.decimals(min_value=Decimal("0.1"), max_value=Decimal("2"), places=2),
    given_share=st.fractions(0, 1),
)
def test_a_session_split_between_given_and_wasted_always_closes(drawn, given_share):
    state = stocked(draw(str(drawn)))
    total = state.sessions["S1"].drawn_mg
    given_mg = (total * Decimal(given_share.numerator) / Decimal(given_share.denominator)).quantize(
        Decimal("0.1")
    )
    entries = [given_(str(given_mg))] if given_mg > 0 else []
    if total - given_mg > 0:
        entries.append(waste(str(total - given_mg)))
    closed = fold([*entries, close()], state)
    assert closed.sessions["S1"].closed

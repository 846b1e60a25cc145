"""Property test against the database: whatever staff try, in whatever order, the stored
ledger never goes out of balance and no vial goes negative."""

from __future__ import annotations

import uuid
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db.models import Sum
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from remit.charting.tests.helpers import checked_in
from remit.controlled import services
from remit.controlled.models import EntryKind, LedgerEntry, Vial
from remit.controlled.selectors import ledger_state
from remit.core.tests.factories import PatientFactory

pytestmark = pytest.mark.django_db

AMOUNT = st.decimals(min_value=Decimal("0.01"), max_value=Decimal("6"), places=2)
OPERATION = st.one_of(
    st.tuples(st.just("receive"), AMOUNT, st.booleans()),
    st.tuples(st.just("draw"), st.integers(0, 5), st.integers(0, 2), AMOUNT),
    st.tuples(
        st.just("give"),
        st.integers(0, 2),
        st.decimals(min_value=Decimal("0.5"), max_value=Decimal("150"), places=1),
    ),
    st.tuples(
        st.just("waste"),
        st.integers(0, 2),
        st.decimals(min_value=Decimal("0.5"), max_value=Decimal("150"), places=1),
        st.sampled_from(["prescriber", "nurse", None]),
    ),
    st.tuples(st.just("count"), st.integers(0, 5), AMOUNT),
    st.tuples(
        st.just("reconcile"),
        st.integers(0, 5),
        st.sampled_from(["prescriber", "nurse", None]),
        st.booleans(),
    ),
)


def _check_invariants(clinic_id: int) -> None:
    state = ledger_state(clinic_id)  # folding every stored entry must succeed
    for balance in state.vials.values():
        assert balance.balance_ml >= 0
    for session in state.sessions.values():
        assert session.administered_mg + session.wasted_mg <= session.drawn_mg
        if session.closed:
            assert session.unaccounted_mg == 0
    adjusted = set(
        LedgerEntry.objects.filter(kind=EntryKind.ADJUSTMENT).values_list("vial_id", flat=True)
    )
    for vial in Vial.objects.filter(clinic_id=clinic_id).exclude(pk__in=adjusted):
        taken = LedgerEntry.objects.filter(
            vial=vial, kind__in=[EntryKind.DRAW, EntryKind.VIAL_WASTE]
        ).aggregate(total=Sum("volume_ml"))["total"] or Decimal(0)
        assert state.vials[str(vial.pk)].balance_ml == vial.volume_ml - taken


@settings(
    max_examples=20,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(operations=st.lists(OPERATION, min_size=1, max_size=25))
def test_the_stored_ledger_never_goes_negative_or_out_of_balance(cast, operations):
    sessions = [
        checked_in(
            clinic=cast.clinic,
            patient=PatientFactory(clinic=cast.clinic),
            nurse=cast.nurse,
        )
        for _ in range(3)
    ]
    vials: list[Vial] = []
    people = {"prescriber": cast.prescriber, "nurse": cast.nurse, None: None}
    accepted = refused = 0
    for operation in operations:
        kind = operation[0]
        try:
            if kind == "receive":
                vials.append(
                    services.vial_receive(
                        clinic=cast.clinic,
                        by=cast.nurse,
                        label=uuid.uuid4().hex[:12],
                        drug="ketamine",
                        concentration_mg_per_ml=Decimal("50"),
                        volume_ml=operation[1] * 2,
                        lot="L",
                        # Some vials are already past their last day of use.
                        expiry=timezone.localdate() + timedelta(days=30 if operation[2] else -1),
                        supplier="S",
                    )
                )
            elif kind == "draw" and vials:
                services.draw_record(
                    session=sessions[operation[2]],
                    vial=vials[operation[1] % len(vials)],
                    volume_ml=operation[3],
                    by=cast.nurse,
                )
            elif kind == "give":
                services.administration_record(
                    session=sessions[operation[1]], amount_mg=operation[2], by=cast.nurse
                )
            elif kind == "waste":
                services.waste_record(
                    session=sessions[operation[1]],
                    amount_mg=operation[2],
                    by=cast.nurse,
                    witness=people[operation[3]],
                )
            elif kind == "count" and vials:
                services.count_record(
                    vial=vials[operation[1] % len(vials)], counted_ml=operation[2], by=cast.nurse
                )
            elif kind == "reconcile" and vials:
                services.reconciliation_record(
                    vial=vials[operation[1] % len(vials)],
                    reason="Counted twice" if operation[3] else "",
                    by=cast.nurse,
                    second_person=people[operation[2]],
                )
            accepted += 1
        except ValidationError:
            refused += 1
        _check_invariants(cast.clinic.pk)
    assert accepted + refused == len(operations)

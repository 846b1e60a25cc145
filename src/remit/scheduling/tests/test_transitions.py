from __future__ import annotations

import pytest

from remit.scheduling.transitions import (
    APPOINTMENT_TRANSITIONS,
    HOLDS_RESOURCE,
    AppointmentStatus,
    AppointmentTransitionError,
    check_transition,
)

FHIR_CODES = {
    "proposed",
    "pending",
    "booked",
    "arrived",
    "fulfilled",
    "cancelled",
    "noshow",
    "entered-in-error",
    "checked-in",
    "waitlist",
}
ALL_MOVES = [(a, b) for a in AppointmentStatus for b in AppointmentStatus]
FORBIDDEN = [(a, b) for a, b in ALL_MOVES if b not in APPOINTMENT_TRANSITIONS[a]]
ALLOWED = [(a, b) for a, b in ALL_MOVES if b in APPOINTMENT_TRANSITIONS[a]]


def test_statuses_are_exactly_the_fhir_appointment_codes():
    assert {s.value for s in AppointmentStatus} == FHIR_CODES
    assert set(APPOINTMENT_TRANSITIONS) == set(AppointmentStatus)


def test_a_visit_goes_booked_arrived_checked_in_fulfilled():
    assert check_transition("booked", "arrived") == AppointmentStatus.ARRIVED
    assert check_transition("arrived", "checked-in") == AppointmentStatus.CHECKED_IN
    assert check_transition("checked-in", "fulfilled") == AppointmentStatus.FULFILLED


@pytest.mark.parametrize(("current", "new"), ALLOWED)
def test_every_allowed_move_is_accepted_with_a_reason(current, new):
    assert check_transition(current, new, reason="patient asked") == new


@pytest.mark.parametrize(("current", "new"), FORBIDDEN)
def test_every_forbidden_move_is_refused(current, new):
    with pytest.raises(AppointmentTransitionError, match="cannot become"):
        check_transition(current, new, reason="any")


def test_cancelling_needs_a_reason():
    with pytest.raises(AppointmentTransitionError, match="why"):
        check_transition("booked", "cancelled", reason="")


def test_the_error_names_the_field_at_fault_for_the_form():
    with pytest.raises(AppointmentTransitionError) as missing_reason:
        check_transition("booked", "cancelled", reason="")
    assert missing_reason.value.field == "reason"
    with pytest.raises(AppointmentTransitionError) as forbidden:
        check_transition("fulfilled", "booked", reason="the reason is fine")
    assert forbidden.value.field == "status"


def test_a_fulfilled_visit_can_only_be_withdrawn_as_entered_in_error():
    assert APPOINTMENT_TRANSITIONS[AppointmentStatus.FULFILLED] == {
        AppointmentStatus.ENTERED_IN_ERROR
    }
    assert APPOINTMENT_TRANSITIONS[AppointmentStatus.ENTERED_IN_ERROR] == frozenset()


def test_cancelled_and_noshow_do_not_hold_a_chair():
    assert AppointmentStatus.CANCELLED not in HOLDS_RESOURCE
    assert AppointmentStatus.NOSHOW not in HOLDS_RESOURCE
    assert AppointmentStatus.BOOKED in HOLDS_RESOURCE


def test_it_names_an_unknown_status():
    with pytest.raises(AppointmentTransitionError, match="FHIR"):
        check_transition("booked", "done")

from __future__ import annotations

import pytest

from remit.protocols.transitions import (
    COURSE_TRANSITIONS,
    CourseStatus,
    CourseTransitionError,
    allowed_next,
    check_transition,
)

ALL_MOVES = [(a, b) for a in CourseStatus for b in CourseStatus]
ALLOWED = [(a, b) for a, b in ALL_MOVES if b in COURSE_TRANSITIONS[a]]
FORBIDDEN = [(a, b) for a, b in ALL_MOVES if b not in COURSE_TRANSITIONS[a]]


def test_a_course_goes_planned_active_completed():
    assert check_transition("planned", "active") == CourseStatus.ACTIVE
    assert check_transition("active", "completed") == CourseStatus.COMPLETED


@pytest.mark.parametrize(("current", "new"), ALLOWED)
def test_every_allowed_move_is_accepted_with_a_reason(current, new):
    assert check_transition(current, new, reason="payer declined") == new


@pytest.mark.parametrize(("current", "new"), FORBIDDEN)
def test_every_forbidden_move_is_refused(current, new):
    with pytest.raises(CourseTransitionError, match="cannot become"):
        check_transition(current, new, reason="any")


def test_stopping_a_course_needs_a_reason():
    with pytest.raises(CourseTransitionError, match="why"):
        check_transition("active", "stopped")
    assert check_transition("active", "stopped", reason="BP 180/115") == CourseStatus.STOPPED


def test_the_error_names_the_field_at_fault_for_the_form():
    with pytest.raises(CourseTransitionError) as missing_reason:
        check_transition("active", "stopped")
    assert missing_reason.value.field == "reason"
    with pytest.raises(CourseTransitionError) as forbidden:
        check_transition("completed", "active", reason="the reason is fine")
    assert forbidden.value.field == "status"


def test_completed_and_stopped_are_final():
    assert allowed_next("completed") == frozenset()
    assert allowed_next(CourseStatus.STOPPED) == frozenset()


def test_it_names_an_unknown_status():
    with pytest.raises(CourseTransitionError, match="paused"):
        check_transition("paused", "active")


def test_the_table_covers_every_status():
    assert set(COURSE_TRANSITIONS) == set(CourseStatus)

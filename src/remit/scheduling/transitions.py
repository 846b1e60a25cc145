"""Appointment statuses (FHIR R4 Appointment.status codes) and the moves allowed between them."""

from __future__ import annotations

from enum import StrEnum


class AppointmentStatus(StrEnum):
    PROPOSED = "proposed"
    PENDING = "pending"
    BOOKED = "booked"
    ARRIVED = "arrived"
    FULFILLED = "fulfilled"
    CANCELLED = "cancelled"
    NOSHOW = "noshow"
    ENTERED_IN_ERROR = "entered-in-error"
    CHECKED_IN = "checked-in"
    WAITLIST = "waitlist"


class AppointmentTransitionError(ValueError):
    """An appointment cannot move to the requested status; the message says why.

    ``field`` is the form field at fault: the status, or the reason when one is required.
    """

    def __init__(self, message: str, *, field: str = "status") -> None:
        super().__init__(message)
        self.field = field


S = AppointmentStatus

# Any record can be withdrawn as entered-in-error except one already withdrawn. Fulfilled,
# cancelled and noshow are otherwise final: a new visit is a new appointment, so each keeps its
# own history (a late arrival after a no-show is booked again, not rewritten).
APPOINTMENT_TRANSITIONS: dict[AppointmentStatus, frozenset[AppointmentStatus]] = {
    S.PROPOSED: frozenset({S.PENDING, S.BOOKED, S.WAITLIST, S.CANCELLED, S.ENTERED_IN_ERROR}),
    S.PENDING: frozenset({S.BOOKED, S.WAITLIST, S.CANCELLED, S.ENTERED_IN_ERROR}),
    S.WAITLIST: frozenset({S.PENDING, S.BOOKED, S.CANCELLED, S.ENTERED_IN_ERROR}),
    S.BOOKED: frozenset({S.ARRIVED, S.CHECKED_IN, S.CANCELLED, S.NOSHOW, S.ENTERED_IN_ERROR}),
    # A patient who arrives but fails the pre-session gate (e.g. blood pressure) is cancelled.
    S.ARRIVED: frozenset({S.CHECKED_IN, S.FULFILLED, S.CANCELLED, S.ENTERED_IN_ERROR}),
    S.CHECKED_IN: frozenset({S.FULFILLED, S.CANCELLED, S.ENTERED_IN_ERROR}),
    S.FULFILLED: frozenset({S.ENTERED_IN_ERROR}),
    S.CANCELLED: frozenset({S.ENTERED_IN_ERROR}),
    S.NOSHOW: frozenset({S.ENTERED_IN_ERROR}),
    S.ENTERED_IN_ERROR: frozenset(),
}

# FHIR carries a cancellation reason; we also ask why a record is withdrawn.
REASON_REQUIRED: frozenset[AppointmentStatus] = frozenset({S.CANCELLED, S.ENTERED_IN_ERROR})

# Statuses that hold a chair, room or device (count against capacity and double-booking).
HOLDS_RESOURCE: frozenset[AppointmentStatus] = frozenset(
    {S.PROPOSED, S.PENDING, S.BOOKED, S.ARRIVED, S.CHECKED_IN, S.FULFILLED}
)


def allowed_next(current: AppointmentStatus | str) -> frozenset[AppointmentStatus]:
    return APPOINTMENT_TRANSITIONS[_status(current, "current status")]


def check_transition(
    current: AppointmentStatus | str, new: AppointmentStatus | str, *, reason: str = ""
) -> AppointmentStatus:
    """Return the new status if the move is allowed, else raise ``AppointmentTransitionError``."""
    now = _status(current, "current status")
    target = _status(new, "new status")
    if target not in APPOINTMENT_TRANSITIONS[now]:
        options = ", ".join(sorted(s.value for s in APPOINTMENT_TRANSITIONS[now])) or "none"
        raise AppointmentTransitionError(
            f"A {now.value} appointment cannot become {target.value}; allowed next: {options}."
        )
    if target in REASON_REQUIRED and not reason.strip():
        raise AppointmentTransitionError(
            f"Say why the appointment is {target.value} (reason is empty).", field="reason"
        )
    return target


def _status(value: AppointmentStatus | str, label: str) -> AppointmentStatus:
    try:
        return AppointmentStatus(value)
    except ValueError:
        known = ", ".join(s.value for s in AppointmentStatus)
        raise AppointmentTransitionError(
            f"Unknown appointment {label} {value!r}; use one of the FHIR codes {known}."
        ) from None

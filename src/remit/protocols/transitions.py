"""Treatment-course statuses and the one table of moves allowed between them."""

from __future__ import annotations

from enum import StrEnum


class CourseStatus(StrEnum):
    PLANNED = "planned"
    ACTIVE = "active"
    COMPLETED = "completed"
    STOPPED = "stopped"


class CourseTransitionError(ValueError):
    """A course cannot move to the requested status; the message says why.

    ``field`` is the form field at fault: the status, or the reason when one is required.
    """

    def __init__(self, message: str, *, field: str = "status") -> None:
        super().__init__(message)
        self.field = field


# Completed and stopped are final: a patient who returns starts a new course, so the history of
# the old one stays as it was. A planned course may be stopped before its first session.
COURSE_TRANSITIONS: dict[CourseStatus, frozenset[CourseStatus]] = {
    CourseStatus.PLANNED: frozenset({CourseStatus.ACTIVE, CourseStatus.STOPPED}),
    CourseStatus.ACTIVE: frozenset({CourseStatus.COMPLETED, CourseStatus.STOPPED}),
    CourseStatus.COMPLETED: frozenset(),
    CourseStatus.STOPPED: frozenset(),
}

# Moves that must say why (kept with the status-change row).
REASON_REQUIRED: frozenset[CourseStatus] = frozenset({CourseStatus.STOPPED})


def allowed_next(current: CourseStatus | str) -> frozenset[CourseStatus]:
    return COURSE_TRANSITIONS[_status(current, "current status")]


def check_transition(
    current: CourseStatus | str, new: CourseStatus | str, *, reason: str = ""
) -> CourseStatus:
    """Return the new status if the move is allowed, else raise ``CourseTransitionError``."""
    now = _status(current, "current status")
    target = _status(new, "new status")
    if target not in COURSE_TRANSITIONS[now]:
        options = ", ".join(sorted(s.value for s in COURSE_TRANSITIONS[now])) or "none (final)"
        raise CourseTransitionError(
            f"A {now.value} course cannot become {target.value}; allowed next: {options}."
        )
    if target in REASON_REQUIRED and not reason.strip():
        raise CourseTransitionError(
            f"Say why the course is {target.value} (reason is empty).", field="reason"
        )
    return target


def _status(value: CourseStatus | str, label: str) -> CourseStatus:
    try:
        return CourseStatus(value)
    except ValueError:
        known = ", ".join(s.value for s in CourseStatus)
        raise CourseTransitionError(
            f"Unknown course {label} {value!r}; use one of {known}."
        ) from None

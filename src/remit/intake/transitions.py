"""Statuses of a consultation request and the allowed moves between them. Pure."""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from types import MappingProxyType


class RequestStatus(StrEnum):
    NEW = "new"
    CONTACTED = "contacted"
    CONSULTATION_BOOKED = "consultation_booked"
    BECAME_PATIENT = "became_patient"
    DECLINED = "declined"


STATUS_LABELS: Mapping[RequestStatus, str] = MappingProxyType(
    {
        RequestStatus.NEW: "New",
        RequestStatus.CONTACTED: "Contacted",
        RequestStatus.CONSULTATION_BOOKED: "Consultation booked",
        RequestStatus.BECAME_PATIENT: "Became a patient",
        RequestStatus.DECLINED: "Declined",
    }
)

# Became a patient and declined are final: a person who comes back sends a new request.
ALLOWED: Mapping[RequestStatus, frozenset[RequestStatus]] = MappingProxyType(
    {
        RequestStatus.NEW: frozenset(
            {
                RequestStatus.CONTACTED,
                RequestStatus.CONSULTATION_BOOKED,
                RequestStatus.BECAME_PATIENT,
                RequestStatus.DECLINED,
            }
        ),
        RequestStatus.CONTACTED: frozenset(
            {
                RequestStatus.CONSULTATION_BOOKED,
                RequestStatus.BECAME_PATIENT,
                RequestStatus.DECLINED,
            }
        ),
        RequestStatus.CONSULTATION_BOOKED: frozenset(
            {RequestStatus.CONTACTED, RequestStatus.BECAME_PATIENT, RequestStatus.DECLINED}
        ),
        RequestStatus.BECAME_PATIENT: frozenset(),
        RequestStatus.DECLINED: frozenset(),
    }
)
# Reaching these needs more than a status change: a reason, or the patient record.
NEEDS_REASON = frozenset({RequestStatus.DECLINED})
ONLY_BY_CONVERSION = frozenset({RequestStatus.BECAME_PATIENT})


class TransitionError(ValueError):
    """A request cannot move to the requested status; `field` is the form field at fault."""

    def __init__(self, message: str, *, field: str = "status") -> None:
        super().__init__(message)
        self.field = field


def check_transition(
    old: RequestStatus | str, new: RequestStatus | str, *, reason: str = ""
) -> None:
    """Raise TransitionError, in plain words, when a request may not move from old to new."""
    old, new = RequestStatus(old), RequestStatus(new)
    if new not in ALLOWED[old]:
        raise TransitionError(
            f"A request that is {STATUS_LABELS[old].lower()} cannot become "
            f"{STATUS_LABELS[new].lower()}."
        )
    if new in NEEDS_REASON and not reason.strip():
        raise TransitionError("Give the reason the request was declined.", field="reason")


def next_statuses(old: RequestStatus | str) -> list[RequestStatus]:
    """The statuses a coordinator may choose next (conversion has its own form)."""
    return [s for s in RequestStatus if s in ALLOWED[RequestStatus(old)] - ONLY_BY_CONVERSION]

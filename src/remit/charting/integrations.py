"""The only places charting reaches into capabilities other engineers build (measures,
evaluation, scheduling services). Each is imported lazily, inside one small function, so
charting works — and says what it could not check — while a capability is not installed yet.

`UNAVAILABLE` means "that capability is not installed": the gate shows the item as not checked
rather than pretending it passed.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterable
from datetime import datetime
from enum import Enum
from typing import TYPE_CHECKING, Any, Final

if TYPE_CHECKING:
    from remit.accounts.models import StaffUser
    from remit.patients.models import Patient
    from remit.scheduling.models import Appointment


class _Missing(Enum):
    UNAVAILABLE = "unavailable"


UNAVAILABLE: Final = _Missing.UNAVAILABLE


def _function(module: str, name: str) -> Callable[..., Any] | None:
    try:
        found = importlib.import_module(module)
    except ModuleNotFoundError as error:
        if error.name is not None and module.startswith(error.name):
            return None
        raise
    function = getattr(found, name, None)
    return function if callable(function) else None


def open_safety_alert_count(patient: Patient) -> int | _Missing:
    """Open (unacknowledged) safety alerts from questionnaires, e.g. PHQ-9 item 9."""
    selector = _function("remit.measures.selectors", "open_safety_alerts")
    if selector is None:
        return UNAVAILABLE
    return len(list(selector(patient)))


def _code_of(assessment: Any) -> str:
    for attribute in ("code", "instrument", "instrument_code"):
        value = getattr(assessment, attribute, None)
        if isinstance(value, str):
            return value
    return ""


def assessment_codes_since(
    patient: Patient, since: datetime, codes: Iterable[str]
) -> set[str] | _Missing:
    """Which of `codes` the patient has completed since `since`."""
    selector = _function("remit.measures.selectors", "assessments_since")
    if selector is None:
        return UNAVAILABLE
    wanted = list(codes)
    return {_code_of(a) for a in selector(patient, since, wanted)} & set(wanted)


def assessment_save(
    *,
    patient: Patient,
    code: str,
    answers: dict[str, int],
    by: StaffUser,
    course: Any = None,
    appointment: Appointment | None = None,
) -> Any:
    """Record a CADSS-6 / CADSS / MOAA/s rating through the measures service (it scores,
    stores and audits). Returns UNAVAILABLE if the measures service is not installed."""
    service = _function("remit.measures.services", "assessment_record")
    if service is None:
        return UNAVAILABLE
    return service(
        patient=patient,
        code=code,
        answers=answers,
        method="clinician",
        collected_by=by,
        course=course,
        appointment=appointment,
    )


def rems_enrolment(patient: Patient) -> bool | _Missing:
    selector = _function("remit.evaluation.selectors", "rems_enrolled")
    if selector is None:
        return UNAVAILABLE
    return bool(selector(patient))


def latest_evaluation_signed_at(patient: Patient) -> datetime | None | _Missing:
    """When the patient's latest signed evaluation was signed (None: there is none)."""
    selector = _function("remit.evaluation.selectors", "latest_signed_evaluation")
    if selector is None:
        return UNAVAILABLE
    evaluation = selector(patient)
    if evaluation is None:
        return None
    signed_at = getattr(evaluation, "signed_at", None)
    return signed_at if isinstance(signed_at, datetime) else None


def appointment_move(*, appointment: Appointment, status: str, by: StaffUser) -> None:
    """Arrived at check-in, fulfilled at discharge, through scheduling's one status service
    (transition table, status-change row, audit, and the course's activation)."""
    from remit.scheduling.services import appointment_status_change

    if appointment.status != status:
        appointment_status_change(appointment=appointment, new_status=status, by=by)
        appointment.refresh_from_db(fields=["status"])

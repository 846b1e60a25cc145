from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any, Literal

from ninja import Schema
from pydantic import Field, StrictBool, StrictInt


class AssessmentPublic(Schema):
    id: int
    patient_id: int
    instrument: str
    instrument_version: str
    answers: dict[str, Any]
    total: int | None
    severity: str
    alerts: list[dict[str, Any]]
    method: str
    collected_at: datetime
    collected_by_id: int | None
    course_id: int | None
    appointment_id: int | None
    baseline_id: int | None
    change_percent: Decimal | None
    response: bool | None
    remission: bool | None
    change_definition: str


class AssessmentCreate(Schema):
    # Defaults let the access check run before the content is judged: a patient out of reach
    # is a 404 whatever the body says; a missing instrument or answers is then a 422.
    instrument: str = Field("", max_length=30)
    # Item values in published order, or a mapping by FHIR linkId; scored by Remit.
    answers: list[StrictInt | StrictBool | None] | dict[str, StrictInt | StrictBool | None] = Field(
        default_factory=list, max_length=40
    )
    collected_at: datetime | None = None
    course_id: int | None = None
    method: Literal["clinician", "portal"] = "clinician"

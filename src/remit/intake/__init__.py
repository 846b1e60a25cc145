"""Intake: the public self-screen and the treatment comparison (pure parts re-exported here)."""

from remit.intake.comparison import COMPARISON, FOOTNOTES, ROWS, Cell, TreatmentColumn
from remit.intake.screening import (
    DEFAULT_CRISIS_RESOURCES,
    ClinicianSuggested,
    Condition,
    CrisisResource,
    ScreenAnswers,
    ScreenResult,
    Symptom,
    Treatment,
    TreatmentFit,
    screen_result,
)

__all__ = [
    "COMPARISON",
    "DEFAULT_CRISIS_RESOURCES",
    "FOOTNOTES",
    "ROWS",
    "Cell",
    "ClinicianSuggested",
    "Condition",
    "CrisisResource",
    "ScreenAnswers",
    "ScreenResult",
    "Symptom",
    "Treatment",
    "TreatmentColumn",
    "TreatmentFit",
    "screen_result",
]

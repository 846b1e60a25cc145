"""Evaluation: contraindication rules, treatment-resistance staging and modality suggestion.

Only re-exports of the pure modules live here; no Django import.
"""

from remit.evaluation.rules import (
    BloodPressureLimit,
    EvaluationSettings,
    Findings,
    Modality,
    PregnancyStatus,
    RuleFinding,
    Severity,
    evaluate,
)
from remit.evaluation.staging import (
    AntidepressantTrial,
    MinimumDose,
    TreatmentResistance,
    maudsley_stage,
    regulatory_trd,
    stage_treatment_resistance,
)
from remit.evaluation.suggestion import DiagnosisGroup, Preferences, Suggestion, suggest

__all__ = [
    "AntidepressantTrial",
    "BloodPressureLimit",
    "DiagnosisGroup",
    "EvaluationSettings",
    "Findings",
    "MinimumDose",
    "Modality",
    "Preferences",
    "PregnancyStatus",
    "RuleFinding",
    "Severity",
    "Suggestion",
    "TreatmentResistance",
    "evaluate",
    "maudsley_stage",
    "regulatory_trd",
    "stage_treatment_resistance",
    "suggest",
]

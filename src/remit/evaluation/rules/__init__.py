"""Contraindication rules as data, and the pure evaluator that applies them."""

from remit.evaluation.rules.catalogue import (
    RULE_FILES,
    RuleFileError,
    all_rules,
    load_rule_sets,
    parse_rule_set,
)
from remit.evaluation.rules.evaluator import evaluate, has_absolute
from remit.evaluation.rules.findings import (
    DERIVED_FINDING_LABELS,
    FINDING_LABELS,
    Findings,
    PregnancyStatus,
    finding_label,
)
from remit.evaluation.rules.model import (
    CLINIC_PROTOCOL_SOURCE,
    MODALITY_LABELS,
    Modality,
    Rule,
    RuleFinding,
    RuleSet,
    Severity,
)
from remit.evaluation.rules.thresholds import (
    DEFAULT_BLOOD_PRESSURE_LIMITS,
    DEFAULT_SETTINGS,
    BloodPressureLimit,
    EvaluationSettings,
)

__all__ = [
    "CLINIC_PROTOCOL_SOURCE",
    "DEFAULT_BLOOD_PRESSURE_LIMITS",
    "DEFAULT_SETTINGS",
    "DERIVED_FINDING_LABELS",
    "FINDING_LABELS",
    "MODALITY_LABELS",
    "RULE_FILES",
    "BloodPressureLimit",
    "EvaluationSettings",
    "Findings",
    "Modality",
    "PregnancyStatus",
    "Rule",
    "RuleFileError",
    "RuleFinding",
    "RuleSet",
    "Severity",
    "all_rules",
    "evaluate",
    "finding_label",
    "has_absolute",
    "load_rule_sets",
    "parse_rule_set",
]

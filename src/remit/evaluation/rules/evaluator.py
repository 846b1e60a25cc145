"""Turns an evaluation's findings into the triggered rules per modality. Pure."""

from __future__ import annotations

from collections.abc import Iterable

from remit.evaluation.rules.catalogue import load_rule_sets
from remit.evaluation.rules.findings import Findings, finding_label
from remit.evaluation.rules.model import Modality, Rule, RuleFinding, RuleSet, Severity
from remit.evaluation.rules.thresholds import BloodPressureLimit, EvaluationSettings

_SEVERITY_ORDER = {Severity.ABSOLUTE: 0, Severity.RELATIVE: 1}


def _matches(
    rule: Rule, findings: Findings, settings: EvaluationSettings
) -> tuple[list[str], BloodPressureLimit | None]:
    """What in the findings triggers the rule, in plain words, and the limit a reading broke."""
    present = findings.matchable_codes()
    matched = [finding_label(code) for code in sorted(rule.matches_any & present)]
    if rule.blood_pressure_above is None:
        return matched, None
    limit = settings.blood_pressure_limits[rule.blood_pressure_above]
    systolic, diastolic = findings.systolic_at_rest_mmhg, findings.diastolic_at_rest_mmhg
    if systolic is None or diastolic is None or not limit.is_exceeded_by(systolic, diastolic):
        return matched, None
    matched.append(
        f"Resting blood pressure {systolic}/{diastolic} mmHg is above {limit.describe()}"
    )
    return matched, limit


def _unchecked_blood_pressure(rule: Rule, rule_set: RuleSet, modality: Modality) -> RuleFinding:
    # A missing reading must not read as "no contraindication": say the rule could not run.
    return RuleFinding(
        rule_id=rule.id,
        modality=modality,
        severity=Severity.RELATIVE,
        reason=(
            "Resting blood pressure was not recorded, so this rule could not be checked: "
            + rule.reason
        ),
        source=rule.source,
        confirmed=rule.confirmed,
        matched="Resting blood pressure not recorded",
        rule_set=rule_set.name,
        rule_set_version=rule_set.version,
    )


def evaluate(
    findings: Findings,
    *,
    settings: EvaluationSettings,
    rule_sets: Iterable[RuleSet] | None = None,
) -> dict[Modality, list[RuleFinding]]:
    """Per modality, the rules the findings trigger: absolute ones first.

    Every modality appears in the result; an empty list means no rule was triggered.
    ``settings`` is required so a caller cannot silently fall back to defaults instead of the
    clinic's own limits.
    """
    if not isinstance(findings, Findings):
        raise TypeError("evaluate() needs a Findings record.")
    result: dict[Modality, list[RuleFinding]] = {modality: [] for modality in Modality}
    bp_missing = findings.systolic_at_rest_mmhg is None
    for rule_set in load_rule_sets() if rule_sets is None else rule_sets:
        for rule in rule_set.rules:
            matched, limit = _matches(rule, findings, settings)
            source, confirmed = rule.source, rule.confirmed
            if limit is not None:
                # The limit is a clinic setting: show where its number came from, and carry
                # its confirmation status into the finding.
                source = f"{rule.source}; limit {limit.describe()}: {limit.source}"
                confirmed = confirmed and limit.confirmed
            for modality in rule.modalities:
                if matched:
                    result[modality].append(
                        RuleFinding(
                            rule_id=rule.id,
                            modality=modality,
                            severity=rule.severity,
                            reason=rule.reason,
                            source=source,
                            confirmed=confirmed,
                            matched="; ".join(matched),
                            rule_set=rule_set.name,
                            rule_set_version=rule_set.version,
                        )
                    )
                elif rule.blood_pressure_above is not None and bp_missing:
                    result[modality].append(_unchecked_blood_pressure(rule, rule_set, modality))
    for modality_findings in result.values():
        # sort is stable, so within a severity the rule-file order is kept.
        modality_findings.sort(key=lambda finding: _SEVERITY_ORDER[finding.severity])
    return result


def has_absolute(findings: Iterable[RuleFinding]) -> bool:
    return any(finding.severity is Severity.ABSOLUTE for finding in findings)

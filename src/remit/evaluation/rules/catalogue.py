"""Loads the rule files in ``data/`` and refuses any rule that is incomplete.

Adding a rule file is one JSON file plus one line in RULE_FILES (see README.md).
"""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import Any

from remit.evaluation.rules.findings import unknown_codes
from remit.evaluation.rules.model import Modality, Rule, RuleSet, Severity
from remit.evaluation.rules.thresholds import DEFAULT_BLOOD_PRESSURE_LIMITS

# The registry: one line per rule file. Order is the order findings are listed in.
RULE_FILES: tuple[str, ...] = (
    "racemic_ketamine.json",
    "esketamine.json",
    "tms.json",
)

_RULE_KEYS = {
    "id",
    "matches_any",
    "blood_pressure_above",
    "severity",
    "reason",
    "source",
    "confirmed",
}


class RuleFileError(ValueError):
    """A rule file is malformed; the message names the file and the rule."""


def _text(raw: dict[str, Any], key: str, where: str) -> str:
    value = raw.get(key)
    if not isinstance(value, str) or not value.strip():
        raise RuleFileError(f"{where}: '{key}' must be non-empty text.")
    return value.strip()


def _modalities(raw: object, where: str) -> tuple[Modality, ...]:
    if not isinstance(raw, list) or not raw:
        raise RuleFileError(f"{where}: 'modalities' must be a non-empty list.")
    try:
        return tuple(Modality(item) for item in raw)
    except ValueError as error:
        raise RuleFileError(f"{where}: {error}") from error


def parse_rule(raw: dict[str, Any], modalities: tuple[Modality, ...], where: str) -> Rule:
    extra = sorted(set(raw) - _RULE_KEYS)
    if extra:
        raise RuleFileError(f"{where}: unknown keys {extra}.")
    rule_id = _text(raw, "id", where)
    where = f"{where} rule '{rule_id}'"
    matches = raw.get("matches_any", [])
    if not isinstance(matches, list) or not all(isinstance(code, str) for code in matches):
        raise RuleFileError(f"{where}: 'matches_any' must be a list of finding codes.")
    unknown = unknown_codes(matches)
    if unknown:
        raise RuleFileError(f"{where}: unknown finding codes {unknown}.")
    limit = raw.get("blood_pressure_above")
    if limit is not None and limit not in DEFAULT_BLOOD_PRESSURE_LIMITS:
        raise RuleFileError(f"{where}: unknown blood-pressure limit '{limit}'.")
    if not matches and limit is None:
        raise RuleFileError(f"{where}: needs 'matches_any' or 'blood_pressure_above'.")
    try:
        severity = Severity(str(raw.get("severity")))
    except ValueError as error:
        raise RuleFileError(f"{where}: severity must be 'absolute' or 'relative'.") from error
    confirmed = raw.get("confirmed")
    if not isinstance(confirmed, bool):
        raise RuleFileError(f"{where}: 'confirmed' must be true or false.")
    return Rule(
        id=rule_id,
        modalities=modalities,
        matches_any=frozenset(matches),
        blood_pressure_above=limit,
        severity=severity,
        reason=_text(raw, "reason", where),
        source=_text(raw, "source", where),
        confirmed=confirmed,
    )


def parse_rule_set(raw: dict[str, Any], where: str) -> RuleSet:
    name = _text(raw, "name", where)
    version = raw.get("version")
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise RuleFileError(f"{where}: 'version' must be a whole number from 1.")
    modalities = _modalities(raw.get("modalities"), where)
    raw_rules = raw.get("rules")
    if not isinstance(raw_rules, list) or not raw_rules:
        raise RuleFileError(f"{where}: 'rules' must be a non-empty list.")
    rules = tuple(parse_rule(item, modalities, where) for item in raw_rules)
    ids = [rule.id for rule in rules]
    duplicates = sorted({rule_id for rule_id in ids if ids.count(rule_id) > 1})
    if duplicates:
        raise RuleFileError(f"{where}: duplicate rule ids {duplicates}.")
    return RuleSet(name=name, version=version, modalities=modalities, rules=rules)


@cache
def load_rule_sets() -> tuple[RuleSet, ...]:
    """The shipped rule sets, parsed once per process."""
    folder = resources.files("remit.evaluation.rules").joinpath("data")
    rule_sets = tuple(
        parse_rule_set(json.loads(folder.joinpath(file).read_text("utf-8")), file)
        for file in RULE_FILES
    )
    covered = {modality for rule_set in rule_sets for modality in rule_set.modalities}
    missing = sorted(set(Modality) - covered)
    if missing:
        raise RuleFileError(f"No rule file covers {missing}.")
    return rule_sets


def all_rules() -> tuple[Rule, ...]:
    return tuple(rule for rule_set in load_rule_sets() for rule in rule_set.rules)

"""The shapes of contraindication rules and of what the evaluator reports.

Rules themselves are data (``data/*.json``); these types are what the loader turns them into.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

# A rule with no source in the clinical reference carries this text as its source, together
# with ``confirmed=False``, so nobody mistakes a clinic habit for a cited fact.
CLINIC_PROTOCOL_SOURCE = "clinic protocol (not in clinical reference)"


class Modality(StrEnum):
    IV_KETAMINE = "iv_ketamine"
    IM_KETAMINE = "im_ketamine"
    ORAL_KETAMINE = "oral_ketamine"
    SUBLINGUAL_KETAMINE = "sublingual_ketamine"
    ESKETAMINE = "esketamine"
    TMS = "tms"

    @property
    def label(self) -> str:
        return MODALITY_LABELS[self]


MODALITY_LABELS: dict[Modality, str] = {
    Modality.IV_KETAMINE: "IV ketamine",
    Modality.IM_KETAMINE: "IM ketamine",
    Modality.ORAL_KETAMINE: "Oral ketamine",
    Modality.SUBLINGUAL_KETAMINE: "Sublingual ketamine",
    Modality.ESKETAMINE: "Esketamine (Spravato)",
    Modality.TMS: "TMS",
}


class Severity(StrEnum):
    # Absolute: the modality is ruled out unless the prescriber records an override reason.
    ABSOLUTE = "absolute"
    # Relative: the prescriber must weigh it and say how it is handled.
    RELATIVE = "relative"


@dataclass(frozen=True)
class Rule:
    """One contraindication or caution, as written in a rule file."""

    id: str
    modalities: tuple[Modality, ...]
    # Any one of these finding codes triggers the rule.
    matches_any: frozenset[str]
    # Name of a blood-pressure limit in EvaluationSettings; a resting reading above it triggers.
    blood_pressure_above: str | None
    severity: Severity
    reason: str
    source: str
    # False when the reference marks the rule UNCONFIRMED or does not contain it at all.
    confirmed: bool


@dataclass(frozen=True)
class RuleSet:
    """The rules of one data file, with the version the clinic bumps when it edits them."""

    name: str
    version: int
    modalities: tuple[Modality, ...]
    rules: tuple[Rule, ...]


@dataclass(frozen=True)
class RuleFinding:
    """A rule that an evaluation triggered, for one modality."""

    rule_id: str
    modality: Modality
    severity: Severity
    reason: str
    source: str
    confirmed: bool
    # What in the evaluation matched, in plain words (a finding's label or a reading).
    matched: str
    rule_set: str
    rule_set_version: int

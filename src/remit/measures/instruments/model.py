"""What an instrument is, as plain frozen values read from its FHIR Questionnaire file.

Every clinical number here comes from the instrument's JSON file, which carries the source tag
from clinical-reference.md next to it. Nothing in this module knows about a particular instrument.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Comparator = Literal["<", "<=", ">=", "="]
ItemKind = Literal["choice", "boolean"]
Rater = Literal["patient", "clinician"]
ScoringMethod = Literal["sum", "sum-of-subscores", "risk-rules"]
SubscoreRule = Literal["sum", "max"]
OutcomeKind = Literal["response", "remission", "relapse", "meaningful"]
OutcomeBasis = Literal["total", "percent-reduction", "points-reduction"]
Direction = Literal["higher-is-worse", "lower-is-worse"]


def compare(value: int, comparator: Comparator, threshold: int) -> bool:
    """Apply a comparator stored in an instrument file (e.g. remission "<=" 5)."""
    if comparator == "<":
        return value < threshold
    if comparator == "<=":
        return value <= threshold
    if comparator == ">=":
        return value >= threshold
    return value == threshold


@dataclass(frozen=True)
class AnswerOption:
    """One answer a choice item accepts, with the score it contributes."""

    value: int
    label: str | None
    # An answer code such as LOINC LA6568-5, only where the reference confirms it.
    code: str | None
    system: str | None


@dataclass(frozen=True)
class Item:
    """One question, keyed by its FHIR linkId."""

    link_id: str
    # The published item number as printed ("9", "6a").
    number: str
    # Full published wording where redistribution is allowed, otherwise a short label.
    text: str
    kind: ItemKind
    options: tuple[AnswerOption, ...]
    # FHIR semantics: a required item must be answered whenever it is asked (enabled).
    required: bool
    # False for items that are collected but never added to the total (PHQ-9 item 10).
    scored: bool
    loinc: str | None
    # The yes/no item that must be "yes" for this item to be asked (C-SSRS skip logic).
    asked_only_if_yes: str | None

    @property
    def values(self) -> frozenset[int]:
        return frozenset(option.value for option in self.options)

    @property
    def min_value(self) -> int:
        return min(self.values)

    @property
    def max_value(self) -> int:
        return max(self.values)


@dataclass(frozen=True)
class SeverityBand:
    """A published severity band, inclusive at both ends."""

    name: str
    min_total: int
    max_total: int

    def contains(self, total: int) -> bool:
        return self.min_total <= total <= self.max_total


@dataclass(frozen=True)
class Subscore:
    """A published sub-result: a QIDS domain (max of its items) or a PCL-5 cluster (sum)."""

    name: str
    rule: SubscoreRule
    link_ids: tuple[str, ...]
    source: str
    # PCL-5 DSM-5 rule: an item counts as endorsed at this rating or above ...
    endorsed_at: int | None = None
    # ... and the cluster needs at least this many endorsed items.
    minimum_endorsed: int | None = None


@dataclass(frozen=True)
class CriticalItem:
    """A single item whose answer alone must reach a clinician."""

    link_id: str
    comparator: Comparator
    # An int for rated items, True for yes/no items.
    threshold: int | bool
    label: str
    source: str
    # False where the reference gives no sourced threshold: the clinic's medical director decides.
    confirmed: bool
    # True where a clinic may set its own alert level (keyword `alert_at` of `score`).
    configurable: bool


@dataclass(frozen=True)
class OutcomeDefinition:
    """A named response / remission / relapse rule with its source."""

    key: str
    kind: OutcomeKind
    basis: OutcomeBasis
    comparator: Comparator
    threshold: int
    is_default: bool
    # False where the reference marks the rule a convention rather than a standard (GAD-7).
    confirmed: bool
    text: str
    source: str

    def describe(self) -> str:
        """The rule and its source, as stored next to every flag computed with it."""
        return f"{self.text} ({self.source})"


@dataclass(frozen=True)
class RiskRule:
    """C-SSRS triage: the level applies when any of its items is answered yes."""

    level: str
    link_ids: tuple[str, ...]
    source: str


@dataclass(frozen=True)
class ScreenCutpoint:
    """A published range of cut-points for a provisional diagnosis (PCL-5: 31-33)."""

    low: int
    high: int
    default: int
    text: str
    source: str
    confirmed: bool


@dataclass(frozen=True)
class Licence:
    item_text_included: bool
    statement: str
    source: str
    confirmed: bool


@dataclass(frozen=True)
class Instrument:
    """An instrument as shipped by Remit: structure, scoring rules and their sources."""

    code: str
    title: str
    version: str
    rater: Rater
    recall_period: str | None
    recall_period_source: str | None
    method: ScoringMethod
    # None for instruments without a total (C-SSRS screener).
    min_total: int | None
    max_total: int | None
    direction: Direction
    items: tuple[Item, ...]
    bands: tuple[SeverityBand, ...]
    bands_source: str | None
    # Why there are no bands, where there are none (e.g. PCL-5).
    bands_note: str | None
    subscores: tuple[Subscore, ...]
    critical_items: tuple[CriticalItem, ...]
    outcomes: tuple[OutcomeDefinition, ...]
    risk_rules: tuple[RiskRule, ...]
    # Groups of items of which at least one must be answered (QIDS items 6/7 and 8/9).
    alternative_items: tuple[tuple[str, ...], ...]
    screen_cutpoint: ScreenCutpoint | None
    licence: Licence
    panel_loinc: str | None
    result_loinc: str | None
    code_source: str | None
    # Scoring convention that must travel with every total (BPRS 1-7 vs 0-6, CADSS version).
    convention: str | None

    def item(self, link_id: str) -> Item:
        for item in self.items:
            if item.link_id == link_id:
                return item
        raise KeyError(link_id)

    @property
    def link_ids(self) -> tuple[str, ...]:
        return tuple(item.link_id for item in self.items)

    @property
    def short_title(self) -> str:
        """The title without its parenthesised long form, e.g. "PHQ-9" for messages and lists."""
        return self.title.split(" (")[0]

    def band_for(self, total: int) -> SeverityBand | None:
        for band in self.bands:
            if band.contains(total):
                return band
        return None

    def outcomes_of(self, kind: OutcomeKind) -> tuple[OutcomeDefinition, ...]:
        return tuple(outcome for outcome in self.outcomes if outcome.kind == kind)

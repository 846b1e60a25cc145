"""Scores a completed instrument: one entry point, `score(code, answers)`.

The rules (which items add up, QIDS domain maxima, bands, critical items, C-SSRS triage) are data
in the instrument files; this module applies them and refuses anything it cannot score exactly.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType

from .instruments import INSTRUMENTS, CriticalItem, Instrument, Item
from .instruments.model import compare

Answer = int | bool | None
Answers = Sequence[Answer] | Mapping[str, Answer]


class InvalidAnswers(ValueError):
    """The answers cannot be scored; the message names the instrument and item."""

    def __init__(self, message: str, *, instrument: str | None = None, link_id: str | None = None):
        super().__init__(message)
        self.instrument = instrument
        self.link_id = link_id


@dataclass(frozen=True)
class Alert:
    """A critical item that fired; it must reach a prescriber."""

    link_id: str
    item_number: str
    value: int | bool
    label: str
    # The rule that fired, e.g. "item 9 at or above 1", and where it comes from.
    rule: str
    source: str
    confirmed: bool

    def __str__(self) -> str:
        return f"{self.label}: answered {_show(self.value)}"


@dataclass(frozen=True)
class Score:
    """The result of scoring one completed instrument."""

    instrument: str
    version: str
    # None where the instrument has no total (C-SSRS screener).
    total: int | None
    # Published band name in lower case; the risk level for the C-SSRS; None where no bands exist.
    severity: str | None
    alerts: tuple[Alert, ...]
    # Every item by linkId; None where not asked or not answered.
    answers: Mapping[str, Answer] = field(default_factory=dict)
    # Published sub-results: QIDS domains, PCL-5 clusters B-E, PHQ-2 within the PHQ-9.
    subscores: Mapping[str, int] = field(default_factory=dict)
    # Published yes/no findings, e.g. the PCL-5 provisional-diagnosis rules.
    findings: Mapping[str, bool] = field(default_factory=dict)
    # The cut-point used for `findings["at_or_above_cutpoint"]`, where the instrument has one.
    cutpoint: int | None = None
    severity_source: str | None = None
    # The scoring convention that must be stored with the total (BPRS 1-7 vs 0-6, CADSS version).
    convention: str | None = None


def get_instrument(code: str) -> Instrument:
    try:
        return INSTRUMENTS[code]
    except (KeyError, TypeError):
        known = ", ".join(INSTRUMENTS)
        raise InvalidAnswers(f"Unknown instrument {code!r}. Known: {known}.") from None


def score(
    code: str,
    answers: Answers,
    *,
    alert_at: Mapping[str, int] | None = None,
    cutpoint: int | None = None,
) -> Score:
    """Score `answers` for instrument `code`.

    `answers` is either the item values in published item order (None for an item that was not
    asked or is optional and unanswered; trailing optional items may be left off, so the PHQ-9
    takes 9 or 10 answers) or a mapping by FHIR linkId (missing keys mean unanswered).
    Rated items take whole numbers; yes/no items (C-SSRS) take True or False.

    `alert_at` overrides the alert level of a configurable critical item, by linkId, e.g.
    `{"madrs-10": 2}`. The default levels are the conservative ones in the instrument files.
    Keys for other instruments' critical items are ignored, so one clinic-wide mapping can be
    passed to every call. `cutpoint` chooses the PCL-5 provisional-diagnosis cut-point (31-33).

    Raises InvalidAnswers (a ValueError) naming the item for anything that cannot be scored.
    """
    instrument = get_instrument(code)
    values = _answers_by_link_id(instrument, answers)
    _check_skip_logic(instrument, values)
    _check_alternatives(instrument, values)
    alerts = tuple(_alerts(instrument, values, alert_at or {}))
    subscores = {s.name: _subscore(s.rule, s.link_ids, values) for s in instrument.subscores}
    if instrument.method == "risk-rules":
        return Score(
            instrument=instrument.code,
            version=instrument.version,
            total=None,
            severity=_risk_level(instrument, values),
            alerts=alerts,
            answers=MappingProxyType(values),
            severity_source=", ".join(sorted({r.source for r in instrument.risk_rules})),
        )
    if instrument.method == "sum-of-subscores":
        total = sum(subscores.values())
    else:
        total = sum(_int(values[i.link_id]) for i in instrument.items if i.scored)
    band = instrument.band_for(total)
    findings, cutpoint_used = _findings(instrument, values, total, cutpoint)
    return Score(
        instrument=instrument.code,
        version=instrument.version,
        total=total,
        severity=band.name if band else None,
        alerts=alerts,
        answers=MappingProxyType(values),
        subscores=MappingProxyType(subscores),
        findings=MappingProxyType(findings),
        cutpoint=cutpoint_used,
        severity_source=instrument.bands_source if band else None,
        convention=instrument.convention,
    )


def _show(value: Answer) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


def _int(value: Answer) -> int:
    # Values are validated before scoring; a missing scored item never reaches here.
    return int(value) if value is not None else 0


def _name(instrument: Instrument, item: Item) -> str:
    return f"{instrument.short_title} item {item.number}"


def _answers_by_link_id(instrument: Instrument, answers: Answers) -> dict[str, Answer]:
    items = instrument.items
    title = instrument.short_title
    if isinstance(answers, Mapping):
        for key in answers:
            if key not in instrument.link_ids:
                raise InvalidAnswers(
                    f"{title}: {key!r} is not an item of this instrument.",
                    instrument=instrument.code,
                    link_id=str(key),
                )
        raw = {item.link_id: answers.get(item.link_id) for item in items}
    elif isinstance(answers, Sequence) and not isinstance(answers, str | bytes):
        # Trailing items that are optional or asked only after a "yes" may be left off.
        fixed = [i for i, item in enumerate(items) if item.required and not item.asked_only_if_yes]
        least = fixed[-1] + 1 if fixed else 0
        if len(answers) < least:
            missing = items[len(answers)]
            extra = "" if least == len(items) else f" (up to {len(items)} with optional items)"
            raise InvalidAnswers(
                f"{title} needs {least} answers{extra}; got {len(answers)}: "
                f"{_name(instrument, missing)} is missing.",
                instrument=instrument.code,
                link_id=missing.link_id,
            )
        if len(answers) > len(items):
            raise InvalidAnswers(
                f"{title} has {len(items)} items; got {len(answers)} answers.",
                instrument=instrument.code,
            )
        raw = {item.link_id: None for item in items}
        raw.update(zip((item.link_id for item in items), answers, strict=False))
    else:
        raise InvalidAnswers(
            f"{title}: answers must be a list in item order or a mapping by linkId.",
            instrument=instrument.code,
        )
    for item in items:
        _check_value(instrument, item, raw[item.link_id])
    return raw


def _check_value(instrument: Instrument, item: Item, value: object) -> None:
    where = _name(instrument, item)
    if value is None:
        if item.required and not item.asked_only_if_yes:
            raise InvalidAnswers(
                f"{where} is missing.", instrument=instrument.code, link_id=item.link_id
            )
        return
    if item.kind == "boolean":
        if not isinstance(value, bool):
            raise InvalidAnswers(
                f"{where}: {value!r} is not a yes/no answer (expected True or False).",
                instrument=instrument.code,
                link_id=item.link_id,
            )
        return
    # bool is a subclass of int in Python, and True must never score as 1 by accident.
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidAnswers(
            f"{where}: {value!r} is not a whole number.",
            instrument=instrument.code,
            link_id=item.link_id,
        )
    if value not in item.values:
        raise InvalidAnswers(
            f"{where}: {value} is out of range ({item.min_value}-{item.max_value}).",
            instrument=instrument.code,
            link_id=item.link_id,
        )


def _check_skip_logic(instrument: Instrument, values: Mapping[str, Answer]) -> None:
    for item in instrument.items:
        gate = item.asked_only_if_yes
        if gate is None:
            continue
        asked = values[gate] is True
        where = _name(instrument, item)
        gate_name = _name(instrument, instrument.item(gate))
        if not asked and values[item.link_id] is True:
            raise InvalidAnswers(
                f"{where} is answered yes, but {gate_name} is not: {where} is only asked "
                f"when {gate_name} is yes.",
                instrument=instrument.code,
                link_id=item.link_id,
            )
        if asked and item.required and values[item.link_id] is None:
            raise InvalidAnswers(
                f"{where} is missing: it must be asked because {gate_name} is yes.",
                instrument=instrument.code,
                link_id=item.link_id,
            )


def _check_alternatives(instrument: Instrument, values: Mapping[str, Answer]) -> None:
    for group in instrument.alternative_items:
        if all(values[link] is None for link in group):
            names = " or ".join(_name(instrument, instrument.item(link)) for link in group)
            raise InvalidAnswers(
                f"Answer {names}: both are missing.",
                instrument=instrument.code,
                link_id=group[0],
            )


def _subscore(rule: str, link_ids: Sequence[str], values: Mapping[str, Answer]) -> int:
    answered = [_int(values[link]) for link in link_ids if values[link] is not None]
    if rule == "max":
        return max(answered, default=0)
    return sum(answered)


def _risk_level(instrument: Instrument, values: Mapping[str, Answer]) -> str:
    # Rules are ordered from highest to lowest risk; the first one endorsed wins.
    for rule in instrument.risk_rules:
        if any(values[link] is True for link in rule.link_ids):
            return rule.level
    return "none"


def _alert_level(instrument: Instrument, critical: CriticalItem, override: int) -> int:
    item = instrument.item(critical.link_id)
    where = _name(instrument, item)
    if not critical.configurable:
        raise ValueError(f"The alert level for {where} is fixed by its source ({critical.source}).")
    if isinstance(override, bool) or not isinstance(override, int):
        raise ValueError(f"The alert level for {where} must be a whole number, not {override!r}.")
    if override not in item.values:
        raise ValueError(
            f"The alert level for {where} must be between {item.min_value} and {item.max_value}."
        )
    return override


def critical_fires(critical: CriticalItem, value: Answer, level: int | bool) -> bool:
    """Whether one answer sets off a critical item at `level` (its threshold or the clinic's).

    The single safety rule behind both a scored assessment's alerts and the alert raised while a
    patient is still answering, so the two can never disagree. Unanswered never fires; a yes/no
    item fires on the same yes/no; a rated item fires when its comparator holds.
    """
    if value is None:
        return False
    if isinstance(level, bool):
        return value is level
    return not isinstance(value, bool) and compare(value, critical.comparator, level)


def _alerts(
    instrument: Instrument, values: Mapping[str, Answer], alert_at: Mapping[str, int]
) -> list[Alert]:
    known = {c.link_id for i in INSTRUMENTS.values() for c in i.critical_items}
    for key in alert_at:
        if key not in known:
            raise ValueError(f"{key!r} is not a critical item of any instrument.")
    # Every override is checked, even for an item left blank, so a bad setting never hides.
    levels: dict[str, int | bool] = {
        c.link_id: (
            _alert_level(instrument, c, alert_at[c.link_id])
            if c.link_id in alert_at
            else c.threshold
        )
        for c in instrument.critical_items
    }
    fired = []
    for critical in instrument.critical_items:
        value = values[critical.link_id]
        if value is None:
            continue
        item = instrument.item(critical.link_id)
        level = levels[critical.link_id]
        if critical_fires(critical, value, level):
            words = {"<": "below", "<=": "at or below", ">=": "at or above", "=": "equal to"}
            fired.append(
                Alert(
                    link_id=critical.link_id,
                    item_number=item.number,
                    value=value,
                    label=critical.label,
                    rule=f"item {item.number} {words[critical.comparator]} {_show(level)}",
                    source=critical.source,
                    confirmed=critical.confirmed and critical.link_id not in alert_at,
                )
            )
    return fired


def _findings(
    instrument: Instrument, values: Mapping[str, Answer], total: int, cutpoint: int | None
) -> tuple[dict[str, bool], int | None]:
    findings: dict[str, bool] = {}
    counted = [s for s in instrument.subscores if s.endorsed_at is not None]
    if counted:
        findings["cluster_rule_met"] = all(
            sum(1 for link in s.link_ids if _int(values[link]) >= (s.endorsed_at or 0))
            >= (s.minimum_endorsed or 0)
            for s in counted
        )
    screen = instrument.screen_cutpoint
    if screen is None:
        if cutpoint is not None:
            raise ValueError(f"{instrument.short_title} has no diagnostic cut-point to choose.")
        return findings, None
    chosen = screen.default if cutpoint is None else cutpoint
    if (
        isinstance(chosen, bool)
        or not isinstance(chosen, int)
        or not screen.low <= chosen <= screen.high
    ):
        raise ValueError(
            f"The {instrument.short_title} cut-point must be between {screen.low} and "
            f"{screen.high} ({screen.source}); got {chosen!r}."
        )
    findings["at_or_above_cutpoint"] = total >= chosen
    return findings, chosen

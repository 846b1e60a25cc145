"""Vital signs during a session: impossible readings refused, alerts raised, checks scheduled.

Pure code. The alert limits are clinic settings (VitalsThresholds), each carrying its source and
whether the clinic's medical director has confirmed it. Only two blood-pressure anchors have a
regulator source; the rest ship as conservative defaults marked confirmed=False (reference 5.2).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields
from datetime import datetime, timedelta
from decimal import Decimal
from enum import StrEnum
from typing import Literal

from remit.charting.dosing import Modality, Number, Range, ReadableByName, show, to_decimal


class AlertLevel(StrEnum):
    NOTIFY = "notify"  # tell the prescriber, keep monitoring
    PAUSE = "pause"  # hold the dose or pause the infusion, recheck
    STOP = "stop"  # do not start, or stop, and call the prescriber


class Phase(StrEnum):
    PRE = "pre"
    DURING = "during"
    POST = "post"


_SEVERITY = {AlertLevel.NOTIFY: 1, AlertLevel.PAUSE: 2, AlertLevel.STOP: 3}

UNCONFIRMED_NOTE = (
    "No regulator sets this limit (clinical reference 5.2); "
    "the clinic's medical director must confirm."
)
NO_SOURCE = "none: clinic default (clinical reference 5.2)"


SETTING_LABELS: Mapping[str, tuple[str, str]] = {
    "pre_review_systolic_above": ("Before a dose: prescriber review if systolic above", "mmHg"),
    "pre_review_diastolic_above": ("Before a dose: prescriber review if diastolic above", "mmHg"),
    "pre_stop_systolic_above": ("Before a dose: do not start if systolic above", "mmHg"),
    "pre_stop_diastolic_above": ("Before a dose: do not start if diastolic above", "mmHg"),
    "session_notify_systolic_above": ("During/after: tell prescriber if systolic above", "mmHg"),
    "session_notify_diastolic_above": ("During/after: tell prescriber if diastolic above", "mmHg"),
    "session_stop_systolic_above": ("During/after: stop if systolic above", "mmHg"),
    "session_stop_diastolic_above": ("During/after: stop if diastolic above", "mmHg"),
    "low_systolic_pause_below": ("Any time: pause if systolic below", "mmHg"),
    "heart_rate_pause_above": ("Any time: pause if heart rate above", "/min"),
    "heart_rate_stop_above": ("Any time: stop if heart rate above", "/min"),
    "heart_rate_pause_below": ("Any time: pause if heart rate below", "/min"),
    "spo2_pause_below": ("Any time: pause if SpO2 below", "%"),
    "spo2_stop_below": ("Any time: stop if SpO2 below", "%"),
    "respiratory_rate_pause_below": ("Any time: pause if respiratory rate below", "/min"),
    "respiratory_rate_stop_below": ("Any time: stop if respiratory rate below", "/min"),
    "respiratory_rate_notify_above": (
        "Any time: tell prescriber if respiratory rate above",
        "/min",
    ),
}


@dataclass(frozen=True)
class Threshold:
    value: Decimal
    source: str
    confirmed: bool
    note: str = ""


def _sourced(value: str, source: str, note: str = "") -> Threshold:
    return Threshold(Decimal(value), source, True, note)


def _unconfirmed(value: str, note: str = UNCONFIRMED_NOTE, source: str = NO_SOURCE) -> Threshold:
    return Threshold(Decimal(value), source, False, note)


@dataclass(frozen=True)
class VitalsThresholds:
    """The clinic's alert limits. Replace a field (dataclasses.replace) to change a setting."""

    # Before a dose, above 140/90: the esketamine label asks to weigh the risk of a rise in BP,
    # and a reference summary says "consider delaying" [S69], [S70]. That is a prescriber's
    # decision, so the level is "pause" (hold the dose, recheck, prescriber reviews) rather
    # than "notify", which would let the dose go ahead by default.
    pre_review_systolic_above: Threshold = _sourced("140", "[S69], [S70]")
    pre_review_diastolic_above: Threshold = _sourced("90", "[S69], [S70]")
    # Resting BP above 180/100 is a ketamine contraindication in the Swiss label [S77]: "stop".
    pre_stop_systolic_above: Threshold = _sourced("180", "[S77]")
    pre_stop_diastolic_above: Threshold = _sourced("100", "[S77]")
    # During and after a dose no regulator sets limits; BP peaks ~40 min into an infusion [S83].
    # The pre-dose anchors are reused as conservative defaults, unconfirmed.
    session_notify_systolic_above: Threshold = _unconfirmed(
        "140", source="anchor [S69], unconfirmed"
    )
    session_notify_diastolic_above: Threshold = _unconfirmed(
        "90", source="anchor [S69], unconfirmed"
    )
    session_stop_systolic_above: Threshold = _unconfirmed("180", source="anchor [S77], unconfirmed")
    session_stop_diastolic_above: Threshold = _unconfirmed(
        "100", source="anchor [S77], unconfirmed"
    )
    low_systolic_pause_below: Threshold = _unconfirmed("90")
    # HR above 110 is often attributed to Sanacora 2017 but was not verified (reference 4.1).
    heart_rate_pause_above: Threshold = _unconfirmed("110")
    heart_rate_stop_above: Threshold = _unconfirmed("130")
    heart_rate_pause_below: Threshold = _unconfirmed("50")
    # SpO2 <92 % and <90 % are the reference's own examples, still unconfirmed (5.2).
    spo2_pause_below: Threshold = _unconfirmed("92")
    spo2_stop_below: Threshold = _unconfirmed("90")
    respiratory_rate_pause_below: Threshold = _unconfirmed("10")
    respiratory_rate_stop_below: Threshold = _unconfirmed("8")
    respiratory_rate_notify_above: Threshold = _unconfirmed("24")

    def __post_init__(self) -> None:
        # A stricter level must sit beyond the milder one, or an edit has swapped them.
        ordered = (
            ("pre_review_systolic_above", "pre_stop_systolic_above"),
            ("pre_review_diastolic_above", "pre_stop_diastolic_above"),
            ("session_notify_systolic_above", "session_stop_systolic_above"),
            ("session_notify_diastolic_above", "session_stop_diastolic_above"),
            ("heart_rate_pause_above", "heart_rate_stop_above"),
            ("heart_rate_pause_below", "heart_rate_pause_above"),
            ("spo2_stop_below", "spo2_pause_below"),
            ("respiratory_rate_stop_below", "respiratory_rate_pause_below"),
            ("respiratory_rate_pause_below", "respiratory_rate_notify_above"),
        )
        for lower, higher in ordered:
            if getattr(self, lower).value > getattr(self, higher).value:
                raise ValueError(
                    f"Setting '{SETTING_LABELS[lower][0]}' must not be above "
                    f"'{SETTING_LABELS[higher][0]}'."
                )


DEFAULT_THRESHOLDS = VitalsThresholds()


@dataclass(frozen=True)
class ThresholdSetting:
    """One setting as the admin page lists it."""

    name: str
    label: str
    value: Decimal
    unit: str
    source: str
    confirmed: bool
    note: str


def threshold_settings(thresholds: VitalsThresholds = DEFAULT_THRESHOLDS) -> list[ThresholdSetting]:
    settings = []
    for f in fields(thresholds):
        threshold: Threshold = getattr(thresholds, f.name)
        label, unit = SETTING_LABELS[f.name]
        settings.append(
            ThresholdSetting(
                f.name,
                label,
                threshold.value,
                unit,
                threshold.source,
                threshold.confirmed,
                threshold.note,
            )
        )
    return settings


def unconfirmed_thresholds(
    thresholds: VitalsThresholds = DEFAULT_THRESHOLDS,
) -> list[ThresholdSetting]:
    """The settings the admin page must flag until the medical director confirms them."""
    return [s for s in threshold_settings(thresholds) if not s.confirmed]


# --- Checking a set of vital signs -------------------------------------------------------------

# Impossible readings (issue 7): a typing slip, not a patient. Refused outright.
READING_RANGES: Mapping[str, Range] = {
    "systolic": Range(Decimal(40), Decimal(300), "mmHg", "Systolic blood pressure"),
    "diastolic": Range(Decimal(20), Decimal(200), "mmHg", "Diastolic blood pressure"),
    "heart_rate": Range(Decimal(20), Decimal(250), "/min", "Heart rate"),
    "spo2": Range(Decimal(50), Decimal(100), "%", "SpO2"),
    "respiratory_rate": Range(Decimal(4), Decimal(60), "/min", "Respiratory rate"),
}

Vital = Literal["blood_pressure", "heart_rate", "spo2", "respiratory_rate"]
Direction = Literal["above", "below"]


@dataclass(frozen=True)
class Alert(ReadableByName):
    level: AlertLevel
    reason: str
    vital: Vital
    source: str
    confirmed: bool
    setting: str


@dataclass(frozen=True)
class _Rule:
    vital: Vital
    direction: Direction
    level: AlertLevel
    phases: frozenset[Phase]
    # (reading, setting) pairs; blood pressure pairs systolic and diastolic in one rule.
    limits: tuple[tuple[str, str], ...]


_ANY = frozenset(Phase)
_PRE = frozenset({Phase.PRE})
_SESSION = frozenset({Phase.DURING, Phase.POST})

_RULES = (
    _Rule(
        "blood_pressure",
        "above",
        AlertLevel.PAUSE,
        _PRE,
        (("systolic", "pre_review_systolic_above"), ("diastolic", "pre_review_diastolic_above")),
    ),
    _Rule(
        "blood_pressure",
        "above",
        AlertLevel.STOP,
        _PRE,
        (("systolic", "pre_stop_systolic_above"), ("diastolic", "pre_stop_diastolic_above")),
    ),
    _Rule(
        "blood_pressure",
        "above",
        AlertLevel.NOTIFY,
        _SESSION,
        (
            ("systolic", "session_notify_systolic_above"),
            ("diastolic", "session_notify_diastolic_above"),
        ),
    ),
    _Rule(
        "blood_pressure",
        "above",
        AlertLevel.STOP,
        _SESSION,
        (
            ("systolic", "session_stop_systolic_above"),
            ("diastolic", "session_stop_diastolic_above"),
        ),
    ),
    _Rule(
        "blood_pressure",
        "below",
        AlertLevel.PAUSE,
        _ANY,
        (("systolic", "low_systolic_pause_below"),),
    ),
    _Rule(
        "heart_rate", "above", AlertLevel.PAUSE, _ANY, (("heart_rate", "heart_rate_pause_above"),)
    ),
    _Rule("heart_rate", "above", AlertLevel.STOP, _ANY, (("heart_rate", "heart_rate_stop_above"),)),
    _Rule(
        "heart_rate", "below", AlertLevel.PAUSE, _ANY, (("heart_rate", "heart_rate_pause_below"),)
    ),
    _Rule("spo2", "below", AlertLevel.PAUSE, _ANY, (("spo2", "spo2_pause_below"),)),
    _Rule("spo2", "below", AlertLevel.STOP, _ANY, (("spo2", "spo2_stop_below"),)),
    _Rule(
        "respiratory_rate",
        "below",
        AlertLevel.PAUSE,
        _ANY,
        (("respiratory_rate", "respiratory_rate_pause_below"),),
    ),
    _Rule(
        "respiratory_rate",
        "below",
        AlertLevel.STOP,
        _ANY,
        (("respiratory_rate", "respiratory_rate_stop_below"),),
    ),
    _Rule(
        "respiratory_rate",
        "above",
        AlertLevel.NOTIFY,
        _ANY,
        (("respiratory_rate", "respiratory_rate_notify_above"),),
    ),
)

_VITAL_WORDS = {
    "blood_pressure": "Blood pressure",
    "heart_rate": "Heart rate",
    "spo2": "SpO2",
    "respiratory_rate": "Respiratory rate",
}
_UNITS = {"blood_pressure": "mmHg", "heart_rate": "/min", "spo2": "%", "respiratory_rate": "/min"}

_ACTIONS = {
    (AlertLevel.NOTIFY, Phase.PRE): "tell the prescriber before dosing",
    (AlertLevel.NOTIFY, Phase.DURING): "tell the prescriber and keep monitoring",
    (AlertLevel.NOTIFY, Phase.POST): "tell the prescriber and keep monitoring",
    (AlertLevel.PAUSE, Phase.PRE): "hold the dose, recheck, and ask the prescriber to review",
    (AlertLevel.PAUSE, Phase.DURING): "pause the infusion or hold the next dose, and recheck",
    (AlertLevel.PAUSE, Phase.POST): "recheck and tell the prescriber; do not discharge yet",
    (AlertLevel.STOP, Phase.PRE): "do not start the dose; call the prescriber",
    (AlertLevel.STOP, Phase.DURING): "stop the infusion or dose; call the prescriber now",
    (AlertLevel.STOP, Phase.POST): "call the prescriber now; do not discharge",
}


def _crossed(value: Decimal, direction: Direction, limit: Decimal) -> bool:
    return value > limit if direction == "above" else value < limit


def _reason(
    rule: _Rule, phase: Phase, readings: Mapping[str, Decimal], thresholds: VitalsThresholds
) -> str:
    limits = [getattr(thresholds, setting).value for _, setting in rule.limits]
    words = _VITAL_WORDS[rule.vital]
    if rule.vital == "blood_pressure" and len(rule.limits) == 2:
        shown = f"{show(readings['systolic'])}/{show(readings['diastolic'])}"
        limit = f"{show(limits[0])}/{show(limits[1])}"
    elif rule.vital == "blood_pressure":
        words, shown, limit = "Systolic blood pressure", show(readings["systolic"]), show(limits[0])
    else:
        shown, limit = show(readings[rule.limits[0][0]]), show(limits[0])
    # "120/min" and "91%" read better unspaced; "185/110 mmHg" takes a space.
    unit = _UNITS[rule.vital] if rule.vital == "blood_pressure" else _UNITS[rule.vital].strip()
    gap = " " if rule.vital == "blood_pressure" else ""
    when = {
        Phase.PRE: "before the dose",
        Phase.DURING: "during the dose",
        Phase.POST: "after the dose",
    }[phase]
    return (
        f"{words} {shown}{gap}{unit} is {rule.direction} {limit}{gap}{unit} "
        f"{when}: "
        f"{_ACTIONS[(rule.level, phase)]}."
    )


class ImpossibleReading(ValueError):
    """A reading no patient can have; `reading` names it (systolic, diastolic, heart_rate…)
    so a form can put the message on that field."""

    def __init__(self, message: str, *, reading: str) -> None:
        super().__init__(message)
        self.reading = reading


def _readings(**values: Number) -> dict[str, Decimal]:
    readings = {}
    for name, value in values.items():
        limits = READING_RANGES[name]
        try:
            reading = to_decimal(value, field=limits.label)
        except ValueError as error:
            raise ImpossibleReading(str(error), reading=name) from None
        if not limits.low <= reading <= limits.high:
            raise ImpossibleReading(
                f"{limits.label} of {show(reading)} {limits.unit} is not possible "
                f"(allowed {show(limits.low)}–{show(limits.high)} {limits.unit}). "
                "Check the reading and enter it again.",
                reading=name,
            )
        readings[name] = reading
    if readings["diastolic"] >= readings["systolic"]:
        raise ImpossibleReading(
            f"Diastolic blood pressure ({show(readings['diastolic'])}) must be below systolic "
            f"({show(readings['systolic'])}). Check the two numbers were not swapped.",
            reading="diastolic",
        )
    return readings


def check_vitals(
    *,
    systolic: Number,
    diastolic: Number,
    heart_rate: Number,
    spo2: Number,
    respiratory_rate: Number,
    phase: Phase | str,
    thresholds: VitalsThresholds = DEFAULT_THRESHOLDS,
) -> list[Alert]:
    """Alerts for one set of vital signs, most severe first; an empty list means no alert.

    Each concern (e.g. blood pressure too high) reports only its most severe level, so 185/110
    before a dose gives one "stop", not a "stop" and a "pause" for the same reading.
    """
    try:
        phase = Phase(phase)
    except ValueError:
        raise ValueError(f"Phase must be pre, during or post; got {phase!r}.") from None
    readings = _readings(
        systolic=systolic,
        diastolic=diastolic,
        heart_rate=heart_rate,
        spo2=spo2,
        respiratory_rate=respiratory_rate,
    )
    worst: dict[tuple[str, str], Alert] = {}
    for rule in _RULES:
        if phase not in rule.phases:
            continue
        crossed = [
            setting
            for reading, setting in rule.limits
            if _crossed(readings[reading], rule.direction, getattr(thresholds, setting).value)
        ]
        if not crossed:
            continue
        used = [getattr(thresholds, setting) for _, setting in rule.limits]
        alert = Alert(
            level=rule.level,
            reason=_reason(rule, phase, readings, thresholds),
            vital=rule.vital,
            source="; ".join(dict.fromkeys(t.source for t in used)),
            confirmed=all(t.confirmed for t in used),
            setting=crossed[0],
        )
        concern = (rule.vital, rule.direction)
        if concern not in worst or _SEVERITY[alert.level] > _SEVERITY[worst[concern].level]:
            worst[concern] = alert
    return sorted(worst.values(), key=lambda a: -_SEVERITY[a.level])


# --- When the next set is due -------------------------------------------------------------------


def next_check_due(last_check_at: datetime, interval_min: int) -> datetime:
    """When the next set of vital signs is due after the last one."""
    if last_check_at.tzinfo is None or last_check_at.utcoffset() is None:
        raise ValueError("The time of the last check must include its time zone.")
    if isinstance(interval_min, bool) or not isinstance(interval_min, int) or interval_min <= 0:
        raise ValueError(
            f"The check interval must be a whole number of minutes above 0; got {interval_min!r}."
        )
    return last_check_at + timedelta(minutes=interval_min)


def check_is_overdue(*, last_check_at: datetime, interval_min: int, now: datetime) -> bool:
    if now.tzinfo is None or now.utcoffset() is None:
        raise ValueError("The current time must include its time zone.")
    return now >= next_check_due(last_check_at, interval_min)


@dataclass(frozen=True)
class PlannedCheck:
    label: str
    # Minutes after the (first) dose; None = at a moment, not a time (before the dose, before
    # discharge).
    after_dose_min: int | None
    source: str


@dataclass(frozen=True)
class MonitoringSchedule:
    modality: Modality
    # Minutes between routine sets while the drug acts; None = only the planned checks.
    interval_min: int | None
    planned_checks: tuple[PlannedCheck, ...]
    pulse_oximetry: bool
    source: str
    confirmed: bool
    note: str = ""


_BEFORE = PlannedCheck("Before the dose", None, "[S66c], [S83]")
_DISCHARGE = PlannedCheck("Before discharge", None, "[S66c]")

_KETAMINE_NOTE = (
    "No route-specific source: 10 minutes mirrors IV research practice [S83] and lies within "
    "the ASA 5–15 minutes [S85]; the clinic's medical director must confirm."
)

MONITORING_SCHEDULES: Mapping[Modality, MonitoringSchedule] = {
    # Research IV protocols record BP every 10 minutes [S83]; ASA: every 5–15 min with
    # continuous oximetry [S85] (secondary source, verify).
    Modality.IV_KETAMINE: MonitoringSchedule(
        Modality.IV_KETAMINE,
        10,
        (_BEFORE, _DISCHARGE),
        True,
        "[S83], [S85]",
        True,
        "ASA text is quoted from a secondary source [S85]: verify.",
    ),
    Modality.IM_KETAMINE: MonitoringSchedule(
        Modality.IM_KETAMINE, 10, (_BEFORE, _DISCHARGE), True, "[S83], [S85]", False, _KETAMINE_NOTE
    ),
    Modality.ORAL_KETAMINE: MonitoringSchedule(
        Modality.ORAL_KETAMINE,
        10,
        (_BEFORE, _DISCHARGE),
        True,
        "[S83], [S85]",
        False,
        _KETAMINE_NOTE,
    ),
    Modality.SUBLINGUAL_KETAMINE: MonitoringSchedule(
        Modality.SUBLINGUAL_KETAMINE,
        10,
        (_BEFORE, _DISCHARGE),
        True,
        "[S83], [S85]",
        False,
        _KETAMINE_NOTE,
    ),
    # Esketamine: BP before dosing, about 40 minutes after, then as needed until stable and
    # before discharge; pulse oximetry at every session [S66c], [S71].
    Modality.ESKETAMINE: MonitoringSchedule(
        Modality.ESKETAMINE,
        None,
        (_BEFORE, PlannedCheck("About 40 minutes after the dose", 40, "[S66c]"), _DISCHARGE),
        True,
        "[S66c], [S71]",
        True,
        "Add checks as clinically needed until readings are stable and safe [S66c].",
    ),
    Modality.TMS: MonitoringSchedule(
        Modality.TMS,
        None,
        (),
        False,
        NO_SOURCE,
        False,
        "The clinical reference sets no vital-sign schedule for TMS; the clinic decides.",
    ),
}

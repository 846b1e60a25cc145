"""The pre-session gate: which checks a session needs before the dose, and which fail.

Pure code. The service gathers the facts (from the protocol, the record and the nurse's
answers); this module decides. A failed item blocks the dose unless a prescriber overrides it
with a reason. An item whose capability is not installed yet is "unavailable": shown as not
checked, never silently passed, and not blocking.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from enum import StrEnum

from remit.charting.monitoring import Alert, AlertLevel

# An override's reason must say something a reader can act on, not "ok".
OVERRIDE_REASON_MIN = 10
OVERRIDE_REASON_TOO_SHORT = (
    f"Give the clinical reason in at least {OVERRIDE_REASON_MIN} characters."
)


class ItemStatus(StrEnum):
    PASS = "pass"  # noqa: S105 (a gate status, not a password)
    FAIL = "fail"
    NOT_NEEDED = "n/a"
    UNAVAILABLE = "unavailable"


@dataclass(frozen=True)
class GateItem:
    code: str
    label: str
    status: ItemStatus
    detail: str


@dataclass(frozen=True)
class GateFacts:
    """Everything the gate decides on; None where a capability is not installed."""

    # Vital signs before the dose: required by the modality's monitoring schedule.
    vitals_required: bool
    # Alerts of the latest pre-dose set; None if no pre-dose set was taken yet.
    pre_dose_alerts: Sequence[Alert] | None
    questionnaires_due: Collection[str]
    questionnaires_done: Collection[str] | None
    open_safety_alerts: int | None
    fasting_required: bool
    fasting_confirmed: bool
    ride_home_required: bool
    ride_home_confirmed: bool
    weight_required: bool
    # Age in days of the latest weight; None if none is recorded.
    weight_age_days: int | None
    weight_max_age_days: int
    pregnancy_test_required: bool
    # "negative", "positive", "not_done" or "not_applicable" (cannot be pregnant).
    pregnancy_test: str
    # None: the evaluation capability is not installed; False: no signed evaluation.
    evaluation_signed: bool | None
    diagnoses_since_evaluation: int
    new_condition_reported: bool
    rems_required: bool
    rems_enrolled: bool | None
    prescriber_required: bool
    prescriber_on_site: bool


def _item(code: str, label: str, status: ItemStatus, detail: str) -> GateItem:
    return GateItem(code, label, status, detail)


def _vitals(facts: GateFacts) -> GateItem:
    label = "Blood pressure and vital signs before the dose"
    if not facts.vitals_required:
        return _item("vitals", label, ItemStatus.NOT_NEEDED, "Not needed for this modality.")
    if facts.pre_dose_alerts is None:
        return _item("vitals", label, ItemStatus.FAIL, "Take a set of vital signs first.")
    blocking = [a for a in facts.pre_dose_alerts if a.level != AlertLevel.NOTIFY]
    if blocking:
        return _item("vitals", label, ItemStatus.FAIL, " ".join(a.reason for a in blocking))
    notes = " ".join(a.reason for a in facts.pre_dose_alerts)
    return _item("vitals", label, ItemStatus.PASS, notes or "Within the pre-dose limits.")


def _questionnaires(facts: GateFacts) -> GateItem:
    label = "Today's questionnaires done"
    if not facts.questionnaires_due:
        return _item("questionnaires", label, ItemStatus.NOT_NEEDED, "None due today.")
    if facts.questionnaires_done is None:
        return _item(
            "questionnaires",
            label,
            ItemStatus.UNAVAILABLE,
            "Not checked: the measures capability is not installed.",
        )
    missing = sorted(set(facts.questionnaires_due) - set(facts.questionnaires_done))
    if missing:
        return _item("questionnaires", label, ItemStatus.FAIL, "Not done: " + ", ".join(missing))
    return _item("questionnaires", label, ItemStatus.PASS, "All done.")


def _safety(facts: GateFacts) -> GateItem:
    label = "Safety alerts acknowledged"
    if facts.open_safety_alerts is None:
        return _item(
            "safety_alerts",
            label,
            ItemStatus.UNAVAILABLE,
            "Not checked: the measures capability is not installed.",
        )
    if facts.open_safety_alerts:
        return _item(
            "safety_alerts",
            label,
            ItemStatus.FAIL,
            f"{facts.open_safety_alerts} safety alert(s) not yet acknowledged by a prescriber.",
        )
    return _item("safety_alerts", label, ItemStatus.PASS, "None open.")


def _confirmed(code: str, label: str, required: bool, confirmed: bool, missing: str) -> GateItem:
    if not required:
        return _item(code, label, ItemStatus.NOT_NEEDED, "The protocol does not ask for it.")
    if confirmed:
        return _item(code, label, ItemStatus.PASS, "Confirmed.")
    return _item(code, label, ItemStatus.FAIL, missing)


def _weight(facts: GateFacts) -> GateItem:
    label = "Weight recent enough for the dose"
    if not facts.weight_required:
        return _item("weight", label, ItemStatus.NOT_NEEDED, "The dose is not weight-based.")
    if facts.weight_age_days is None:
        return _item("weight", label, ItemStatus.FAIL, "No weight recorded: weigh the patient.")
    if facts.weight_age_days > facts.weight_max_age_days:
        return _item(
            "weight",
            label,
            ItemStatus.FAIL,
            f"The latest weight is {facts.weight_age_days} days old; the clinic's limit is "
            f"{facts.weight_max_age_days} days. Weigh the patient.",
        )
    return _item("weight", label, ItemStatus.PASS, f"Weighed {facts.weight_age_days} days ago.")


def _pregnancy(facts: GateFacts) -> GateItem:
    label = "Pregnancy test"
    if not facts.pregnancy_test_required or facts.pregnancy_test == "not_applicable":
        return _item("pregnancy_test", label, ItemStatus.NOT_NEEDED, "Not required.")
    if facts.pregnancy_test == "negative":
        return _item("pregnancy_test", label, ItemStatus.PASS, "Negative.")
    if facts.pregnancy_test == "positive":
        return _item("pregnancy_test", label, ItemStatus.FAIL, "Positive: call the prescriber.")
    return _item("pregnancy_test", label, ItemStatus.FAIL, "Required by the clinic; not done.")


def _contraindications(facts: GateFacts) -> GateItem:
    label = "No new contraindication since the evaluation"
    if facts.new_condition_reported:
        return _item(
            "contraindications",
            label,
            ItemStatus.FAIL,
            "A new condition or medicine was reported: the prescriber must review it.",
        )
    if facts.evaluation_signed is False:
        return _item("contraindications", label, ItemStatus.FAIL, "No signed evaluation on file.")
    if facts.diagnoses_since_evaluation:
        return _item(
            "contraindications",
            label,
            ItemStatus.FAIL,
            f"{facts.diagnoses_since_evaluation} diagnosis(es) recorded since the evaluation: "
            "the prescriber must review them.",
        )
    if facts.evaluation_signed is None:
        return _item(
            "contraindications",
            label,
            ItemStatus.UNAVAILABLE,
            "Nothing new reported; the evaluation itself is not checked (the evaluation "
            "capability is not installed).",
        )
    return _item("contraindications", label, ItemStatus.PASS, "Nothing new since the evaluation.")


def _rems(facts: GateFacts) -> GateItem:
    label = "Esketamine REMS enrolment"
    if not facts.rems_required:
        return _item("rems_enrolment", label, ItemStatus.NOT_NEEDED, "Not an esketamine session.")
    if facts.rems_enrolled is None:
        # Enrolment before treatment is a REMS requirement [S71]: unknown is not good enough.
        return _item(
            "rems_enrolment",
            label,
            ItemStatus.FAIL,
            "Enrolment cannot be checked (the evaluation capability is not installed).",
        )
    if not facts.rems_enrolled:
        return _item(
            "rems_enrolment",
            label,
            ItemStatus.FAIL,
            "The patient is not enrolled in the REMS: do not treat [S71].",
        )
    return _item("rems_enrolment", label, ItemStatus.PASS, "Enrolled.")


def gate_items(facts: GateFacts) -> list[GateItem]:
    return [
        _vitals(facts),
        _questionnaires(facts),
        _safety(facts),
        _confirmed(
            "fasting",
            "Fasting as the protocol asks",
            facts.fasting_required,
            facts.fasting_confirmed,
            "Not confirmed.",
        ),
        _confirmed(
            "ride_home",
            "A ride home confirmed",
            facts.ride_home_required,
            facts.ride_home_confirmed,
            "No ride home confirmed.",
        ),
        _weight(facts),
        _pregnancy(facts),
        _contraindications(facts),
        _rems(facts),
        # A prescriber on site during administration and monitoring [S71].
        _confirmed(
            "prescriber_on_site",
            "A prescriber on site",
            facts.prescriber_required,
            facts.prescriber_on_site,
            "Name the prescriber on site.",
        ),
    ]


def gate_blockers(items: Sequence[GateItem], overridden: Collection[str]) -> list[GateItem]:
    """The failed items no prescriber has overridden: while any remain, no dose."""
    return [i for i in items if i.status == ItemStatus.FAIL and i.code not in overridden]

"""Discharge criteria per modality, as data, and the pure check of what still blocks discharge."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass

from remit.charting.dosing import Modality


@dataclass(frozen=True)
class DischargeCriterion:
    code: str
    text: str
    source: str
    confirmed: bool


@dataclass(frozen=True)
class DischargeChecklist:
    modality: Modality
    criteria: tuple[DischargeCriterion, ...]
    # Counted from the first dose (for esketamine, from the first device [S72]).
    minimum_observation_min: int | None
    observation_source: str
    # Said to the patient and recorded as given; they do not block discharge.
    instructions: tuple[str, ...] = ()


# Generic procedural-sedation discharge criteria (RCEM) [S86].
VITALS_NEAR_BASELINE = DischargeCriterion(
    "vitals_near_baseline", "Vital signs back near the pre-dose baseline", "[S86]", True
)
ALERT_AND_ORIENTED = DischargeCriterion("alert_and_oriented", "Alert and oriented", "[S86]", True)
TOLERATING_FLUIDS = DischargeCriterion("tolerating_fluids", "Tolerating oral fluids", "[S86]", True)
NO_SIGNIFICANT_NAUSEA = DischargeCriterion(
    "no_significant_nausea", "No significant nausea (minimal at most)", "[S86]", True
)
# Asked for by issue 7; the clinical reference gives no source for it.
WALKING_STEADILY = DischargeCriterion(
    "walking_steadily",
    "Walking steadily",
    "none: clinic default, medical director to confirm",
    False,
)
# UK Ketalar: released only when recovery is complete, and then only with a responsible adult
# [S76]; esketamine: the patient needs a ride home [S66c].
RECOVERY_COMPLETE = DischargeCriterion("recovery_complete", "Recovery complete", "[S76]", True)
ESCORT_PRESENT = DischargeCriterion(
    "escort_present",
    "A responsible adult is present to take the patient home",
    "[S76], [S66c]",
    True,
)
# Esketamine: clinically stable after observation [S66c]; REMS: until sedation, dissociation and
# respiratory depression have resolved [S71].
CLINICALLY_STABLE = DischargeCriterion(
    "clinically_stable", "Clinically stable, as judged by the clinician", "[S66c]", True
)
SEDATION_DISSOCIATION_RESOLVED = DischargeCriterion(
    "sedation_dissociation_resolved",
    "Sedation, dissociation and respiratory depression have resolved",
    "[S71]",
    True,
)

NO_DRIVING = "No driving or machinery until the next day after restful sleep [S66c]."

_KETAMINE = (
    VITALS_NEAR_BASELINE,
    ALERT_AND_ORIENTED,
    WALKING_STEADILY,
    NO_SIGNIFICANT_NAUSEA,
    TOLERATING_FLUIDS,
    RECOVERY_COMPLETE,
    ESCORT_PRESENT,
)
_NO_MINIMUM = "none: the reference sets no minimum for ketamine; the clinic decides"


def _ketamine(modality: Modality) -> DischargeChecklist:
    return DischargeChecklist(modality, _KETAMINE, None, _NO_MINIMUM)


DISCHARGE_CHECKLISTS: Mapping[Modality, DischargeChecklist] = {
    Modality.IV_KETAMINE: _ketamine(Modality.IV_KETAMINE),
    Modality.IM_KETAMINE: _ketamine(Modality.IM_KETAMINE),
    Modality.ORAL_KETAMINE: _ketamine(Modality.ORAL_KETAMINE),
    Modality.SUBLINGUAL_KETAMINE: _ketamine(Modality.SUBLINGUAL_KETAMINE),
    # Observation of at least 2 hours after each dose [S54], [S66], [S66c], [S71].
    Modality.ESKETAMINE: DischargeChecklist(
        Modality.ESKETAMINE,
        (*_KETAMINE, CLINICALLY_STABLE, SEDATION_DISSOCIATION_RESOLVED),
        120,
        "[S54], [S66], [S66c], [S71]",
        (NO_DRIVING,),
    ),
    # The reference gives no discharge criteria for TMS.
    Modality.TMS: DischargeChecklist(Modality.TMS, (), None, "none"),
}


def discharge_blockers(
    *,
    modality: Modality | str,
    criteria_met: Collection[str],
    minutes_since_dose: int | None,
    checklists: Mapping[Modality, DischargeChecklist] = DISCHARGE_CHECKLISTS,
) -> list[str]:
    """What still stands between the patient and the door, in plain words (empty = may leave)."""
    try:
        checklist = checklists[Modality(modality)]
    except (ValueError, KeyError):
        raise ValueError(f"No discharge checklist for {modality!r}.") from None
    known = {c.code for c in checklist.criteria}
    unknown = sorted(set(criteria_met) - known)
    if unknown:
        raise ValueError(f"Not on the discharge checklist: {', '.join(unknown)}.")
    blockers = [c.text for c in checklist.criteria if c.code not in criteria_met]
    minimum = checklist.minimum_observation_min
    if minimum is not None:
        if minutes_since_dose is None:
            blockers.append(f"Time since the dose is not recorded (at least {minimum} min needed)")
        elif minutes_since_dose < 0:
            raise ValueError("Minutes since the dose cannot be negative.")
        elif minutes_since_dose < minimum:
            blockers.append(
                f"Observed {minutes_since_dose} min since the dose; at least {minimum} min needed"
            )
    return blockers

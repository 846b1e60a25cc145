"""Numeric limits the rules compare readings against: clinic settings with sourced defaults.

A rule file names a limit (``"blood_pressure_above": "ketamine_contraindicated_above"``); the
clinic's EvaluationSettings supplies its value. The defaults below are the reference's numbers;
where the reference marks a number UNCONFIRMED the default says so with ``confirmed=False`` and
the clinic's medical director must confirm or replace it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from types import MappingProxyType

from remit.evaluation.rules.findings import DIASTOLIC_PLAUSIBLE_MMHG, SYSTOLIC_PLAUSIBLE_MMHG


@dataclass(frozen=True)
class BloodPressureLimit:
    """A resting reading is *above* the limit when systolic or diastolic exceeds it."""

    systolic_mmhg: int
    diastolic_mmhg: int
    source: str
    confirmed: bool

    def __post_init__(self) -> None:
        low, high = SYSTOLIC_PLAUSIBLE_MMHG
        if not low <= self.systolic_mmhg <= high:
            raise ValueError(f"Systolic limit of {self.systolic_mmhg} mmHg is not plausible.")
        low, high = DIASTOLIC_PLAUSIBLE_MMHG
        if not low <= self.diastolic_mmhg <= high:
            raise ValueError(f"Diastolic limit of {self.diastolic_mmhg} mmHg is not plausible.")
        if not self.source.strip():
            raise ValueError("A blood-pressure limit needs a source (a reference tag or protocol).")

    def is_exceeded_by(self, systolic_mmhg: int, diastolic_mmhg: int) -> bool:
        # The labels say "above", so a reading equal to the limit does not trigger.
        return systolic_mmhg > self.systolic_mmhg or diastolic_mmhg > self.diastolic_mmhg

    def describe(self) -> str:
        return f"{self.systolic_mmhg}/{self.diastolic_mmhg} mmHg"


DEFAULT_BLOOD_PRESSURE_LIMITS: Mapping[str, BloodPressureLimit] = MappingProxyType(
    {
        # Swiss ketamine label: contraindicated with resting systolic/diastolic above 180/100.
        "ketamine_contraindicated_above": BloodPressureLimit(
            systolic_mmhg=180,
            diastolic_mmhg=100,
            source="[S77] Swiss ketamine label: resting blood pressure above 180/100 mmHg",
            confirmed=True,
        ),
        # 140/90 is Spravato's pre-dose caution point; for racemic ketamine the same numbers are
        # attributed to Sanacora 2017, which the reference marks UNCONFIRMED.
        "ketamine_caution_above": BloodPressureLimit(
            systolic_mmhg=140,
            diastolic_mmhg=90,
            source=(
                "[S69] Spravato pre-dose caution point, borrowed for racemic ketamine; the value "
                "attributed to Sanacora 2017 is UNCONFIRMED (reference 4.1)"
            ),
            confirmed=False,
        ),
        # Spravato: before dosing above 140 systolic or 90 diastolic, weigh a short-term rise.
        "esketamine_caution_above": BloodPressureLimit(
            systolic_mmhg=140,
            diastolic_mmhg=90,
            source="[S69], [S70] Spravato: blood pressure above 140/90 mmHg before dosing",
            confirmed=True,
        ),
    }
)


@dataclass(frozen=True)
class EvaluationSettings:
    """A clinic's settings for evaluation rules. Build one per clinic; pass it explicitly."""

    blood_pressure_limits: Mapping[str, BloodPressureLimit] = field(
        default_factory=lambda: DEFAULT_BLOOD_PRESSURE_LIMITS
    )

    def __post_init__(self) -> None:
        missing = sorted(set(DEFAULT_BLOOD_PRESSURE_LIMITS) - set(self.blood_pressure_limits))
        if missing:
            raise ValueError(f"Evaluation settings lack blood-pressure limits: {missing}.")
        # A read-only copy, so a frozen settings object cannot change under a running evaluation.
        object.__setattr__(
            self, "blood_pressure_limits", MappingProxyType(dict(self.blood_pressure_limits))
        )

    def with_blood_pressure_limit(self, name: str, limit: BloodPressureLimit) -> EvaluationSettings:
        """A copy with one limit replaced, e.g. the clinic's own caution point."""
        if name not in self.blood_pressure_limits:
            raise ValueError(f"Unknown blood-pressure limit '{name}'.")
        return replace(self, blood_pressure_limits={**self.blood_pressure_limits, name: limit})

    def unconfirmed(self) -> dict[str, BloodPressureLimit]:
        """Limits still waiting for the medical director's confirmation."""
        return {name: lim for name, lim in self.blood_pressure_limits.items() if not lim.confirmed}


DEFAULT_SETTINGS = EvaluationSettings()

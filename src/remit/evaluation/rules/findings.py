"""What the prescriber found at evaluation, as plain values the rules can match.

A finding is a code from ``FINDING_LABELS``; measurements (resting blood pressure, heart rate)
and pregnancy status are fields, because rules compare them against numbers or states.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from types import MappingProxyType

FINDING_LABELS: Mapping[str, str] = MappingProxyType(
    {
        # Vascular and neurological
        "aneurysmal_vascular_disease": (
            "Aneurysmal vascular disease (thoracic or abdominal aorta, intracranial or "
            "peripheral arteries)"
        ),
        "arteriovenous_malformation": "Arteriovenous malformation",
        "intracerebral_haemorrhage_history": "History of intracerebral haemorrhage",
        "stroke_history": "Previous stroke or other cerebrovascular accident",
        "cerebral_trauma": "Cerebral trauma (brain injury)",
        "cerebrovascular_disease": "Other cerebrovascular disease",
        "hypertensive_encephalopathy_history": "History of hypertensive encephalopathy",
        "icp_rise_would_be_serious_risk": "A rise in intracranial pressure would be a serious risk",
        "seizure_history_or_epilepsy": "Seizure history or epilepsy",
        # Heart and blood pressure
        "hypertension_poorly_controlled": "Untreated or poorly controlled high blood pressure",
        "bp_rise_would_be_serious_hazard": "A rise in blood pressure would be a serious hazard",
        "severe_coronary_or_myocardial_disease": "Severe coronary or myocardial disease",
        "cardiovascular_disease": "Other cardiovascular disease",
        # Pregnancy-related (pregnancy itself is the pregnancy_status field)
        "eclampsia_or_pre_eclampsia": "Eclampsia or pre-eclampsia",
        "breastfeeding": "Breastfeeding",
        # Other body systems
        "untreated_hyperthyroidism": "Untreated or inadequately treated hyperthyroidism",
        "hepatic_impairment_moderate": "Moderate hepatic (liver) impairment",
        "hepatic_impairment_severe": "Severe hepatic (liver) impairment",
        "cystitis": "Ulcerative or interstitial cystitis",
        "lower_urinary_tract_symptoms": "Lower urinary tract or bladder symptoms",
        "raised_intraocular_pressure": "Raised pressure in the eye (intraocular pressure)",
        "hypersensitivity_ketamine_or_esketamine": (
            "Hypersensitivity to ketamine, esketamine or an ingredient"
        ),
        # Mental health and substance use
        "psychosis_history": "History of psychosis",
        "cognitive_impairment": "Cognitive impairment",
        "substance_use_disorder": "Substance use disorder (including alcohol), any time",
        "substance_abuse_past_6_months": "Drug abuse or dependence in the past 6 months",
        # Current medicines the esketamine REMS monitoring form asks about [S72], [S73]
        "takes_benzodiazepine": "Takes a benzodiazepine",
        "takes_sedative_hypnotic": "Takes a non-benzodiazepine sedative-hypnotic",
        "takes_psychostimulant": "Takes a psychostimulant",
        "takes_maoi": "Takes a monoamine oxidase inhibitor (MAOI)",
        "takes_opioid": "Takes an opioid",
        # Implants (TMS)
        "ferromagnetic_implant_near_head": "Ferromagnetic metal or implant in or near the head",
        "cochlear_implant": "Cochlear implant",
        "implanted_electronic_device": (
            "Implanted electronic device (e.g. pacemaker, vagus nerve or deep brain stimulator)"
        ),
    }
)

# Codes the evaluator derives from fields; rules may match them but callers may not enter them.
DERIVED_FINDING_LABELS: Mapping[str, str] = MappingProxyType(
    {
        "pregnant": "Pregnant",
        "pregnancy_status_unknown": "Pregnancy status not recorded",
    }
)

# Plausibility limits, not clinical thresholds: they catch typing errors (a systolic of 1200)
# before a rule compares the number against a label limit.
SYSTOLIC_PLAUSIBLE_MMHG = (40, 300)
DIASTOLIC_PLAUSIBLE_MMHG = (20, 200)
HEART_RATE_PLAUSIBLE_BPM = (20, 250)


class PregnancyStatus(StrEnum):
    PREGNANT = "pregnant"
    NOT_PREGNANT = "not_pregnant"
    # For someone who cannot become pregnant.
    NOT_APPLICABLE = "not_applicable"
    UNKNOWN = "unknown"


def _check_range(name: str, value: int | None, limits: tuple[int, int], unit: str) -> None:
    if value is None:
        return
    # bool is an int in Python; a checkbox value here is a programming slip, not a reading.
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"{name} must be a whole number of {unit}, not {value!r}.")
    low, high = limits
    if not low <= value <= high:
        raise ValueError(
            f"{name} of {value} {unit} is not a possible reading; "
            f"expected {low}–{high} {unit}. Please check the number."
        )


@dataclass(frozen=True)
class Findings:
    """One evaluation's findings. Construction refuses impossible vitals and unknown codes."""

    codes: frozenset[str] = field(default_factory=frozenset)
    systolic_at_rest_mmhg: int | None = None
    diastolic_at_rest_mmhg: int | None = None
    heart_rate_at_rest_bpm: int | None = None
    pregnancy_status: PregnancyStatus = PregnancyStatus.UNKNOWN

    def __post_init__(self) -> None:
        # Accept any iterable of codes but store a frozenset so the record stays immutable.
        object.__setattr__(self, "codes", frozenset(self.codes))
        for code in sorted(self.codes):
            if code in DERIVED_FINDING_LABELS:
                raise ValueError(
                    f"Finding '{code}' is recorded through pregnancy_status, not as a code."
                )
            if code not in FINDING_LABELS:
                raise ValueError(f"Unknown finding '{code}'. Known findings: see FINDING_LABELS.")
        _check_range(
            "Systolic blood pressure at rest",
            self.systolic_at_rest_mmhg,
            SYSTOLIC_PLAUSIBLE_MMHG,
            "mmHg",
        )
        _check_range(
            "Diastolic blood pressure at rest",
            self.diastolic_at_rest_mmhg,
            DIASTOLIC_PLAUSIBLE_MMHG,
            "mmHg",
        )
        _check_range(
            "Heart rate at rest", self.heart_rate_at_rest_bpm, HEART_RATE_PLAUSIBLE_BPM, "bpm"
        )
        systolic, diastolic = self.systolic_at_rest_mmhg, self.diastolic_at_rest_mmhg
        if (systolic is None) != (diastolic is None):
            raise ValueError(
                "Blood pressure at rest needs both systolic and diastolic values, or neither."
            )
        if systolic is not None and diastolic is not None and diastolic >= systolic:
            raise ValueError(
                f"Diastolic blood pressure at rest ({diastolic} mmHg) must be lower than "
                f"systolic ({systolic} mmHg). Please check the reading."
            )
        if not isinstance(self.pregnancy_status, PregnancyStatus):
            raise ValueError(f"Unknown pregnancy status {self.pregnancy_status!r}.")

    def matchable_codes(self) -> frozenset[str]:
        """The entered codes plus those derived from pregnancy status."""
        derived: set[str] = set()
        if self.pregnancy_status is PregnancyStatus.PREGNANT:
            derived.add("pregnant")
        elif self.pregnancy_status is PregnancyStatus.UNKNOWN:
            derived.add("pregnancy_status_unknown")
        return self.codes | derived


def finding_label(code: str) -> str:
    """Plain-words label of a finding code (entered or derived)."""
    if code in FINDING_LABELS:
        return FINDING_LABELS[code]
    return DERIVED_FINDING_LABELS[code]


def known_codes() -> frozenset[str]:
    return frozenset(FINDING_LABELS) | frozenset(DERIVED_FINDING_LABELS)


def unknown_codes(codes: Iterable[str]) -> list[str]:
    known = known_codes()
    return sorted(code for code in codes if code not in known)

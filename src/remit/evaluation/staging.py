"""Treatment-resistance staging, computed from the recorded antidepressant trials. Pure.

Three results, all from the reference's section 4.3:

- ATHF-style adequacy of each trial [S80], [S80b];
- the regulatory TRD test: at least two adequate failed oral antidepressants in the current
  episode [S65], [S79];
- the Maudsley Staging Method score and category [S81].

The per-drug minimum adequate doses are not in the reference: the clinic supplies them as a
``MinimumDose`` table. How adequacy falls back without one is in ``assess_trial``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from types import MappingProxyType

# ATHF: a rating of 3 or more counts as an adequate trial [S80], [S80b].
ATHF_ADEQUATE_RATING = 3
# ATHF: a medication trial must last more than 4 weeks [S80b].
ATHF_TRIAL_MUST_EXCEED_WEEKS = Decimal(4)
# Spravato indication: inadequate response to at least two oral antidepressants in the current
# episode [S65], [S79].
REGULATORY_TRD_MIN_FAILED_TRIALS = 2


class Adherence(StrEnum):
    GOOD = "good"
    PARTIAL = "partial"
    POOR = "poor"
    UNKNOWN = "unknown"


class TrialOutcome(StrEnum):
    NO_RESPONSE = "no_response"
    PARTIAL_RESPONSE = "partial_response"
    RESPONSE = "response"
    REMISSION = "remission"
    UNKNOWN = "unknown"


class ReasonStopped(StrEnum):
    STILL_TAKING = "still_taking"
    NOT_EFFECTIVE = "not_effective"
    POOR_TOLERABILITY = "poor_tolerability"
    NON_ADHERENCE = "non_adherence"
    OTHER = "other"


class DoseAdequacy(StrEnum):
    ADEQUATE = "adequate"
    BELOW_MINIMUM = "below_minimum"
    # Neither the clinic's table nor the prescriber says the dose was adequate.
    UNKNOWN = "unknown"


# Outcomes that count as an inadequate response, i.e. a failed trial.
_FAILED_OUTCOMES = frozenset({TrialOutcome.NO_RESPONSE, TrialOutcome.PARTIAL_RESPONSE})
# ATHF: subtract one point for stopping early due to poor tolerability or non-adherence [S80b].
_EARLY_STOP_REASONS = frozenset({ReasonStopped.POOR_TOLERABILITY, ReasonStopped.NON_ADHERENCE})


def _decimal(name: str, value: Decimal | int) -> Decimal:
    # Floats would carry binary rounding into clinical records; ints are exact, so accept them.
    if isinstance(value, bool) or not isinstance(value, Decimal | int):
        raise ValueError(f"{name} must be a Decimal or whole number, not {value!r}.")
    number = Decimal(value)
    if not number.is_finite():
        raise ValueError(f"{name} must be a number, not {value!r}.")
    return number


@dataclass(frozen=True)
class AntidepressantTrial:
    drug: str
    daily_dose_mg: Decimal
    duration_weeks: Decimal
    adherence: Adherence
    outcome: TrialOutcome
    reason_stopped: ReasonStopped
    in_current_episode: bool
    # e.g. "lithium", "aripiprazole"; None when the trial was not augmented.
    augmentation: str | None = None
    # The regulatory TRD test counts oral antidepressants only.
    oral: bool = True
    # The prescriber's own judgement of the dose; used when the clinic's table lacks the drug,
    # and a "no" always wins (see assess_trial).
    prescriber_marked_dose_adequate: bool | None = None

    def __post_init__(self) -> None:
        if not self.drug.strip():
            raise ValueError("Antidepressant trial: the drug name is missing.")
        dose = _decimal("Daily dose (mg)", self.daily_dose_mg)
        if dose <= 0:
            raise ValueError(
                f"Daily dose of {self.drug} must be more than 0 mg, not {self.daily_dose_mg} mg."
            )
        weeks = _decimal("Trial duration (weeks)", self.duration_weeks)
        if weeks < 0:
            raise ValueError(
                f"Duration of the {self.drug} trial cannot be negative "
                f"({self.duration_weeks} weeks)."
            )
        object.__setattr__(self, "daily_dose_mg", dose)
        object.__setattr__(self, "duration_weeks", weeks)
        for name, enum in (
            ("adherence", Adherence),
            ("outcome", TrialOutcome),
            ("reason_stopped", ReasonStopped),
        ):
            if not isinstance(getattr(self, name), enum):
                raise ValueError(f"Unknown {name.replace('_', ' ')} {getattr(self, name)!r}.")


@dataclass(frozen=True)
class MinimumDose:
    """The clinic's minimum adequate daily dose for one antidepressant."""

    minimum_daily_dose_mg: Decimal
    source: str
    confirmed: bool

    def __post_init__(self) -> None:
        if _decimal("Minimum daily dose (mg)", self.minimum_daily_dose_mg) <= 0:
            raise ValueError("A minimum adequate dose must be more than 0 mg.")
        if not self.source.strip():
            raise ValueError("A minimum adequate dose needs a source (e.g. the clinic protocol).")


# The reference gives no per-drug minimum doses, so Remit ships none: every trial's dose counts
# as adequate only when the prescriber marks it so, until the medical director fills this in.
DEFAULT_MINIMUM_DOSES: Mapping[str, MinimumDose] = MappingProxyType({})


def normalise_drug(drug: str) -> str:
    return " ".join(drug.lower().split())


@dataclass(frozen=True)
class TrialAssessment:
    trial: AntidepressantTrial
    dose_adequacy: DoseAdequacy
    athf_rating: int
    adequate: bool
    failed: bool
    explanation: tuple[str, ...]


def _dose_adequacy(
    trial: AntidepressantTrial, minimum_doses: Mapping[str, MinimumDose]
) -> tuple[DoseAdequacy, str]:
    if trial.prescriber_marked_dose_adequate is False:
        return DoseAdequacy.BELOW_MINIMUM, "The prescriber marked the dose as not adequate."
    minimum = minimum_doses.get(normalise_drug(trial.drug))
    if minimum is not None:
        if trial.daily_dose_mg >= minimum.minimum_daily_dose_mg:
            return DoseAdequacy.ADEQUATE, (
                f"{trial.daily_dose_mg} mg/day reaches the clinic's minimum of "
                f"{minimum.minimum_daily_dose_mg} mg/day ({minimum.source})."
            )
        return DoseAdequacy.BELOW_MINIMUM, (
            f"{trial.daily_dose_mg} mg/day is below the clinic's minimum of "
            f"{minimum.minimum_daily_dose_mg} mg/day ({minimum.source})."
        )
    if trial.prescriber_marked_dose_adequate:
        return DoseAdequacy.ADEQUATE, "The prescriber marked the dose as adequate."
    return DoseAdequacy.UNKNOWN, (
        f"The clinic's dose table has no minimum for {trial.drug} and the prescriber has not "
        "marked the dose adequate, so the trial does not count as adequate."
    )


def assess_trial(
    trial: AntidepressantTrial, *, minimum_doses: Mapping[str, MinimumDose]
) -> TrialAssessment:
    """ATHF-style rating of one trial.

    Dose first: a prescriber's "not adequate" always wins; then the clinic's table; then a
    prescriber's "adequate"; otherwise the dose is unknown and the trial is not adequate (so an
    unrecorded dose can never push a patient over the TRD line). Then:
    inadequate or unknown dose → 1; adequate dose for 4 weeks or less → 2; adequate dose for more
    than 4 weeks → 3; minus one for stopping early due to poor tolerability or non-adherence
    [S80b]. Adequate means a rating of 3 or more [S80], [S80b].
    """
    adequacy, dose_note = _dose_adequacy(trial, minimum_doses)
    notes = [dose_note]
    if adequacy is not DoseAdequacy.ADEQUATE:
        rating = 1
    elif trial.duration_weeks > ATHF_TRIAL_MUST_EXCEED_WEEKS:
        rating = 3
        notes.append(f"It lasted {trial.duration_weeks} weeks, more than 4 weeks.")
    else:
        rating = 2
        notes.append(f"It lasted {trial.duration_weeks} weeks; an adequate trial lasts over 4.")
    if trial.reason_stopped in _EARLY_STOP_REASONS or trial.adherence is Adherence.POOR:
        rating = max(rating - 1, 0)
        notes.append("One point off for stopping early or poor adherence.")
    adequate = rating >= ATHF_ADEQUATE_RATING
    failed = adequate and trial.outcome in _FAILED_OUTCOMES
    return TrialAssessment(
        trial=trial,
        dose_adequacy=adequacy,
        athf_rating=rating,
        adequate=adequate,
        failed=failed,
        explanation=tuple(notes),
    )


@dataclass(frozen=True)
class TrdTest:
    met: bool
    adequate_failed_oral_in_current_episode: int
    required: int
    counted_drugs: tuple[str, ...]
    explanation: str
    source: str = "[S65], [S79]"


def regulatory_trd(assessments: Iterable[TrialAssessment]) -> TrdTest:
    """At least two adequate failed oral antidepressants in the current episode [S65], [S79]."""
    counted = tuple(
        a.trial.drug
        for a in assessments
        if a.failed and a.trial.oral and a.trial.in_current_episode
    )
    met = len(counted) >= REGULATORY_TRD_MIN_FAILED_TRIALS
    verdict = "meets" if met else "does not meet"
    return TrdTest(
        met=met,
        adequate_failed_oral_in_current_episode=len(counted),
        required=REGULATORY_TRD_MIN_FAILED_TRIALS,
        counted_drugs=counted,
        explanation=(
            f"{len(counted)} adequate failed oral antidepressant trial(s) in this episode; "
            f"the test needs at least {REGULATORY_TRD_MIN_FAILED_TRIALS}, so it {verdict} "
            "the regulatory definition of treatment-resistant depression."
        ),
    )


class EpisodeSeverity(StrEnum):
    SUBSYNDROMAL = "subsyndromal"
    MILD = "mild"
    MODERATE = "moderate"
    SEVERE_WITHOUT_PSYCHOSIS = "severe_without_psychosis"
    SEVERE_WITH_PSYCHOSIS = "severe_with_psychosis"


# Maudsley severity at baseline: subsyndromal 1 … severe with psychosis 5 [S81].
MAUDSLEY_SEVERITY_POINTS: Mapping[EpisodeSeverity, int] = MappingProxyType(
    {
        EpisodeSeverity.SUBSYNDROMAL: 1,
        EpisodeSeverity.MILD: 2,
        EpisodeSeverity.MODERATE: 3,
        EpisodeSeverity.SEVERE_WITHOUT_PSYCHOSIS: 4,
        EpisodeSeverity.SEVERE_WITH_PSYCHOSIS: 5,
    }
)
# Maudsley duration: ≤12 months = 1; 13–24 months = 2; >24 months = 3 [S81].
MAUDSLEY_DURATION_ONE_POINT_UP_TO_MONTHS = 12
MAUDSLEY_DURATION_TWO_POINTS_UP_TO_MONTHS = 24


class MaudsleyCategory(StrEnum):
    # Categories: mild 3–6; moderate 7–10; severe 11–15 [S81].
    MILD = "mild"
    MODERATE = "moderate"
    SEVERE = "severe"


_MAUDSLEY_CATEGORY_UPPER_BOUNDS = (
    (6, MaudsleyCategory.MILD),
    (10, MaudsleyCategory.MODERATE),
    (15, MaudsleyCategory.SEVERE),
)


@dataclass(frozen=True)
class CountBand:
    lowest: int
    # None: no upper end.
    highest: int | None
    points: int


@dataclass(frozen=True)
class AntidepressantLevels:
    """Maudsley points for the number of failed antidepressants, as a table the clinic can edit."""

    bands: tuple[CountBand, ...]
    source: str
    confirmed: bool

    def __post_init__(self) -> None:
        expected_lowest = 1
        for index, band in enumerate(self.bands):
            if band.lowest != expected_lowest:
                raise ValueError(
                    f"Antidepressant levels must run on without gaps; a band should start at "
                    f"{expected_lowest}, not {band.lowest}."
                )
            if not 1 <= band.points <= 5:
                raise ValueError("Maudsley antidepressant points run from 1 to 5.")
            last = index == len(self.bands) - 1
            if band.highest is None:
                if not last:
                    raise ValueError("Only the last antidepressant band may be open-ended.")
                return
            if band.highest < band.lowest:
                raise ValueError(f"Band {band.lowest}–{band.highest} is empty.")
            expected_lowest = band.highest + 1
        raise ValueError("The last antidepressant band must be open-ended (highest: None).")

    def points_for(self, failed_antidepressants: int) -> int:
        for band in self.bands:
            if failed_antidepressants >= band.lowest and (
                band.highest is None or failed_antidepressants <= band.highest
            ):
                return band.points
        raise ValueError(
            "The Maudsley Staging Method scores from one failed antidepressant upward; "
            f"{failed_antidepressants} were recorded."
        )


# Antidepressant levels 1–2 = 1, 3–4 = 2, 5–6 = 3, 7–10 = 4, >10 = 5: the reference marks this
# breakdown UNCONFIRMED [S81], so it ships unconfirmed and the clinic may replace it.
DEFAULT_MAUDSLEY_ANTIDEPRESSANT_LEVELS = AntidepressantLevels(
    bands=(
        CountBand(1, 2, 1),
        CountBand(3, 4, 2),
        CountBand(5, 6, 3),
        CountBand(7, 10, 4),
        CountBand(11, None, 5),
    ),
    source="[S81] (antidepressant sub-levels UNCONFIRMED in the clinical reference)",
    confirmed=False,
)


@dataclass(frozen=True)
class MaudsleyStage:
    duration_points: int
    severity_points: int
    antidepressant_points: int
    augmentation_points: int
    ect_points: int
    total: int
    category: MaudsleyCategory
    # False while the antidepressant levels in use are unconfirmed.
    confirmed: bool
    source: str


def _whole_number(name: str, value: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"{name} must be a whole number, not {value!r}.")
    if value < 0:
        raise ValueError(f"{name} cannot be negative ({value}).")
    return value


def maudsley_stage(
    *,
    episode_duration_months: int,
    severity: EpisodeSeverity,
    failed_antidepressants: int,
    augmentation_used: bool,
    ect_used: bool,
    antidepressant_levels: AntidepressantLevels = DEFAULT_MAUDSLEY_ANTIDEPRESSANT_LEVELS,
) -> MaudsleyStage:
    """Maudsley Staging Method score (3–15) and category [S81].

    Needs at least one failed antidepressant: the method stages treatment resistance, and its
    treatment-failure component starts at one point.
    """
    months = _whole_number("Episode duration (months)", episode_duration_months)
    failed = _whole_number("Failed antidepressants", failed_antidepressants)
    if not isinstance(severity, EpisodeSeverity):
        raise ValueError(f"Unknown episode severity {severity!r}.")
    if months <= MAUDSLEY_DURATION_ONE_POINT_UP_TO_MONTHS:
        duration_points = 1
    elif months <= MAUDSLEY_DURATION_TWO_POINTS_UP_TO_MONTHS:
        duration_points = 2
    else:
        duration_points = 3
    severity_points = MAUDSLEY_SEVERITY_POINTS[severity]
    # Augmentation used = 1; ECT used = 1 [S81].
    antidepressant_points = antidepressant_levels.points_for(failed)
    augmentation_points = 1 if augmentation_used else 0
    ect_points = 1 if ect_used else 0
    total = (
        duration_points + severity_points + antidepressant_points + augmentation_points + ect_points
    )
    category = next(c for upper, c in _MAUDSLEY_CATEGORY_UPPER_BOUNDS if total <= upper)
    return MaudsleyStage(
        duration_points=duration_points,
        severity_points=severity_points,
        antidepressant_points=antidepressant_points,
        augmentation_points=augmentation_points,
        ect_points=ect_points,
        total=total,
        category=category,
        confirmed=antidepressant_levels.confirmed,
        source=f"[S81]; antidepressant levels: {antidepressant_levels.source}",
    )


@dataclass(frozen=True)
class TreatmentResistance:
    """Everything staging computes for one evaluation."""

    assessments: tuple[TrialAssessment, ...]
    adequate_failed_trials: int
    adequate_failed_in_current_episode: int
    # Trials with no or partial response, adequate or not: for the plain-words history.
    trials_without_response: int
    trd: TrdTest
    # None when no adequate trial has failed in this episode: the method does not apply yet.
    maudsley: MaudsleyStage | None


def stage_treatment_resistance(
    trials: Iterable[AntidepressantTrial],
    *,
    minimum_doses: Mapping[str, MinimumDose],
    episode_duration_months: int,
    severity: EpisodeSeverity,
    ect_used: bool,
    augmentation_used: bool | None = None,
    antidepressant_levels: AntidepressantLevels = DEFAULT_MAUDSLEY_ANTIDEPRESSANT_LEVELS,
) -> TreatmentResistance:
    """Assess every trial, run the TRD test and stage the current episode.

    ``augmentation_used`` defaults to whether any current-episode trial was augmented.
    """
    trial_list = list(trials)
    assessments = tuple(assess_trial(t, minimum_doses=minimum_doses) for t in trial_list)
    current_failed = [a for a in assessments if a.failed and a.trial.in_current_episode]
    if augmentation_used is None:
        augmentation_used = any(t.augmentation for t in trial_list if t.in_current_episode)
    maudsley = None
    if current_failed:
        maudsley = maudsley_stage(
            episode_duration_months=episode_duration_months,
            severity=severity,
            failed_antidepressants=len(current_failed),
            augmentation_used=augmentation_used,
            ect_used=ect_used,
            antidepressant_levels=antidepressant_levels,
        )
    else:
        # Still validate the inputs, so bad data is refused even before the first failure.
        _whole_number("Episode duration (months)", episode_duration_months)
    return TreatmentResistance(
        assessments=assessments,
        adequate_failed_trials=sum(1 for a in assessments if a.failed),
        adequate_failed_in_current_episode=len(current_failed),
        trials_without_response=sum(1 for a in assessments if a.trial.outcome in _FAILED_OUTCOMES),
        trd=regulatory_trd(assessments),
        maudsley=maudsley,
    )

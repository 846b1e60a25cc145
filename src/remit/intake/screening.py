"""The public self-screen: answers in, a plain-language result out. Pure.

The result says which treatments *may* fit and why, with sources; it never says a treatment is
right for someone, because a clinician decides. Any sign of acute suicide risk makes the result
urgent and puts crisis resources first.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import StrEnum

# PHQ-9 ≥ 10: sensitivity 88%, specificity 88% for major depression [S1]. Used so someone who
# scores there without ticking "depression" is still told which treatments may fit.
PHQ9_DEPRESSION_CUTOFF = 10
# Esketamine's label, and the regulatory TRD definition: at least two antidepressants tried in
# the current episode [S65], [S79].
ANTIDEPRESSANTS_FOR_TREATMENT_RESISTANCE = 2
# TMS devices are cleared for depression "not helped by prior antidepressants" [S102]: one or more.
ANTIDEPRESSANTS_FOR_TMS_CLEARANCE = 1
# PHQ-9 item 9 above 0 calls for clinician review and a suicide assessment [S9], [S10], [S11].
# Used only when remit.measures (which carries this rule with the instrument) is unavailable.
_PHQ9_ITEM9_INDEX = 8
_ANSWER_RANGE = (0, 3)  # PHQ-9 and GAD-7 answers [S1], [S13]
_TOTAL_MAXIMUM = {"phq9": 27, "gad7": 21}  # [S1], [S13]
_TITLE = {"phq9": "PHQ-9", "gad7": "GAD-7"}
_ITEM_COUNT = {"phq9": 9, "gad7": 7}  # [S1], [S13]; the PHQ-9 may carry a 10th unscored item

CLINICIAN_DECIDES = (
    "This screen cannot tell you which treatment is right for you. A clinician decides, after "
    "a full evaluation of your health and history."
)


class Condition(StrEnum):
    DEPRESSION = "depression"
    ANXIETY = "anxiety"
    OCD = "ocd"
    PTSD = "ptsd"
    BIPOLAR_DEPRESSION = "bipolar_depression"
    CHRONIC_PAIN = "chronic_pain"


class Symptom(StrEnum):
    SADNESS = "sadness"
    LOW_ENERGY = "low_energy"
    POOR_SLEEP = "poor_sleep"
    POOR_CONCENTRATION = "poor_concentration"
    APPETITE_CHANGE = "appetite_change"
    IRRITABILITY = "irritability"


class ClinicianSuggested(StrEnum):
    KETAMINE = "ketamine"
    TMS = "tms"
    NONE = "none"


class Treatment(StrEnum):
    KETAMINE = "ketamine"
    ESKETAMINE = "esketamine"
    TMS = "tms"


TREATMENT_NAMES: dict[Treatment, str] = {
    Treatment.KETAMINE: "Ketamine",
    Treatment.ESKETAMINE: "Esketamine (Spravato nasal spray)",
    Treatment.TMS: "TMS (transcranial magnetic stimulation)",
}


@dataclass(frozen=True)
class CrisisResource:
    name: str
    how_to_reach: str
    region: str


# The default for a US clinic; a clinic elsewhere passes its own list to screen_result.
DEFAULT_CRISIS_RESOURCES: tuple[CrisisResource, ...] = (
    CrisisResource(
        name="988 Suicide & Crisis Lifeline",
        how_to_reach="Call or text 988, or chat at 988lifeline.org, any time of day or night.",
        region="US",
    ),
    CrisisResource(
        name="Emergency services",
        how_to_reach=(
            "If you are in immediate danger, call 911 or go to the nearest emergency room."
        ),
        region="US",
    ),
)


def _check_answers(code: str, answers: tuple[int, ...] | None) -> None:
    if answers is None:
        return
    count = _ITEM_COUNT[code]
    if len(answers) not in (count, count + 1 if code == "phq9" else count):
        raise ValueError(f"The {_TITLE[code]} needs {count} answers; got {len(answers)}.")
    low, high = _ANSWER_RANGE
    for number, value in enumerate(answers, start=1):
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            raise ValueError(
                f"{_TITLE[code]} question {number}: answer must be 0–3, not {value!r}."
            )


def _check_total(code: str, total: int | None) -> None:
    if total is None:
        return
    if (
        isinstance(total, bool)
        or not isinstance(total, int)
        or not 0 <= total <= _TOTAL_MAXIMUM[code]
    ):
        raise ValueError(f"{_TITLE[code]} total must be 0–{_TOTAL_MAXIMUM[code]}, not {total!r}.")


@dataclass(frozen=True)
class ScreenAnswers:
    conditions: frozenset[Condition] = field(default_factory=frozenset)
    symptoms: frozenset[Symptom] = field(default_factory=frozenset)
    antidepressants_tried: int = 0
    talk_therapy_tried: bool = False
    clinician_suggested: ClinicianSuggested = ClinicianSuggested.NONE
    # Item answers in published order (0–3 each); preferred over totals, since only the answers
    # show PHQ-9 item 9.
    phq9_answers: tuple[int, ...] | None = None
    gad7_answers: tuple[int, ...] | None = None
    # Totals, for a person who took the questionnaire elsewhere.
    phq9_total: int | None = None
    gad7_total: int | None = None
    # "Have you had thoughts of ending your life?" None when not asked.
    thoughts_of_ending_life: bool | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "conditions", frozenset(Condition(c) for c in self.conditions))
        object.__setattr__(self, "symptoms", frozenset(Symptom(s) for s in self.symptoms))
        object.__setattr__(
            self, "clinician_suggested", ClinicianSuggested(self.clinician_suggested)
        )
        tried = self.antidepressants_tried
        if isinstance(tried, bool) or not isinstance(tried, int) or tried < 0:
            raise ValueError(f"Number of antidepressants tried must be 0 or more, not {tried!r}.")
        for code in ("phq9", "gad7"):
            answers = getattr(self, f"{code}_answers")
            if answers is not None:
                object.__setattr__(self, f"{code}_answers", tuple(answers))
            total = getattr(self, f"{code}_total")
            if answers is not None and total is not None:
                raise ValueError(f"Give the {_TITLE[code]} answers or its total, not both.")
            _check_answers(code, getattr(self, f"{code}_answers"))
            _check_total(code, total)


@dataclass(frozen=True)
class QuestionnaireResult:
    instrument: str
    total: int | None
    # Published band, e.g. "moderate"; None when it could not be scored here.
    severity: str | None
    # Item-level alerts in plain words (e.g. PHQ-9 item 9).
    alerts: tuple[str, ...]


@dataclass(frozen=True)
class TreatmentFit:
    treatment: Treatment
    name: str
    may_fit: bool
    reasons: tuple[str, ...]


@dataclass(frozen=True)
class ScreenResult:
    urgent: bool
    urgent_reasons: tuple[str, ...]
    # Shown at once when urgent; empty otherwise.
    crisis_resources: tuple[CrisisResource, ...]
    fits: tuple[TreatmentFit, ...]
    phq9: QuestionnaireResult | None
    gad7: QuestionnaireResult | None
    summary: str
    clinician_decides: str = CLINICIAN_DECIDES

    def fit(self, treatment: Treatment) -> TreatmentFit:
        return next(f for f in self.fits if f.treatment is treatment)


def _score(code: str, answers: Sequence[int]) -> QuestionnaireResult:
    """Score with remit.measures when it is installed; the one place that depends on it."""
    title = _TITLE[code]
    try:
        from remit.measures import score
    except ImportError:
        # Without the measures code we cannot band the total, but must still see item 9.
        alerts: tuple[str, ...] = ()
        if code == "phq9" and answers[_PHQ9_ITEM9_INDEX] > 0:
            alerts = ("PHQ-9 item 9 (thoughts of being better off dead or of self-harm)",)
        return QuestionnaireResult(title, sum(answers[: _ITEM_COUNT[code]]), None, alerts)
    result = score(code, list(answers))
    return QuestionnaireResult(
        title, result.total, result.severity, tuple(str(alert) for alert in result.alerts)
    )


def _from_total(code: str, total: int) -> QuestionnaireResult:
    return QuestionnaireResult(_TITLE[code], total, None, ())


def _questionnaire(
    code: str, answers: tuple[int, ...] | None, total: int | None
) -> QuestionnaireResult | None:
    if answers is not None:
        return _score(code, answers)
    if total is not None:
        return _from_total(code, total)
    return None


def _plural(count: int) -> str:
    return "antidepressant" if count == 1 else "antidepressants"


def _fits(answers: ScreenAnswers, depression: bool) -> tuple[TreatmentFit, ...]:
    tried = answers.antidepressants_tried
    you_tried = f"You told us you have tried {tried} {_plural(tried)}."
    resistant = tried >= ANTIDEPRESSANTS_FOR_TREATMENT_RESISTANCE
    bipolar = Condition.BIPOLAR_DEPRESSION in answers.conditions
    ocd = Condition.OCD in answers.conditions
    no_research = (
        "The research our clinic relies on does not cover the conditions you chose for this "
        "treatment. A clinician can still talk with you about your options."
    )

    esketamine: list[str] = []
    if depression and resistant:
        esketamine.append(
            "Esketamine is approved for depression that has not got better after at least two "
            f"antidepressants in the current episode [S65]. {you_tried}"
        )
    elif depression:
        esketamine.append(
            "Esketamine's approval needs at least two antidepressants tried in the current "
            f"episode [S65]. {you_tried}"
        )
    else:
        esketamine.append(no_research)

    ketamine: list[str] = []
    if depression and resistant:
        ketamine.append(
            "Ketamine is used for depression outside its licence. In studies of people whose "
            "depression had not improved with antidepressants, 59–71% responded after 6 "
            f"infusions [S46], [S29]. {you_tried}"
        )
    elif depression:
        ketamine.append(
            "Studies of ketamine for depression were in people whose depression had not "
            f"improved with antidepressants [S29], [S46]. {you_tried}"
        )
    if bipolar:
        ketamine.append("Ketamine has been studied for bipolar depression in research [S78].")
    if not ketamine:
        ketamine.append(no_research)

    tms: list[str] = []
    if depression and tried >= ANTIDEPRESSANTS_FOR_TMS_CLEARANCE:
        tms.append(
            "TMS devices are cleared for major depression that prior antidepressants did not "
            f"help [S102]. {you_tried}"
        )
    elif depression:
        tms.append(
            "TMS devices are cleared for depression that prior antidepressants did not help "
            f"[S102]. {you_tried}"
        )
    if ocd:
        tms.append("One TMS device is cleared as an add-on treatment for OCD [S104].")
    if not tms:
        tms.append(no_research)

    suggested = answers.clinician_suggested
    if suggested is ClinicianSuggested.KETAMINE:
        note = "A clinician suggested ketamine to you; we will discuss that at your consultation."
        ketamine.append(note)
        esketamine.append(note)
    elif suggested is ClinicianSuggested.TMS:
        tms.append("A clinician suggested TMS to you; we will discuss that at your consultation.")

    return (
        TreatmentFit(
            Treatment.KETAMINE,
            TREATMENT_NAMES[Treatment.KETAMINE],
            (depression and resistant) or bipolar,
            tuple(ketamine),
        ),
        TreatmentFit(
            Treatment.ESKETAMINE,
            TREATMENT_NAMES[Treatment.ESKETAMINE],
            depression and resistant,
            tuple(esketamine),
        ),
        TreatmentFit(
            Treatment.TMS,
            TREATMENT_NAMES[Treatment.TMS],
            (depression and tried >= ANTIDEPRESSANTS_FOR_TMS_CLEARANCE) or ocd,
            tuple(tms),
        ),
    )


def screen_result(
    answers: ScreenAnswers,
    *,
    crisis_resources: tuple[CrisisResource, ...] = DEFAULT_CRISIS_RESOURCES,
) -> ScreenResult:
    """The self-screen's result page, in plain words. Raises ValueError on unscorable answers."""
    if not crisis_resources:
        raise ValueError("A clinic must list at least one crisis resource.")
    phq9 = _questionnaire("phq9", answers.phq9_answers, answers.phq9_total)
    gad7 = _questionnaire("gad7", answers.gad7_answers, answers.gad7_total)

    urgent_reasons: list[str] = []
    if answers.thoughts_of_ending_life:
        urgent_reasons.append("You told us you have had thoughts of ending your life.")
    if phq9 is not None and phq9.alerts:
        urgent_reasons.append(
            "Your answer to the PHQ-9 question about thoughts of being better off dead or of "
            "hurting yourself needs a clinician's attention [S9], [S10], [S11]."
        )
    urgent = bool(urgent_reasons)

    depression = Condition.DEPRESSION in answers.conditions or (
        phq9 is not None and phq9.total is not None and phq9.total >= PHQ9_DEPRESSION_CUTOFF
    )
    fits = _fits(answers, depression)
    may_fit = [fit.name for fit in fits if fit.may_fit]
    if may_fit:
        summary = (
            "From your answers, these treatments may fit: "
            + ", ".join(may_fit)
            + ". "
            + CLINICIAN_DECIDES
        )
    else:
        summary = (
            "From your answers we cannot say that one of these treatments fits. "
            "A consultation can still help you understand your options. " + CLINICIAN_DECIDES
        )
    if urgent:
        summary = (
            "Please reach out for help now: you do not have to wait for a consultation. " + summary
        )
    return ScreenResult(
        urgent=urgent,
        urgent_reasons=tuple(urgent_reasons),
        crisis_resources=crisis_resources if urgent else (),
        fits=fits,
        phq9=phq9,
        gad7=gad7,
        summary=summary,
    )

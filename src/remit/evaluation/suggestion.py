"""Suggests modalities from the rule findings, staging, diagnosis and the patient's wishes. Pure.

This is a suggestion for the prescriber, who decides. Every reason names its source in the
clinical reference; where the reference has no evidence for a situation the modality is marked
"outside the evidence" rather than guessed at.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum

from remit.evaluation.rules import Modality, RuleFinding, Severity
from remit.evaluation.staging import TreatmentResistance

PRESCRIBER_DECIDES = (
    "This is a suggestion to support the prescriber's decision, not a decision. "
    "The prescriber decides and signs."
)


class DiagnosisGroup(StrEnum):
    MAJOR_DEPRESSION = "major_depression"
    # MDD with acute suicidal ideation or behaviour: a separate esketamine indication.
    MAJOR_DEPRESSION_WITH_SUICIDAL_IDEATION = "major_depression_with_suicidal_ideation"
    BIPOLAR_DEPRESSION = "bipolar_depression"
    OCD = "ocd"
    # Anxiety, PTSD, chronic pain and the rest: the reference has no indication data for these.
    OTHER = "other"


class SuggestionStatus(StrEnum):
    SUGGESTED = "suggested"
    # Fits, but there are relative findings or only limited evidence to weigh.
    NEEDS_CONSIDERATION = "needs_consideration"
    # The reference gives no label, clearance or study for this situation.
    OUTSIDE_EVIDENCE = "outside_evidence"
    DECLINED = "declined"
    # An absolute contraindication.
    RULED_OUT = "ruled_out"


class _Evidence(StrEnum):
    FITS = "fits"
    LIMITED = "limited"
    NONE = "none"


# Order among equally suitable options: labelled or cleared treatments first, then ketamine
# routes from the best-supported (IV [S51], [S52]) to the least studied.
DEFAULT_ORDER: tuple[Modality, ...] = (
    Modality.ESKETAMINE,
    Modality.TMS,
    Modality.IV_KETAMINE,
    Modality.IM_KETAMINE,
    Modality.SUBLINGUAL_KETAMINE,
    Modality.ORAL_KETAMINE,
)

_DEPRESSION = frozenset(
    {DiagnosisGroup.MAJOR_DEPRESSION, DiagnosisGroup.MAJOR_DEPRESSION_WITH_SUICIDAL_IDEATION}
)
_NO_EVIDENCE = (
    "The clinical reference has no label, clearance or study of this treatment for this diagnosis."
)


@dataclass(frozen=True)
class Preferences:
    preferred: frozenset[Modality] = field(default_factory=frozenset)
    declined: frozenset[Modality] = field(default_factory=frozenset)

    def __post_init__(self) -> None:
        both = sorted(self.preferred & self.declined)
        if both:
            raise ValueError(f"A treatment cannot be both preferred and declined: {both}.")


@dataclass(frozen=True)
class ModalityAssessment:
    modality: Modality
    status: SuggestionStatus
    reasons: tuple[str, ...]
    absolute_findings: tuple[RuleFinding, ...]
    relative_findings: tuple[RuleFinding, ...]


@dataclass(frozen=True)
class Suggestion:
    # Best first; empty when nothing fits.
    suggested: tuple[Modality, ...]
    assessments: tuple[ModalityAssessment, ...]
    notice: str = PRESCRIBER_DECIDES

    def assessment(self, modality: Modality) -> ModalityAssessment:
        return next(a for a in self.assessments if a.modality is modality)

    def ruled_out(self) -> tuple[ModalityAssessment, ...]:
        return tuple(a for a in self.assessments if a.status is SuggestionStatus.RULED_OUT)


def _esketamine(diagnosis: DiagnosisGroup, staging: TreatmentResistance) -> tuple[_Evidence, str]:
    if diagnosis is DiagnosisGroup.MAJOR_DEPRESSION_WITH_SUICIDAL_IDEATION:
        return _Evidence.FITS, (
            "Labelled for depressive symptoms in adults with major depression and acute suicidal "
            "ideation or behaviour, with an oral antidepressant [S54], [S66]."
        )
    if diagnosis in _DEPRESSION and staging.trd.met:
        return _Evidence.FITS, (
            "Labelled for treatment-resistant depression in adults, alone or with an oral "
            f"antidepressant [S65]; {staging.trd.explanation}"
        )
    if diagnosis in _DEPRESSION:
        return _Evidence.NONE, f"Outside the label: {staging.trd.explanation} [S65], [S79]"
    return _Evidence.NONE, (
        "Outside the label: esketamine is labelled for treatment-resistant depression and for "
        "major depression with acute suicidal ideation [S54], [S65]."
    )


def _tms(diagnosis: DiagnosisGroup, staging: TreatmentResistance) -> tuple[_Evidence, str]:
    if diagnosis is DiagnosisGroup.OCD:
        return _Evidence.FITS, "A TMS device is cleared as an add-on treatment for OCD [S104]."
    if diagnosis in _DEPRESSION and staging.adequate_failed_trials >= 1:
        return _Evidence.FITS, (
            "TMS is cleared for major depression not helped by prior antidepressants [S102]; "
            f"{staging.adequate_failed_trials} adequate failed trial(s) recorded."
        )
    if diagnosis in _DEPRESSION:
        return _Evidence.NONE, (
            "TMS clearance is for depression not helped by prior antidepressants [S102]; "
            "no adequate failed antidepressant trial is recorded."
        )
    return _Evidence.NONE, _NO_EVIDENCE


def _racemic(
    modality: Modality, diagnosis: DiagnosisGroup, staging: TreatmentResistance
) -> tuple[_Evidence, str]:
    off_label = "Off-label for depression. "
    if diagnosis is DiagnosisGroup.BIPOLAR_DEPRESSION:
        if modality is Modality.IV_KETAMINE:
            return _Evidence.LIMITED, (
                off_label + "Studied in bipolar depression only in small research trials "
                "[S78], [S91], [S92]."
            )
        if modality is Modality.SUBLINGUAL_KETAMINE:
            return _Evidence.LIMITED, (
                off_label + "One small case series included refractory bipolar depression [S63]."
            )
        return _Evidence.NONE, _NO_EVIDENCE
    if diagnosis not in _DEPRESSION:
        return _Evidence.NONE, _NO_EVIDENCE
    if not staging.trd.met:
        return _Evidence.NONE, (
            off_label + "The studies enrolled treatment-resistant depression [S29], [S46]; "
            f"{staging.trd.explanation}"
        )
    if modality is Modality.IV_KETAMINE:
        return _Evidence.FITS, (
            off_label + "0.5 mg/kg over 40 minutes is the best-supported regimen [S51], [S52]; "
            "59–71% responded after 6 infusions in trials [S46], [S29]."
        )
    if modality is Modality.IM_KETAMINE:
        return _Evidence.LIMITED, (
            off_label + "Supported by one small randomised study (27 patients) [S60]."
        )
    if modality is Modality.ORAL_KETAMINE:
        return _Evidence.LIMITED, off_label + "Oral ketamine is regarded as experimental [S61]."
    return _Evidence.LIMITED, off_label + "Supported by one small case series [S63]."


def _evidence(
    modality: Modality, diagnosis: DiagnosisGroup, staging: TreatmentResistance
) -> tuple[_Evidence, str]:
    if modality is Modality.ESKETAMINE:
        return _esketamine(diagnosis, staging)
    if modality is Modality.TMS:
        return _tms(diagnosis, staging)
    return _racemic(modality, diagnosis, staging)


def _assess(
    modality: Modality,
    findings: Sequence[RuleFinding],
    diagnosis: DiagnosisGroup,
    staging: TreatmentResistance,
    preferences: Preferences,
) -> ModalityAssessment:
    absolute = tuple(f for f in findings if f.severity is Severity.ABSOLUTE)
    relative = tuple(f for f in findings if f.severity is Severity.RELATIVE)
    evidence, evidence_reason = _evidence(modality, diagnosis, staging)
    reasons = [evidence_reason]
    if absolute:
        status = SuggestionStatus.RULED_OUT
        reasons.extend(f"Ruled out: {f.matched}. {f.reason} {f.source}" for f in absolute)
    elif modality in preferences.declined:
        status = SuggestionStatus.DECLINED
        reasons.append("The patient prefers not to have this treatment.")
    elif evidence is _Evidence.NONE:
        status = SuggestionStatus.OUTSIDE_EVIDENCE
    elif relative or evidence is _Evidence.LIMITED:
        status = SuggestionStatus.NEEDS_CONSIDERATION
    else:
        status = SuggestionStatus.SUGGESTED
    if status is not SuggestionStatus.RULED_OUT:
        reasons.extend(f"Needs consideration: {f.matched}. {f.reason} {f.source}" for f in relative)
    if modality in preferences.preferred:
        reasons.append("The patient would prefer this treatment.")
    return ModalityAssessment(
        modality=modality,
        status=status,
        reasons=tuple(reasons),
        absolute_findings=absolute,
        relative_findings=relative,
    )


def suggest(
    rule_findings: Mapping[Modality, Sequence[RuleFinding]],
    *,
    staging: TreatmentResistance,
    diagnosis: DiagnosisGroup,
    preferences: Preferences | None = None,
) -> Suggestion:
    """Suggested modalities (best first) and, for every modality, its status and reasons.

    ``rule_findings`` is the output of ``evaluate``; it must cover every modality, because a
    modality that was never checked must not look free of contraindications.
    """
    missing = sorted(set(Modality) - set(rule_findings))
    if missing:
        raise ValueError(f"The evaluation has no rule results for {missing}; evaluate them first.")
    preferences = preferences or Preferences()
    assessments = tuple(
        _assess(modality, rule_findings[modality], diagnosis, staging, preferences)
        for modality in DEFAULT_ORDER
    )
    open_statuses = (SuggestionStatus.SUGGESTED, SuggestionStatus.NEEDS_CONSIDERATION)
    candidates = [a for a in assessments if a.status in open_statuses]
    candidates.sort(
        key=lambda a: (
            a.modality not in preferences.preferred,
            a.status is not SuggestionStatus.SUGGESTED,
            DEFAULT_ORDER.index(a.modality),
        )
    )
    return Suggestion(suggested=tuple(a.modality for a in candidates), assessments=assessments)

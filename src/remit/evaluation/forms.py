"""Evaluation forms. Clinical limits are checked by the services (through the pure records), so
these forms only parse; a service's ValidationError lands on the named field."""

from __future__ import annotations

from typing import Any, cast

from django import forms

from remit.evaluation.models import (
    Adherence,
    Decision,
    MedicationFlag,
    ModalityChoice,
    PregnancyChoice,
    PriorTreatmentKind,
    ReasonStopped,
    SeverityChoice,
    TrialOutcome,
)
from remit.evaluation.rules import FINDING_LABELS
from remit.evaluation.rules.thresholds import DEFAULT_BLOOD_PRESSURE_LIMITS
from remit.evaluation.services import HISTORY_FINDINGS
from remit.patients.codes import diagnosis_code_choices
from remit.patients.validation import validate_height_cm, validate_weight_kg

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
NUMBER = {"inputmode": "numeric"}


class HistoryForm(forms.Form):
    finding_codes = forms.MultipleChoiceField(
        label="Medical history (findings the rules check)",
        choices=[(code, FINDING_LABELS[code]) for code in HISTORY_FINDINGS],
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    systolic_at_rest_mmhg = forms.IntegerField(
        label="Systolic BP at rest (mmHg)", required=False, widget=forms.NumberInput(NUMBER)
    )
    diastolic_at_rest_mmhg = forms.IntegerField(
        label="Diastolic BP at rest (mmHg)", required=False, widget=forms.NumberInput(NUMBER)
    )
    heart_rate_at_rest_bpm = forms.IntegerField(
        label="Heart rate at rest (bpm)", required=False, widget=forms.NumberInput(NUMBER)
    )
    pregnancy_status = forms.ChoiceField(label="Pregnancy status", choices=PregnancyChoice.choices)
    substance_use = forms.CharField(
        label="Substance use (alcohol, cannabis, other drugs)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    history_notes = forms.CharField(
        label="Other history", required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    acute_suicidal_ideation = forms.BooleanField(
        label="Major depression with acute suicidal ideation or behaviour", required=False
    )
    episode_duration_months = forms.IntegerField(
        label="Current episode: months so far", required=False, min_value=0, max_value=1200
    )
    episode_severity = forms.ChoiceField(
        label="Current episode: severity at baseline", choices=SeverityChoice.choices
    )
    preferred_modality = forms.ChoiceField(
        label="The patient's preferred treatment",
        choices=[("", "No preference")] + list(ModalityChoice.choices),
        required=False,
    )


class TrialForm(forms.Form):
    drug = forms.CharField(label="Antidepressant", max_length=100)
    daily_dose_mg = forms.DecimalField(
        label="Daily dose (mg)",
        max_digits=7,
        decimal_places=2,
        widget=forms.NumberInput({"step": "any"}),
    )
    duration_weeks = forms.DecimalField(
        label="Weeks taken",
        max_digits=5,
        decimal_places=1,
        widget=forms.NumberInput({"step": "any"}),
    )
    adherence = forms.ChoiceField(choices=Adherence.choices, initial="good")
    outcome = forms.ChoiceField(choices=TrialOutcome.choices, initial="no_response")
    reason_stopped = forms.ChoiceField(
        label="Reason stopped", choices=ReasonStopped.choices, initial="not_effective"
    )
    dose_adequate = forms.TypedChoiceField(
        label="Dose adequate?",
        choices=[("", "Not judged"), ("yes", "Yes"), ("no", "No")],
        coerce=lambda value: {"yes": True, "no": False}.get(value),
        empty_value=None,
        required=False,
        help_text="The clinic's dose table is empty until the medical director fills it in.",
    )
    augmentation = forms.CharField(label="Augmented with (if any)", max_length=100, required=False)
    in_current_episode = forms.BooleanField(
        label="In the current episode", required=False, initial=True
    )
    oral = forms.BooleanField(label="Taken by mouth", required=False, initial=True)


class PriorTreatmentForm(forms.Form):
    kind = forms.ChoiceField(label="Treatment", choices=PriorTreatmentKind.choices)
    description = forms.CharField(max_length=200, required=False)
    sessions = forms.IntegerField(min_value=0, max_value=1000, required=False)
    year = forms.IntegerField(min_value=1900, max_value=2100, required=False)
    outcome = forms.ChoiceField(choices=TrialOutcome.choices, initial="unknown")
    in_current_episode = forms.BooleanField(
        label="In the current episode", required=False, initial=True
    )


class MedicationForm(forms.Form):
    name = forms.CharField(label="Medicine", max_length=100)
    dose = forms.CharField(max_length=100, required=False)
    flag = forms.ChoiceField(
        label="Kind (REMS monitoring form)",
        choices=MedicationFlag.choices,
        required=False,
        help_text="The medicines the esketamine REMS monitoring form asks about [S72], and "
        "opioids [S73].",
    )


class DiagnosisForm(forms.Form):
    code = forms.ChoiceField(label="Diagnosis (ICD-10-CM)", choices=diagnosis_code_choices)


class BodyForm(forms.Form):
    weight_kg = forms.DecimalField(
        label="Weight (kg)", max_digits=5, decimal_places=1, validators=[validate_weight_kg]
    )
    height_cm = forms.DecimalField(
        label="Height (cm)",
        max_digits=4,
        decimal_places=1,
        required=False,
        validators=[validate_height_cm],
    )


def protocol_choices() -> list[tuple[str, str]]:
    from remit.protocols.definitions import load_library

    return [("", "—")] + [(code, p.title) for code, p in sorted(load_library().items())]


class SignForm(forms.Form):
    decision = forms.ChoiceField(choices=Decision.choices, widget=forms.RadioSelect)
    decision_modality = forms.ChoiceField(
        label="Eligible for", choices=[("", "—")] + list(ModalityChoice.choices), required=False
    )
    protocol_code = forms.ChoiceField(label="Protocol", choices=(), required=False)
    override_reason = forms.CharField(
        label="Override reason (needed when the chosen treatment has an absolute contraindication)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    decision_reason = forms.CharField(
        label="Reasons", required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    clearance_needed = forms.CharField(
        label="Clearance needed (e.g. blood-pressure control, cardiology)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    reevaluate_on = forms.DateField(label="Re-evaluate on", required=False, widget=DATE)
    signature_confirmed = forms.BooleanField(
        label="I have reviewed this evaluation and sign this decision.", required=False
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["protocol_code"]).choices = protocol_choices()


class AddendumForm(forms.Form):
    text = forms.CharField(label="Addendum", widget=forms.Textarea(attrs={"rows": 3}))


class ConsentForm(forms.Form):
    document_version = forms.CharField(label="Consent form version", max_length=40)


class RemsForm(forms.Form):
    enrolled_on = forms.DateField(label="Enrolled on", widget=DATE)
    reference = forms.CharField(label="REMS enrolment reference", max_length=60)


class BloodPressureLimitForm(forms.Form):
    name = forms.ChoiceField(
        choices=[(name, name) for name in DEFAULT_BLOOD_PRESSURE_LIMITS], widget=forms.HiddenInput
    )
    systolic_mmhg = forms.IntegerField(label="Systolic (mmHg)")
    diastolic_mmhg = forms.IntegerField(label="Diastolic (mmHg)")
    protocol = forms.CharField(label="Clinic protocol (source)", max_length=200)
    reset = forms.BooleanField(required=False, widget=forms.HiddenInput)

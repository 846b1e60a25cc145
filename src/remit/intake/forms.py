"""The public self-screen and consultation-request forms, and the coordinator's forms."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.core import signing

from remit.intake.models import ConsultationRequest, ContactMethod, HeardFrom
from remit.intake.screening import ClinicianSuggested, Condition, ScreenAnswers, Symptom
from remit.intake.transitions import STATUS_LABELS, RequestStatus
from remit.patients.models import SexAtBirth

CONDITION_LABELS = {
    Condition.DEPRESSION: "Depression",
    Condition.ANXIETY: "Anxiety",
    Condition.OCD: "OCD (obsessive-compulsive disorder)",
    Condition.PTSD: "PTSD (post-traumatic stress)",
    Condition.BIPOLAR_DEPRESSION: "Bipolar depression",
    Condition.CHRONIC_PAIN: "Chronic pain",
}
SYMPTOM_LABELS = {
    Symptom.SADNESS: "Feeling sad, empty or hopeless",
    Symptom.LOW_ENERGY: "Low energy or tiredness",
    Symptom.POOR_SLEEP: "Sleeping badly or too much",
    Symptom.POOR_CONCENTRATION: "Trouble concentrating",
    Symptom.APPETITE_CHANGE: "Changes in appetite or weight",
    Symptom.IRRITABILITY: "Irritability",
}
TRIED_CHOICES = [(0, "None"), (1, "1"), (2, "2"), (3, "3"), (4, "4"), (5, "5 or more")]
YES_NO = [("yes", "Yes"), ("no", "No")]
SCREEN_SALT = "remit.intake.screen"
# A screen carried to the request form stays valid for a day.
SCREEN_MAX_AGE_S = 24 * 3600


def _choice_field(form: forms.BaseForm, name: str) -> forms.ChoiceField:
    return cast(forms.ChoiceField, form.fields[name])


def _questionnaire_items(code: str) -> list[tuple[str, str, list[tuple[int, str]]]]:
    """(linkId, question, options) of the scored items, from remit.measures' instrument."""
    from remit.measures import get_instrument

    instrument = get_instrument(code)
    return [
        (item.link_id, item.text, [(o.value, o.label or str(o.value)) for o in item.options])
        for item in instrument.items
        if item.scored
    ]


class ScreenForm(forms.Form):
    conditions = forms.MultipleChoiceField(
        label="What are you struggling with? Choose any that apply.",
        choices=[(c.value, CONDITION_LABELS[c]) for c in Condition],
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    symptoms = forms.MultipleChoiceField(
        label="Which of these have you had most days in the past two weeks?",
        choices=[(s.value, SYMPTOM_LABELS[s]) for s in Symptom],
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    antidepressants_tried = forms.TypedChoiceField(
        label="How many antidepressant medicines have you tried?",
        choices=TRIED_CHOICES,
        coerce=int,
        initial=0,
    )
    talk_therapy_tried = forms.ChoiceField(
        label="Have you tried talk therapy (counselling or psychotherapy)?",
        choices=YES_NO,
        widget=forms.RadioSelect,
        required=False,
    )
    clinician_suggested = forms.ChoiceField(
        label="Has a doctor or therapist suggested one of these treatments to you?",
        choices=[
            (ClinicianSuggested.KETAMINE.value, "Yes, ketamine or esketamine"),
            (ClinicianSuggested.TMS.value, "Yes, TMS"),
            (ClinicianSuggested.NONE.value, "No"),
        ],
        widget=forms.RadioSelect,
        initial=ClinicianSuggested.NONE.value,
        required=False,
    )
    thoughts_of_ending_life = forms.ChoiceField(
        label="In the past two weeks, have you had thoughts of ending your life?",
        choices=YES_NO,
        widget=forms.RadioSelect,
        required=False,
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.questionnaires: dict[str, list[str]] = {}
        for code in ("phq9", "gad7"):
            names = []
            for link_id, text, options in _questionnaire_items(code):
                name = link_id.replace("-", "_")
                self.fields[name] = forms.TypedChoiceField(
                    label=text,
                    choices=options,
                    coerce=int,
                    widget=forms.RadioSelect,
                    required=False,
                )
                names.append(name)
            self.questionnaires[code] = names

    @property
    def phq9_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in self.questionnaires["phq9"]]

    @property
    def gad7_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in self.questionnaires["gad7"]]

    def clean(self) -> dict[str, Any]:
        cleaned: dict[str, Any] = super().clean() or {}
        for code, title in (("phq9", "PHQ-9"), ("gad7", "GAD-7")):
            names = self.questionnaires[code]
            answered = [cleaned.get(name) not in (None, "") for name in names]
            if any(answered) and not all(answered):
                for name, done in zip(names, answered, strict=True):
                    if not done:
                        self.add_error(name, f"Answer every {title} question, or none of them.")
        return cleaned

    def answers(self) -> ScreenAnswers:
        data = self.cleaned_data

        def questionnaire(code: str) -> tuple[int, ...] | None:
            values = [data.get(name) for name in self.questionnaires[code]]
            if any(value in (None, "") for value in values):
                return None
            return tuple(int(value) for value in values)  # type: ignore[arg-type]

        ending = data.get("thoughts_of_ending_life")
        return ScreenAnswers(
            conditions=frozenset(Condition(c) for c in data.get("conditions", [])),
            symptoms=frozenset(Symptom(s) for s in data.get("symptoms", [])),
            antidepressants_tried=int(data.get("antidepressants_tried") or 0),
            talk_therapy_tried=data.get("talk_therapy_tried") == "yes",
            clinician_suggested=ClinicianSuggested(data.get("clinician_suggested") or "none"),
            phq9_answers=questionnaire("phq9"),
            gad7_answers=questionnaire("gad7"),
            thoughts_of_ending_life=None if not ending else ending == "yes",
        )


def screen_token(answers_dict: dict[str, Any]) -> str:
    """The answers, signed, to carry to the request form without a session or a database row."""
    return signing.dumps(answers_dict, salt=SCREEN_SALT, compress=True)


def screen_from_token(token: str) -> dict[str, Any] | None:
    if not token:
        return None
    try:
        loaded: dict[str, Any] = signing.loads(token, salt=SCREEN_SALT, max_age=SCREEN_MAX_AGE_S)
    except signing.BadSignature:
        return None
    return loaded


class ConsultationRequestForm(forms.ModelForm):  # type: ignore[type-arg]
    # A honeypot: hidden from people by CSS and from screen readers; bots fill it in.
    website = forms.CharField(label="Leave this field empty", required=False)
    screen = forms.CharField(widget=forms.HiddenInput, required=False)
    consent_to_contact = forms.BooleanField(
        label="I agree that the clinic may contact me about my request by the way I chose.",
        required=True,
        error_messages={"required": "We can only reply if you agree to this."},
    )

    class Meta:
        model = ConsultationRequest
        fields = [
            "given_name",
            "family_name",
            "date_of_birth",
            "phone",
            "email",
            "contact_method",
            "contact_times",
            "heard_from",
            "message",
            "consent_to_contact",
        ]
        labels = {
            "given_name": "First name",
            "family_name": "Last name",
            "date_of_birth": "Date of birth",
            "phone": "Phone number",
            "email": "Email address",
            "contact_method": "How should we contact you?",
            "contact_times": "When is a good time to reach you?",
            "heard_from": "How did you hear about us?",
            "message": "Anything you would like us to know (optional)",
        }
        help_texts = {
            "date_of_birth": "Helps us find any earlier record you have with us.",
            "contact_times": "For example: weekday mornings, after 5 pm.",
        }
        widgets = {
            "date_of_birth": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "phone": forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
            "email": forms.EmailInput(attrs={"autocomplete": "email"}),
            "given_name": forms.TextInput(attrs={"autocomplete": "given-name"}),
            "family_name": forms.TextInput(attrs={"autocomplete": "family-name"}),
            "contact_method": forms.RadioSelect,
            "message": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _choice_field(self, "contact_method").choices = ContactMethod.choices
        _choice_field(self, "heard_from").choices = [("", "Prefer not to say")] + [
            (value, label) for value, label in HeardFrom.choices if value
        ]
        self.fields["website"].widget.attrs.update({"tabindex": "-1", "autocomplete": "off"})

    @property
    def is_bot(self) -> bool:
        return bool(self.data.get("website"))

    def clean(self) -> dict[str, Any]:
        cleaned: dict[str, Any] = super().clean() or {}
        method = cleaned.get("contact_method")
        if not cleaned.get("phone") and not cleaned.get("email") and "phone" not in self.errors:
            self.add_error("phone", "Give a phone number or an email address.")
        elif (
            method == ContactMethod.EMAIL
            and not cleaned.get("email")
            and "email" not in self.errors
        ):
            self.add_error("email", "Give an email address, or choose another way to reply.")
        elif (
            method in (ContactMethod.PHONE, ContactMethod.TEXT)
            and not cleaned.get("phone")
            and "phone" not in self.errors
        ):
            self.add_error("phone", "Give a phone number, or choose email.")
        return cleaned


class TransitionForm(forms.Form):
    status = forms.ChoiceField(label="New status")
    reason = forms.CharField(
        label="Reason (needed when declined)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args: Any, choices: list[RequestStatus], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _choice_field(self, "status").choices = [(s.value, STATUS_LABELS[s]) for s in choices]


class ConvertForm(forms.Form):
    legal_given_name = forms.CharField(label="Legal given name", max_length=100)
    legal_family_name = forms.CharField(label="Legal family name", max_length=100)
    date_of_birth = forms.DateField(
        label="Date of birth", widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    sex_at_birth = forms.ChoiceField(label="Sex at birth", choices=SexAtBirth.choices)
    phone = forms.CharField(label="Phone", max_length=25, required=False)
    email = forms.EmailField(label="Email", required=False)

    @classmethod
    def for_request(cls, request: ConsultationRequest, data: Any = None) -> ConvertForm:
        return cls(
            data,
            initial={
                "legal_given_name": request.given_name,
                "legal_family_name": request.family_name,
                "date_of_birth": request.date_of_birth,
                "phone": request.phone,
                "email": request.email,
            },
        )

"""Staff forms. Answers of an instrument are parsed here into whole numbers; the score is
computed by the service, never read from a form."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone

from remit.measures.instruments import INSTRUMENTS, Instrument
from remit.measures.models import DEFAULT_ALERT_BANDS, Channel, ScheduleKind
from remit.measures.services import MAX_REMINDERS, PATIENT_INSTRUMENTS
from remit.patients.models import Patient
from remit.protocols.models import TreatmentCourse


def _patient_choices() -> list[tuple[str, str]]:
    return [(code, INSTRUMENTS[code].title) for code in PATIENT_INSTRUMENTS]


class _CourseField(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.protocol_version.title}, {obj.phase} ({obj.status})"


def _courses(patient: Patient) -> Any:
    return TreatmentCourse.objects.filter(patient=patient).select_related("protocol_version")


def _instruments_field(initial: list[str]) -> forms.MultipleChoiceField:
    return forms.MultipleChoiceField(
        label="Questionnaires",
        choices=_patient_choices,
        widget=forms.CheckboxSelectMultiple,
        initial=initial,
    )


class RequestForm(forms.Form):
    instruments = _instruments_field(["phq9", "gad7"])
    channel = forms.ChoiceField(
        label="Send by", choices=Channel.choices, widget=forms.RadioSelect, initial=Channel.EMAIL
    )
    course = _CourseField(queryset=TreatmentCourse.objects.none(), required=False)
    max_reminders = forms.IntegerField(
        label="Reminders if not completed", min_value=0, max_value=MAX_REMINDERS, initial=3
    )
    reminder_every_h = forms.IntegerField(
        label="Remind every (hours)", min_value=1, max_value=168, initial=24
    )

    def __init__(self, *args: Any, patient: Patient, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["course"].queryset = _courses(patient)  # type: ignore[attr-defined]


class ScheduleForm(RequestForm):
    """A request sent on a timetable: the request's fields plus when to send it."""

    instruments = _instruments_field(["phq9"])
    kind = forms.ChoiceField(label="When", choices=ScheduleKind.choices, widget=forms.RadioSelect)
    offset_h = forms.IntegerField(
        label="Hours before / after the session",
        min_value=0,
        max_value=336,
        initial=24,
        help_text="For “before” and “after” schedules, e.g. 24 hours after an infusion.",
    )
    interval_days = forms.IntegerField(
        label="Every how many days", min_value=1, max_value=90, initial=7
    )
    ends_on = forms.DateField(
        label="Stop on",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="Session schedules also stop when the course ends.",
    )
    # Inherited fields would otherwise come first; errors are reported in this order.
    field_order = [
        "instruments",
        "kind",
        "course",
        "offset_h",
        "interval_days",
        "ends_on",
        "channel",
        "max_reminders",
        "reminder_every_h",
    ]


class AcknowledgeForm(forms.Form):
    note = forms.CharField(
        label="What you did",
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="e.g. called the patient, safety plan reviewed, C-SSRS done.",
    )


def _option_label(value: int, label: str | None) -> str:
    return f"{value} – {label}" if label else str(value)


class AssessmentForm(forms.Form):
    """A clinician enters an instrument's answers (e.g. a MADRS interview)."""

    collected_at = forms.DateTimeField(
        label="Rated at",
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    course = _CourseField(queryset=TreatmentCourse.objects.none(), required=False)

    def __init__(
        self,
        *args: Any,
        patient: Patient,
        instrument: Instrument,
        texts: dict[str, str] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.instrument = instrument
        texts = texts or {}
        self.fields["course"].queryset = _courses(patient)  # type: ignore[attr-defined]
        self.fields["collected_at"].initial = timezone.localtime().replace(second=0, microsecond=0)
        for item in instrument.items:
            if item.kind == "boolean":
                choices = [("yes", "Yes"), ("no", "No")]
            else:
                choices = [(str(o.value), _option_label(o.value, o.label)) for o in item.options]
            self.fields[item.link_id] = forms.ChoiceField(
                label=f"{item.number}. {texts.get(item.link_id, item.text)}",
                choices=choices,
                widget=forms.RadioSelect(attrs={"class": "scale"}),
                # Every item is optional here; the scoring code decides what is missing and
                # names it (QIDS alternatives, C-SSRS skip logic).
                required=False,
            )

    def answers(self) -> dict[str, int | bool | None]:
        found: dict[str, int | bool | None] = {}
        for item in self.instrument.items:
            value = self.cleaned_data.get(item.link_id) or ""
            if value == "":
                found[item.link_id] = None
            elif item.kind == "boolean":
                found[item.link_id] = value == "yes"
            else:
                found[item.link_id] = int(value)
        return found

    def item_fields(self) -> list[forms.BoundField]:
        return [self[item.link_id] for item in self.instrument.items]


def _band_choices() -> list[tuple[str, str]]:
    return [
        (f"{code}:{band.name}", f"{instrument.short_title}: {band.name}")
        for code, instrument in INSTRUMENTS.items()
        for band in instrument.bands
    ] + [("cssrs_screen:high", "C-SSRS Screener: high risk")]


def _remission_choices() -> list[tuple[str, str]]:
    return [
        (d.key, f"{d.text} ({d.source})")
        for d in INSTRUMENTS["madrs"].outcomes
        if d.kind == "remission"
    ]


class SettingsForm(forms.Form):
    crisis_text = forms.CharField(
        label="Crisis resources shown to patients",
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=2000,
        help_text="Shown at once when a patient gives a critical answer (e.g. PHQ-9 item 9).",
    )
    alert_bands = forms.MultipleChoiceField(
        label="Severity bands that raise a safety alert",
        choices=_band_choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=f"Remit's default: {', '.join(DEFAULT_ALERT_BANDS)} (unconfirmed: your "
        "medical director decides). Critical items always raise an alert.",
    )
    qids_item12_alert_at = forms.IntegerField(
        label="QIDS-SR16 item 12 alerts at or above",
        min_value=1,
        max_value=3,
        help_text="No sourced threshold; 1 (any thoughts of death) is the cautious default.",
    )
    madrs_item10_alert_at = forms.IntegerField(
        label="MADRS item 10 alerts at or above",
        min_value=1,
        max_value=6,
        help_text="No sourced cut-off; 1 is the cautious default.",
    )
    madrs_remission = forms.ChoiceField(label="MADRS remission", choices=_remission_choices)
    link_lifetime_h = forms.IntegerField(
        label="Questionnaire links stay valid for (hours)", min_value=1, max_value=24 * 14
    )


def licensable_codes() -> list[str]:
    """Instruments whose text Remit does not ship: a clinic may load its licensed text."""
    return [code for code, i in INSTRUMENTS.items() if not i.licence.item_text_included]


class LicensedTextForm(forms.Form):
    """One textarea per item of an instrument, labelled with the shipped short label."""

    licence_note = forms.CharField(
        label="Licence",
        max_length=300,
        # Checked by the service, which names what is missing.
        required=False,
        help_text="Who licensed this text to the clinic, e.g. “Paper licence from the "
        "copyright holder, 2026-11”.",
    )

    def __init__(
        self,
        *args: Any,
        instrument: Instrument,
        current: dict[str, str] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.instrument = instrument
        for item in instrument.items:
            self.fields[item.link_id] = forms.CharField(
                label=f"{item.number}. {item.text}",
                max_length=1000,
                required=False,
                initial=(current or {}).get(item.link_id, ""),
                widget=forms.Textarea(attrs={"rows": 2}),
            )

    def texts(self) -> dict[str, str]:
        return {
            item.link_id: self.cleaned_data.get(item.link_id, "") for item in self.instrument.items
        }

    def item_fields(self) -> list[forms.BoundField]:
        return [self[item.link_id] for item in self.instrument.items]

"""Forms of the session page: big touch targets, numeric keypads, field-level messages."""

from __future__ import annotations

from datetime import datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from django import forms
from django.utils import timezone

from remit.accounts.models import StaffUser
from remit.charting.discharge import DISCHARGE_CHECKLISTS
from remit.charting.documents import CONCOMITANT_CHOICES
from remit.charting.dosing import Modality, WeightBasis
from remit.charting.gate import OVERRIDE_REASON_MIN, OVERRIDE_REASON_TOO_SHORT
from remit.charting.models import (
    AdverseEventAction,
    AdverseEventOutcome,
    AdverseEventSeverity,
    Severity,
    Symptom,
)
from remit.core.roles import Role
from remit.protocols.definitions import Protocol


def _numeric(label: str, **attrs: Any) -> forms.IntegerField:
    # A text box with the numeric keypad: the browser never blocks a value, so an impossible
    # reading reaches the server and gets its plain-words message.
    return forms.IntegerField(
        label=label,
        widget=forms.TextInput(
            attrs={"inputmode": "numeric", "pattern": "[0-9]*", "autocomplete": "off", **attrs}
        ),
        error_messages={"invalid": "Enter a whole number.", "required": "Enter a value."},
    )


def _decimal(label: str, *, required: bool = True, **kwargs: Any) -> forms.DecimalField:
    return forms.DecimalField(
        label=label,
        required=required,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
        **kwargs,
    )


class VitalsForm(forms.Form):
    systolic = _numeric("Systolic (mmHg)")
    diastolic = _numeric("Diastolic (mmHg)")
    heart_rate = _numeric("Heart rate (/min)")
    spo2 = _numeric("SpO2 (%)")
    respiratory_rate = _numeric("Respiratory rate (/min)")


def prescribers_of(clinic_id: int) -> forms.ModelChoiceField:  # type: ignore[type-arg]
    return forms.ModelChoiceField(
        label="Prescriber on site",
        required=False,
        queryset=StaffUser.objects.filter(
            clinic_id=clinic_id, is_active=True, groups__name=Role.PRESCRIBER.value
        ).order_by("last_name", "first_name"),
        empty_label="— choose —",
    )


class GateForm(forms.Form):
    fasting_confirmed = forms.BooleanField(label="Fasting as instructed", required=False)
    ride_home_confirmed = forms.BooleanField(label="Ride home confirmed", required=False)
    pregnancy_test = forms.ChoiceField(
        label="Pregnancy test",
        choices=[
            ("not_done", "Not done"),
            ("negative", "Negative today"),
            ("positive", "Positive"),
        ],
        initial="not_done",
    )
    new_condition_reported = forms.BooleanField(
        label="New condition or medicine since the evaluation", required=False
    )

    def __init__(self, *args: Any, clinic_id: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["prescriber_on_site"] = prescribers_of(clinic_id)


class OverrideForm(forms.Form):
    item_code = forms.CharField(widget=forms.HiddenInput)
    reason = forms.CharField(
        label="Reason for going ahead",
        widget=forms.Textarea(attrs={"rows": 2}),
        min_length=OVERRIDE_REASON_MIN,
        error_messages={"min_length": OVERRIDE_REASON_TOO_SHORT},
    )


class WeightBasisForm(forms.Form):
    weight_basis = forms.ChoiceField(
        label="Dose on which weight?",
        choices=[("", "— choose —")]
        + [(b.value, f"{b.value.title()} body weight") for b in WeightBasis],
        help_text="A per-patient setting, recorded with every dose. Which basis suits obese "
        "patients is not settled (clinical reference 2.4): the prescriber decides.",
    )


class DoseForm(forms.Form):
    """Fields depend on the modality; the protocol supplies the choices."""

    lot = forms.CharField(label="Lot number", required=False, max_length=40)

    def __init__(
        self, *args: Any, modality: Modality, protocol: Protocol | None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.modality = modality
        if modality in (Modality.IV_KETAMINE, Modality.IM_KETAMINE):
            options = [str(v) for v in protocol.dose_mg_per_kg] if protocol else ["0.5"]
            self.fields["mg_per_kg"] = forms.TypedChoiceField(
                label="Dose (mg/kg)",
                choices=[(o, f"{o} mg/kg") for o in options or ["0.5"]],
                coerce=str,
            )
        if modality == Modality.IV_KETAMINE:
            self.fields["bag_ml"] = _decimal("Bag volume (mL)", initial=100)
        if modality in (Modality.ORAL_KETAMINE, Modality.SUBLINGUAL_KETAMINE):
            options = [str(v) for v in protocol.dose_mg] if protocol else []
            self.fields["dose_mg"] = _decimal("Dose (mg)", initial=options[0] if options else None)
        if modality in (
            Modality.IM_KETAMINE,
            Modality.ORAL_KETAMINE,
            Modality.SUBLINGUAL_KETAMINE,
        ):
            self.fields["concentration_mg_per_ml"] = _decimal(
                "Concentration (mg/mL)", required=False
            )
        if modality == Modality.ESKETAMINE:
            self.fields["dose_mg"] = forms.ChoiceField(
                label="Dose", choices=[("56", "56 mg (2 devices)"), ("84", "84 mg (3 devices)")]
            )
            self.fields["lot"].required = True
        if modality == Modality.TMS:
            del self.fields["lot"]
            self.fields["motor_threshold_pct"] = _decimal("Motor threshold (% output)")
            self.fields["percent_of_mt"] = _decimal("Intensity (% of MT)", initial=120)
            self.fields["frequency_hz"] = _decimal("Frequency (Hz)", initial=10)
            self.fields["pulses"] = _decimal("Pulses", initial=3000)
            self.fields["trains"] = _decimal("Trains", initial=75)
            self.fields["coil"] = forms.CharField(label="Coil", max_length=60)
            self.fields["target"] = forms.CharField(label="Target", initial="Left DLPFC")


class DeviceForm(forms.Form):
    """'Device N given': the number comes from the button, so a double tap is caught."""

    number = forms.IntegerField(min_value=1, max_value=3, widget=forms.HiddenInput)


class AcknowledgeForm(forms.Form):
    action_taken = forms.CharField(
        label="Action taken",
        max_length=300,
        widget=forms.TextInput(attrs={"placeholder": "e.g. infusion paused, prescriber called"}),
    )


class SideEffectForm(forms.Form):
    prefix = "se"
    symptom = forms.ChoiceField(label="Side effect", choices=Symptom.choices)
    severity = forms.ChoiceField(label="Severity", choices=Severity.choices)
    note = forms.CharField(label="Note", required=False, max_length=300)


class AdverseEventForm(forms.Form):
    prefix = "ae"
    description = forms.CharField(label="What happened", widget=forms.Textarea(attrs={"rows": 2}))
    severity = forms.ChoiceField(label="Severity", choices=AdverseEventSeverity.choices)
    action = forms.ChoiceField(label="Action taken", choices=AdverseEventAction.choices)
    medicine = forms.CharField(label="Medicine given", required=False, max_length=200)
    outcome = forms.ChoiceField(label="Outcome", choices=AdverseEventOutcome.choices)
    serious = forms.BooleanField(label="Serious", required=False)
    reportable = forms.BooleanField(label="Reportable", required=False)


_CADSS6_ITEMS = ("cadss-1", "cadss-2", "cadss-6", "cadss-7", "cadss-15", "cadss-22")


class Cadss6Form(forms.Form):
    """CADSS-6: items 1, 2, 6, 7, 15 and 22 of the CADSS, each 0-4 [S45]. Item text is the
    clinic's to load (licensing unconfirmed, reference 1.8), so the labels are item numbers."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for link_id in _CADSS6_ITEMS:
            self.fields[link_id] = forms.TypedChoiceField(
                label=f"CADSS item {link_id.split('-')[1]}",
                choices=[(str(n), str(n)) for n in range(5)],
                coerce=int,
            )

    def answers(self) -> dict[str, int]:
        return {link_id: self.cleaned_data[link_id] for link_id in _CADSS6_ITEMS}


class MoaasForm(forms.Form):
    moaas = forms.TypedChoiceField(
        label="MOAA/s (0 = no response)",
        choices=[(str(n), str(n)) for n in range(6)],
        coerce=int,
    )


class DischargeForm(forms.Form):
    escort_name = forms.CharField(label="Who takes the patient home", required=False)

    def __init__(self, *args: Any, modality: Modality, zone: ZoneInfo, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.zone = zone
        self.criteria = DISCHARGE_CHECKLISTS[modality].criteria
        for criterion in self.criteria:
            self.fields[f"met_{criterion.code}"] = forms.BooleanField(
                label=criterion.text, required=False
            )
            self.fields[f"time_{criterion.code}"] = forms.TimeField(
                label="at",
                required=False,
                widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
            )

    def rows(self) -> list[tuple[Any, Any]]:
        return [(self[f"met_{c.code}"], self[f"time_{c.code}"]) for c in self.criteria]

    def met(self) -> dict[str, datetime]:
        """Each criterion ticked, with the time it was met (now if no time was entered)."""
        now = timezone.now()
        today = now.astimezone(self.zone).date()
        met = {}
        for criterion in self.criteria:
            if not self.cleaned_data.get(f"met_{criterion.code}"):
                continue
            clock: time | None = self.cleaned_data.get(f"time_{criterion.code}")
            at = datetime.combine(today, clock, tzinfo=self.zone) if clock else now
            met[criterion.code] = min(at, now)
        return met


class NoteSignForm(forms.Form):
    comment = forms.CharField(
        label="Comment (added to the note)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class AddendumForm(forms.Form):
    text = forms.CharField(label="Addendum", widget=forms.Textarea(attrs={"rows": 2}))


class RemsAnswersForm(forms.Form):
    concomitant = forms.MultipleChoiceField(
        label="Concomitant medicines",
        choices=CONCOMITANT_CHOICES,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    ready_without_rule = forms.TimeField(
        label="Ready to leave without the 2-hour rule at",
        required=False,
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
    )
    confirmation = forms.CharField(label="REMS confirmation number", required=False, max_length=60)


class ThresholdForm(forms.Form):
    value = _decimal("Value", max_digits=6, decimal_places=1)
    source = forms.CharField(label="Source (the clinic's protocol document)", max_length=200)


class ClinicSettingsForm(forms.Form):
    weight_max_age_days = forms.IntegerField(
        label="A weight is recent enough for dosing for (days)", min_value=1, max_value=365
    )
    pregnancy_test_modalities = forms.MultipleChoiceField(
        label="Ask for a pregnancy test before",
        required=False,
        choices=[(m.value, m.value.replace("_", " ")) for m in Modality],
        widget=forms.CheckboxSelectMultiple,
    )

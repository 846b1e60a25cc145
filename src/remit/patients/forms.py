from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms

from remit.patients.models import Patient
from remit.patients.services import DUPLICATE_MRN, PATIENT_DETAIL_FIELDS, mrn_generate
from remit.patients.validation import (
    HEIGHT_CM_MAX,
    HEIGHT_CM_MIN,
    WEIGHT_KG_MAX,
    WEIGHT_KG_MIN,
    validate_height_cm,
    validate_weight_kg,
)


class PatientForm(forms.ModelForm):  # type: ignore[type-arg]
    mrn = forms.CharField(
        label="MRN",
        required=False,
        help_text="Leave blank to generate one. Type one only when moving a record from "
        "another system.",
    )
    weight_kg = forms.DecimalField(
        label="Weight (kg)",
        required=False,
        max_digits=5,
        decimal_places=1,
        validators=[validate_weight_kg],
        widget=forms.NumberInput(
            attrs={
                "inputmode": "decimal",
                "step": "0.1",
                "min": WEIGHT_KG_MIN,
                "max": WEIGHT_KG_MAX,
            }
        ),
    )
    height_cm = forms.DecimalField(
        label="Height (cm)",
        required=False,
        max_digits=4,
        decimal_places=1,
        validators=[validate_height_cm],
        widget=forms.NumberInput(
            attrs={
                "inputmode": "decimal",
                "step": "0.1",
                "min": HEIGHT_CM_MIN,
                "max": HEIGHT_CM_MAX,
            }
        ),
    )

    class Meta:
        model = Patient
        fields = ["mrn", *PATIENT_DETAIL_FIELDS]
        widgets = {
            "date_of_birth": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "phone": forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "off"}),
            "emergency_contact_phone": forms.TextInput(attrs={"inputmode": "tel"}),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            # An MRN never changes once issued: other systems and paper charts refer to it.
            self.fields["mrn"].disabled = True
            self.fields["mrn"].help_text = ""

    def clean_mrn(self) -> str:
        mrn: str = (self.cleaned_data.get("mrn") or "").strip().upper()
        if self.instance.pk:
            return str(self.instance.mrn)
        if mrn and Patient.objects.filter(mrn=mrn).exists():
            raise forms.ValidationError(DUPLICATE_MRN)
        return mrn or mrn_generate()

    def clean(self) -> dict[str, Any]:
        cleaned: dict[str, Any] = super().clean() or {}
        if cleaned.get("height_cm") is not None and cleaned.get("weight_kg") is None:
            self.add_error("weight_kg", "Record a weight with the height.")
        return cleaned

    @property
    def body_size(self) -> tuple[Decimal | None, Decimal | None]:
        return self.cleaned_data.get("weight_kg"), self.cleaned_data.get("height_cm")


class EmergencyAccessForm(forms.Form):
    mrn = forms.CharField(label="MRN", max_length=9)
    date_of_birth = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Why you need this record now. Your administrators will read this.",
    )

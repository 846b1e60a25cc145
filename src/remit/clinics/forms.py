from __future__ import annotations

from django import forms

from remit.clinics.models import Clinic, Resource


class ClinicSettingsForm(forms.ModelForm):  # type: ignore[type-arg]
    idle_timeout_min = forms.IntegerField(
        label="Sign staff out after this many idle minutes", min_value=2, max_value=60
    )

    class Meta:
        model = Clinic
        fields = ["time_zone", "idle_timeout_min"]


class ResourceForm(forms.ModelForm):  # type: ignore[type-arg]
    class Meta:
        model = Resource
        fields = ["kind", "name"]

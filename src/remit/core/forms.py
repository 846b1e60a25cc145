from __future__ import annotations

from django import forms

from remit.core.models import AuditAction


class AuditFilterForm(forms.Form):
    username = forms.CharField(required=False, max_length=150)
    patient_id = forms.IntegerField(required=False, min_value=1, label="Patient id")
    action = forms.ChoiceField(required=False, choices=[("", "Any"), *AuditAction.choices])
    date_from = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))

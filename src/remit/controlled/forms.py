"""Forms of the controlled-substance ledger."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone

from remit.controlled.models import Drug, Vial
from remit.controlled.selectors import VialRow


def _amount(label: str) -> forms.DecimalField:
    return forms.DecimalField(
        label=label,
        max_digits=7,
        decimal_places=2,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
    )


def _person(label: str, staff: Any) -> forms.ModelChoiceField:  # type: ignore[type-arg]
    return forms.ModelChoiceField(
        label=label,
        queryset=staff,
        required=False,
        empty_label="— choose —",
    )


class ReceiveForm(forms.Form):
    label = forms.CharField(label="Vial name", max_length=40, help_text="As written on the vial.")
    drug = forms.ChoiceField(label="Drug", choices=Drug.choices)
    concentration_mg_per_ml = _amount("Concentration (mg/mL)")
    volume_ml = _amount("Volume (mL)")
    lot = forms.CharField(label="Lot number", max_length=40)
    expiry = forms.DateField(label="Expiry", widget=forms.DateInput(attrs={"type": "date"}))
    supplier = forms.CharField(label="Supplier", max_length=120)

    def clean_expiry(self) -> Any:
        expiry = self.cleaned_data["expiry"]
        if expiry < timezone.localdate():
            raise forms.ValidationError("This vial is already expired; do not receive it.")
        return expiry


class VialChoiceField(forms.ModelChoiceField):  # type: ignore[type-arg]
    def __init__(self, rows: list[VialRow], **kwargs: Any) -> None:
        self.balances = {r.vial.pk: r for r in rows}
        super().__init__(queryset=Vial.objects.filter(pk__in=list(self.balances)), **kwargs)

    def label_from_instance(self, obj: Vial) -> str:
        row = self.balances.get(obj.pk)
        left = f"{row.balance_ml} mL left" if row else ""
        expired = " — EXPIRED" if obj.expiry < timezone.localdate() else ""
        return (
            f"{obj.label} · lot {obj.lot} · {obj.concentration_mg_per_ml} mg/mL · {left}{expired}"
        )


class DrawForm(forms.Form):
    prefix = "draw"
    volume_ml = _amount("Volume drawn (mL)")

    def __init__(self, *args: Any, vials: list[VialRow], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["vial"] = VialChoiceField(vials, label="From vial", empty_label="— choose —")
        self.order_fields(["vial", "volume_ml"])


class GiveForm(forms.Form):
    prefix = "give"
    amount_mg = _amount("Given (mg)")


class WasteForm(forms.Form):
    prefix = "waste"
    amount_mg = _amount("Wasted (mg)")

    def __init__(self, *args: Any, staff: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["witness"] = _person("Witness", staff)


class VialWasteForm(forms.Form):
    volume_ml = _amount("Volume wasted (mL)")
    reason = forms.CharField(label="Reason", max_length=200)

    def __init__(self, *args: Any, staff: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["witness"] = _person("Witness", staff)


class CountForm(forms.Form):
    counted_ml = _amount("Counted volume (mL)")


class ReconcileForm(forms.Form):
    reason = forms.CharField(
        label="Reason for the difference", widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args: Any, staff: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["second_person"] = _person("Second person", staff)

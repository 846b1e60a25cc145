from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from django import forms

from remit.accounts.models import StaffUser
from remit.clinics.models import Weekday
from remit.core.roles import Role

WEEKDAY_CHOICES = [(str(value), label) for value, label in Weekday.choices]
TIME = forms.TimeInput(attrs={"type": "time"}, format="%H:%M")


class AvailabilityForm(forms.Form):
    weekdays = forms.MultipleChoiceField(
        label="Days the patient can come",
        choices=WEEKDAY_CHOICES,
        widget=forms.CheckboxSelectMultiple,
    )
    available_from = forms.TimeField(label="Available from", widget=TIME)
    available_to = forms.TimeField(label="Available until", widget=TIME)
    preferred_from = forms.TimeField(label="Preferred from", widget=TIME, required=False)
    preferred_to = forms.TimeField(label="Preferred until", widget=TIME, required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if bool(data.get("preferred_from")) != bool(data.get("preferred_to")):
            self.add_error("preferred_to", "Give both ends of the preferred window, or neither.")
        return data


class StaffHoursForm(forms.Form):
    staff = forms.ModelChoiceField(label="Staff member", queryset=StaffUser.objects.none())
    weekdays = forms.MultipleChoiceField(
        label="Days", choices=WEEKDAY_CHOICES, widget=forms.CheckboxSelectMultiple
    )
    starts_at = forms.TimeField(label="From", widget=TIME)
    ends_at = forms.TimeField(label="Until", widget=TIME)

    def __init__(self, *args: Any, staff: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["staff"]
        if not isinstance(field, forms.ModelChoiceField):  # pragma: no cover (declared above)
            raise TypeError("staff must be a model choice")
        field.queryset = staff
        field.label_from_instance = _staff_label  # type: ignore[method-assign,assignment]


def _staff_label(user: StaffUser) -> str:
    # Reads the groups the view prefetched: role_names() would query once per option.
    roles = sorted(g.name for g in user.groups.all() if g.name in Role.values)
    return f"{user.get_full_name() or user.username} ({', '.join(roles)})"


class PlannerForm(forms.Form):
    first_day = forms.DateField(label="From", widget=forms.DateInput(attrs={"type": "date"}))
    period = forms.ChoiceField(
        label="Period", choices=[("7", "One week"), ("28", "Four weeks")], initial="7"
    )
    time_limit_s = forms.IntegerField(
        label="Time limit (seconds)",
        min_value=1,
        max_value=60,
        initial=20,
        help_text="The optimiser stops here and keeps the best plan found (never worse than "
        "first-fit).",
    )

    def period_days(self) -> tuple[date, date]:
        first: date = self.cleaned_data["first_day"]
        return first, first + timedelta(days=int(self.cleaned_data["period"]) - 1)


def parse_start(raw: str) -> datetime | None:
    """An offered slot's start, as the page sent it back (ISO 8601 with its offset)."""
    try:
        value = datetime.fromisoformat(raw.strip())
    except (TypeError, ValueError):
        return None
    return value if value.tzinfo is not None else None

from __future__ import annotations

from typing import Any

from django import forms

from remit.protocols.definitions import Protocol
from remit.protocols.models import ProtocolVersion
from remit.protocols.selectors import protocol_of


class CourseForm(forms.Form):
    """One choice per protocol phase, so a course always names a phase its protocol has."""

    plan = forms.ChoiceField(label="Protocol and phase")
    earliest_start = forms.DateField(
        label="Earliest first session",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="Leave empty to start as soon as the clinic can.",
    )

    def __init__(self, *args: Any, versions: list[ProtocolVersion], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.versions = {v.pk: v for v in versions}
        plan = self.fields["plan"]
        if not isinstance(plan, forms.ChoiceField):  # pragma: no cover (declared above)
            raise TypeError("plan must be a choice field")
        plan.choices = [("", "Choose…")] + [
            (f"{v.pk}:{phase.code}", f"{v.title} (v{v.version}): {phase.title}")
            for v in versions
            for phase in protocol_of(v).phases
        ]

    def clean_plan(self) -> tuple[ProtocolVersion, str]:
        raw = self.cleaned_data["plan"]
        version_id, _, phase = str(raw).partition(":")
        version = self.versions.get(int(version_id)) if version_id.isdigit() else None
        if version is None:
            raise forms.ValidationError("Choose a protocol and phase from the list.")
        return version, phase


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label="Reason", max_length=500, widget=forms.Textarea(attrs={"rows": 2})
    )


class ExtendForm(forms.Form):
    sessions = forms.IntegerField(label="Sessions to add", min_value=1, max_value=50)


class PhaseForm(forms.Form):
    phase = forms.ChoiceField(label="Phase")

    def __init__(self, *args: Any, protocol: Protocol, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["phase"]
        if not isinstance(field, forms.ChoiceField):  # pragma: no cover (declared above)
            raise TypeError("phase must be a choice field")
        field.choices = [(p.code, p.title) for p in protocol.phases]


# The values a clinic may change on a protocol from the page, as new_version() paths.
SESSION_FIELDS = {
    "session.preparation_min": ("Preparation (min)", 0, 240),
    "session.administration_min": ("Administration (min)", 1, 480),
    "session.observation_min": ("Observation / recovery (min)", 0, 480),
}
PHASE_FIELDS = {
    "session_count": ("Sessions", 1, 100),
    "spacing.min_days_between": ("Minimum days between session days", 0, 60),
    "spacing.max_per_week": ("Most sessions in any 7 days", 1, 70),
    "spacing.window_days": ("Whole phase within (days)", 1, 365),
}


class ProtocolChangeForm(forms.Form):
    """Changes to a protocol's key numbers; each change is recorded with the reason given."""

    def __init__(self, *args: Any, protocol: Protocol, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.protocol = protocol
        current: dict[str, int] = {
            path: getattr(protocol.session, path.split(".")[1]) for path in SESSION_FIELDS
        }
        for path, (label, low, high) in SESSION_FIELDS.items():
            self.fields[path] = forms.IntegerField(
                label=label, min_value=low, max_value=high, initial=current[path]
            )
        for phase in protocol.phases:
            for suffix, (label, low, high) in PHASE_FIELDS.items():
                path = f"phases.{phase.code}.{suffix}"
                holder: object = phase.spacing if suffix.startswith("spacing.") else phase
                value = getattr(holder, suffix.split(".")[-1])
                current[path] = value
                self.fields[path] = forms.IntegerField(
                    label=f"{phase.title}: {label}", min_value=low, max_value=high, initial=value
                )
        self.current = current
        self.fields["reason"] = forms.CharField(
            label="Why is it changing?",
            max_length=500,
            widget=forms.Textarea(attrs={"rows": 2}),
            help_text="Kept with the new version as the source of the changed values.",
        )

    def changes(self) -> dict[str, int]:
        return {
            path: value
            for path, value in self.cleaned_data.items()
            if path != "reason" and value != self.current.get(path)
        }

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.password_validation import validate_password
from django.http import HttpRequest

from remit.accounts.models import StaffUser
from remit.accounts.services import login_failure_record, login_is_locked
from remit.core.middleware import client_ip
from remit.core.roles import Role

LOCKED_OUT = (
    "Too many failed sign-ins for this account or from this device. Wait 15 minutes or ask "
    "your clinic administrator."
)


class ThrottledAuthenticationForm(AuthenticationForm):
    """Django's sign-in form, refusing an account or address that failed too often."""

    def __init__(self, request: HttpRequest | None = None, *args: Any, **kwargs: Any) -> None:
        super().__init__(request, *args, **kwargs)
        self.fields["username"].widget.attrs.update({"autocomplete": "username"})

    def clean(self) -> dict[str, Any]:
        username = (self.data.get("username") or "")[:150]
        ip = client_ip(self.request) if self.request is not None else None
        if username and login_is_locked(username=username, ip_address=ip):
            login_failure_record(username=username, ip_address=ip, locked=True)
            raise forms.ValidationError(LOCKED_OUT, code="locked")
        try:
            return super().clean()
        except forms.ValidationError:
            if username:
                login_failure_record(username=username, ip_address=ip, locked=False)
            raise


class OtpCodeForm(forms.Form):
    code = forms.CharField(
        label="Code from your authenticator app (or a recovery code)",
        max_length=20,
        widget=forms.TextInput(
            attrs={"inputmode": "numeric", "autocomplete": "one-time-code", "autofocus": True}
        ),
    )

    def clean_code(self) -> str:
        return "".join(str(self.cleaned_data["code"]).split())


class StaffUserForm(forms.Form):
    username = forms.RegexField(
        regex=r"^[\w.@+-]{3,150}$",
        max_length=150,
        error_messages={"invalid": "3–150 letters, digits or @.+-_"},
    )
    first_name = forms.CharField(max_length=150)
    last_name = forms.CharField(max_length=150)
    email = forms.EmailField()
    password = forms.CharField(widget=forms.PasswordInput, help_text="At least 12 characters.")
    roles = forms.MultipleChoiceField(choices=Role.choices, widget=forms.CheckboxSelectMultiple)

    def clean_username(self) -> str:
        username = str(self.cleaned_data["username"])
        if StaffUser.objects.filter(username__iexact=username).exists():
            raise forms.ValidationError("That username is taken.")
        return username

    def clean_password(self) -> str:
        password = str(self.cleaned_data["password"])
        validate_password(password)
        return password


class StaffRolesForm(forms.Form):
    roles = forms.MultipleChoiceField(
        choices=Role.choices, widget=forms.CheckboxSelectMultiple, required=False
    )
    is_active = forms.BooleanField(label="Account active", required=False)

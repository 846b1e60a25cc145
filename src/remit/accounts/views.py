"""Sign-in with a second factor, and staff management for clinic administrators."""

from __future__ import annotations

from typing import Any

import segno
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import AuthenticationForm
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods, require_POST
from django_otp import login as otp_login
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from remit.accounts.forms import (
    OtpCodeForm,
    StaffRolesForm,
    StaffUserForm,
    ThrottledAuthenticationForm,
)
from remit.accounts.models import StaffUser
from remit.accounts.services import (
    login_success_record,
    mfa_has_device,
    mfa_reset,
    mfa_setup_begin,
    mfa_setup_confirm,
    staff_user_create,
    staff_user_update,
)
from remit.core.http import StaffRequest
from remit.core.permissions import staff_required
from remit.core.roles import Capability, Role

WRONG_CODE = "That code is not right, or was already used. Check your app's clock and try again."


class LoginView(auth_views.LoginView):
    form_class = ThrottledAuthenticationForm
    redirect_authenticated_user = True

    def form_valid(self, form: AuthenticationForm) -> HttpResponse:
        response = super().form_valid(form)
        login_success_record(user=form.get_user())
        return response


def _next(request: HttpRequest) -> str:
    target = request.GET.get("next") or request.POST.get("next") or "/"
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return "/"
    return target


@require_http_methods(["GET", "POST"])
def mfa_setup(request: HttpRequest) -> HttpResponse:
    if not request.user.is_authenticated:
        return redirect("login")
    user: StaffUser = request.user
    if mfa_has_device(user):
        return redirect("mfa_verify")
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None or request.method == "GET":
        device = mfa_setup_begin(user=user)
    form = OtpCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if device.verify_token(form.cleaned_data["code"]):
            codes = mfa_setup_confirm(device=device)
            otp_login(request, device)
            return render(
                request,
                "accounts/mfa_recovery_codes.html",
                {"codes": codes, "next": _next(request)},
            )
        form.add_error("code", WRONG_CODE)
    context: dict[str, Any] = {
        "form": form,
        "qr": segno.make(device.config_url, error="m").svg_data_uri(scale=5),
        "secret": _base32(device),
        "next": _next(request),
    }
    return render(request, "accounts/mfa_setup.html", context, status=422 if form.errors else 200)


def _base32(device: TOTPDevice) -> str:
    import base64

    raw = base64.b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(raw[i : i + 4] for i in range(0, len(raw), 4))


@require_http_methods(["GET", "POST"])
def mfa_verify(request: HttpRequest) -> HttpResponse:
    if not request.user.is_authenticated:
        return redirect("login")
    user: StaffUser = request.user
    form = OtpCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        code = form.cleaned_data["code"]
        for model in (TOTPDevice, StaticDevice):
            for device in model.objects.filter(user=user, confirmed=True):
                # verify_token refuses by itself while the device is throttled.
                if device.verify_token(code):
                    otp_login(request, device)
                    if model is StaticDevice:
                        messages.warning(request, "You used a recovery code; each works once.")
                    return redirect(_next(request))
        form.add_error("code", WRONG_CODE)
    return render(
        request,
        "accounts/mfa_verify.html",
        {"form": form, "next": _next(request)},
        status=422 if form.errors else 200,
    )


# Staff management -------------------------------------------------------------------------------


@staff_required(Capability.MANAGE_STAFF)
def staff_list(request: StaffRequest) -> HttpResponse:
    staff = (
        StaffUser.objects.filter(clinic_id=request.user.home_clinic_id)
        .prefetch_related("groups")
        .order_by("last_name", "first_name")
    )
    return render(request, "accounts/staff_list.html", {"staff": staff})


@require_http_methods(["GET", "POST"])
@staff_required(Capability.MANAGE_STAFF)
def staff_new(request: StaffRequest) -> HttpResponse:
    form = StaffUserForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        user = staff_user_create(
            username=data["username"],
            password=data["password"],
            clinic=request.user.home_clinic,
            roles=[Role(r) for r in data["roles"]],
            first_name=data["first_name"],
            last_name=data["last_name"],
            email=data["email"],
            by=request.user,
        )
        messages.success(
            request, f"Added {user.get_full_name()}. They set up MFA at first sign-in."
        )
        return redirect("staff_list")
    return render(
        request, "accounts/staff_form.html", {"form": form}, status=422 if form.errors else 200
    )


@require_http_methods(["GET", "POST"])
@staff_required(Capability.MANAGE_STAFF)
def staff_edit(request: StaffRequest, user_id: int) -> HttpResponse:
    member = get_object_or_404(StaffUser, pk=user_id, clinic_id=request.user.home_clinic_id)
    initial = {"roles": sorted(member.role_names()), "is_active": member.is_active}
    form = StaffRolesForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        if member == request.user and not form.cleaned_data["is_active"]:
            form.add_error("is_active", "You cannot deactivate your own account.")
        else:
            staff_user_update(
                user=member,
                by=request.user,
                roles=[Role(r) for r in form.cleaned_data["roles"]],
                is_active=form.cleaned_data["is_active"],
            )
            messages.success(request, f"Saved {member.get_full_name()}.")
            return redirect("staff_list")
    return render(
        request,
        "accounts/staff_edit.html",
        {"form": form, "member": member},
        status=422 if form.errors else 200,
    )


@require_POST
@staff_required(Capability.MANAGE_STAFF)
def staff_mfa_reset(request: StaffRequest, user_id: int) -> HttpResponse:
    member = get_object_or_404(StaffUser, pk=user_id, clinic_id=request.user.home_clinic_id)
    mfa_reset(user=member, by=request.user)
    messages.success(request, f"{member.get_full_name()} will set up MFA again at next sign-in.")
    return redirect("staff_edit", user_id=member.pk)

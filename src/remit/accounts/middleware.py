"""Staff session rules: sign out after idle time, and require a second factor."""

from __future__ import annotations

import time
from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse

from remit.accounts.models import StaffUser
from remit.accounts.services import mfa_has_device

LAST_SEEN = "remit_last_seen"
# Background refreshes (a floor board polling) must not keep an unattended session alive.
BACKGROUND_HEADER = "HTTP_X_REMIT_BACKGROUND"
_OPEN_PREFIXES = ("/login/", "/logout/", "/mfa/", "/static/", "/healthz", "/p/")


def _is_api(request: HttpRequest) -> bool:
    return request.path.startswith("/api/")


class IdleTimeoutMiddleware:
    """Ends a staff session after the clinic's idle limit (15 minutes by default)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if user.is_authenticated and not _is_api(request):
            now = int(time.time())
            clinic = getattr(user, "clinic", None)
            limit_s = 60 * (clinic.idle_timeout_min if clinic is not None else 15)
            last_seen = request.session.get(LAST_SEEN)
            if last_seen is not None and now - int(last_seen) > limit_s:
                logout(request)
                messages.warning(
                    request,
                    f"You were signed out after {limit_s // 60} minutes without activity. "
                    "Sign in again to continue.",
                )
                login = f"{reverse('login')}?next={request.path}"
                if request.headers.get("HX-Request"):
                    response = HttpResponse(status=204)
                    response["HX-Redirect"] = login
                    return response
                return redirect(login)
            # Write the session at most every 30 s, and never for background refreshes.
            if BACKGROUND_HEADER not in request.META and (
                last_seen is None or now - int(last_seen) >= 30
            ):
                request.session[LAST_SEEN] = now
        return self.get_response(request)


class MfaRequiredMiddleware:
    """A signed-in staff member must pass a second factor before anything else."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if (
            settings.REMIT_MFA_REQUIRED
            and user.is_authenticated
            and isinstance(user, StaffUser)
            and not user.has_verified_second_factor()
            and not request.path.startswith(_OPEN_PREFIXES)
        ):
            if _is_api(request):
                return JsonResponse({"error": "Two-factor sign-in required."}, status=401)
            step = "mfa_verify" if mfa_has_device(user) else "mfa_setup"
            return redirect(f"{reverse(step)}?next={request.path}")
        return self.get_response(request)

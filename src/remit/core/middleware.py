"""Per-request plumbing: who is acting (for the audit trail), the clinic's time zone, and the
security headers."""

from __future__ import annotations

from collections.abc import Callable
from zoneinfo import ZoneInfo

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from remit.core.audit import AuditContext, audit_context_reset, audit_context_set


def client_ip(request: HttpRequest) -> str | None:
    # REMOTE_ADDR only: X-Forwarded-For is client-controlled unless a trusted proxy sets it.
    return request.META.get("REMOTE_ADDR") or None


class AuditContextMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        actor = user if user is not None and user.is_authenticated else None
        token = audit_context_set(AuditContext(actor=actor, ip_address=client_ip(request)))
        try:
            return self.get_response(request)
        finally:
            audit_context_reset(token)


class ClinicTimeZoneMiddleware:
    """Every time a member of staff reads is in their clinic's time zone, not the server's."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        signed_in = user is not None and user.is_authenticated
        clinic = getattr(user, "clinic", None) if signed_in else None
        if clinic is None:
            return self.get_response(request)
        with timezone.override(ZoneInfo(clinic.time_zone)):
            return self.get_response(request)


def _policy() -> str:
    directives = settings.REMIT_CONTENT_SECURITY_POLICY
    return "; ".join(f"{name} {' '.join(sources)}" for name, sources in directives.items())


class SecurityHeadersMiddleware:
    """Strict CSP (no third-party host) and no caching of anything but static files."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.policy = _policy()

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.setdefault("Content-Security-Policy", self.policy)
        response.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
        # Pages and API answers may carry patient data: never keep them in a shared cache or disk.
        if not request.path.startswith(settings.STATIC_URL):
            response["Cache-Control"] = "no-store"
        return response

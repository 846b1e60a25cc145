"""The JSON API at /api/v1/ (OpenAPI at /api/v1/openapi.json).

Staff authenticate with their signed-in, two-factor-verified session (plus the CSRF token for
writes) or with an API token (`Authorization: Bearer rmt_…`); a patient link authenticates as
`X-Patient-Link: <token>` and reaches only that patient's own portal operations. Errors are
JSON `{"error": "…"}` with a 4xx status.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI, Schema
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.security import APIKeyHeader, HttpBearer, SessionAuth

from remit.accounts.models import StaffUser
from remit.accounts.services import api_token_user
from remit.core.access import user_can
from remit.core.roles import Capability
from remit.portal.models import LinkPurpose, PatientLink
from remit.portal.services import LinkInvalid, link_open


class StaffSessionAuth(SessionAuth):
    def authenticate(self, request: HttpRequest, key: str | None) -> StaffUser | None:
        user = request.user
        if not user.is_authenticated:
            return None
        if not isinstance(user, StaffUser):
            return None
        if settings.REMIT_MFA_REQUIRED and not user.has_verified_second_factor():
            return None
        return user


class StaffTokenAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> StaffUser | None:
        return api_token_user(token)


class PatientLinkAuth(APIKeyHeader):
    param_name = "X-Patient-Link"

    def authenticate(self, request: HttpRequest, key: str | None) -> PatientLink | None:
        if not key:
            return None
        try:
            return link_open(key, purpose=LinkPurpose.PORTAL)
        except LinkInvalid:
            return None


staff_auth = [StaffSessionAuth(), StaffTokenAuth()]


class ErrorPublic(Schema):
    """Every 4xx answer of the API: `{"error": "…"}` (with `fields` for refused values)."""

    error: str


def staff_user(request: HttpRequest, *capabilities: Capability) -> StaffUser:
    """The staff member `staff_auth` authenticated, who must hold every capability (else 403)."""
    user: StaffUser = request.auth  # type: ignore[attr-defined]
    if not all(user_can(user, capability) for capability in capabilities):
        raise PermissionDenied
    return user


patient_auth = [PatientLinkAuth()]

api = NinjaAPI(
    title="Remit API",
    version="1",
    description="Clinic system for ketamine, esketamine and TMS therapy.",
    urls_namespace="api",
)


def _error(request: HttpRequest, message: str, status: int, **extra: Any) -> HttpResponse:
    return api.create_response(request, {"error": message, **extra}, status=status)


@api.exception_handler(Http404)
def _not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return _error(request, "Not found.", 404)


@api.exception_handler(PermissionDenied)
def _forbidden(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
    return _error(request, "Your role does not allow this.", 403)


@api.exception_handler(AuthenticationError)
def _unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return _error(request, "Sign in, or send a valid API token or patient link.", 401)


@api.exception_handler(DjangoValidationError)
def _invalid(request: HttpRequest, exc: DjangoValidationError) -> HttpResponse:
    fields = exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}
    return _error(request, "Some values are not valid; nothing was saved.", 422, fields=fields)


@api.exception_handler(NinjaValidationError)
def _malformed(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
    fields: dict[str, list[str]] = {}
    for problem in exc.errors:
        where = ".".join(str(part) for part in problem.get("loc", ())[1:]) or "request"
        fields.setdefault(where, []).append(str(problem.get("msg", "invalid")))
    return _error(request, "The request is malformed; nothing was saved.", 422, fields=fields)


@api.exception_handler(HttpError)
def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    return _error(request, str(exc), exc.status_code)


def register_routers() -> None:
    """Each app's `api.py` brings its `router`, mounted at its `API_PREFIX`."""
    from remit.core.extensions import remit_app_modules

    if getattr(api, "_remit_routers_added", False):
        return
    api._remit_routers_added = True  # type: ignore[attr-defined]
    for module in remit_app_modules("api"):
        api.add_router(module.API_PREFIX, module.router)

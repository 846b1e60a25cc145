"""The view decorator for staff pages; queryset scoping lives in each app's selectors."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.http.response import HttpResponseBase

from remit.core.access import user_can
from remit.core.roles import Capability

View = TypeVar("View", bound=Callable[..., HttpResponseBase])


def staff_required(*capabilities: Capability) -> Callable[[View], View]:
    """Anonymous visitors go to sign-in; staff lacking any of `capabilities` get 403."""

    def decorate(view: View) -> View:
        @login_required
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            if not all(user_can(request.user, capability) for capability in capabilities):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapped  # type: ignore[return-value]

    return decorate

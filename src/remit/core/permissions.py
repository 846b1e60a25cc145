"""View decorators for staff access; queryset scoping lives in each app's selectors."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import wraps
from typing import Any, TypeVar

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse

from remit.core.roles import Role

View = TypeVar("View", bound=Callable[..., HttpResponse])


def staff_required(roles: Iterable[Role]) -> Callable[[View], View]:
    """Anonymous users go to the login page; staff without one of `roles` get 403."""
    allowed = frozenset(roles)

    def decorate(view: View) -> View:
        @login_required
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            user = request.user
            if not user.has_role(*allowed) or user.clinic_id is None:  # type: ignore[union-attr]
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapped  # type: ignore[return-value]

    return decorate

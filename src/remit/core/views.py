from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from remit.core.roles import DEMOGRAPHIC_ROLES


@login_required
def home(request: HttpRequest) -> HttpResponse:
    if request.user.has_role(*DEMOGRAPHIC_ROLES):  # type: ignore[union-attr]
        return redirect("patients:list")
    return render(request, "core/home.html")


def healthz(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok", content_type="text/plain")

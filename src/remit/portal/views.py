"""The patient's side: a link opens that patient's own page and nothing else."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from remit.portal.models import LinkPurpose
from remit.portal.services import (
    LINK_INVALID,
    LinkInvalid,
    link_open,
    link_read_record,
    link_refused_record,
)


def portal_home(request: HttpRequest, token: str) -> HttpResponse:
    try:
        link = link_open(token, purpose=LinkPurpose.PORTAL)
    except LinkInvalid:
        link_refused_record(section="portal")
        return render(request, "portal/link_invalid.html", {"message": LINK_INVALID}, status=404)
    link_read_record(link=link, section="portal")
    return render(request, "portal/home.html", {"patient": link.patient, "link": link})

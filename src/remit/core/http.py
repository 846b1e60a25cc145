"""A typed request for staff views: after `staff_required`, the user is a signed-in StaffUser."""

from __future__ import annotations

from django.http import HttpRequest
from django_htmx.middleware import HtmxDetails

from remit.accounts.models import StaffUser


class StaffRequest(HttpRequest):
    user: StaffUser
    htmx: HtmxDetails

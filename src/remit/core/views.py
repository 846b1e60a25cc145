from __future__ import annotations

import csv
from collections.abc import Iterator

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render

from remit.core.access import user_can
from remit.core.audit import audit_record
from remit.core.extensions import home_panels
from remit.core.forms import AuditFilterForm
from remit.core.http import StaffRequest
from remit.core.models import AuditAction, AuditEvent
from remit.core.permissions import staff_required
from remit.core.roles import Capability
from remit.core.selectors import AuditFilter, audit_events_for, disclosures_for

AUDIT_CSV_COLUMNS = (
    "id",
    "at",
    "actor_username",
    "actor_roles",
    "action",
    "outcome",
    "clinic_id",
    "patient_id",
    "object_type",
    "object_id",
    "ip_address",
    "detail",
    "hash",
)


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """The start page: the panels of every capability the user holds (alerts, queues, the day's
    sessions); with none, the patient list for those who can see it."""
    panels = [p for p in home_panels() if user_can(request.user, p.capability)]
    if not panels and user_can(request.user, Capability.VIEW_DEMOGRAPHICS):
        return redirect("patients:list")
    context: dict[str, object] = {"panels": panels}
    for panel in panels:
        context.update(panel.context(request))  # type: ignore[arg-type]
    return render(request, "core/home.html", context)


def healthz(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok", content_type="text/plain")


def _filters(request: StaffRequest) -> tuple[AuditFilterForm, AuditFilter]:
    form = AuditFilterForm(request.GET or None)
    if form.is_valid():
        return form, AuditFilter(
            **{k: v for k, v in form.cleaned_data.items() if v not in (None, "")}
        )
    return form, AuditFilter()


@staff_required(Capability.VIEW_AUDIT)
def audit_report(request: StaffRequest) -> HttpResponse:
    form, filters = _filters(request)
    events = audit_events_for(admin=request.user, filters=filters)
    page = Paginator(events, 50).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request, "core/audit_report.html", {"form": form, "page": page, "query": query.urlencode()}
    )


class _Echo:
    def write(self, value: str) -> str:
        return value


@staff_required(Capability.VIEW_AUDIT)
def audit_report_csv(request: StaffRequest) -> StreamingHttpResponse:
    _, filters = _filters(request)
    events = audit_events_for(admin=request.user, filters=filters)
    # Exporting the trail is itself recorded.
    audit_record(
        action=AuditAction.EXPORT,
        actor=request.user,
        clinic_id=request.user.clinic_id,
        detail={"what": "audit report", "recipient": request.user.username},
    )
    writer = csv.writer(_Echo())

    def rows() -> Iterator[str]:
        yield writer.writerow(AUDIT_CSV_COLUMNS)
        for event in events.iterator(2000):
            yield writer.writerow([getattr(event, column) for column in AUDIT_CSV_COLUMNS])

    response = StreamingHttpResponse(rows(), content_type="text/csv")
    response["Content-Disposition"] = 'attachment; filename="remit-audit.csv"'
    return response


@staff_required(Capability.VIEW_AUDIT)
def disclosures(request: StaffRequest) -> HttpResponse:
    events: list[AuditEvent] = list(disclosures_for(admin=request.user)[:500])
    return render(request, "core/disclosures.html", {"events": events})

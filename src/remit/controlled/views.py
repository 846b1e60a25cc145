"""Ledger pages: stock, vials with running balances, counts, reconciliation, export; and the
drug card of the session page (draw, give, waste)."""

from __future__ import annotations

import csv
from collections.abc import Callable
from typing import Any

from django.core.exceptions import ValidationError
from django.forms import Form
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from remit.charting.dosing import show
from remit.charting.models import Session, Stage
from remit.charting.selectors import session_get_for_charting
from remit.controlled import services
from remit.controlled.forms import (
    CountForm,
    DrawForm,
    GiveForm,
    ReceiveForm,
    ReconcileForm,
    VialWasteForm,
    WasteForm,
)
from remit.controlled.ledger import inventory_rows
from remit.controlled.selectors import (
    drawable_vials,
    drug_of,
    ledger_state,
    session_ledger,
    staff_of_clinic,
    vial_get,
    vial_ledger,
    vial_rows,
    vials_of,
)
from remit.core.forms import add_service_errors
from remit.core.http import StaffRequest
from remit.core.permissions import staff_required
from remit.core.roles import Capability

_NO_FORMS = (Stage.DISCHARGED, Stage.CANCELLED)


def session_ledger_context(
    request: StaffRequest, session: Session, forms: dict[str, Any]
) -> dict[str, Any]:
    """The drug card on the session page."""
    staff = staff_of_clinic(request.user).exclude(pk=request.user.pk)
    dose = getattr(session, "dose", None)
    ledger = session_ledger(session)
    give_initial = {"amount_mg": dose.dose_mg} if dose is not None and dose.dose_mg else {}
    left = ledger.unaccounted_mg - (
        dose.dose_mg if dose is not None and dose.dose_mg and not ledger.given_mg else 0
    )
    draw_form = forms.get("draw_form")
    # The card shows its forms only on this condition (_session_drug.html); the draw form's vial
    # list costs a fold, so it is not built for a card that will not show it.
    if draw_form is None and not ledger.closed and session.stage not in _NO_FORMS:
        draw_form = DrawForm(vials=drawable_vials(request.user, drug_of(session)))
    return {
        "drug_ledger": ledger,
        "draw_form": draw_form,
        "give_form": forms.get("give_form") or GiveForm(initial=give_initial),
        "waste_form": forms.get("waste_form")
        or WasteForm(staff=staff, initial={"amount_mg": show(left)} if left > 0 else {}),
    }


def _respond(
    request: StaffRequest, session: Session, status: int = 200, **forms: Any
) -> HttpResponse:
    from remit.charting.views import respond

    return respond(request, session, status=status, **forms)


@require_http_methods(["POST"])
@staff_required(Capability.HANDLE_CONTROLLED)
def draw(request: StaffRequest, session_id: int) -> HttpResponse:
    session = session_get_for_charting(user=request.user, session_id=session_id)
    form = DrawForm(request.POST, vials=drawable_vials(request.user, drug_of(session)))
    if form.is_valid():
        try:
            services.draw_record(
                session=session,
                vial=form.cleaned_data["vial"],
                volume_ml=form.cleaned_data["volume_ml"],
                by=request.user,
            )
            return _respond(request, session)
        except ValidationError as error:
            add_service_errors(form, error)
    return _respond(request, session, status=422, draw_form=form)


@require_http_methods(["POST"])
@staff_required(Capability.HANDLE_CONTROLLED)
def give(request: StaffRequest, session_id: int) -> HttpResponse:
    session = session_get_for_charting(user=request.user, session_id=session_id)
    form = GiveForm(request.POST)
    if form.is_valid():
        try:
            services.administration_record(
                session=session, amount_mg=form.cleaned_data["amount_mg"], by=request.user
            )
            return _respond(request, session)
        except ValidationError as error:
            add_service_errors(form, error)
    return _respond(request, session, status=422, give_form=form)


@require_http_methods(["POST"])
@staff_required(Capability.HANDLE_CONTROLLED)
def waste(request: StaffRequest, session_id: int) -> HttpResponse:
    session = session_get_for_charting(user=request.user, session_id=session_id)
    form = WasteForm(request.POST, staff=staff_of_clinic(request.user))
    if form.is_valid():
        try:
            services.waste_record(
                session=session,
                amount_mg=form.cleaned_data["amount_mg"],
                by=request.user,
                witness=form.cleaned_data["witness"],
            )
            return _respond(request, session)
        except ValidationError as error:
            add_service_errors(form, error)
    return _respond(request, session, status=422, waste_form=form)


# --- The ledger pages ---------------------------------------------------------------------------


def _ledger_context(
    request: StaffRequest, receive_form: ReceiveForm | None = None
) -> dict[str, Any]:
    rows, per_drug = vial_rows(request.user)
    return {
        "rows": rows,
        "per_drug": sorted(per_drug.items()),
        "receive_form": receive_form or ReceiveForm(),
        "today": timezone.localdate(),
    }


@staff_required(Capability.HANDLE_CONTROLLED)
def ledger(request: StaffRequest) -> HttpResponse:
    return render(request, "controlled/ledger.html", _ledger_context(request))


@require_http_methods(["POST"])
@staff_required(Capability.HANDLE_CONTROLLED)
def receive(request: StaffRequest) -> HttpResponse:
    form = ReceiveForm(request.POST)
    if form.is_valid():
        try:
            vial = services.vial_receive(
                clinic=request.user.home_clinic, by=request.user, **form.cleaned_data
            )
            return redirect("controlled:vial", vial_id=vial.pk)
        except ValidationError as error:
            add_service_errors(form, error)
    return render(request, "controlled/ledger.html", _ledger_context(request, form), status=422)


def _vial_context(request: StaffRequest, vial_id: int, **forms: Any) -> dict[str, Any]:
    vial = vial_get(user=request.user, vial_id=vial_id)
    staff = staff_of_clinic(request.user).exclude(pk=request.user.pk)
    found = vial_ledger(vial)
    history = found.history
    return {
        "vial": vial,
        "history": history,
        "balance_ml": history[-1].balance_ml if history else 0,
        "open_discrepancy": found.open_discrepancy,
        "expired": vial.expiry < timezone.localdate(),
        "count_form": forms.get("count_form") or CountForm(),
        "reconcile_form": forms.get("reconcile_form") or ReconcileForm(staff=staff),
        "vial_waste_form": forms.get("vial_waste_form") or VialWasteForm(staff=staff),
    }


@staff_required(Capability.HANDLE_CONTROLLED)
def vial(request: StaffRequest, vial_id: int) -> HttpResponse:
    return render(request, "controlled/vial.html", _vial_context(request, vial_id))


def _vial_post(
    request: StaffRequest,
    vial_id: int,
    form: Form,
    form_key: str,
    record: Callable[[Any, dict[str, Any]], object],
) -> HttpResponse:
    """One vial action: validate the form, call its service, and on refusal show the vial page
    again with the form's errors (422, nothing saved)."""
    found = vial_get(user=request.user, vial_id=vial_id)
    if form.is_valid():
        try:
            record(found, form.cleaned_data)
            return redirect("controlled:vial", vial_id=found.pk)
        except ValidationError as error:
            add_service_errors(form, error)
    return render(
        request,
        "controlled/vial.html",
        _vial_context(request, vial_id, **{form_key: form}),
        status=422,
    )


@require_http_methods(["POST"])
@staff_required(Capability.HANDLE_CONTROLLED)
def count(request: StaffRequest, vial_id: int) -> HttpResponse:
    return _vial_post(
        request,
        vial_id,
        CountForm(request.POST),
        "count_form",
        lambda vial, data: services.count_record(
            vial=vial, counted_ml=data["counted_ml"], by=request.user
        ),
    )


@require_http_methods(["POST"])
@staff_required(Capability.HANDLE_CONTROLLED)
def reconcile(request: StaffRequest, vial_id: int) -> HttpResponse:
    return _vial_post(
        request,
        vial_id,
        ReconcileForm(request.POST, staff=staff_of_clinic(request.user)),
        "reconcile_form",
        lambda vial, data: services.reconciliation_record(
            vial=vial, reason=data["reason"], by=request.user, second_person=data["second_person"]
        ),
    )


@require_http_methods(["POST"])
@staff_required(Capability.HANDLE_CONTROLLED)
def vial_waste(request: StaffRequest, vial_id: int) -> HttpResponse:
    return _vial_post(
        request,
        vial_id,
        VialWasteForm(request.POST, staff=staff_of_clinic(request.user)),
        "vial_waste_form",
        lambda vial, data: services.vial_waste_record(
            vial=vial,
            volume_ml=data["volume_ml"],
            reason=data["reason"],
            by=request.user,
            witness=data["witness"],
        ),
    )


def _safe(row: dict[str, str]) -> dict[str, str]:
    # A cell starting with = + - @ would run as a formula in a spreadsheet.
    return {k: ("'" + v if v[:1] in ("=", "+", "-", "@") else v) for k, v in row.items()}


@staff_required(Capability.HANDLE_CONTROLLED)
def export(request: StaffRequest) -> HttpResponse:
    """The inventory as CSV: one row per vial with its balance (audited as an export)."""
    state = ledger_state(request.user.home_clinic_id)
    labels = {str(pk): label for pk, label in vials_of(request.user).values_list("pk", "label")}
    rows = inventory_rows(state)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    stamp = timezone.localdate().isoformat()
    response["Content-Disposition"] = f'attachment; filename="controlled-inventory-{stamp}.csv"'
    fields = [
        "vial_name",
        *(
            rows[0].keys()
            if rows
            else [
                "vial",
                "drug",
                "lot",
                "expiry",
                "supplier",
                "concentration_mg_per_ml",
                "received_ml",
                "balance_ml",
                "balance_mg",
                "open_discrepancy",
            ]
        ),
    ]
    writer = csv.DictWriter(response, fieldnames=fields)
    writer.writeheader()
    for row in rows:
        writer.writerow(_safe({"vial_name": labels.get(row["vial"], ""), **row}))
    services.inventory_export_record(
        clinic=request.user.home_clinic, by=request.user, rows=len(rows)
    )
    return response

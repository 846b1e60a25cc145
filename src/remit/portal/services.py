"""Issuing, opening and using patient links.

A token is a Django-signed, timestamped {link id, nonce}; the database keeps only the nonce's
hash, the expiry and whether it was used. A forged, expired, used or revoked token all fail
the same way, with the same message, so a token reveals nothing about what it might open.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from django.core import signing
from django.db import models, transaction
from django.utils import timezone

from remit.accounts.models import StaffUser
from remit.core.audit import audit_record
from remit.core.models import AuditAction, AuditOutcome
from remit.patients.models import Patient
from remit.portal.models import LinkPurpose, PatientLink

_SALT = "remit.portal.link"
# Signatures older than the longest link lifetime are refused before any database lookup.
MAX_LINK_AGE = timedelta(days=400)
LINK_INVALID = (
    "This link has expired, was already used, or is not valid. Ask your clinic for a new one."
)


class LinkInvalid(Exception):
    """The one error for every bad link; its message is the same whatever went wrong."""

    def __init__(self) -> None:
        super().__init__(LINK_INVALID)


def _hash(nonce: str) -> str:
    return hashlib.sha256(nonce.encode()).hexdigest()


def scope_of(obj: models.Model) -> str:
    return f"{obj._meta.label}:{obj.pk}"


@transaction.atomic
def link_issue(
    *,
    patient: Patient,
    purpose: LinkPurpose,
    lifetime: timedelta,
    single_use: bool,
    scope: models.Model | None = None,
    by: StaffUser | None = None,
) -> tuple[PatientLink, str]:
    now = timezone.now()
    nonce = secrets.token_urlsafe(24)
    link = PatientLink.objects.create(
        patient=patient,
        purpose=purpose,
        scope=scope_of(scope) if scope is not None else "",
        nonce_hash=_hash(nonce),
        single_use=single_use,
        created_at=now,
        expires_at=now + lifetime,
        created_by=by,
    )
    token = signing.dumps({"l": link.pk, "n": nonce}, salt=_SALT, compress=True)
    audit_record(
        action=AuditAction.CREATE,
        actor=by,
        obj=link,
        patient_id=patient.pk,
        clinic_id=patient.clinic_id,
        detail={"purpose": purpose},
    )
    return link, token


def link_open(token: str, *, purpose: LinkPurpose, for_update: bool = False) -> PatientLink:
    """The link behind `token`, if it is genuine, unexpired, unused and for `purpose`."""
    try:
        payload = signing.loads(token, salt=_SALT, max_age=MAX_LINK_AGE)
        link_id, nonce = int(payload["l"]), str(payload["n"])
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        raise LinkInvalid() from None
    links = PatientLink.objects.select_related("patient", "patient__clinic")
    if for_update:
        links = links.select_for_update()
    link = links.filter(pk=link_id, purpose=purpose).first()
    now = timezone.now()
    if (
        link is None
        or not secrets.compare_digest(link.nonce_hash, _hash(nonce))
        or link.expires_at <= now
        or link.revoked_at is not None
        or (link.single_use and link.used_at is not None)
    ):
        raise LinkInvalid()
    return link


@transaction.atomic
def link_use(token: str, *, purpose: LinkPurpose) -> PatientLink:
    """Open a single-use link for its one submission; a second submission is refused."""
    link = link_open(token, purpose=purpose, for_update=True)
    if link.single_use:
        link.used_at = timezone.now()
        link.save(update_fields=["used_at"])
    return link


def link_read_record(*, link: PatientLink, section: str) -> None:
    audit_record(
        action=AuditAction.VIEW,
        obj=link.patient,
        patient_id=link.patient_id,
        clinic_id=link.patient.clinic_id,
        detail={"section": section, "channel": "patient_link", "link_id": link.pk},
    )


def link_refused_record(*, section: str) -> None:
    audit_record(
        action=AuditAction.VIEW,
        outcome=AuditOutcome.DENIED,
        detail={"section": section, "channel": "patient_link"},
    )

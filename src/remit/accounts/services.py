"""Writes for staff accounts: roles, sign-in failures, second factors, API tokens."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth.models import Group, Permission
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from remit.accounts.models import ApiToken, LoginFailure, StaffUser
from remit.clinics.models import Clinic
from remit.core.audit import audit_record
from remit.core.models import AuditAction, AuditOutcome
from remit.core.roles import ROLE_CAPABILITIES, Role

RECOVERY_CODE_COUNT = 10


@transaction.atomic
def role_groups_sync() -> dict[Role, Group]:
    """Make each role's group hold exactly the capabilities of `ROLE_CAPABILITIES`."""
    permissions = {p.codename: p for p in Permission.objects.filter(content_type__app_label="core")}
    groups = {}
    for role, capabilities in ROLE_CAPABILITIES.items():
        group, _ = Group.objects.get_or_create(name=role.value)
        group.permissions.set([permissions[c.value] for c in sorted(capabilities)])
        groups[role] = group
    return groups


@transaction.atomic
def staff_user_create(
    *,
    username: str,
    password: str,
    clinic: Clinic | None,
    roles: list[Role],
    first_name: str = "",
    last_name: str = "",
    email: str = "",
    by: StaffUser | None = None,
) -> StaffUser:
    user = StaffUser(
        username=username, clinic=clinic, first_name=first_name, last_name=last_name, email=email
    )
    user.set_password(password)
    user.full_clean()
    user.save()
    user.groups.set(Group.objects.filter(name__in=[role.value for role in roles]))
    if by is not None:
        audit_record(
            action=AuditAction.CREATE,
            actor=by,
            obj=user,
            clinic_id=clinic.pk if clinic else None,
            detail={"roles": sorted(r.value for r in roles)},
        )
    return user


@transaction.atomic
def staff_user_update(
    *, user: StaffUser, by: StaffUser, roles: list[Role], is_active: bool
) -> StaffUser:
    user.is_active = is_active
    user.save(update_fields=["is_active"])
    user.groups.set(Group.objects.filter(name__in=[role.value for role in roles]))
    audit_record(
        action=AuditAction.CHANGE,
        actor=by,
        obj=user,
        clinic_id=user.clinic_id,
        detail={"roles": sorted(r.value for r in roles), "active": is_active},
    )
    return user


# Sign-in throttling --------------------------------------------------------------------------


def _window_start() -> datetime:
    return timezone.now() - timedelta(minutes=settings.REMIT_LOGIN_WINDOW_MIN)


def login_is_locked(*, username: str, ip_address: str | None) -> bool:
    """Locked when the account, or the address, failed too often within the window."""
    recent = LoginFailure.objects.filter(at__gte=_window_start())
    limit = settings.REMIT_LOGIN_MAX_FAILURES
    if recent.filter(username=username.lower()).count() >= limit:
        return True
    return bool(ip_address and recent.filter(ip_address=ip_address).count() >= limit)


@transaction.atomic
def login_failure_record(*, username: str, ip_address: str | None, locked: bool) -> None:
    # Failures older than the window count for nothing; dropping them here keeps the table
    # (and each lockout count) small without a scheduled job.
    login_failures_prune()
    LoginFailure.objects.create(
        username=username.lower()[:150], ip_address=ip_address, at=timezone.now()
    )
    user = StaffUser.objects.filter(username__iexact=username).first()
    audit_record(
        action=AuditAction.LOGIN_FAILED,
        actor=user,
        clinic_id=user.clinic_id if user else None,
        outcome=AuditOutcome.DENIED,
        detail={"locked": locked} if user else {"unknown_user": True, "locked": locked},
    )


@transaction.atomic
def login_success_record(*, user: StaffUser) -> None:
    # A good sign-in clears the account's failures, not the address's.
    LoginFailure.objects.filter(username=user.username.lower()).delete()
    audit_record(action=AuditAction.LOGIN, actor=user, clinic_id=user.clinic_id)


def login_failures_prune() -> int:
    deleted, _ = LoginFailure.objects.filter(at__lt=_window_start() - timedelta(days=1)).delete()
    return deleted


# Second factor ---------------------------------------------------------------------------------


def mfa_has_device(user: StaffUser) -> bool:
    return bool(TOTPDevice.objects.filter(user=user, confirmed=True).exists())


@transaction.atomic
def mfa_setup_begin(*, user: StaffUser) -> TOTPDevice:
    """An unconfirmed authenticator for the user to scan; replaces any earlier unconfirmed one."""
    TOTPDevice.objects.filter(user=user, confirmed=False).delete()
    return TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=False)


@transaction.atomic
def mfa_setup_confirm(*, device: TOTPDevice) -> list[str]:
    """Confirm the authenticator and issue fresh recovery codes (shown once, stored hashed
    by django-otp's static device)."""
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    TOTPDevice.objects.filter(user=device.user, confirmed=True).exclude(pk=device.pk).delete()
    StaticDevice.objects.filter(user=device.user).delete()
    recovery = StaticDevice.objects.create(user=device.user, name="Recovery codes")
    codes = [secrets.token_hex(5) for _ in range(RECOVERY_CODE_COUNT)]
    StaticToken.objects.bulk_create([StaticToken(device=recovery, token=code) for code in codes])
    audit_record(
        action=AuditAction.CHANGE,
        actor=device.user,
        obj=device.user,
        clinic_id=device.user.clinic_id,
        detail={"mfa": "enrolled"},
    )
    return codes


@transaction.atomic
def mfa_reset(*, user: StaffUser, by: StaffUser) -> None:
    """An administrator clears a lost authenticator; the user enrols again at next sign-in."""
    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()
    audit_record(
        action=AuditAction.CHANGE,
        actor=by,
        obj=user,
        clinic_id=user.clinic_id,
        detail={"mfa": "reset"},
    )


# API tokens ------------------------------------------------------------------------------------


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@transaction.atomic
def api_token_create(*, user: StaffUser, name: str, days: int = 30) -> tuple[ApiToken, str]:
    token = f"rmt_{secrets.token_urlsafe(32)}"
    record = ApiToken.objects.create(
        user=user,
        name=name,
        token_hash=_token_hash(token),
        expires_at=timezone.now() + timedelta(days=days),
    )
    audit_record(action=AuditAction.CREATE, actor=user, obj=record, clinic_id=user.clinic_id)
    return record, token


def api_token_user(token: str) -> StaffUser | None:
    record = (
        ApiToken.objects.select_related("user", "user__clinic")
        .filter(
            Q(revoked_at__isnull=True),
            token_hash=_token_hash(token),
            expires_at__gt=timezone.now(),
            user__is_active=True,
        )
        .first()
    )
    return record.user if record else None

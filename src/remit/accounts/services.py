"""Writes for staff accounts and role groups."""

from __future__ import annotations

from django.contrib.auth.models import Group, Permission
from django.db import transaction

from remit.accounts.models import StaffUser
from remit.clinics.models import Clinic
from remit.core.roles import ROLE_PERMISSIONS, Role


@transaction.atomic
def role_groups_sync() -> dict[Role, Group]:
    """Make each role's group hold exactly the permissions of `ROLE_PERMISSIONS`."""
    groups = {}
    for role, codenames in ROLE_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=role.value)
        permissions = []
        for dotted in sorted(codenames):
            app_label, codename = dotted.split(".", 1)
            permissions.append(
                Permission.objects.get(content_type__app_label=app_label, codename=codename)
            )
        group.permissions.set(permissions)
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
) -> StaffUser:
    user = StaffUser(
        username=username, clinic=clinic, first_name=first_name, last_name=last_name, email=email
    )
    user.set_password(password)
    user.full_clean()
    user.save()
    user.groups.set(Group.objects.filter(name__in=[role.value for role in roles]))
    return user

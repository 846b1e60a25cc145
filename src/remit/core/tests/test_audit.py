from __future__ import annotations

import pytest
from django.db import DatabaseError, connection, transaction

from remit.core import append_only
from remit.core.audit import AuditEntry, audit_record, audit_record_many, audit_verify
from remit.core.models import AppendOnlyError, AuditAction, AuditEvent

pytestmark = pytest.mark.django_db


def _three_events(cast) -> list[AuditEvent]:
    return audit_record_many(
        [
            AuditEntry(
                action=AuditAction.VIEW,
                patient_id=cast.patient.pk,
                clinic_id=cast.clinic.pk,
                object_type="patients.Patient",
                object_id=str(cast.patient.pk),
            )
            for _ in range(3)
        ],
        actor=cast.nurse,
    )


def test_a_fresh_chain_verifies(cast):
    _three_events(cast)
    assert list(audit_verify()) == []


def test_each_event_names_who_what_and_which_patient(cast):
    event = audit_record(
        action=AuditAction.VIEW,
        actor=cast.nurse,
        obj=cast.patient,
        patient_id=cast.patient.pk,
        clinic_id=cast.clinic.pk,
    )
    assert event.actor_username == "nurse"
    assert event.actor_roles == "nurse"
    assert event.object_type == "patients.Patient"
    assert event.patient_id == cast.patient.pk


def test_the_application_cannot_change_or_delete_an_event(cast):
    event = _three_events(cast)[0]
    event.action = AuditAction.DELETE
    with pytest.raises(AppendOnlyError):
        event.save()
    with pytest.raises(AppendOnlyError):
        event.delete()
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.filter(pk=event.pk).update(action="delete")
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.all().delete()


def test_the_database_refuses_raw_updates_and_deletes(cast):
    append_only.install(connection)
    event = _three_events(cast)[0]
    for sql in (
        "UPDATE core_auditevent SET action = 'delete' WHERE id = %s",
        "DELETE FROM core_auditevent WHERE id = %s",
    ):
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, [event.pk])
    assert AuditEvent.objects.filter(pk=event.pk, action="view").exists()


def _tamper(sql: str, params: list[int | str]) -> None:
    append_only.uninstall(connection)
    try:
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
    finally:
        append_only.install(connection)


def test_verify_finds_a_changed_row(cast):
    events = _three_events(cast)
    _tamper(
        "UPDATE core_auditevent SET actor_username = %s WHERE id = %s", ["mallory", events[1].pk]
    )
    breaks = list(audit_verify())
    assert [b.event_id for b in breaks] == [events[1].pk]
    assert "changed" in breaks[0].problem


def test_verify_finds_a_deleted_row(cast):
    events = _three_events(cast)
    _tamper("DELETE FROM core_auditevent WHERE id = %s", [events[1].pk])
    assert [b.event_id for b in audit_verify()] == [events[2].pk]


def test_verify_finds_an_inserted_row(cast):
    events = _three_events(cast)
    forged = AuditEvent(
        action="view",
        actor_username="mallory",
        prev_hash=events[0].hash,
        hash="f" * 64,
        at=events[0].at,
    )
    forged.save()
    breaks = list(audit_verify())
    assert {b.event_id for b in breaks} >= {forged.pk}


def test_the_verify_command_confirms_an_intact_chain(cast, capsys):
    from django.core.management import call_command

    _three_events(cast)
    call_command("audit", "verify")
    assert "audit chain verified: 3 events" in capsys.readouterr().out


def test_the_verify_command_fails_loudly_on_a_broken_chain(cast):
    from django.core.management import CommandError, call_command

    events = _three_events(cast)
    _tamper("UPDATE core_auditevent SET ip_address = %s WHERE id = %s", ["10.6.6.6", events[0].pk])
    with pytest.raises(CommandError, match="broken in 1 place"):
        call_command("audit", "verify")


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL role privileges")
def test_on_postgresql_the_application_role_may_only_read_and_append(cast):
    from django.core.management import call_command

    event = _three_events(cast)[0]
    with connection.cursor() as cursor:
        cursor.execute(
            "DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'remit_app_test') "
            "THEN CREATE ROLE remit_app_test NOLOGIN; END IF; END $$"
        )
        cursor.execute("GRANT ALL ON ALL TABLES IN SCHEMA public TO remit_app_test")
        cursor.execute("GRANT ALL ON ALL SEQUENCES IN SCHEMA public TO remit_app_test")
    call_command("audit", "lockdown", "--role", "remit_app_test")
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL ROLE remit_app_test")
        cursor.execute("SELECT count(*) FROM core_auditevent")
        for statement in (
            "UPDATE core_auditevent SET action = 'x' WHERE id = %s",
            "DELETE FROM core_auditevent WHERE id = %s",
        ):
            with pytest.raises(DatabaseError, match="permission denied"), transaction.atomic():
                cursor.execute(statement, [event.pk])
        with pytest.raises(DatabaseError, match="permission denied"), transaction.atomic():
            cursor.execute("TRUNCATE core_auditevent")
    with connection.cursor() as cursor:
        cursor.execute("REASSIGN OWNED BY remit_app_test TO CURRENT_USER")
        cursor.execute("DROP OWNED BY remit_app_test")

"""`remit backup` and `remit restore` on the configured database (SQLite, or PostgreSQL when
REMIT_DATABASE_URL says so).

A restore replaces the whole test database, so every test here is transactional: the backup
is always of the test database's own schema, and the usual flush empties it afterwards.
"""

from __future__ import annotations

import json
import stat
from datetime import UTC, date, datetime
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
import time_machine
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, transaction
from django.db.models import Model

from remit.accounts.models import StaffUser
from remit.clinics.models import Clinic
from remit.core import append_only, backup
from remit.core.audit import audit_verify
from remit.core.models import AuditEvent
from remit.patients.models import Patient
from remit.patients.services import patient_create, patient_update

pytestmark = pytest.mark.django_db(transaction=True)

EXTENSION = "dump" if connection.vendor == "postgresql" else "sqlite3"


@pytest.fixture
def backup_path(tmp_path: Path) -> Path:
    return tmp_path / f"remit.{EXTENSION}"


def _new_patient(cast, given_name: str) -> Patient:
    return patient_create(
        clinic=cast.clinic,
        by=cast.nurse,
        details={
            "legal_given_name": given_name,
            "legal_family_name": "Roundtrip",
            "date_of_birth": date(1979, 4, 18),
            "sex_at_birth": "female",
        },
    )


def _everything() -> dict[str, list[dict[str, Any]]]:
    models: tuple[type[Model], ...] = (Clinic, StaffUser, Patient, AuditEvent)
    return {
        model._meta.label: [dict(row) for row in model._default_manager.order_by("pk").values()]
        for model in models
    }


def _backup(path: Path) -> Path:
    out = StringIO()
    call_command("backup", "--output", str(path), stdout=out)
    assert out.getvalue().strip() == str(path)
    return path


def _restore(path: Path, *arguments: str) -> str:
    out = StringIO()
    call_command("restore", str(path), *arguments, stdout=out)
    return out.getvalue()


def _manifest(path: Path) -> dict[str, Any]:
    manifest: dict[str, Any] = json.loads(backup.manifest_path_for(path).read_text())
    return manifest


def _rewrite_manifest(path: Path, manifest: dict[str, Any]) -> None:
    backup.manifest_path_for(path).write_text(json.dumps(manifest))


Rows = dict[str, list[dict[str, Any]]]


def _without_restore_event(everything: Rows, path: Path) -> Rows:
    """What a restore brought back: all but its own audit event, which must come last."""
    *kept, restore = everything["core.AuditEvent"]
    assert restore["action"] == "restore"
    assert restore["detail"]["sha256"] == _manifest(path)["sha256"]
    assert restore["detail"]["file"] == path.name
    return {**everything, "core.AuditEvent": kept}


def test_a_restore_brings_back_exactly_what_was_backed_up_and_the_clinic_can_carry_on(
    cast, backup_path
):
    kept = _new_patient(cast, "Harper")
    _new_patient(cast, "Rowan")
    at_backup = _everything()
    _backup(backup_path)

    patient_update(patient=kept, by=cast.nurse, changes={"preferred_name": "Harp"})
    _new_patient(cast, "Added-After-Backup")
    assert _everything() != at_backup

    output = _restore(backup_path, "--yes")

    assert _without_restore_event(_everything(), backup_path) == at_backup
    assert list(audit_verify()) == []
    events = len(at_backup["core.AuditEvent"])
    assert events > 0
    assert f"audit chain verified: {events} events" in output
    # The id counters came back too: new rows neither collide nor break the chain, and the
    # audit table is append-only again.
    _new_patient(cast, "Added-After-Restore")
    assert Patient.objects.filter(legal_given_name="Added-After-Restore").count() == 1
    assert list(audit_verify()) == []
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE core_auditevent SET action = 'delete'")


def test_a_backup_file_that_was_changed_is_refused_and_nothing_is_restored(cast, backup_path):
    _new_patient(cast, "Harper")
    _backup(backup_path)
    _new_patient(cast, "Added-After-Backup")
    content = bytearray(backup_path.read_bytes())
    content[len(content) // 2] ^= 0xFF
    backup_path.write_bytes(bytes(content))

    with pytest.raises(CommandError, match="does not match its manifest"):
        _restore(backup_path, "--yes")
    assert Patient.objects.filter(legal_given_name="Added-After-Backup").exists()


def test_a_restore_that_fails_part_way_leaves_the_database_as_it_was(cast, backup_path):
    for index in range(5):
        _new_patient(cast, f"Patient-{index}")
    _backup(backup_path)
    _new_patient(cast, "Added-After-Backup")
    before = _everything()
    # Cut short, with a manifest rewritten to match, so the damage is met mid-restore.
    backup_path.write_bytes(backup_path.read_bytes()[: backup_path.stat().st_size // 2])
    manifest = _manifest(backup_path)
    manifest["sha256"], manifest["size_bytes"] = backup.file_sha256(backup_path)
    _rewrite_manifest(backup_path, manifest)

    with pytest.raises(CommandError, match="nothing was restored|integrity|malformed"):
        _restore(backup_path, "--yes")
    assert _everything() == before


def test_restoring_over_a_database_that_holds_data_needs_yes(cast, backup_path):
    _backup(backup_path)
    _new_patient(cast, "Added-After-Backup")

    with pytest.raises(CommandError, match="--yes"):
        _restore(backup_path)
    assert Patient.objects.filter(legal_given_name="Added-After-Backup").exists()


def test_restoring_into_an_empty_database_needs_no_yes(cast, backup_path):
    _new_patient(cast, "Harper")
    at_backup = _everything()
    _backup(backup_path)
    append_only.uninstall(connection)
    call_command("flush", "--no-input", verbosity=0)
    assert set(backup.database_contents(connection).values()) == {0}

    _restore(backup_path)

    assert _without_restore_event(_everything(), backup_path) == at_backup


def test_a_broken_audit_chain_in_the_backup_fails_the_restore_and_names_the_row(cast, backup_path):
    _new_patient(cast, "Harper")
    tampered = AuditEvent.objects.order_by("id")[0]
    append_only.uninstall(connection)
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE core_auditevent SET actor_username = 'mallory' WHERE id = %s", [tampered.pk]
        )
    append_only.install(connection)
    _backup(backup_path)

    with pytest.raises(CommandError, match=f"audit chain broken at event {tampered.pk}"):
        _restore(backup_path, "--yes")


def test_a_restore_checks_row_counts_and_the_chains_end_against_the_manifest(cast, backup_path):
    _new_patient(cast, "Harper")
    _backup(backup_path)
    manifest = _manifest(backup_path)
    manifest["state"]["row_counts"]["patients.Patient"] += 1
    manifest["state"]["audit_last_hash"] = "a" * 64
    _rewrite_manifest(backup_path, manifest)

    with pytest.raises(CommandError) as refused:
        _restore(backup_path, "--yes")
    assert "patients.Patient" in str(refused.value)
    assert "does not end where the backup's ended" in str(refused.value)


def test_a_backup_without_its_manifest_is_refused(cast, backup_path):
    _backup(backup_path)
    backup.manifest_path_for(backup_path).unlink()

    with pytest.raises(CommandError, match="no manifest"):
        _restore(backup_path, "--yes")


def test_a_backup_of_the_other_kind_of_database_is_refused(cast, backup_path):
    _backup(backup_path)
    manifest = _manifest(backup_path)
    manifest["format"] = (
        backup.SQLITE_FORMAT
        if manifest["format"] == backup.POSTGRES_FORMAT
        else backup.POSTGRES_FORMAT
    )
    _rewrite_manifest(backup_path, manifest)

    with pytest.raises(CommandError, match="same kind"):
        _restore(backup_path, "--yes")


def test_the_manifest_describes_the_file_and_the_data_it_holds(cast, backup_path):
    _new_patient(cast, "Harper")
    _backup(backup_path)
    manifest = _manifest(backup_path)

    assert manifest["sha256"] == backup.file_sha256(backup_path)[0]
    assert manifest["size_bytes"] == backup_path.stat().st_size
    assert manifest["file_name"] == backup_path.name
    assert manifest["state"]["migrations_latest"]["core"] >= "0002_audit_append_only"
    assert manifest["state"]["row_counts"]["patients.Patient"] == Patient.objects.count()
    # The backup itself is the next audit event, after the copy it describes.
    *copied, recorded = AuditEvent.objects.order_by("id")
    assert (recorded.action, recorded.detail["sha256"]) == ("backup", manifest["sha256"])
    assert manifest["state"]["row_counts"]["core.AuditEvent"] == len(copied)
    assert manifest["state"]["audit_last_hash"] == copied[-1].hash == recorded.prev_hash
    # Both files hold or describe patient data: readable by their owner alone.
    for path in (backup_path, backup.manifest_path_for(backup_path)):
        assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_by_default_a_backup_goes_to_the_data_folder_named_by_utc_time(cast, settings, tmp_path):
    settings.DATA_DIR = tmp_path
    with time_machine.travel(datetime(2025, 3, 9, 7, 30, 5, tzinfo=UTC), tick=False):
        result = backup.backup_create()

    assert result.path == tmp_path / "backups" / f"remit-20250309T073005Z.{EXTENSION}"
    assert result.path.is_file()
    assert result.manifest_path.is_file()


def test_a_backup_never_overwrites_an_existing_file(cast, backup_path):
    backup_path.write_text("an older backup")

    with pytest.raises(CommandError, match="already exists"):
        _backup(backup_path)
    assert backup_path.read_text() == "an older backup"


def test_a_failed_backup_leaves_no_file_behind(cast, backup_path, monkeypatch):
    def disk_full(path: Path) -> tuple[str, int]:
        raise OSError("No space left on device")

    monkeypatch.setattr(backup, "file_sha256", disk_full)

    with pytest.raises(OSError, match="No space left"):
        backup.backup_create(output=backup_path)
    assert list(backup_path.parent.iterdir()) == []

"""Backing up and restoring Remit's database, with a manifest that lets a restore prove itself.

A backup is one file (SQLite's online backup API, or `pg_dump --format=custom`) and a JSON
manifest: its SHA-256, and the migration state, row counts and audit chain end read from the
very snapshot the file holds. A restore checks the file first, replaces the database in one
transaction (old or restored data, never a mixture), then checks the result against the
manifest and verifies the whole audit chain. docs/backup.md is the operator's guide.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import tempfile
from collections.abc import Mapping
from contextlib import suppress
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import IO, Any

import psycopg
from django.apps import apps
from django.conf import settings
from django.db import DatabaseError, connections
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.migrations.executor import MigrationExecutor

from remit.core import append_only
from remit.core.audit import GENESIS_HASH, audit_record, audit_verify
from remit.core.models import AuditAction

MANIFEST_VERSION = 1
SQLITE_FORMAT = "sqlite3"
POSTGRES_FORMAT = "postgresql-custom"
_EXTENSIONS = {SQLITE_FORMAT: "sqlite3", POSTGRES_FORMAT: "dump"}
# The tables whose row counts a backup records and a restore must reproduce. A database with
# none of these rows holds no clinic data, so a restore may replace it without asking.
KEY_MODELS = ("clinics.Clinic", "accounts.StaffUser", "patients.Patient", "core.AuditEvent")
_AUDIT_MODEL = "core.AuditEvent"
_HASH_CHUNK_BYTES = 1 << 20


class BackupError(Exception):
    """A backup or restore could not be made; the message says why and what to do."""


class RestoreVerificationError(BackupError):
    """The restore ran, but the restored database does not match its backup's manifest."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        listed = "\n".join(f"  - {problem}" for problem in problems)
        super().__init__(f"The restored database failed verification:\n{listed}")


@dataclass(frozen=True)
class DatabaseState:
    """What a backup records about its database and a restore checks again."""

    migrations_latest: dict[str, str]
    migrations_applied: int
    row_counts: dict[str, int]
    audit_last_hash: str


@dataclass(frozen=True)
class Manifest:
    format: str
    file_name: str
    created_at: str
    sha256: str
    size_bytes: int
    remit_version: str
    state: DatabaseState
    manifest_version: int = MANIFEST_VERSION

    def to_json(self) -> str:
        return json.dumps(asdict(self), indent=2, sort_keys=True) + "\n"

    @classmethod
    def from_json(cls, text: str, *, source: Path) -> Manifest:
        # Values are compared, never executed or used as paths, so shape is all we check here.
        try:
            raw = json.loads(text)
            if raw.get("manifest_version") != MANIFEST_VERSION:
                raise BackupError(f"{source}: this Remit reads manifest version {MANIFEST_VERSION}")
            return cls(**{**raw, "state": DatabaseState(**raw["state"])})
        except (ValueError, KeyError, TypeError, AttributeError) as error:
            raise BackupError(f"{source} is not a readable backup manifest ({error})") from None


@dataclass(frozen=True)
class BackupResult:
    path: Path
    manifest_path: Path
    manifest: Manifest


@dataclass(frozen=True)
class RestoreReport:
    path: Path
    manifest: Manifest
    audit_events: int
    row_counts: dict[str, int]
    pending_migrations: list[str]


def manifest_path_for(backup_path: Path) -> Path:
    return backup_path.with_name(backup_path.name + ".manifest.json")


def backup_default_path(database_format: str, at: datetime) -> Path:
    stamp = at.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
    return Path(settings.DATA_DIR) / "backups" / f"remit-{stamp}.{_EXTENSIONS[database_format]}"


def backup_create(*, output: Path | None = None, using: str = "default") -> BackupResult:
    """Back up the database to `output` (default: the data folder's backups/) and a manifest."""
    connection = connections[using]
    database_format = _format_of(connection)
    if connection.in_atomic_block:
        raise BackupError("A backup cannot run inside a database transaction.")
    created = datetime.now(UTC)
    path = (output or backup_default_path(database_format, created)).expanduser().absolute()
    manifest_path = manifest_path_for(path)
    for existing in (path, manifest_path):
        if existing.exists():
            raise BackupError(f"{existing} already exists; choose another --output.")
    try:
        # Backups hold every patient's record: only their owner may enter the folder.
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    except OSError as error:
        raise BackupError(f"Cannot create the folder {path.parent}: {error}") from None

    # Written under a temporary name and renamed only when complete, so a file under the final
    # name is always a whole backup. mkstemp creates it readable by its owner alone.
    handle, temporary_name = tempfile.mkstemp(
        prefix=f".{path.name}.", suffix=".partial", dir=path.parent
    )
    os.close(handle)
    temporary = Path(temporary_name)
    manifest_written = False
    try:
        if database_format == SQLITE_FORMAT:
            state = _sqlite_backup(connection, temporary)
        else:
            state = _postgres_backup(connection, temporary)
        digest, size_bytes = file_sha256(temporary)
        manifest = Manifest(
            format=database_format,
            file_name=path.name,
            created_at=created.isoformat(timespec="seconds").replace("+00:00", "Z"),
            sha256=digest,
            size_bytes=size_bytes,
            remit_version=_remit_version(),
            state=state,
        )
        # The manifest goes first: a backup under its final name always has one beside it.
        _write_atomically(manifest_path, manifest.to_json())
        manifest_written = True
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        if manifest_written:
            manifest_path.unlink(missing_ok=True)
        raise
    # A backup is a copy of every record: who made it, and when, belongs in the trail. The event
    # follows the copy, so the backup's own chain ends where its manifest says.
    audit_record(action=AuditAction.BACKUP, detail=_audit_detail(manifest))
    return BackupResult(path=path, manifest_path=manifest_path, manifest=manifest)


def _audit_detail(manifest: Manifest) -> dict[str, Any]:
    return {
        "file": manifest.file_name,
        "sha256": manifest.sha256,
        "backup_created_at": manifest.created_at,
        "audit_events": manifest.state.row_counts.get(_AUDIT_MODEL, 0),
    }


def backup_restore(
    path: Path, *, replace_existing: bool = False, using: str = "default"
) -> RestoreReport:
    """Replace the database with the backup at `path`, then verify the result.

    Raises BackupError before touching the database when the file or manifest is wrong or the
    database holds data and `replace_existing` is false; raises RestoreVerificationError after
    the restore when the restored data do not match the manifest or the audit chain is broken.
    """
    connection = connections[using]
    path = path.expanduser().absolute()
    manifest = manifest_read(path)
    database_format = _format_of(connection)
    if manifest.format != database_format:
        raise BackupError(
            f"{path.name} is a {manifest.format} backup, but Remit is configured for "
            f"{database_format}; restore it into a database of the same kind."
        )
    digest, _ = file_sha256(path)
    if digest != manifest.sha256:
        raise BackupError(
            f"{path.name} does not match its manifest (SHA-256 {digest}, manifest says "
            f"{manifest.sha256}): the file is damaged or was changed. Nothing was restored."
        )
    if connection.in_atomic_block:
        raise BackupError("A restore cannot run inside a database transaction.")
    if not replace_existing:
        held = database_contents(connection)
        if any(held.values()):
            summary = ", ".join(f"{n} {label}" for label, n in held.items() if n)
            raise BackupError(
                f"The database already holds data ({summary}). Restoring replaces all of it "
                "with the backup; run again with --yes to do that. Nothing was restored."
            )

    if database_format == SQLITE_FORMAT:
        _sqlite_restore(connection, path)
    else:
        _postgres_restore(connection, path)
    # The backup carries the append-only triggers, but a restore must never leave the audit
    # table writable, whatever the file held.
    append_only.install(connection)
    report = _verify_restored(connection, path, manifest)
    # Recorded only once the restored chain is verified, as its next event: the trail then
    # shows that everything after this point was written on top of that backup.
    audit_record(action=AuditAction.RESTORE, detail=_audit_detail(manifest))
    return report


def manifest_read(backup_path: Path) -> Manifest:
    manifest_path = manifest_path_for(backup_path)
    if not backup_path.is_file():
        raise BackupError(f"There is no backup file at {backup_path}.")
    try:
        text = manifest_path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise BackupError(
            f"{backup_path.name} has no manifest beside it ({manifest_path.name}); without it "
            "the file cannot be checked, so it is not restored."
        ) from None
    except OSError as error:
        raise BackupError(f"Cannot read {manifest_path}: {error}") from None
    return Manifest.from_json(text, source=manifest_path)


def file_sha256(path: Path) -> tuple[str, int]:
    digest = hashlib.sha256()
    size = 0
    with path.open("rb") as stream:
        while chunk := stream.read(_HASH_CHUNK_BYTES):
            digest.update(chunk)
            size += len(chunk)
    return digest.hexdigest(), size


def database_contents(connection: BaseDatabaseWrapper) -> dict[str, int]:
    """Rows in each key table (0 for a table that does not exist yet)."""
    existing = set(connection.introspection.table_names())
    with connection.cursor() as cursor:
        return {
            label: _count(cursor, label) if _table(label) in existing else 0 for label in KEY_MODELS
        }


# --- reading the state a backup records ------------------------------------------------------


def _table(label: str) -> str:
    return str(apps.get_model(label)._meta.db_table)


def _count(cursor: Any, label: str) -> int:
    # The table name comes from our own models, never from input.
    cursor.execute(f'SELECT COUNT(*) FROM "{_table(label)}"')  # noqa: S608
    return int(cursor.fetchone()[0])


def _state_read(cursor: Any, database_errors: tuple[type[Exception], ...]) -> DatabaseState:
    """Read the state through any DB-API cursor: a raw one on the backup's own snapshot, or
    Django's on the live database."""
    try:
        cursor.execute("SELECT app, name FROM django_migrations ORDER BY id")
        applied = [(str(app), str(name)) for app, name in cursor.fetchall()]
        counts = {label: _count(cursor, label) for label in KEY_MODELS}
        audit_table = _table(_AUDIT_MODEL)
        cursor.execute(f'SELECT hash FROM "{audit_table}" ORDER BY id DESC LIMIT 1')  # noqa: S608
        row = cursor.fetchone()
    except database_errors as error:
        raise BackupError(
            f"The database lacks Remit's tables (run `remit migrate`): {error}"
        ) from None
    return DatabaseState(
        migrations_latest=dict(applied),
        migrations_applied=len(applied),
        row_counts=counts,
        audit_last_hash=str(row[0]) if row else GENESIS_HASH,
    )


# --- SQLite ------------------------------------------------------------------------------------


def _sqlite_backup(connection: BaseDatabaseWrapper, destination: Path) -> DatabaseState:
    connection.ensure_connection()
    target = sqlite3.connect(destination)
    try:
        # One step copies every page under one read lock: a consistent copy while Remit runs.
        connection.connection.backup(target)
        # The copy inherits WAL mode; a backup should be one self-contained file.
        target.execute("PRAGMA journal_mode=DELETE")
        _sqlite_check_integrity(target, destination.name)
        return _state_read(target.cursor(), (sqlite3.Error,))
    except sqlite3.Error as error:
        raise BackupError(f"The SQLite backup failed: {error}") from None
    finally:
        target.close()


def _sqlite_check_integrity(database: sqlite3.Connection, name: str) -> None:
    result = database.execute("PRAGMA integrity_check").fetchall()
    if result != [("ok",)]:
        found = "; ".join(str(row[0]) for row in result[:5])
        raise BackupError(f"{name} fails SQLite's integrity check: {found}")


def _sqlite_restore(connection: BaseDatabaseWrapper, path: Path) -> None:
    try:
        source = sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True)
    except sqlite3.Error as error:
        raise BackupError(f"Cannot open {path.name}: {error}") from None
    try:
        _sqlite_check_integrity(source, path.name)
        connection.ensure_connection()
        # The reverse copy replaces every page of the live database in one write transaction,
        # so a failure part-way leaves the old database as it was.
        source.backup(connection.connection)
    except sqlite3.Error as error:
        raise BackupError(f"The SQLite restore failed: {error}") from None
    finally:
        source.close()


# --- PostgreSQL --------------------------------------------------------------------------------

# libpq reads the connection from the environment, so no secret appears on a command line.
_LIBPQ_SETTINGS = ("NAME", "USER", "PASSWORD", "HOST", "PORT")
_LIBPQ_OPTIONS = ("sslmode", "sslrootcert", "sslcert", "sslkey", "passfile", "service", "options")

# Tables the backup does not know (from a newer migration) would survive pg_restore --clean
# and block dropping the tables they reference, so the restore first drops every table of
# the schema. It runs in the same transaction as the restore itself.
_DROP_SCHEMA_TABLES = """
DO $$
DECLARE table_name text;
BEGIN
    FOR table_name IN SELECT tablename FROM pg_tables WHERE schemaname = current_schema() LOOP
        EXECUTE format('DROP TABLE IF EXISTS %I CASCADE', table_name);
    END LOOP;
END
$$;
"""


def _libpq_environment(settings_dict: Mapping[str, Any]) -> dict[str, str]:
    environment = dict(os.environ)
    for key in _LIBPQ_SETTINGS:
        if settings_dict.get(key):
            environment["PGDATABASE" if key == "NAME" else f"PG{key}"] = str(settings_dict[key])
    for option in _LIBPQ_OPTIONS:
        if settings_dict.get("OPTIONS", {}).get(option) is not None:
            environment[f"PG{option.upper()}"] = str(settings_dict["OPTIONS"][option])
    return environment


def _tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise BackupError(
            f"{name} is not installed or not on PATH; install the PostgreSQL client tools "
            "(Debian: apt install postgresql-client) of the server's major version or newer."
        )
    return found


def _tail(stream: IO[bytes]) -> str:
    stream.seek(0)
    lines = stream.read().decode(errors="replace").strip().splitlines()
    return "\n".join(lines[-10:]) or "(no message)"


def _postgres_backup(connection: BaseDatabaseWrapper, destination: Path) -> DatabaseState:
    pg_dump = _tool("pg_dump")
    try:
        snapshot_holder = connection.get_new_connection(connection.get_connection_params())
    except (psycopg.Error, DatabaseError) as error:
        raise BackupError(f"Cannot connect to PostgreSQL: {error}") from None
    try:
        with snapshot_holder.cursor() as cursor:
            # One REPEATABLE READ snapshot, exported to pg_dump: the manifest's counts describe
            # exactly the rows in the archive, however busy the clinic is meanwhile.
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            cursor.execute("SELECT pg_export_snapshot()")
            snapshot = cursor.fetchone()[0]
            state = _state_read(cursor, (psycopg.Error,))
            arguments = [pg_dump, "--format=custom", "--no-password", f"--snapshot={snapshot}"]
            with tempfile.TemporaryFile() as errors:
                finished = subprocess.run(  # noqa: S603 (fixed arguments, no shell)
                    [*arguments, f"--file={destination}"],
                    env=_libpq_environment(connection.settings_dict),
                    stdin=subprocess.DEVNULL,
                    stdout=subprocess.DEVNULL,
                    stderr=errors,
                    check=False,
                )
                if finished.returncode != 0:
                    raise BackupError(f"pg_dump failed:\n{_tail(errors)}")
        return state
    finally:
        snapshot_holder.close()


def _postgres_restore(connection: BaseDatabaseWrapper, path: Path) -> None:
    pg_restore, psql = _tool("pg_restore"), _tool("psql")
    environment = _libpq_environment(connection.settings_dict)
    # Remit's own idle connections would otherwise hold locks the restore has to wait for.
    connections.close_all()
    with tempfile.TemporaryFile() as restore_errors, tempfile.TemporaryFile() as psql_errors:
        with (
            subprocess.Popen(  # noqa: S603 (fixed arguments, no shell)
                [psql, "--no-psqlrc", "--quiet", "--no-password", "-v", "ON_ERROR_STOP=1"],
                env=environment,
                stdin=subprocess.PIPE,
                stdout=subprocess.DEVNULL,
                stderr=psql_errors,
            ) as loader,
            subprocess.Popen(  # noqa: S603
                [pg_restore, "--clean", "--if-exists", "--no-owner", "--file=-", str(path)],
                env=environment,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=restore_errors,
            ) as reader,
        ):
            assert loader.stdin is not None and reader.stdout is not None  # noqa: S101 (PIPE)
            # The script is relayed inside BEGIN ... COMMIT, and COMMIT is sent only when
            # pg_restore finished cleanly: a restore that stops part-way is rolled back whole.
            with suppress(BrokenPipeError):
                loader.stdin.write(b"BEGIN;\n" + _DROP_SCHEMA_TABLES.encode())
                shutil.copyfileobj(reader.stdout, loader.stdin)
            # If psql stopped at an error, closing our end lets pg_restore stop too.
            reader.stdout.close()
            reader_code = reader.wait()
            with suppress(BrokenPipeError):
                if reader_code == 0:
                    loader.stdin.write(b"COMMIT;\n")
            with suppress(BrokenPipeError):
                loader.stdin.close()
            loader_code = loader.wait()
        # psql's error comes first: when it stops, pg_restore only fails for lack of a reader.
        if loader_code != 0:
            raise BackupError(f"The restore failed; nothing was restored:\n{_tail(psql_errors)}")
        if reader_code != 0:
            raise BackupError(f"pg_restore failed; nothing was restored:\n{_tail(restore_errors)}")


# --- after a restore ---------------------------------------------------------------------------


def _verify_restored(
    connection: BaseDatabaseWrapper, path: Path, manifest: Manifest
) -> RestoreReport:
    expected = manifest.state
    problems: list[str] = []
    try:
        with connection.cursor() as cursor:
            found = _state_read(cursor, (DatabaseError,))
    except BackupError as error:
        raise RestoreVerificationError([f"the restored database cannot be read: {error}"]) from None
    for label, count in expected.row_counts.items():
        if found.row_counts.get(label) != count:
            problems.append(f"{label}: {found.row_counts.get(label)} rows, the backup had {count}")
    if found.migrations_latest != expected.migrations_latest:
        problems.append("the migration state differs from the backup's")
    # audit_verify cannot see rows missing from the end of the chain; the manifest can.
    if found.audit_last_hash != expected.audit_last_hash:
        problems.append("the audit chain does not end where the backup's ended")
    breaks = list(audit_verify())
    problems += [f"audit chain broken at event {b.event_id}: {b.problem}" for b in breaks[:20]]
    if len(breaks) > 20:
        problems.append(f"... and {len(breaks) - 20} more audit chain breaks")
    if problems:
        raise RestoreVerificationError(problems)
    return RestoreReport(
        path=path,
        manifest=manifest,
        audit_events=found.row_counts[_AUDIT_MODEL],
        row_counts=found.row_counts,
        pending_migrations=_pending_migrations(connection),
    )


def _pending_migrations(connection: BaseDatabaseWrapper) -> list[str]:
    executor = MigrationExecutor(connection)
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    return [f"{migration.app_label}.{migration.name}" for migration, _ in plan]


# --- helpers -----------------------------------------------------------------------------------


def _format_of(connection: BaseDatabaseWrapper) -> str:
    if connection.vendor == "sqlite":
        return SQLITE_FORMAT
    if connection.vendor == "postgresql":
        return POSTGRES_FORMAT
    raise BackupError(f"Remit cannot back up a {connection.vendor} database.")


def _remit_version() -> str:
    try:
        return metadata.version("remit")
    except metadata.PackageNotFoundError:
        return "unknown"


def _write_atomically(path: Path, text: str) -> None:
    handle, temporary_name = tempfile.mkstemp(
        prefix=f".{path.name}.", suffix=".partial", dir=path.parent
    )
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            stream.write(text)
        os.replace(temporary_name, path)
    except BaseException:
        Path(temporary_name).unlink(missing_ok=True)
        raise

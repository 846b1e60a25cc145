from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection
from psycopg import sql

from remit.core.audit import audit_verify
from remit.core.models import AuditEvent


class Command(BaseCommand):
    help = "Verify the audit trail's hash chain, or lock the audit table down on PostgreSQL."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("verify", help="report any changed, deleted or inserted audit row")
        lockdown = sub.add_parser(
            "lockdown",
            help="PostgreSQL: let the application's role only INSERT and SELECT audit rows",
        )
        lockdown.add_argument("--role", required=True, help="the role Remit connects as")

    def handle(self, *args: Any, action: str, **options: Any) -> None:
        if action == "verify":
            self._verify()
        else:
            self._lockdown(options["role"])

    def _verify(self) -> None:
        breaks = list(audit_verify())
        if breaks:
            for problem in breaks[:50]:
                self.stderr.write(f"audit event {problem.event_id}: {problem.problem}")
            raise CommandError(f"audit chain broken in {len(breaks)} place(s)")
        count = AuditEvent.objects.count()
        self.stdout.write(self.style.SUCCESS(f"audit chain verified: {count} events"))

    def _lockdown(self, role: str) -> None:
        if connection.vendor != "postgresql":
            raise CommandError("lockdown applies to PostgreSQL; SQLite is guarded by triggers")
        # A role name is an identifier, not a value: psycopg's Identifier escapes it fully
        # (Django's quote_name does not escape a double quote inside the name).
        role_sql = sql.Identifier(role)
        with connection.cursor() as cursor:
            for statement in (
                "REVOKE UPDATE, DELETE, TRUNCATE ON core_auditevent FROM {}",
                "GRANT SELECT, INSERT ON core_auditevent TO {}",
                "GRANT USAGE, SELECT ON SEQUENCE core_auditevent_id_seq TO {}",
            ):
                cursor.execute(sql.SQL(statement).format(role_sql))
        self.stdout.write(self.style.SUCCESS(f"{role} may now only read and append audit events"))

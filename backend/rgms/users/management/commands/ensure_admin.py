"""``manage.py ensure_admin``: create the first admin at deploy time, idempotently.

Values come from the arguments, else from INITIAL_ADMIN_USERNAME / INITIAL_ADMIN_EMAIL /
INITIAL_ADMIN_PASSWORD (read through config.env). Re-running changes nothing when the admin
exists (unless --reset-password). There is no built-in admin and no default password: the
legacy app's seeded admin is never recreated here (MISSION J).
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from config import env
from rgms.audit.services import audit_record
from rgms.users.models import Role, User

# The legacy app created this account with a password published in its source (legacy-schema.md).
LEGACY_DEFAULT_ADMIN_USERNAME = "msu-sndrotc_admin"


class Command(BaseCommand):
    help = "Create the first admin from arguments or INITIAL_ADMIN_* variables (idempotent)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--username", help="Default: INITIAL_ADMIN_USERNAME.")
        parser.add_argument("--email", help="Default: INITIAL_ADMIN_EMAIL.")
        parser.add_argument(
            "--password",
            help="Default: INITIAL_ADMIN_PASSWORD (prefer the variable: arguments show in ps).",
        )
        parser.add_argument(
            "--skip-if-unset",
            action="store_true",
            help="Exit quietly when no username is given or configured (for deploy hooks).",
        )
        parser.add_argument(
            "--reset-password",
            action="store_true",
            help="Set the password of an existing admin too (otherwise it is left alone).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        username = options["username"] or env.get("INITIAL_ADMIN_USERNAME")
        email = options["email"] or env.get("INITIAL_ADMIN_EMAIL")
        password = options["password"] or env.get("INITIAL_ADMIN_PASSWORD")
        if not username and options["skip_if_unset"]:
            self.stdout.write("INITIAL_ADMIN_USERNAME is not set; no admin created.")
            return
        if not username:
            raise CommandError("No admin username: pass --username or set INITIAL_ADMIN_USERNAME.")
        if username == LEGACY_DEFAULT_ADMIN_USERNAME:
            raise CommandError(
                f"Refusing to create the legacy default admin {username!r}: choose another name."
            )

        existing = User.objects.filter(username=username).first()
        if existing is not None:
            self._existing(existing, password, reset=options["reset_password"])
            return
        if not password:
            raise CommandError("No admin password: pass --password or set INITIAL_ADMIN_PASSWORD.")
        candidate = User(username=username, email=email or None, role=Role.ADMIN)
        self._validate(password, candidate)
        with transaction.atomic():
            user = User.objects.create_superuser(username, password, email=email or None)
            audit_record(
                table_name="users",
                operation="admin_created",
                record_id=user.pk,
                payload={"username": username, "by": "ensure_admin"},
            )
        self.stdout.write(self.style.SUCCESS(f"Created admin {username!r} (id {user.pk})."))

    def _existing(self, user: User, password: str | None, *, reset: bool) -> None:
        if user.role != Role.ADMIN:
            raise CommandError(
                f"User {user.username!r} exists with role {user.role!r}; not changing it to admin."
            )
        if reset:
            if not password:
                raise CommandError("--reset-password needs a password.")
            self._validate(password, user)
            user.set_password(password)
            user.save(update_fields=["password"])
            audit_record(
                table_name="users",
                operation="admin_password_reset",
                record_id=user.pk,
                payload={"username": user.username, "by": "ensure_admin"},
            )
            self.stdout.write(self.style.SUCCESS(f"Admin {user.username!r}: password set."))
            return
        state = []
        if user.is_archived:
            state.append("archived")
        if not user.is_approved:
            state.append("not approved")
        note = f" (note: {', '.join(state)})" if state else ""
        self.stdout.write(f"Admin {user.username!r} already exists; nothing changed{note}.")

    def _validate(self, password: str, user: User) -> None:
        try:
            validate_password(password, user)
        except ValidationError as exc:
            raise CommandError("The admin password is too weak: " + " ".join(exc.messages)) from exc

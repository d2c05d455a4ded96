"""python manage.py invite [--role learner|instructor] [--days N]: print a sign-up link."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandParser
from django.urls import reverse
from django.utils.http import urlencode

from studyapp.accounts.signup import INVITABLE, invitation, until


class Command(BaseCommand):
    help = "Print an invitation link to sign up as a learner or an instructor."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--role", choices=[str(r) for r in INVITABLE], default="learner")
        parser.add_argument("--days", type=int, default=14, help="how long it works (14)")

    def handle(self, *args: object, role: str, days: int, **options: object) -> None:
        token = invitation(role, days)
        link = f"{reverse('signup')}?{urlencode({'invite': token})}"
        self.stdout.write(
            f"Anyone with this link can sign up as {'an' if role == 'instructor' else 'a'} "
            f"{role} until {until(token):%Y-%m-%d %H:%M} UTC; put this server's address "
            f"in front of it:\n{link}"
        )

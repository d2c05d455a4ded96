"""python manage.py createinstructor USERNAME [--email E] [--course SLUG] [--no-input]:
make an instructor (or make an existing user one)."""

from __future__ import annotations

import getpass

from django.contrib.auth import get_user_model, password_validation
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from studyapp.accounts.models import Profile
from studyapp.courses.models import Course, Teaching


class Command(BaseCommand):
    help = (
        "Make an instructor: asks for a password, or with --email and --no-input makes a "
        "link for them to set their own (printed, and mailed)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--email", default="")
        parser.add_argument("--course", help="slug of a course they will teach")
        parser.add_argument(
            "--base-url",
            default="http://127.0.0.1:8000",
            help="this server's address, for the set-password link",
        )
        parser.add_argument("--no-input", action="store_true", help="ask for nothing")

    def handle(self, *args: object, username: str, **options: object) -> None:
        course = None
        if options["course"]:
            course = Course.objects.filter(slug=options["course"]).first()
            if course is None:
                raise CommandError(f"No course {options['course']!r}.", returncode=1)
        if options["no_input"] and not options["email"]:
            raise CommandError("With --no-input, give --email for the set-password link.")
        User = get_user_model()
        user = User.objects.filter(username=username).first() or User(username=username)
        password = None if options["no_input"] else self._ask_password(user)
        with transaction.atomic():
            user.email = options["email"] or user.email
            if password:
                user.set_password(password)
            elif user.pk is None:
                user.set_unusable_password()
            user.save()
            Profile.objects.update_or_create(user=user, defaults={"role": Profile.Role.INSTRUCTOR})
            if course is not None:
                Teaching.objects.get_or_create(course=course, instructor=user)
        self.stdout.write(f"{username} is an instructor" + (f" of {course}" if course else ""))
        if not password:
            self._send_link(user, str(options["base_url"]).rstrip("/"))

    def _ask_password(self, user) -> str | None:
        """Ask twice; an empty answer means: send a set-password link instead."""
        while True:
            password = getpass.getpass("Password (empty: make a link to set one): ")
            if not password:
                return None
            if password != getpass.getpass("Password again: "):
                self.stderr.write("The two passwords differ; try again.")
                continue
            try:
                password_validation.validate_password(password, user)
            except ValidationError as error:
                self.stderr.write(" ".join(error.messages))
                continue
            return password

    def _send_link(self, user, base_url: str) -> None:
        uid = urlsafe_base64_encode(force_bytes(user.pk))
        token = default_token_generator.make_token(user)
        link = base_url + reverse("password_reset_confirm", args=[uid, token])
        self.stdout.write(f"They set their password at (once): {link}")
        if user.email:
            send_mail(
                "Your instructor account",
                f"An account was made for you as an instructor. Set your password here:\n{link}\n",
                None,
                [user.email],
            )

"""python manage.py setup_demo: create (or reset) the demo learner and instructor."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand

from studyapp.accounts.models import Profile
from studyapp.courses.models import Teaching, shipped_course

DEMO_USERS = [
    ("learner", "learner-demo", Profile.Role.LEARNER),
    ("instructor", "instructor-demo", Profile.Role.INSTRUCTOR),
]


class Command(BaseCommand):
    help = "Create the demo learner and instructor; running it again resets their passwords."

    def handle(self, *args: object, **options: object) -> None:
        User = get_user_model()
        for username, password, role in DEMO_USERS:
            user, _ = User.objects.get_or_create(username=username)
            user.set_password(password)
            user.save()
            Profile.objects.update_or_create(user=user, defaults={"role": role})
            if role == Profile.Role.INSTRUCTOR:  # so that the demo shows the teaching pages
                Teaching.objects.get_or_create(course=shipped_course(), instructor=user)
            self.stdout.write(f"  {role:<10}  user: {username:<11} password: {password}")

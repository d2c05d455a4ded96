from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command

from studyapp.accounts.models import Profile


@pytest.mark.django_db
def test_setup_demo_creates_a_learner_and_an_instructor_and_can_run_again(capsys):
    call_command("setup_demo")
    call_command("setup_demo")
    out = capsys.readouterr().out
    assert "password: learner-demo" in out
    assert User.objects.get(username="learner").check_password("learner-demo")
    assert User.objects.get(username="instructor").check_password("instructor-demo")
    roles = dict(Profile.objects.values_list("user__username", "role"))
    assert roles == {"learner": "learner", "instructor": "instructor"}
    from studyapp.courses.models import Course

    taught = Course.objects.taught_by(User.objects.get(username="instructor"))
    assert list(taught.values_list("slug", flat=True)) == ["cloud-fundamentals"]

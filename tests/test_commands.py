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


@pytest.mark.django_db
def test_createinstructor_without_input_mails_a_link_that_sets_the_password(client, capsys):
    import re

    from django.core import mail

    from studyapp.courses.models import shipped_course

    course = shipped_course()
    call_command(
        "createinstructor",
        "ada",
        "--email",
        "ada@example.org",
        "--course",
        course.slug,
        "--no-input",
        "--base-url",
        "http://testserver",
    )
    ada = User.objects.get(username="ada")
    assert ada.profile.role == "instructor" and not ada.has_usable_password()
    assert course.teaching.filter(instructor=ada).exists()
    link = re.search(r"http://testserver(\S+)", capsys.readouterr().out).group(1)
    assert link in mail.outbox[0].body
    form = client.get(link).url  # Django swaps the token for a session-bound URL
    client.post(
        form, {"new_password1": "a-long-pass-phrase-7", "new_password2": "a-long-pass-phrase-7"}
    )
    ada.refresh_from_db()
    assert ada.check_password("a-long-pass-phrase-7")


@pytest.mark.django_db
def test_createinstructor_asks_for_a_password_and_promotes_an_existing_learner(monkeypatch):
    from django.core.management import CommandError

    User.objects.create_user("ben")
    answers = iter(["short", "short", "correct-horse-77", "correct-horse-77"])
    monkeypatch.setattr("getpass.getpass", lambda prompt="": next(answers))
    call_command("createinstructor", "ben")
    ben = User.objects.get(username="ben")
    assert ben.profile.role == "instructor" and ben.check_password("correct-horse-77")
    with pytest.raises(CommandError, match="No course"):
        call_command(
            "createinstructor", "ben", "--course", "nope", "--no-input", "--email", "b@x.org"
        )
    with pytest.raises(CommandError, match="give --email"):
        call_command("createinstructor", "cy", "--no-input")
    assert not User.objects.filter(username="cy").exists()

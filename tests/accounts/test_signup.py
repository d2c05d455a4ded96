"""Who may sign up (SIGNUP): anyone (open), holders of an invitation link (code), or
nobody (closed). Instructors make invitation links; the command makes them too."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth.models import User
from django.core.cache import caches
from django.core.management import call_command
from django.urls import reverse

from studyapp.accounts.models import Profile
from studyapp.accounts.signup import invitation
from tests.accounts.test_views import SIGNUP

pytestmark = pytest.mark.django_db

FORM = SIGNUP  # a sign-up form that is right in every field


@pytest.fixture(autouse=True)
def fresh_counts():
    caches["default"].clear()


def test_closed_sign_up_shows_why_and_saves_nothing(client, settings):
    settings.SIGNUP_POLICY = "closed"
    page = client.get(reverse("signup"))
    assert page.status_code == 403 and "Sign-up is closed" in page.text
    assert client.post(reverse("signup"), FORM).status_code == 403
    assert not User.objects.exists()
    assert "Create an account" not in client.get(reverse("login")).text


def test_closed_sign_up_refuses_an_invitation_too(client, settings):
    settings.SIGNUP_POLICY = "closed"
    url = f"{reverse('signup')}?invite={invitation('learner')}"
    assert client.post(url, FORM).status_code == 403
    assert not User.objects.exists()


def test_code_only_sign_up_needs_a_class_code_or_an_invitation(client, settings):
    settings.SIGNUP_POLICY = "code"
    page = client.get(reverse("signup"))
    assert page.status_code == 200 and "you need the class code" in page.text
    refused = client.post(reverse("signup"), FORM)
    assert refused.status_code == 200 and "This field is required." in refused.text
    assert not User.objects.exists()
    assert "Create an account" not in client.get(reverse("login")).text
    url = f"{reverse('signup')}?invite={invitation('learner')}"
    assert 'name="invite"' in client.get(url).text
    created = client.post(reverse("signup"), {**FORM, "invite": invitation("learner")})
    assert created.status_code == 302
    assert Profile.objects.get(user__username="maya").role == "learner"


def test_a_class_code_signs_up_and_joins_the_class(client, settings):
    from studyapp.classes.models import Classroom

    settings.SIGNUP_POLICY = "code"
    classroom = Classroom.objects.create(name="Period 3")
    wrong = client.post(reverse("signup"), {**FORM, "code": "NOPE2345"})
    assert "No class has the code" in wrong.text and not User.objects.exists()
    prefilled = client.get(reverse("signup"), {"code": classroom.join_code}).text
    assert f'value="{classroom.join_code}"' in prefilled
    typed = classroom.join_code.lower()[:4] + "-" + classroom.join_code.lower()[4:]
    created = client.post(reverse("signup"), {**FORM, "code": typed}, follow=True)
    assert "you are in “Period 3”" in created.text
    assert classroom.members.get().learner.username == "maya"
    Classroom.objects.filter(pk=classroom.pk).update(joining_open=False)
    closed = client.post(
        reverse("signup"), {**FORM, "username": "ivy", "code": classroom.join_code}
    )
    assert "not taking new learners" in closed.text


@pytest.mark.parametrize("token", ["forged", "learner:abc:def"])
def test_a_forged_invitation_is_refused_by_name(client, settings, token):
    settings.SIGNUP_POLICY = "code"
    page = client.post(reverse("signup"), {**FORM, "invite": token})
    assert page.status_code == 403 and "not a valid invitation" in page.text
    assert not User.objects.exists()


def test_an_expired_invitation_is_refused_by_name(client, settings, monkeypatch):
    from studyapp.accounts import signup

    settings.SIGNUP_POLICY = "code"
    token = invitation("learner", days=1)
    later = signup._now() + 2 * 86400
    monkeypatch.setattr(signup, "_now", lambda: later)
    page = client.post(reverse("signup"), {**FORM, "invite": token})
    assert page.status_code == 403 and "expired" in page.text
    assert not User.objects.exists()


def test_an_instructor_invitation_makes_an_instructor_even_with_open_sign_up(client):
    client.post(reverse("signup"), {**FORM, "invite": invitation("instructor")})
    assert Profile.objects.get(user__username="maya").role == "instructor"


def test_open_sign_up_needs_no_invitation(client):
    assert client.post(reverse("signup"), FORM).status_code == 302
    assert Profile.objects.get().role == "learner"


def test_the_invite_command_prints_a_working_link(client, settings, capsys):
    settings.SIGNUP_POLICY = "code"
    call_command("invite", "--role", "instructor", "--days", "3")
    link = re.search(r"(/accounts/signup/\?invite=\S+)", capsys.readouterr().out).group(1)
    assert client.post(link, FORM).status_code == 302
    assert Profile.objects.get().role == "instructor"


def test_instructors_make_learner_invitations_in_the_browser(
    client, learner, instructor, other_instructor, settings
):
    settings.SIGNUP_POLICY = "code"
    url = reverse("invite")
    assert client.get(url).url.startswith(reverse("login"))  # anonymous
    client.force_login(learner)
    assert client.get(url).status_code == 403
    assert client.post(url).status_code == 403
    for person in (instructor, other_instructor):
        client.force_login(person)
        assert client.get(url).status_code == 200
    made = client.post(url)
    link = re.search(r"(/accounts/signup/\?invite=[^\"<\s]+)", made.text).group(1)
    htmx = client.post(url, headers={"HX-Request": "true"})
    assert "<html" not in htmx.text and "/accounts/signup/?invite=" in htmx.text
    client.logout()
    assert client.post(link, FORM).status_code == 302
    assert Profile.objects.get(user__username="maya").role == "learner"

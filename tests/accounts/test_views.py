"""Sign-up, study settings and the password flows."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth.models import User
from django.core import mail
from django.urls import reverse

from studyapp.accounts.models import Profile

pytestmark = pytest.mark.django_db
SIGNUP = {
    "username": "maya",
    "email": "maya@example.org",
    "password1": "correct-horse-battery",
    "password2": "correct-horse-battery",
}


def test_signing_up_keeps_the_browsers_time_zone_and_logs_in(client):
    response = client.post(reverse("signup"), {**SIGNUP, "time_zone": "Europe/Berlin"})
    assert response.status_code == 302
    profile = Profile.objects.get(user__username="maya")
    assert (profile.time_zone, profile.role, profile.day_start_hour) == (
        "Europe/Berlin",
        "learner",
        4,
    )
    assert (profile.new_per_day, profile.reviews_per_day, profile.desired_retention) == (
        20,
        200,
        0.9,
    )
    assert client.get(reverse("home")).status_code == 200


def test_without_javascript_the_time_zone_is_utc(client):
    client.post(reverse("signup"), SIGNUP)
    assert Profile.objects.get().time_zone == "UTC"


def test_a_zone_the_browser_reports_but_we_do_not_know_becomes_utc(client):
    client.post(reverse("signup"), {**SIGNUP, "time_zone": "Mars/Olympus"})
    assert Profile.objects.get().time_zone == "UTC"


def test_a_bad_signup_names_the_field_and_saves_nothing(client):
    response = client.post(reverse("signup"), {**SIGNUP, "password2": "different-pass-1"})
    assert "password fields didn" in response.content.decode()
    assert not User.objects.exists()


def test_the_signup_page_is_public_and_detects_the_zone(client):
    html = client.get(reverse("signup")).content.decode()
    assert "js/timezone.js" in html and 'name="time_zone"' in html


def test_a_learner_changes_their_study_settings(learner_client, learner):
    data = {
        "time_zone": "America/New_York",
        "day_start_hour": 5,
        "new_per_day": 10,
        "reviews_per_day": 50,
        "desired_retention": 0.85,
    }
    assert learner_client.post(reverse("profile"), data).status_code == 302
    profile = Profile.objects.get(user=learner)
    assert (profile.time_zone, profile.day_start_hour, profile.desired_retention) == (
        "America/New_York",
        5,
        0.85,
    )


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("desired_retention", "0.99", "less than or equal to 0.97"),
        ("desired_retention", "0.5", "greater than or equal to 0.7"),
        ("time_zone", "Nowhere/Land", "not a known time zone"),
        ("day_start_hour", "24", "less than or equal to 23"),
        ("new_per_day", "-1", "greater than or equal to 0"),
    ],
)
def test_bad_settings_are_refused_with_a_message_and_nothing_changes(
    learner_client, learner, field, value, message
):
    data = {
        "time_zone": "UTC",
        "day_start_hour": 4,
        "new_per_day": 20,
        "reviews_per_day": 200,
        "desired_retention": 0.9,
    }
    response = learner_client.post(reverse("profile"), {**data, field: value})
    assert response.status_code == 200
    assert message in response.content.decode()
    profile = Profile.objects.get(user=learner)
    assert (profile.time_zone, profile.desired_retention, profile.day_start_hour) == ("UTC", 0.9, 4)


def test_settings_are_only_ever_my_own(learner_client, learner, other_learner):
    learner_client.post(
        reverse("profile"),
        {
            "time_zone": "Asia/Tokyo",
            "day_start_hour": 4,
            "new_per_day": 20,
            "reviews_per_day": 200,
            "desired_retention": 0.9,
        },
    )
    assert Profile.objects.get(user=other_learner).time_zone == "UTC"


def test_password_reset_sends_a_link_that_sets_a_new_password(client, learner):
    learner.email = "lena@example.org"
    learner.save()
    client.post(reverse("password_reset"), {"email": "lena@example.org"})
    assert len(mail.outbox) == 1
    link = re.search(
        r"http://testserver(/accounts/password/reset/\S+/)", mail.outbox[0].body
    ).group(1)
    form_url = client.get(link).url  # Django swaps the token for a session-bound URL
    response = client.post(
        form_url, {"new_password1": "a-brand-new-pass-9", "new_password2": "a-brand-new-pass-9"}
    )
    assert response.url == reverse("password_reset_complete")
    assert User.objects.get(username="lena").check_password("a-brand-new-pass-9")


def test_password_change_needs_the_old_password(learner_client):
    url = reverse("password_change")
    bad = learner_client.post(
        url,
        {
            "old_password": "wrong",
            "new_password1": "zz-new-pass-12",
            "new_password2": "zz-new-pass-12",
        },
    )
    assert bad.status_code == 200 and "incorrectly" in bad.content.decode()
    good = learner_client.post(
        url,
        {
            "old_password": "lena-pw-123",
            "new_password1": "zz-new-pass-12",
            "new_password2": "zz-new-pass-12",
        },
    )
    assert good.url == reverse("password_change_done")


def test_a_site_admin_makes_an_instructor_in_the_admin(client, learner):
    admin = User.objects.create_superuser("root", "root@example.org", "root-pw-123")
    client.force_login(admin)
    profile = learner.profile
    page = client.get(reverse("admin:studyapp_profile_change", args=[profile.pk]))
    assert page.status_code == 200
    fields = {
        "user": learner.pk,
        "role": "instructor",
        "time_zone": "UTC",
        "day_start_hour": 4,
        "new_per_day": 20,
        "reviews_per_day": 200,
        "desired_retention": 0.9,
    }
    saved = client.post(reverse("admin:studyapp_profile_change", args=[profile.pk]), fields)
    assert saved.status_code == 302
    profile.refresh_from_db()
    assert profile.role == "instructor" and profile.teaches
    assert client.get(reverse("admin:studyapp_course_add")).status_code == 200

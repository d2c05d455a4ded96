"""A person signs up, sets their study settings, changes and resets their password; and
every page fits the screen of a phone."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from playwright.sync_api import Page, expect

from studyapp.accounts.models import Profile
from studyapp.classes.models import Classroom, Membership
from studyapp.courses.models import Topic
from studyapp.quizzes.models import Quiz
from tests.e2e.conftest import assert_accessible, csp_refusals
from tests.e2e.test_browse import log_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

NEW_PASSWORD = "correct-horse-battery-42"
PHONE_WIDTH = 360
CONTENT = Path(__file__).resolve().parents[2] / "content"


def field(page: Page, label: str):
    """The input with exactly this label; crispy marks a required one with an asterisk."""
    return page.get_by_label(re.compile(rf"^\s*{re.escape(label)}\*?\s*$"))


def test_sign_up_settings_and_password_change(browser, live_server):
    # The browser says Berlin; sign-up should keep that, not the server's UTC.
    context = browser.new_context(timezone_id="Europe/Berlin")
    page = context.new_page()
    page.set_default_timeout(10_000)
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_role("link", name="Create an account").click()
    assert_accessible(page)
    page.get_by_label("Username").fill("mira")
    page.get_by_label("Email").fill("mira@example.org")
    field(page, "Password").fill("first-pass-phrase-17")
    page.get_by_label("Password confirmation").fill("first-pass-phrase-17")
    page.get_by_role("button", name="Sign up").click()
    expect(page.get_by_text("Welcome! Your account is ready.")).to_be_visible()
    profile = Profile.objects.get(user__username="mira")
    assert profile.time_zone == "Europe/Berlin"

    page.get_by_role("link", name="mira").click()
    expect(page.get_by_role("heading", name="Study settings")).to_be_visible()
    assert_accessible(page)
    page.get_by_label("Desired retention").fill("0.99")
    page.get_by_label("New cards per day").fill("7")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Ensure this value is less than or equal to 0.97.")).to_be_visible()
    profile.refresh_from_db()
    assert (profile.desired_retention, profile.new_per_day) == (0.9, 20)
    page.get_by_label("Desired retention").fill("0.85")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Your study settings are saved.")).to_be_visible()
    profile.refresh_from_db()
    assert (profile.desired_retention, profile.new_per_day) == (0.85, 7)

    page.get_by_role("link", name="Change your password").click()
    assert_accessible(page)
    page.get_by_label("Old password").fill("first-pass-phrase-17")
    field(page, "New password").fill(NEW_PASSWORD)
    page.get_by_label("New password confirmation").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Change password").click()
    expect(page.get_by_role("heading", name="Password changed")).to_be_visible()
    page.get_by_role("button", name="Log out").click()
    log_in(page, live_server, profile.user, check_accessibility=False, password=NEW_PASSWORD)
    expect(page.get_by_role("link", name="mira")).to_be_visible()
    context.close()


def test_a_forgotten_password_is_reset_through_the_mailed_link(
    page: Page, live_server, learner, mailoutbox
):
    User.objects.filter(pk=learner.pk).update(email="lena@example.org")
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_role("link", name="Forgot your password?").click()
    assert_accessible(page)
    page.get_by_label("Email").fill("lena@example.org")
    page.get_by_role("button", name="Reset your password").click()
    expect(page.get_by_role("heading", name="Check your email")).to_be_visible()

    assert len(mailoutbox) == 1
    link = re.search(r"http://\S+/accounts/password/reset/\S+/", mailoutbox[0].body)
    assert link, mailoutbox[0].body
    page.goto(link.group())
    field(page, "New password").fill(NEW_PASSWORD)
    page.get_by_label("New password confirmation").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Choose a new password").click()
    expect(page.get_by_role("heading", name="Password reset")).to_be_visible()

    # The link works once.
    page.goto(link.group())
    expect(page.get_by_text("This link has expired or was already used.")).to_be_visible()
    log_in(page, live_server, learner, check_accessibility=False, password=NEW_PASSWORD)
    expect(page.get_by_role("link", name="lena")).to_be_visible()


def test_every_page_fits_a_phone_and_its_menu_hides_nothing(
    browser, live_server, instructor, taught_course
):
    call_command("import_notes", str(CONTENT), verbosity=0)
    quiz = Quiz.objects.order_by("pk").first()
    topic = Topic.objects.order_by("order").first()
    classroom = Classroom.objects.create(name="Period 3")
    classroom.courses.add(taught_course)
    Membership.objects.create(classroom=classroom, learner=instructor)
    context = browser.new_context(viewport={"width": PHONE_WIDTH, "height": 740})
    page = context.new_page()
    page.set_default_timeout(10_000)
    refused = csp_refusals(page)
    log_in(page, live_server, instructor, check_accessibility=False)
    menu = page.get_by_role("navigation", name="Main")
    for name in [
        "Courses",
        "Study",
        "Quizzes",
        "Progress",
        "Join a class",
        "Teach",
        instructor.username,
    ]:
        expect(menu.get_by_role("link", name=name, exact=True)).to_be_visible()
    expect(menu.get_by_role("button", name="Log out")).to_be_visible()

    def width() -> int:
        return page.evaluate("document.documentElement.scrollWidth")

    # Nothing may stick out to the side, which a phone hides behind a sideways scroll.
    paths = [
        "/",
        topic.course.get_absolute_url(),
        topic.get_absolute_url(),
        "/study/",
        "/study/?answer=1",
        "/quizzes/",
        quiz.get_absolute_url(),
        "/progress/",
        "/teach/",
        "/teach/courses/new/",
        f"/teach/courses/{topic.course.slug}/",
        f"/teach/courses/{topic.course.slug}/notes/",
        f"/teach/courses/{quiz.course.slug}/quizzes/{quiz.slug}/",
        "/teach/upload/",
        "/teach/invite/",
        "/teach/classes/new/",
        f"/teach/classes/{classroom.pk}/",
        f"/teach/classes/{classroom.pk}/code/",
        f"/teach/classes/{classroom.pk}/report/",
        f"/teach/classes/{classroom.pk}/learners/{instructor.pk}/",
        f"/teach/classes/{classroom.pk}/quizzes/{quiz.pk}/report/",
        f"/teach/courses/{quiz.course.slug}/quizzes/{quiz.slug}/essays/",
        "/classes/join/",
        f"/join/{classroom.join_code}/",
        "/accounts/profile/",
        "/study/schedule/",
    ]
    widths = {}
    for path in paths:
        page.goto(live_server.url + path)
        widths[path] = width()
        assert_accessible(page)  # a narrow screen makes scrollers that need keyboard access
    page.goto(live_server.url + quiz.get_absolute_url())
    page.get_by_role("button", name=re.compile("Start")).click()
    # Unlike expect().to_have_url, this waits for the load event: measured before the
    # stylesheet applies, the unstyled page is wider than the phone.
    page.wait_for_url(re.compile(r"/attempts/\d+/$"))
    widths["an attempt"] = width()
    assert_accessible(page)
    # A test, timed: one form, the question list and the countdown.
    page.get_by_role("button", name="Finish attempt").click()
    Quiz.objects.filter(pk=quiz.pk).update(mode="test", time_limit_minutes=30)
    page.goto(live_server.url + quiz.get_absolute_url())
    page.get_by_role("button", name=re.compile("Start")).click()
    page.wait_for_url(re.compile(r"/attempts/\d+/$"))
    expect(page.get_by_role("timer")).to_be_visible()
    widths["a test attempt"] = width()
    assert_accessible(page)
    assert {path: w for path, w in widths.items() if w > PHONE_WIDTH} == {}
    assert not refused, refused
    context.close()


def test_wrong_passwords_pause_log_ins_to_the_account(page: Page, live_server, learner):
    page.set_viewport_size({"width": PHONE_WIDTH, "height": 740})
    for _ in range(4):
        log_in(page, live_server, learner, check_accessibility=False, password="not-it")
        expect(page.get_by_text("Please enter a correct username and password")).to_be_visible()
    log_in(page, live_server, learner, check_accessibility=False, password="not-it")  # the 5th
    expect(page.get_by_role("heading", name="Log-in paused")).to_be_visible()
    log_in(page, live_server, learner, check_accessibility=False)  # the right one, too late
    expect(page.get_by_role("heading", name="Log-in paused")).to_be_visible()
    expect(page.get_by_role("alert")).to_contain_text("paused for 15 minutes")
    assert_accessible(page)
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE_WIDTH
    page.get_by_role("link", name="reset it by email").click()
    expect(page.get_by_role("heading", name="Reset your password")).to_be_visible()


def test_an_instructor_invites_and_a_learner_signs_up_with_the_link(
    browser, page: Page, live_server, instructor, settings
):
    settings.SIGNUP_POLICY = "code"
    log_in(page, live_server, instructor, check_accessibility=False)
    page.get_by_role("link", name="Teach").click()
    page.get_by_role("link", name="Invite learners").click()
    page.wait_for_load_state()
    page.get_by_role("button", name="Make an invitation link").click()
    link = page.get_by_label(re.compile("Invitation link"))
    expect(link).to_have_value(re.compile(r"/accounts/signup/\?invite="))
    assert_accessible(page)

    stranger = browser.new_context()
    other = stranger.new_page()
    other.set_default_timeout(10_000)
    other.set_viewport_size({"width": PHONE_WIDTH, "height": 740})
    other.goto(f"{live_server.url}/accounts/signup/")
    expect(other.get_by_text("you need the class code from your teacher")).to_be_visible()
    assert_accessible(other)
    assert other.evaluate("document.documentElement.scrollWidth") <= PHONE_WIDTH
    other.goto(link.input_value())
    other.get_by_label("Username").fill("nia")
    other.get_by_label("Email").fill("nia@example.org")
    field(other, "Password").fill("first-pass-phrase-17")
    field(other, "Password confirmation").fill("first-pass-phrase-17")
    other.get_by_role("button", name="Sign up").click()
    expect(other.get_by_text("Welcome! Your account is ready.")).to_be_visible()
    assert Profile.objects.get(user__username="nia").role == "learner"
    stranger.close()

"""An instructor makes a course, uploads its notes (preview, then save) and a quiz,
changes the quiz's settings, downloads it and retires it; a learner finds the course
and studies it. The notes upload works without JavaScript too."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from studyapp.courses.models import Course
from studyapp.quizzes.models import Quiz
from tests.e2e.conftest import assert_accessible
from tests.e2e.test_browse import log_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

NOTE = """---
topic: iam
title: Identity and access
---
# Identity and access

## Users and roles
IAM user::An identity for one person or program
IAM role::An identity that is assumed for a while
"""
QUIZ = "::Who:: Which identity is assumed for a while? {=IAM role ~IAM user}\n"


def test_an_instructor_builds_a_course_and_a_learner_studies_it(
    page: Page, live_server, instructor, learner, tmp_path, browser
):
    log_in(page, live_server, instructor, check_accessibility=False)
    page.get_by_role("link", name="Teach").click()
    page.get_by_role("link", name="New course").click()
    assert_accessible(page)
    page.get_by_label("Title").fill("Cloud security")
    page.get_by_label("Visibility").select_option("public")
    page.get_by_role("button", name="Make the course").click()
    expect(page.get_by_text("“Cloud security” is made.")).to_be_visible()

    # Notes: preview (htmx swaps it in), nothing saved yet, then save.
    page.get_by_role("link", name="Upload notes").click()
    path = tmp_path / "iam.md"
    path.write_text(NOTE)
    page.get_by_label("Markdown files").set_input_files(str(path))
    page.get_by_role("button", name="Preview").click()
    preview = page.locator("#preview")
    expect(preview).to_contain_text("Topic: Identity and access (new)")
    expect(preview).to_contain_text("2 cards new")
    assert_accessible(page)
    course = Course.objects.get(slug="cloud-security")
    assert not course.topics.exists()
    page.get_by_role("button", name="Save 1 note").click()
    expect(page.get_by_text("Saved 1 note: 2 cards new")).to_be_visible()
    assert course.cards.count() == 2

    # A quiz, into this course.
    page.get_by_role("link", name="Upload a quiz").click()
    page.get_by_label("Or paste the questions").fill(QUIZ)
    page.get_by_label("Name of the new quiz").fill("IAM check")
    page.get_by_role("button", name="Preview").click()
    page.get_by_role("button", name="Save these 1 questions").click()
    expect(page.get_by_role("heading", name="IAM check")).to_be_visible()

    # Its settings, a download, and retiring it.
    page.get_by_role("link", name="Teach").click()
    page.get_by_role("link", name="Cloud security").click()
    page.get_by_role("link", name="IAM check").click()
    assert_accessible(page)
    page.get_by_label("Mode").select_option("test")
    page.get_by_label("Show right answers and feedback").select_option("never")
    page.get_by_role("button", name="Save the settings").click()
    expect(page.get_by_text("The quiz's settings are saved.")).to_be_visible()
    quiz = Quiz.objects.get(title="IAM check")
    assert (quiz.mode, quiz.show_answers) == ("test", "never")
    with page.expect_download() as download:
        page.get_by_role("link", name="GIFT (Moodle)").click()
    assert download.value.suggested_filename == "iam-check.gift"
    assert "=IAM role" in Path(download.value.path()).read_text()
    page.get_by_role("button", name="Retire: hide it from learners").click()
    expect(page.get_by_text("learners no longer see it")).to_be_visible()

    # The learner finds the course and studies it.
    context = browser.new_context()
    other = context.new_page()
    other.set_default_timeout(10_000)
    log_in(other, live_server, learner, check_accessibility=False)
    expect(other.get_by_role("heading", name="Cloud security")).to_be_visible()
    expect(other.get_by_role("link", name="Identity and access", exact=True)).to_be_visible()
    other.get_by_role("link", name="Study Cloud security").click()
    card = other.locator("#card")
    expect(card).to_contain_text("IAM user")
    other.wait_for_load_state()  # study.js is deferred
    other.keyboard.press("Space")
    other.keyboard.press("3")
    expect(card).to_contain_text("IAM role")
    other.goto(f"{live_server.url}/quizzes/")
    expect(other.get_by_text("IAM check")).to_have_count(0)  # retired
    context.close()


def test_notes_upload_works_without_javascript(browser, live_server, instructor, taught_course):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.set_default_timeout(10_000)
    log_in(page, live_server, instructor, check_accessibility=False)
    page.goto(f"{live_server.url}/teach/courses/{taught_course.slug}/notes/")
    page.get_by_label("Or paste a note").fill(NOTE)
    page.get_by_label("File name for the pasted note").fill("iam.md")
    page.get_by_role("button", name="Preview").click()
    expect(page.get_by_text("Topic: Identity and access (new)")).to_be_visible()
    page.get_by_role("button", name="Save 1 note").click()
    expect(page.get_by_text("Saved 1 note: 2 cards new")).to_be_visible()
    assert taught_course.topics.get(slug="iam").cards.count() == 2
    context.close()


GUESSED = """---
topic: policies
title: Policies
---
# Policies

A policy is a JSON document that lists what an identity may do.

Least privilege means granting only the permissions a task needs.
"""


def test_an_instructor_drops_a_guessed_card_and_it_stays_dropped(
    page: Page, live_server, instructor, taught_course, tmp_path
):
    """Notes with no card syntax: the preview marks the guesses; one is unticked, left
    out, and left out again when the notes come back."""
    path = tmp_path / "policies.md"
    path.write_text(GUESSED)
    log_in(page, live_server, instructor, check_accessibility=False)
    for attempt in (1, 2):
        page.goto(f"{live_server.url}/teach/courses/{taught_course.slug}/notes/")
        page.get_by_label("Markdown files").set_input_files(str(path))
        page.get_by_role("button", name="Preview").click()
        preview = page.locator("#preview")
        expect(preview.locator("tbody").get_by_text("guessed", exact=True)).to_have_count(2)
        keep = preview.get_by_label("Keep the card of line 7")
        if attempt == 1:
            assert_accessible(page)
            keep.uncheck()
        else:
            expect(keep).not_to_be_checked()  # dropped the first time
        page.get_by_role("button", name="Save 1 note").click()
        expect(page.get_by_text("Saved 1 note")).to_be_visible()
        fronts = list(
            taught_course.topics.get(slug="policies")
            .cards.active()
            .values_list("front_html", flat=True)
        )
        assert fronts == ["Least privilege"]

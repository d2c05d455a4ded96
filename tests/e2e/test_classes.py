"""A teacher makes a class and reads its code; a learner joins with it; the teacher
assigns a quiz; the learner takes it and writes an essay; the teacher reads the class and
quiz reports, marks the essay and downloads a CSV; the learner sees the mark."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from studyapp.classes.models import Classroom
from studyapp.formats import gift
from studyapp.quizzes.imports import save_quiz
from studyapp.quizzes.models import Quiz
from tests.conftest import make_cards
from tests.e2e.conftest import assert_accessible, csp_refusals
from tests.e2e.test_browse import log_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

QUIZ = "::TF:: An Availability Zone sits inside a Region. {T}\n\n::Essay:: Why use two AZs? {}\n"


def test_a_class_from_its_code_to_a_marked_essay(
    browser, page: Page, live_server, instructor, learner, taught_course
):
    make_cards(2, slug="zones", title="Zones", course=taught_course)
    quiz = save_quiz(gift.parse(QUIZ), title="AZ check", course=taught_course).quiz
    Quiz.objects.filter(pk=quiz.pk).update(mode=Quiz.Mode.TEST)

    # The teacher makes the class and reads its code, big.
    log_in(page, live_server, instructor, check_accessibility=False)
    page.get_by_role("link", name="Teach").click()
    page.get_by_role("link", name="New class").click()
    page.get_by_label("Name").fill("Period 3")
    page.get_by_label(taught_course.title).check()
    page.get_by_role("button", name="Make the class").click()
    expect(page.get_by_text("“Period 3” is made.")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name="show it big").click()
    code = Classroom.objects.get().join_code
    expect(page.locator(".join-code")).to_have_text(code)
    assert_accessible(page)

    # The learner joins with it, typed as people type.
    learner_context = browser.new_context()
    other = learner_context.new_page()
    other.set_default_timeout(10_000)
    refused = csp_refusals(other)
    log_in(other, live_server, learner, check_accessibility=False)
    other.get_by_role("link", name="Join a class").first.click()
    other.get_by_label("Class code").fill(f"{code[:4].lower()} {code[4:].lower()}")
    other.get_by_role("button", name="Join").click()
    expect(other.get_by_text("You are in “Period 3”.")).to_be_visible()

    # The teacher assigns the quiz.
    page.go_back()
    page.get_by_role("combobox", name="Assign").select_option(label="AZ check")
    due = (timezone.localtime() + timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")
    page.get_by_label("Due").fill(due)
    page.get_by_role("button", name="Assign", exact=True).click()
    expect(page.get_by_text("Assigned.")).to_be_visible()

    # The learner sees it on their home page, takes it and writes the essay.
    other.goto(live_server.url)
    work = other.locator("section", has=other.get_by_role("heading", name="Your work"))
    expect(work).to_contain_text("not started")
    assert_accessible(other)
    work.get_by_role("link", name="Take “AZ check”").click()
    other.get_by_role("button", name="Start the quiz").click()
    tf = other.locator("section", has_text="sits inside a Region")
    tf.get_by_label("True").check()
    expect(tf.get_by_text("Saved at")).to_be_visible()
    essay = other.locator("section", has_text="Why use two AZs?")
    essay.get_by_role("textbox").fill("If one fails, the other keeps serving.")
    other.get_by_role("button", name="Finish attempt").click()  # saves the essay first
    expect(other.get_by_text("awaiting marking")).to_be_visible()

    # The teacher reads the reports, marks the essay and downloads a CSV.
    page.get_by_role("link", name="Class report").click()
    expect(page.get_by_role("row", name=f"{learner.username} done")).to_be_visible()
    assert_accessible(page)
    with page.expect_download() as download:
        page.get_by_role("link", name="Download as CSV").click()
    rows = Path(download.value.path()).read_text(encoding="utf-8-sig").splitlines()
    assert rows[0].startswith("learner,") and rows[1].startswith(learner.username)
    page.get_by_role("link", name="AZ check").click()
    expect(page.get_by_role("heading", name="Questions")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name="Essays to mark").click()
    expect(page.get_by_text("If one fails, the other keeps serving.")).to_be_visible()
    page.get_by_label("Mark (%)").fill("80")
    page.get_by_label("Comment").fill("Say what a Region is too.")
    page.get_by_role("button", name="Save the mark").click()
    expect(page.get_by_text("No essay waits for a mark.")).to_be_visible()

    # The learner sees the mark.
    other.reload()
    expect(other.get_by_text("Say what a Region is too.")).to_be_visible()
    expect(other.get_by_text("Score: 1.80 / 2")).to_be_visible()
    assert_accessible(other)
    assert not refused, refused
    learner_context.close()

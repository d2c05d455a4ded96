"""An instructor uploads a GIFT quiz; a learner takes it in both modes and finds the
question they missed among their reviews."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from studyapp.courses.models import Card
from studyapp.quizzes.models import Quiz
from tests.e2e.conftest import assert_accessible
from tests.e2e.test_browse import log_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

QUIZ = """\
::Objects::Which service stores objects? {=Amazon S3#Right. ~Amazon EC2#EC2 runs servers.}

::Zones::An Availability Zone sits inside a Region. {T}
"""


def log_out(page: Page) -> None:
    page.get_by_role("button", name="Log out").click()


def test_upload_preview_confirm_then_practice_and_test(
    page: Page, live_server, instructor, learner, tmp_path, taught_course
):
    log_in(page, live_server, instructor, check_accessibility=False)
    page.goto(f"{live_server.url}/teach/upload/")
    assert_accessible(page)
    path = tmp_path / "storage.gift"
    path.write_text(QUIZ)
    page.get_by_label("File").set_input_files(str(path))
    page.get_by_label("Name of the new quiz").fill("Storage check")
    page.get_by_role("button", name="Preview").click()
    expect(
        page.get_by_role("heading", name="Preview: 2 questions read as GIFT (Moodle)")
    ).to_be_visible()
    expect(page.locator("#preview")).to_contain_text("Which service stores objects?")
    assert_accessible(page)
    assert not Quiz.objects.exists()  # nothing saved before the confirm
    page.get_by_role("button", name="Save these 2 questions").click()
    expect(page.get_by_text("Saved 2 questions in “Storage check”")).to_be_visible()
    log_out(page)
    # A new quiz shows answers after the last attempt; this one is for practice.
    Quiz.objects.update(show_answers="immediately")

    # Practice: feedback after each answer, through htmx.
    log_in(page, live_server, learner, check_accessibility=False)
    page.get_by_role("link", name="Quizzes").click()
    page.get_by_role("link", name="Storage check").click()
    assert_accessible(page)
    page.get_by_role("button", name="Start the quiz").click()
    objects = page.locator("section", has_text="Which service stores objects?")
    objects.get_by_label("Amazon EC2").check()
    objects.get_by_role("button", name="Check").click()
    expect(page.get_by_text("EC2 runs servers.")).to_be_visible()
    expect(page.locator('[data-mark="wrong"]')).to_be_visible()
    assert_accessible(page)
    page.get_by_role("button", name="Finish attempt").click()
    expect(page.get_by_text("Finished. Score: 0 / 2")).to_be_visible()

    # Test mode: no feedback until the end.
    Quiz.objects.update(mode="test", time_limit_minutes=10)
    page.goto(live_server.url + Quiz.objects.get().get_absolute_url())
    page.get_by_role("button", name="Start a new attempt").click()
    expect(page.get_by_role("timer")).to_be_visible()
    # htmx listens once the page has loaded; a choice made before is only saved with the
    # form (as without JavaScript), and a loaded CI machine once got there first.
    page.wait_for_load_state("load")
    zones = page.locator("section", has_text="inside a Region")
    zones.get_by_label("True").check()  # saved as it is chosen
    expect(zones.get_by_text("Saved at")).to_be_visible()
    expect(page.locator("[data-mark]")).to_have_count(0)
    page.get_by_role("button", name="Finish attempt").click()
    # One question unanswered: asked first, then finished.
    expect(page.get_by_text("1 question not answered")).to_be_visible()
    page.get_by_role("button", name="Finish anyway").click()
    expect(page.get_by_text("Finished. Score: 1 / 2")).to_be_visible()
    assert_accessible(page)

    # The missed question waits among the reviews.
    Card.objects.exclude(kind="from-quiz").delete()
    page.get_by_role("link", name="Study", exact=True).click()
    expect(page.locator("#card")).to_contain_text("Which service stores objects?")


def test_a_changed_answer_key_waits_for_the_owner_to_regrade(
    page: Page, live_server, instructor, learner, taught_course
):
    from studyapp.formats import gift
    from studyapp.quizzes.imports import save_quiz
    from studyapp.quizzes.models import Attempt

    quiz = save_quiz(gift.parse(QUIZ), title="Zones", owner=instructor).quiz
    log_in(page, live_server, learner, check_accessibility=False)
    page.goto(live_server.url + quiz.get_absolute_url())
    page.get_by_role("button", name="Start the quiz").click()
    zones = page.locator("section", has_text="inside a Region")
    zones.get_by_label("True").check()
    zones.get_by_role("button", name="Check").click()
    expect(zones.locator('[data-mark="right"]')).to_be_visible()
    page.get_by_role("button", name="Finish attempt").click()
    expect(page.get_by_text("Finished. Score: 1 / 2")).to_be_visible()
    log_out(page)

    # The instructor re-uploads the quiz with the other answer, in the same quiz.
    log_in(page, live_server, instructor, check_accessibility=False)
    page.goto(f"{live_server.url}/teach/upload/")
    page.get_by_label("Or paste the questions").fill(QUIZ.replace("{T}", "{F}"))
    page.get_by_label("Update one of your quizzes").select_option(label="Zones")
    page.get_by_role("button", name="Preview").click()
    page.get_by_role("button", name="Save these 2 questions").click()
    expect(page.get_by_text("now has other right answers")).to_be_visible()
    assert Attempt.objects.get().score == 1  # nothing re-marked behind anyone's back
    regrade = page.get_by_role("button", name="Regrade existing attempts")
    assert_accessible(page)
    regrade.click()
    expect(page.get_by_text("Marked again: 1 attempt changed score")).to_be_visible()
    expect(regrade).to_be_hidden()
    assert Attempt.objects.get().score == 0


TEST = """\
::A:: Which service stores objects? {=Amazon S3 ~Amazon EC2}

::B:: An Availability Zone sits inside a Region. {T}

::C:: Name the AWS content delivery network. {=CloudFront}
"""


def test_a_test_saves_each_answer_as_it_is_chosen_and_a_reload_loses_nothing(
    page: Page, live_server, learner, taught_course
):
    from studyapp.formats import gift
    from studyapp.quizzes.imports import save_quiz
    from studyapp.quizzes.models import Attempt

    quiz = save_quiz(gift.parse(TEST), title="Saved as chosen").quiz
    Quiz.objects.filter(pk=quiz.pk).update(mode="test", shuffle=False)
    log_in(page, live_server, learner, check_accessibility=False)
    page.goto(live_server.url + quiz.get_absolute_url())
    page.get_by_role("button", name="Start the quiz").click()
    first = page.locator("section", has_text="stores objects")
    first.get_by_label("Amazon S3").check()
    expect(first.get_by_text("Saved at")).to_be_visible()
    page.locator("section", has_text="inside a Region").get_by_label("False").check()
    third = page.locator("section", has_text="content delivery")
    third.get_by_label("Your answer").fill("CloudFront")
    third.get_by_label("Your answer").blur()  # a text answer is saved when left
    expect(third.get_by_text("Saved at")).to_be_visible()
    nav = page.get_by_role("navigation", name="Questions")
    expect(nav.locator('[data-answered="yes"]')).to_have_count(3)
    assert_accessible(page)

    page.reload()  # nothing was lost, though no button was pressed
    expect(
        page.locator("section", has_text="stores objects").get_by_label("Amazon S3")
    ).to_be_checked()
    expect(
        page.locator("section", has_text="inside a Region").get_by_label("False")
    ).to_be_checked()
    expect(
        page.locator("section", has_text="content delivery").get_by_label("Your answer")
    ).to_have_value("CloudFront")

    # Changed, and finished at once without waiting: Finish sends the whole form.
    page.locator("section", has_text="inside a Region").get_by_label("True").check()
    page.get_by_role("button", name="Finish attempt").click()
    expect(page.get_by_text("Finished. Score: 3 / 3")).to_be_visible()
    assert Attempt.objects.get().score == 3


def test_the_countdown_finishes_the_test_with_what_was_saved(
    page: Page, live_server, learner, taught_course
):
    from datetime import timedelta

    from django.utils import timezone

    from studyapp.formats import gift
    from studyapp.quizzes.imports import save_quiz
    from studyapp.quizzes.models import Attempt

    quiz = save_quiz(gift.parse(TEST), title="Timed").quiz
    Quiz.objects.filter(pk=quiz.pk).update(mode="test", time_limit_minutes=5, shuffle=False)
    log_in(page, live_server, learner, check_accessibility=False)
    page.goto(live_server.url + quiz.get_absolute_url())
    page.get_by_role("button", name="Start the quiz").click()
    page.locator("section", has_text="inside a Region").get_by_label("True").check()
    expect(page.get_by_text("Saved at")).to_be_visible()
    expect(page.get_by_role("timer")).to_contain_text("4:5")  # m:ss, counting down
    # Most of the five minutes pass (moved on the server), and the page is reloaded.
    Attempt.objects.update(deadline=timezone.now() + timedelta(seconds=3))
    page.reload()
    expect(page.get_by_text("Finished. Score: 1 / 3")).to_be_visible(timeout=10_000)
    attempt = Attempt.objects.get()
    assert attempt.finished_at is not None and attempt.score == 1


def test_answers_sent_at_once_are_each_saved(page: Page, live_server, learner, taught_course):
    """A change-save and Finish can reach the server together; every one is answered.
    (The test database is SQLite in memory, which fails two requests at once, so
    tests/e2e/conftest.py has the live server answer one at a time, as a SQLite file's write
    lock would.)"""
    from studyapp.formats import gift
    from studyapp.quizzes import attempts
    from studyapp.quizzes.imports import save_quiz
    from studyapp.quizzes.models import Attempt

    quiz = save_quiz(gift.parse(TEST), title="At once").quiz
    Quiz.objects.filter(pk=quiz.pk).update(mode="test", shuffle=False)
    log_in(page, live_server, learner, check_accessibility=False)
    page.goto(live_server.url + quiz.get_absolute_url())
    page.get_by_role("button", name="Start the quiz").click()
    attempt = Attempt.objects.get()
    slot = next(s for s in attempts.slots(attempt) if s.question.type == "truefalse")
    statuses = page.evaluate(
        """async ([url, field]) => {
            const token = JSON.parse(document.body.getAttribute("hx-headers"))["X-CSRFToken"];
            const send = (value) => fetch(url, {
                method: "POST",
                headers: {"X-CSRFToken": token, "HX-Request": "true"},
                body: new URLSearchParams({[field]: value}),
            }).then((response) => response.status);
            return Promise.all(["true", "false", "true", "false", "true", "false", "true"]
                .map(send));
        }""",
        [f"/attempts/{attempt.pk}/questions/{slot.question.pk}/", slot.prefix + "answer"],
    )
    assert statuses == [200] * 7
    assert attempt.responses.filter(question=slot.question).count() == 1

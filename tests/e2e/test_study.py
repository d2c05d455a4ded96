"""A learner studies with the keyboard only: Space, 3, Space, 1, u."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from studyapp.courses.models import Card, Topic, shipped_course
from studyapp.study.models import CardState, ReviewLog
from tests.conftest import make_cards, mid_study_day
from tests.e2e.conftest import assert_accessible, csp_refusals
from tests.e2e.test_browse import log_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_a_learner_studies_with_the_keyboard(page: Page, live_server, learner):
    topic = Topic.objects.create(course=shipped_course(), slug="vpc", title="VPC", order=1)
    Card.objects.bulk_create(
        [
            Card(
                course=topic.course,
                topic=topic,
                kind="basic",
                front_html="Subnet",
                back_html="A range of addresses",
                key="a",
                line=1,
            ),
            Card(
                course=topic.course,
                topic=topic,
                kind="basic",
                front_html="Gateway",
                back_html="A way out",
                key="b",
                line=2,
            ),
            Card(
                course=topic.course,
                topic=topic,
                kind="cloze",
                front_html='A <span class="cloze-blank">[…]</span> is stateless',
                back_html='A <mark class="cloze">network ACL</mark> is stateless',
                key="c",
                line=3,
            ),
        ]
    )
    log_in(page, live_server, learner)
    page.get_by_role("link", name="Study", exact=True).click()
    # Every grade, undo and card action goes through htmx: the answer is the next card in
    # place, never a page load (a key pressed before htmx had taken over the new card's
    # forms once sent a plain form).
    posts = []
    page.on("request", lambda r: posts.append(r.headers) if r.method == "POST" else None)
    card = page.locator("#card")
    expect(card).to_contain_text("Subnet")
    page.wait_for_load_state()  # study.js is deferred
    expect(card.get_by_text("A range of addresses")).to_be_hidden()
    assert_accessible(page)

    page.keyboard.press("Space")
    expect(card.get_by_text("A range of addresses")).to_be_visible()
    expect(card.get_by_role("button", name="Good 10m 3")).to_be_focused()
    assert_accessible(page)
    page.keyboard.press("3")

    expect(card).to_contain_text("Gateway")  # new cards in order
    page.keyboard.press("Space")
    page.keyboard.press("1")

    # Both learning cards are due in 1-10 minutes; the next new card comes first.
    expect(card).to_contain_text("is stateless")
    expect(card.locator(".cloze-blank")).to_be_visible()
    assert ReviewLog.objects.count() == 2
    assert ReviewLog.objects.order_by("id").last().duration_ms > 0

    page.keyboard.press("u")  # undo "Again" on Gateway: it comes back as it was, new
    expect(card).to_contain_text("Gateway")
    expect(card).to_contain_text("Review undone.")
    expect(card.get_by_text("A way out")).to_be_hidden()
    assert ReviewLog.objects.count() == 1
    assert not CardState.objects.filter(card__key="b").exists()

    page.keyboard.press("Space")
    page.keyboard.press("4")
    expect(card).to_contain_text("is stateless")
    page.keyboard.press("Space")  # a cloze shows the filled sentence
    expect(card.locator("mark.cloze")).to_have_text("network ACL")
    expect(card.locator(".cloze-blank")).to_be_hidden()
    assert_accessible(page)
    assert len(posts) == 4 and all(h.get("hx-request") == "true" for h in posts), posts


def test_studying_works_without_javascript(browser, live_server, learner):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.set_default_timeout(10_000)
    topic = Topic.objects.create(course=shipped_course(), slug="s3", title="S3", order=1)
    Card.objects.create(
        course=topic.course,
        topic=topic,
        kind="basic",
        front_html="Bucket",
        back_html="A container",
        key="k",
    )
    log_in(page, live_server, learner, check_accessibility=False)
    page.goto(f"{live_server.url}/study/")
    page.get_by_role("link", name="Show answer").click()
    expect(page.get_by_text("A container")).to_be_visible()
    page.get_by_role("button", name="Easy").click()
    expect(page.get_by_text("Done for now.")).to_be_visible()
    assert ReviewLog.objects.get().rating == 4
    page.get_by_role("button", name="Undo").click()
    expect(page.get_by_text("Bucket")).to_be_visible()
    assert not ReviewLog.objects.exists()
    context.close()


def test_the_progress_page_follows_the_studying(page: Page, live_server, learner):
    topic = Topic.objects.create(course=shipped_course(), slug="vpc", title="VPC", order=1)
    Card.objects.bulk_create(
        Card(
            course=topic.course,
            topic=topic,
            kind="basic",
            front_html=f"Q{i}",
            back_html=f"A{i}",
            key=str(i),
            line=i,
        )
        for i in range(3)
    )
    log_in(page, live_server, learner)
    page.get_by_role("link", name="Progress").click()
    row = page.get_by_role("row", name="VPC")
    expect(row).to_contain_text("0 of 3")
    assert_accessible(page)

    page.get_by_role("link", name="Study", exact=True).click()
    expect(page.locator("#card")).to_contain_text("Q0")
    page.wait_for_load_state()  # study.js is deferred
    for shown, following in (("Q0", "Q1"), ("Q1", "Q2")):
        expect(page.locator("#card")).to_contain_text(shown)
        page.keyboard.press("Space")
        page.keyboard.press("4")
        expect(page.locator("#card")).to_contain_text(following)

    page.get_by_role("link", name="Progress").click()
    expect(row).to_contain_text("2 of 3")
    expect(page.get_by_text("reviews this year")).to_be_visible()
    expect(page.locator(".display-6").nth(2)).to_have_text("2")
    expect(page.locator(".heatmap rect.heat-4")).to_have_count(1)
    assert_accessible(page)


def _two_cards() -> None:
    topic = Topic.objects.create(course=shipped_course(), slug="edge", title="Edge", order=1)
    Card.objects.bulk_create(
        Card(
            course=topic.course,
            topic=topic,
            kind="basic",
            front_html=f"Q{i}",
            back_html=f"A{i}",
            key=str(i),
            line=i,
        )
        for i in range(2)
    )


def test_a_grade_the_server_fails_to_record_is_sent_again_and_recorded_once(
    page: Page, live_server, learner
):
    _two_cards()
    failures = []

    def fail_twice(route):
        if len(failures) < 2:
            failures.append(route.request.post_data)
            route.fulfill(status=500 if not failures[1:] else 502, body="Server Error")
        else:
            route.continue_()

    page.route("**/study/grade/", fail_twice)
    log_in(page, live_server, learner)
    page.goto(f"{live_server.url}/study/")
    page.wait_for_load_state()  # study.js is deferred
    page.keyboard.press("Space")
    page.keyboard.press("4")
    expect(page.locator("#card")).to_contain_text("Q1", timeout=15_000)
    assert len(failures) == 2 and all("rating=4" in body for body in failures)
    assert list(ReviewLog.objects.values_list("rating", flat=True)) == [4]


def test_a_grade_that_keeps_failing_is_reported_and_the_card_stays(
    page: Page, live_server, learner
):
    _two_cards()
    page.route("**/study/grade/", lambda route: route.abort("connectionrefused"))
    log_in(page, live_server, learner)
    page.goto(f"{live_server.url}/study/")
    page.wait_for_load_state()
    page.keyboard.press("Space")
    page.keyboard.press("3")
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("could not be saved", timeout=15_000)
    expect(page.locator("#card")).to_contain_text("Q0")
    assert not ReviewLog.objects.exists()
    assert_accessible(page)


def test_on_a_phone_the_card_is_tapped_and_the_grades_sit_within_thumb_reach(
    browser, live_server, learner
):
    context = browser.new_context(
        viewport={"width": 360, "height": 740}, has_touch=True, is_mobile=True
    )
    page = context.new_page()
    page.set_default_timeout(10_000)
    refused = csp_refusals(page)
    mid_study_day(learner)
    make_cards(3, slug="edge", title="Edge", order=1)
    log_in(page, live_server, learner, check_accessibility=False)
    page.goto(f"{live_server.url}/study/")
    page.wait_for_load_state()
    remaining = page.locator(".remaining")
    expect(remaining).to_contain_text("3 · 0 · 0")
    expect(page.locator("#show-answer kbd")).to_be_hidden()  # no keyboard on a phone
    show = page.locator("#show-answer")
    box = show.bounding_box()
    assert box["y"] + box["height"] > 740 - 20 and box["height"] >= 44  # at the bottom

    page.locator(".study-card").tap()  # a tap on the card shows the answer
    expect(page.get_by_text("Back 0")).to_be_visible()
    good = page.get_by_role("button", name="Good")
    for name in ("Again", "Hard", "Good", "Easy"):
        button = page.get_by_role("button", name=name).bounding_box()
        assert button["height"] >= 44 and button["y"] > 740 - 120, (name, button)
    expect(page.locator("#grade-form kbd").first).to_be_hidden()
    assert_accessible(page)
    good.tap()
    expect(page.locator("#card")).to_contain_text("Front 1")
    expect(remaining).to_contain_text("2 · 1 · 0")  # counts follow each grade
    assert ReviewLog.objects.get().rating == 3
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 360
    context.close()
    assert not refused, refused


def test_bury_and_suspend_and_their_undo_in_the_browser(page: Page, live_server, learner):
    topic = make_cards(3, slug="dns", title="DNS", order=1)[0].topic
    log_in(page, live_server, learner, check_accessibility=False)
    page.goto(f"{live_server.url}/study/")
    page.wait_for_load_state()
    card = page.locator("#card")
    expect(card).to_contain_text("Front 0")
    page.keyboard.press("-")  # Anki's bury
    expect(card).to_contain_text("Buried until tomorrow.")
    expect(card).to_contain_text("Front 1")
    expect(page.locator(".remaining")).to_contain_text("2 · 0 · 0")
    page.keyboard.press("u")
    expect(card).to_contain_text("Buried: undone.")
    expect(card).to_contain_text("Front 0")

    page.get_by_text("Card actions").click()
    assert_accessible(page)
    page.get_by_role("button", name="Suspend").click()
    expect(card).to_contain_text("Suspended")
    expect(card).to_contain_text("Front 1")
    page.get_by_text("Card actions").click()
    page.get_by_role("button", name="Flag green").click()
    expect(card).to_contain_text("flagged green")
    page.keyboard.press("u")  # the flag first, newest first
    expect(card).to_contain_text("Flagged: undone.")
    expect(card).not_to_contain_text("flagged green")

    page.goto(f"{live_server.url}/courses/{topic.course.slug}/topics/dns/")
    expect(page.get_by_text("1 suspended by you")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("button", name="Unsuspend this card").click()
    expect(page.get_by_text("it is back in your reviews")).to_be_visible()


def test_a_learner_asks_for_a_schedule_of_their_own(page: Page, live_server, learner):
    from django.core.management import call_command

    log_in(page, live_server, learner, check_accessibility=False)
    page.goto(f"{live_server.url}/accounts/profile/")
    page.get_by_role("link", name="Your schedule").click()
    expect(page.get_by_text("FSRS's defaults")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("button", name="Fit to my reviews").click()
    expect(page.get_by_text("Fitting is queued")).to_be_visible()
    expect(page.get_by_role("button", name="Fit to my reviews")).to_be_disabled()
    call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)  # the worker
    page.reload()
    expect(page.get_by_text("Not enough reviews yet: 0 reviews so far")).to_be_visible()
    assert_accessible(page)


def test_a_fit_suggests_a_retention_and_the_learner_asks_for_it(page: Page, live_server, learner):
    """With a history long enough, the worker fits it for real and simulates a year of
    study; on a phone, the learner reads the years compared and takes the suggestion."""
    from datetime import UTC, datetime, timedelta

    from django.core.management import call_command

    from studyapp.accounts.models import Profile
    from studyapp.study import scheduling

    start = datetime(2026, 1, 5, 18, tzinfo=UTC)
    reviews = []
    for n, card in enumerate(make_cards(40, slug="history")):
        day = 0
        for seq in range(12):  # a lapse now and then, longer gaps after each Good
            rating = 1 if (n + seq) % 7 == 0 else 3
            at = start + timedelta(days=day, minutes=n)
            reviews.append(
                ReviewLog(
                    learner=learner,
                    card=card,
                    seq=seq,
                    rating=rating,
                    reviewed_at=at,
                    day=at.date(),
                    duration_ms=6000 + 100 * n,
                )
            )
            day += 1 if rating == 1 else seq + 1
    ReviewLog.objects.bulk_create(reviews)
    assert len(reviews) >= scheduling.MIN_REVIEWS_TO_FIT

    page.set_viewport_size({"width": 360, "height": 740})
    log_in(page, live_server, learner, check_accessibility=False)
    page.goto(f"{live_server.url}/study/schedule/")
    expect(page.get_by_text("A fit also suggests a retention")).to_be_visible()
    page.get_by_role("button", name="Fit to my reviews").click()
    call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)  # the worker
    page.reload()
    year = page.get_by_role("table", name="A simulated year of your studying")
    expect(year.get_by_role("row")).to_have_count(1 + len(scheduling.COMPARED_RETENTIONS))
    suggested = learner.parameterfit_set.get().suggested_retention
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    assert_accessible(page)
    page.get_by_role("button", name=f"Ask for {suggested:.2f}").click()
    expect(page.get_by_text(f"scheduled for a retention of {suggested}")).to_be_visible()
    assert Profile.objects.get(user=learner).desired_retention == suggested

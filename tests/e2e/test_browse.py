"""A learner logs in, opens the course and a topic, and reads its cards."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from studyapp.courses.notes_import import import_note_files
from tests.e2e.conftest import assert_accessible

CONTENT = Path(__file__).resolve().parents[2] / "content"

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def log_in(
    page: Page, live_server, user, check_accessibility: bool = True, password: str | None = None
) -> None:
    """Log in from the home page's redirect; a persona's own password unless one is given."""
    page.goto(live_server.url)
    expect(page).to_have_url(f"{live_server.url}/accounts/login/?next=/")
    if check_accessibility:  # axe-core runs as JavaScript in the page
        assert_accessible(page)
    page.get_by_label("Username").fill(user.username)
    page.get_by_label("Password").fill(password or f"{user.username}-pw-123")
    page.get_by_role("button", name="Log in").click()


def test_a_learner_browses_home_and_a_topic(page: Page, live_server, learner):
    import_note_files([CONTENT])
    log_in(page, live_server, learner)

    expect(page.get_by_role("heading", name="Cloud fundamentals")).to_be_visible()
    assert_accessible(page)

    page.get_by_role("link", name="Networking", exact=True).click()
    expect(page.get_by_role("heading", name="Networking", level=1)).to_be_visible()
    expect(page.get_by_role("heading", name="Two layers of firewall")).to_be_visible()
    assert_accessible(page)

    # A card shows its answer on demand.
    cards = page.locator("#cards")
    answer = cards.get_by_text("A stateful firewall that checks traffic to and from an instance")
    expect(answer).to_be_hidden()
    cards.get_by_text("Basic card: Security group").click()
    expect(answer).to_be_visible()

    # Choosing a section swaps only the card list (htmx), and the page stays usable.
    page.get_by_label("Show cards from").select_option(label="Amazon VPC")
    expect(page.locator("#cards")).to_contain_text("in “Amazon VPC”")
    expect(page.locator("#cards summary")).to_have_count(2)
    assert_accessible(page)


def test_the_keyboard_reaches_the_content_first(page: Page, live_server, learner):
    import_note_files([CONTENT])
    log_in(page, live_server, learner)
    expect(page.get_by_role("heading", name="Cloud fundamentals")).to_be_visible()
    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="Skip to content")).to_be_focused()
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name=re.compile(r"^Study now"))).to_be_focused()


def test_a_learner_takes_the_cards_to_anki_and_their_reviews_along(
    page: Page, live_server, learner, tmp_path
):
    """The topic page's Anki link saves a package Anki itself imports; the progress page
    saves the learner's own cards and their review history."""
    from anki.collection import Collection, ImportAnkiPackageOptions, ImportAnkiPackageRequest

    import_note_files([CONTENT])
    log_in(page, live_server, learner, check_accessibility=False)
    page.goto(f"{live_server.url}/courses/cloud-fundamentals/topics/networking/")
    with page.expect_download() as saving:
        page.get_by_role("link", name="Anki (.apkg)").click()
    download = saving.value
    assert download.suggested_filename == "cloud-fundamentals-networking.apkg"
    path = tmp_path / download.suggested_filename
    download.save_as(path)
    collection = Collection(str(tmp_path / "collection.anki2"))
    try:
        options = ImportAnkiPackageOptions(with_scheduling=False)
        collection.import_anki_package(
            ImportAnkiPackageRequest(package_path=str(path), options=options)
        )
        assert collection.note_count() > 5
    finally:
        collection.close()

    page.get_by_role("link", name="Progress").click()
    assert_accessible(page)
    with page.expect_download() as saving:
        page.get_by_role("link", name="Download your reviews (CSV)").click()
    history = tmp_path / "reviews.csv"
    saving.value.save_as(history)
    assert history.read_text().splitlines() == ["card_id,review_time,review_rating,review_duration"]

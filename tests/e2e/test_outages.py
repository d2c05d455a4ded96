"""What a person sees while a part of the server is away: log-in paused without Redis,
and "back in a moment" without the database. Both pages read, fit a phone and pass axe."""

from __future__ import annotations

import pytest
from django.contrib.sessions.backends.db import SessionStore as DatabaseSessionStore
from django.db import OperationalError
from playwright.sync_api import Page, expect

from tests.e2e.conftest import assert_accessible, csp_refusals
from tests.e2e.test_browse import log_in
from tests.ops.test_outages import redis_away  # noqa: F401 - a fixture

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 360, "height": 740}


def _fits_a_phone(page: Page) -> None:
    page.set_viewport_size(PHONE)
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


def test_without_redis_log_in_says_it_is_paused(page: Page, live_server, learner, redis_away):  # noqa: F811
    refusals = csp_refusals(page)
    log_in(page, live_server, learner)
    expect(page.get_by_role("heading", name="Log-in is paused for a moment")).to_be_visible()
    expect(page.get_by_text("Your password was not checked")).to_be_visible()
    assert_accessible(page)
    _fits_a_phone(page)
    page.get_by_role("link", name="Back to the log-in page").click()
    expect(page.get_by_role("button", name="Log in")).to_be_visible()
    assert refusals == []


def test_without_the_database_a_page_says_to_try_again(
    page: Page, live_server, learner, monkeypatch
):
    log_in(page, live_server, learner, check_accessibility=False)
    expect(page.get_by_role("link", name="Study", exact=True)).to_be_visible()

    def away(*args, **kwargs):
        raise OperationalError("connection to server failed: Connection refused")

    monkeypatch.setattr(DatabaseSessionStore, "load", away)
    response = page.goto(f"{live_server.url}/progress/")
    assert response.status == 503 and response.headers["retry-after"] == "5"
    expect(page.get_by_role("heading", name="Back in a moment")).to_be_visible()
    assert_accessible(page)
    _fits_a_phone(page)
    monkeypatch.undo()  # the database is back: the same page works again
    page.get_by_role("link", name="reload this page").click()
    expect(page.get_by_role("heading", name="Progress")).to_be_visible()

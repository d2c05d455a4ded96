"""Playwright driving Debian's chromium against the live test server."""

from __future__ import annotations

import os
import shutil
import threading

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.core.servers.basehttp import ThreadedWSGIServer
from django.db import connection
from django.test.testcases import LiveServerThread
from playwright.sync_api import Page, sync_playwright

# Playwright's sync API runs an event loop in this thread; the test's own database calls
# are still plain synchronous code, which Django would otherwise refuse.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


class _OneAtATimeOnSQLite(ThreadedWSGIServer):
    """The live server, answering one request at a time on SQLite.

    The test database is SQLite in memory, in shared-cache mode: its threads either share
    the test's connection (pytest-django passes it to them when the database exists before
    the server starts) or open their own to the same memory, where SQLite's table locks
    fail at once instead of waiting. Two requests at once then fail ("cannot start a
    transaction within a transaction", "database table is locked"), and a browser sends
    two whenever a change-save and a Finish overlap. A SQLite file in production waits
    for its write lock instead (settings' timeout); on PostgreSQL requests still run in
    parallel.
    """

    def set_app(self, application):
        if connection.vendor != "sqlite":
            return super().set_app(application)
        lock = threading.Lock()

        def one_at_a_time(environ, start_response):
            with lock:
                return application(environ, start_response)

        return super().set_app(one_at_a_time)


LiveServerThread.server_class = _OneAtATimeOnSQLite

CHROMIUM_FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]


@pytest.fixture(scope="session")
def browser():
    executable = shutil.which("chromium")
    if executable is None:
        pytest.fail("Debian's chromium is not installed: run ./scripts/install-browser")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_FLAGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser) -> Page:
    context = browser.new_context()
    page = context.new_page()
    page.set_default_timeout(10_000)
    refused = csp_refusals(page)
    yield page
    context.close()
    assert not refused, refused


def csp_refusals(page: Page) -> list[str]:
    """Collect what the Content-Security-Policy refuses on this page from now on: each
    would be a broken part of a page, so tests assert the list stays empty."""
    refused: list[str] = []

    def note(message) -> None:
        if "Content Security Policy" in message.text:
            refused.append(message.text)

    page.on("console", note)
    return refused


_axe = Axe()


def assert_accessible(page: Page) -> None:
    """Fail on any serious or critical axe-core violation on the current page."""
    results = _axe.run(page)
    bad = [
        f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']]}"
        for v in results.response["violations"]
        if v["impact"] in ("serious", "critical")
    ]
    assert not bad, f"{page.url}:\n" + "\n".join(bad)

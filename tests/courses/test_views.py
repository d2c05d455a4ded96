"""Home and topic pages, with and without htmx."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.urls import reverse

from studyapp.courses.models import Card, Section
from studyapp.courses.notes_import import import_note_files, import_notes
from tests.conftest import COURSE

CONTENT = Path(__file__).resolve().parents[2] / "content"
NETWORKING = f"/courses/{COURSE}/topics/networking/"


@pytest.fixture
def course(db):
    import_note_files([CONTENT])


def test_pages_need_a_login(client, course):
    for url in (reverse("home"), reverse("topic", args=[COURSE, "regions"])):
        response = client.get(url)
        assert response.status_code == 302
        assert response.url.startswith(reverse("login"))


def test_login_page_is_public(client, db):
    assert client.get(reverse("login")).status_code == 200


def test_home_lists_topics_in_order_with_card_counts(
    learner_client, course, django_assert_max_num_queries
):
    with django_assert_max_num_queries(10):  # no classes here: see test_access
        response = learner_client.get(reverse("home"))
    html = response.content.decode()
    assert html.index("AWS Regions") < html.index("Availability Zones") < html.index("Networking")
    regions = Card.objects.active().filter(topic__slug="regions").count()
    assert f"{regions} cards" in html


def test_retired_cards_are_not_counted_or_shown(learner_client, db):
    import_notes([("n.md", b"---\ntopic: t\n---\na::b\n\nc::d\n")])
    import_notes([("n.md", b"---\ntopic: t\n---\na::b\n")])
    home = learner_client.get(reverse("home")).content.decode()
    assert "1 card<" in home
    page = learner_client.get(reverse("topic", args=[COURSE, "t"])).content.decode()
    assert ">a<" in page and ">c<" not in page


def test_topic_page_shows_lesson_contents_and_cards(
    learner_client, course, django_assert_max_num_queries
):
    with django_assert_max_num_queries(7):  # and the learner's own marks
        response = learner_client.get(reverse("topic", args=[COURSE, "networking"]))
    html = response.content.decode()
    assert "<h1" in html and "Networking" in html
    assert 'href="#two-layers-of-firewall"' in html  # table of contents
    assert 'id="two-layers-of-firewall"' in html
    assert "Security group" in html and "<details" in html


def test_topic_page_query_count_does_not_grow_with_cards(
    learner_client, db, django_assert_max_num_queries
):
    many = "\n".join(f"## S{n}\nq{n}::a{n}\n" for n in range(200))
    import_notes([("big.md", f"---\ntopic: big\n---\n{many}".encode())])
    with django_assert_max_num_queries(7):
        learner_client.get(reverse("topic", args=[COURSE, "big"]))


def test_unknown_topic_is_404(learner_client, db):
    assert learner_client.get(reverse("topic", args=[COURSE, "nope"])).status_code == 404


def test_section_filter_without_htmx_renders_the_whole_page(learner_client, course):
    section = Section.objects.get(lesson__topic__slug="networking", anchor="amazon-vpc")
    response = learner_client.get(
        reverse("topic", args=[COURSE, "networking"]), {"section": section.pk}
    )
    html = response.content.decode()
    assert "<html" in html
    cards = html[html.index('<div id="cards"') :]  # the lesson above shows every card's text
    assert "Public subnet" in cards
    assert "Why can a VPN" not in cards  # a card from another section


def test_section_filter_with_htmx_renders_only_the_card_list(learner_client, course):
    section = Section.objects.get(lesson__topic__slug="networking", anchor="amazon-vpc")
    response = learner_client.get(
        reverse("topic", args=[COURSE, "networking"]),
        {"section": section.pk},
        headers={"HX-Request": "true"},
    )
    html = response.content.decode()
    assert "<html" not in html
    assert html.lstrip().startswith('<div id="cards"')
    assert "Public subnet" in html and "Why can a VPN" not in html


def test_a_section_of_another_topic_is_ignored(learner_client, course):
    other = Section.objects.filter(lesson__topic__slug="regions").first()
    response = learner_client.get(
        reverse("topic", args=[COURSE, "networking"]), {"section": other.pk}
    )
    assert "Why can a VPN" in response.content.decode()  # all cards shown


def test_bad_section_values_do_not_fail(learner_client, course):
    for value in ("x", "-1", "9" * 30, "1e5"):
        response = learner_client.get(
            reverse("topic", args=[COURSE, "networking"]), {"section": value}
        )
        assert response.status_code == 200


def test_log_out_is_a_post(learner_client, db):
    assert learner_client.post(reverse("logout")).status_code == 302
    assert learner_client.get(reverse("home")).status_code == 302


def test_the_health_check_answers_without_a_login_and_asks_the_database(
    client, db, django_assert_num_queries
):
    with django_assert_num_queries(1):
        response = client.get(reverse("healthz"))
    assert (response.status_code, response.content) == (200, b"ok")


@pytest.mark.parametrize("htmx", [False, True])
def test_ping_is_a_logged_in_page_of_nothing(client, learner, django_assert_num_queries, htmx):
    headers = {"HX-Request": "true"} if htmx else {}
    assert client.get(reverse("ping"), headers=headers).status_code == 302  # to log in
    client.force_login(learner)
    with django_assert_num_queries(2):  # the session and the user, nothing of its own
        response = client.get(reverse("ping"), headers=headers)
    assert (response.status_code, response.content) == (200, b"ok")


def test_the_health_check_answers_503_when_the_database_is_down(client, db, monkeypatch):
    from django.db import OperationalError, connection

    def down(*args, **kwargs):
        raise OperationalError("connection refused")

    with monkeypatch.context() as patched:  # undone before the test database's teardown
        patched.setattr(connection, "cursor", down)
        response = client.get(reverse("healthz"))
    assert response.status_code == 503
    assert response["Retry-After"] and b"database" in response.content


def test_a_topic_named_in_any_letters_gets_working_pages(learner_client, db):
    import_notes([("Ünits.md", b"x::y\n")])
    home = learner_client.get(reverse("home"))
    assert home.status_code == 200
    url = reverse("topic", args=[COURSE, "ünits"])
    assert url in home.content.decode()
    assert learner_client.get(url).status_code == 200
    assert learner_client.get(reverse("study_topic", args=[COURSE, "ünits"])).status_code == 200

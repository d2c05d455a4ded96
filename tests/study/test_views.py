"""The reviewer pages, with and without htmx, and their bad inputs."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from studyapp.accounts.models import profile_for
from studyapp.courses.models import Card, Topic, shipped_course
from studyapp.study.models import CardState, ReviewLog
from studyapp.study.reviewer import token_for
from tests.conftest import COURSE, make_cards, mid_study_day, missed_card, remember

pytestmark = pytest.mark.django_db


@pytest.fixture
def cards(db):
    return make_cards(3, "nets", order=1, title="Nets")


def post_grade(client, card, rating=3, token=None, htmx=False, **extra):
    learner = card_learner(client)
    data = {
        "card": card.pk,
        "token": token or token_for(learner, card, None),
        "rating": rating,
        **extra,
    }
    headers = {"HX-Request": "true"} if htmx else {}
    return client.post(reverse("grade"), data, headers=headers)


def card_learner(client):
    from django.contrib.auth.models import User

    return User.objects.get(pk=client.session["_auth_user_id"])


def test_the_study_page_shows_the_first_card_front_only(learner_client, cards):
    html = learner_client.get(reverse("study")).content.decode()
    assert "Front 0" in html
    assert '<div id="answer" class="answer" hidden>' in html
    assert 'Good <span class="small">10m</span>' in html


def test_without_javascript_the_answer_is_a_link_away(learner_client, cards):
    html = learner_client.get(
        reverse("study"), {"card": cards[0].pk, "answer": "1"}
    ).content.decode()
    assert '<div id="answer" class="answer">' in html and "Back 0" in html


def test_with_htmx_the_study_page_returns_only_the_card(learner_client, cards):
    response = learner_client.get(reverse("study"), headers={"HX-Request": "true"})
    html = response.content.decode()
    assert html.lstrip().startswith('<section id="card"') and "<html" not in html
    assert "Front 0" in html


def test_grading_with_a_plain_form_redirects_to_the_next_card(learner_client, cards):
    response = post_grade(learner_client, cards[0], 4)
    assert response.status_code == 302 and response.url == reverse("study")
    assert ReviewLog.objects.get().rating == 4
    assert "Front 1" in learner_client.get(response.url).content.decode()


def test_grading_with_htmx_answers_with_the_next_card_in_place_of_this_one(learner_client, cards):
    response = post_grade(
        learner_client, cards[0], 3, htmx=True, course=COURSE, topic="nets", duration_ms=4200
    )
    assert response.status_code == 200
    assert response.headers["HX-Retarget"] == "#card"
    assert response.headers["HX-Reswap"] == "outerHTML"
    html = response.text
    assert html.lstrip().startswith('<section id="card"') and "<html" not in html
    # The next card of the same topic, as the page for the topic would show it.
    shown = learner_client.get(
        reverse("study_topic", args=[COURSE, "nets"]), headers={"HX-Request": "true"}
    ).text
    assert _shown_card(html) == _shown_card(shown) != str(cards[0].pk)
    assert ReviewLog.objects.get().duration_ms == 4200


def _shown_card(html: str) -> str:
    return re.search(r'name="card" value="(\d+)"', html).group(1)


def test_a_double_submit_records_one_review_and_says_so(learner_client, cards):
    post_grade(learner_client, cards[0])
    second = post_grade(learner_client, cards[0])
    assert ReviewLog.objects.count() == 1
    assert "already graded" in learner_client.get(second.url).content.decode()


def test_with_htmx_a_double_submit_says_so_in_the_card_that_answers(learner_client, cards):
    post_grade(learner_client, cards[0], htmx=True)
    second = post_grade(learner_client, cards[0], htmx=True)
    assert ReviewLog.objects.count() == 1
    assert second.headers["HX-Retarget"] == "#card"
    assert 'class="alert alert-warning"' in second.text and "already graded" in second.text
    # Shown once: the next answer carries no message.
    assert "already graded" not in post_grade(learner_client, cards[1], htmx=True).text


def break_review_inserts() -> None:
    """Make every insert into the review log fail with an integrity error that is not the
    duplicate-token one, as a column added by a migration that old code does not fill."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(
                "CREATE TRIGGER no_reviews BEFORE INSERT ON studyapp_reviewlog"
                " BEGIN SELECT RAISE(ABORT, 'NOT NULL constraint failed: new_column'); END"
            )
        else:
            cursor.execute(
                "ALTER TABLE studyapp_reviewlog ADD CONSTRAINT no_reviews CHECK (rating < 0)"
            )


@pytest.mark.parametrize("htmx", [False, True])
def test_a_grade_that_fails_for_another_reason_is_a_logged_500_not_already_graded(
    client, learner, cards, caplog, htmx
):
    client.force_login(learner)
    client.raise_request_exception = False
    break_review_inserts()
    response = post_grade(client, cards[0], htmx=htmx)
    assert response.status_code == 500
    assert any(r.name == "django.request" and r.levelname == "ERROR" for r in caplog.records)
    assert not ReviewLog.objects.exists() and not CardState.objects.exists()
    page = client.get(reverse("study")).content.decode()
    assert "already graded" not in page and "Front 0" in page  # the same card, to grade again


def test_a_duplicate_token_found_by_the_database_is_already_graded(learner_client, cards):
    # The seq check passes (no state: a new card), but the log already holds seq 0: only the
    # database's unique constraint sees the duplicate, and it is reported as one.
    learner = card_learner(learner_client)
    ReviewLog.objects.create(
        learner=learner,
        card=cards[0],
        seq=0,
        rating=3,
        reviewed_at="2024-01-01T00:00Z",
        day="2024-01-01",
    )
    response = post_grade(learner_client, cards[0])
    assert response.status_code == 302
    assert "already graded" in learner_client.get(response.url).content.decode()
    assert ReviewLog.objects.count() == 1


@pytest.mark.parametrize(
    "extra",
    [{"rating": 7}, {"rating": 0}, {"rating": "x"}, {"token": "forged"}, {"duration_ms": -5}],
)
def test_bad_grades_change_nothing_and_get_a_message(learner_client, cards, extra):
    response = post_grade(learner_client, cards[0], **extra)
    assert response.status_code == 302
    assert not ReviewLog.objects.exists() and not CardState.objects.exists()
    page = learner_client.get(response.url).content.decode()
    assert 'class="alert' in page


def test_grading_a_retired_or_unknown_card_is_404(learner_client, cards):
    Card.objects.filter(pk=cards[0].pk).update(retired_at="2024-01-01T00:00Z")
    assert post_grade(learner_client, cards[0]).status_code == 404
    missing = Card(pk=99999)
    assert post_grade(learner_client, missing).status_code == 404
    assert not ReviewLog.objects.exists()


def test_grading_needs_a_post_and_a_login(client, learner_client, cards):
    assert learner_client.get(reverse("grade")).status_code == 405
    client.logout()
    response = client.post(reverse("grade"), {"card": cards[0].pk})
    assert response.status_code == 302 and response.url.startswith(reverse("login"))


def test_undo_shows_the_same_card_again(learner_client, cards):
    post_grade(learner_client, cards[0], 4)
    response = learner_client.post(reverse("undo"))
    assert response.url == f"{reverse('study')}?card={cards[0].pk}"
    assert not ReviewLog.objects.exists()
    html = learner_client.get(response.url).content.decode()
    assert "Front 0" in html and "Review undone." in html


def test_undo_with_htmx_answers_with_the_card_undone(learner_client, cards):
    post_grade(learner_client, cards[0], 4)
    response = learner_client.post(reverse("undo"), headers={"HX-Request": "true"})
    assert response.status_code == 200 and response.headers["HX-Retarget"] == "#card"
    assert "Front 0" in response.text and "Review undone." in response.text
    assert "<html" not in response.text


def test_undo_only_touches_my_own_reviews(learner_client, other_learner, cards):
    profile = profile_for(other_learner)
    from studyapp.study.reviewer import grade

    grade(
        other_learner,
        profile,
        cards[0].pk,
        token_for(other_learner, cards[0], None),
        3,
        profile.user.date_joined,
    )
    learner_client.post(reverse("undo"))
    assert ReviewLog.objects.filter(learner=other_learner).count() == 1


def test_when_nothing_is_due_it_says_when_the_next_card_is(learner_client, cards):
    profile = profile_for(card_learner(learner_client))
    profile.new_per_day = 1
    profile.save()
    post_grade(learner_client, cards[0], 4, duration_ms=95_000)
    html = learner_client.get(reverse("study")).content.decode()
    # The end of the session: reviewed today, accuracy, time spent (a card left open
    # counts for a minute at most, as in Anki) and when the next card is due.
    assert "Done for now." in html
    summary = re.sub(r"<[^>]+>|\s+", " ", html[html.index("session-summary") :])
    assert "Reviewed today 1 Accuracy 100% not “Again” Time spent 1 min" in " ".join(
        summary.split()
    )
    assert "Next card due" in html


def test_a_topic_can_be_studied_alone_and_unknown_topics_are_404(learner_client, cards):
    other = Topic.objects.create(course=shipped_course(), slug="other", title="Other", order=0)
    Card.objects.create(
        course=other.course,
        topic=other,
        kind="basic",
        front_html="Elsewhere",
        back_html="x",
        key="o",
    )
    assert "Elsewhere" in learner_client.get(reverse("study")).content.decode()
    assert (
        "Front 0"
        in learner_client.get(reverse("study_topic", args=[COURSE, "nets"])).content.decode()
    )
    assert learner_client.get(reverse("study_topic", args=[COURSE, "nope"])).status_code == 404


def test_a_card_param_outside_the_topic_is_ignored(learner_client, cards):
    other = Topic.objects.create(course=shipped_course(), slug="other", title="Other", order=5)
    stray = Card.objects.create(
        course=other.course, topic=other, kind="basic", front_html="Stray", back_html="x", key="s"
    )
    url = reverse("study_topic", args=[COURSE, "nets"])
    for value in (stray.pk, "junk", "-3"):
        assert "Stray" not in learner_client.get(url, {"card": value}).content.decode()


def statements(client_call) -> list[str]:
    """Return the SQL a request runs, less the savepoints of the test's own transaction."""
    with CaptureQueriesContext(connection) as captured:
        client_call()
    return [q["sql"] for q in captured if not q["sql"].startswith(("SAVEPOINT", "RELEASE"))]


def test_query_budgets_do_not_grow_with_history(learner_client, cards):
    learner = card_learner(learner_client)
    many = Card.objects.bulk_create(
        Card(
            course=cards[0].topic.course,
            topic=cards[0].topic,
            kind="basic",
            front_html="m",
            back_html="m",
            key=f"m{i}",
        )
        for i in range(300)
    )
    CardState.objects.bulk_create(
        CardState(
            learner=learner,
            card=c,
            phase=2,
            stability=9,
            difficulty=5,
            due="2099-01-01T00:00Z",
            reps=1,
        )
        for c in many
    )
    learner_client.get(reverse("study"))  # the first request of a session loads more
    assert len(statements(lambda: learner_client.get(reverse("study")))) <= 8
    token = token_for(learner, cards[0], None)
    data = {"card": cards[0].pk, "token": token, "rating": 3}
    # The first review of a day also creates the day's counts: one more statement.
    assert len(statements(lambda: learner_client.post(reverse("grade"), data))) <= 9
    state = CardState.objects.get(learner=learner, card=cards[0])
    data["token"] = token_for(learner, cards[0], state)
    assert len(statements(lambda: learner_client.post(reverse("grade"), data))) <= 8


@pytest.mark.parametrize("topic", ["a b", "x/y", "<script>", "nope"])
def test_a_bad_topic_in_a_write_falls_back_instead_of_failing(learner_client, cards, topic):
    post_grade(learner_client, cards[0], 4)
    response = learner_client.post(reverse("undo"), {"topic": topic})
    assert response.status_code == 302
    assert not ReviewLog.objects.exists()
    bad = learner_client.post(reverse("grade"), {"card": cards[0].pk, "rating": 9, "topic": topic})
    assert bad.status_code == 302


def remaining(html: str) -> list[str]:
    """The reviewer's counts above the card: new, learning, to review."""
    line = html[html.index('class="remaining') :].split("</p>")[0]
    return re.findall(r'class="count-\w+(?: current)?">(\d+)<', line)


@pytest.mark.parametrize("htmx", [False, True])
def test_the_reviewer_shows_what_is_left_and_it_follows_each_grade(learner_client, cards, htmx):
    mid_study_day(card_learner(learner_client))
    headers = {"HX-Request": "true"} if htmx else {}
    page = learner_client.get(reverse("study"), headers=headers).text
    assert ("<html" in page) is not htmx
    new = len(cards)
    assert remaining(page) == [str(new), "0", "0"]
    assert 'class="count-new current"' in page  # the card shown is a new one
    post_grade(learner_client, cards[0], 1, htmx=htmx)  # Again: into learning
    page = learner_client.get(reverse("study"), headers=headers).text
    assert remaining(page) == [str(new - 1), "1", "0"]


def test_the_reviewer_runs_a_fixed_number_of_queries(
    learner_client, learner, django_assert_max_num_queries
):
    few = make_cards(3, slug="few")
    with django_assert_max_num_queries(12) as captured:
        learner_client.get(reverse("study"))
    small = len(captured)
    many = make_cards(60, slug="many", order=1)
    for card in many[:30]:
        remember(learner, card, timezone.now() - timedelta(days=1))
    post_grade(learner_client, few[0], 1)
    with django_assert_max_num_queries(small) as captured:
        learner_client.get(reverse("study"))


def test_after_leaving_a_class_its_course_cards_are_not_served_or_graded_but_missed_ones_are(
    learner_client, learner, instructor
):
    """The reviewer serves, and grading takes, the same cards: a course the learner may see
    (a class-only one while in its class), or a card of their own from a missed question."""
    from studyapp.classes.models import Classroom, Membership
    from studyapp.courses.models import Course, Teaching

    course = Course.objects.create(slug="private", title="Private", visibility="class")
    Teaching.objects.create(course=course, instructor=instructor)
    (studied,) = make_cards(1, slug="vpc", course=course)
    missed = missed_card(learner, course)
    classroom = Classroom.objects.create(name="Period 4")
    classroom.courses.add(course)
    Membership.objects.create(classroom=classroom, learner=learner)
    for card in (studied, missed):
        remember(learner, card, timezone.now() - timedelta(hours=1))
    tokens = {
        card: token_for(learner, card, CardState.objects.get(card=card))
        for card in (studied, missed)
    }

    Membership.objects.filter(learner=learner).delete()  # the learner leaves the class
    shown = learner_client.get(reverse("study")).context["card"]
    assert shown == missed  # the course's card is no longer served
    assert post_grade(learner_client, studied, token=tokens[studied]).status_code == 404
    assert post_grade(learner_client, missed, token=tokens[missed]).status_code == 302
    assert list(ReviewLog.objects.values_list("card", flat=True)) == [missed.pk]


def test_the_reviewer_s_addresses_follow_the_script_prefix(learner_client, cards):
    """The reviewer remembers its reversed addresses (views._url), one set per script
    prefix: an app served under /school/ must not get the addresses of one served at /."""
    from django.urls import clear_script_prefix, set_script_prefix

    plain = learner_client.get(reverse("study")).content.decode()
    set_script_prefix("/school/")  # as the WSGI handler does from SCRIPT_NAME
    try:
        prefixed = learner_client.get("/study/").content.decode()
    finally:
        clear_script_prefix()
    for form in ("grade-form", "mark-form", "undo-form"):
        action = re.compile(rf'id="{form}" method="post" action="([^"]+)"')
        assert action.search(plain).group(1).startswith("/study/")
        assert action.search(prefixed).group(1).startswith("/school/study/")
    assert 'href="/school/study/?card=' in prefixed


def test_the_card_s_forms_carry_the_csrf_token_in_the_page_and_htmx_sends_it_in_a_header(
    learner,
):
    """The whole page's forms work without JavaScript, so each carries the token; the
    card htmx asks for has none in its forms (making one was a fifth of the card's
    rendering): htmx sends the page's token in a header, from the body's hx-headers."""
    from django.test import Client

    cards = make_cards(2)
    client = Client(enforce_csrf_checks=True)
    client.force_login(learner)
    page = client.get(reverse("study")).text
    card = page[page.index('<section id="card"') :]
    assert card.count('name="csrfmiddlewaretoken"') == 3  # grade, card actions, undo
    header = re.search(r'hx-headers=\'\{"X-CSRFToken": "([^"]+)"\}\'', page).group(1)
    grade = {"card": cards[0].pk, "token": token_for(learner, cards[0], None), "rating": 3}
    htmx = {"HX-Request": "true"}
    assert client.post(reverse("grade"), grade, headers=htmx).status_code == 403  # no token
    answer = client.post(reverse("grade"), grade, headers=htmx | {"X-CSRFToken": header})
    assert answer.status_code == 200
    assert "csrfmiddlewaretoken" not in answer.text
    assert f'name="card" value="{cards[1].pk}"' in answer.text  # the next card, to grade
    assert ReviewLog.objects.filter(learner=learner).count() == 1


@pytest.mark.parametrize("htmx", [False, True])
def test_a_grade_that_cannot_be_read_names_its_fields_and_records_nothing(
    learner_client, learner, htmx
):
    card = make_cards(1)[0]
    posted = {
        "card": "x",
        "token": token_for(learner, card, None),
        "rating": "",
        "duration_ms": "-5",
    }
    headers = {"HX-Request": "true"} if htmx else {}
    answer = learner_client.post(reverse("grade"), posted, headers=headers, follow=True)
    assert answer.status_code == 200
    text = answer.content.decode()
    assert "That grade could not be read (card, rating, duration_ms); nothing was recorded." in text
    assert not ReviewLog.objects.exists()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's one statement")
def test_after_a_new_card_the_next_new_one_comes_with_the_counts(learner_client, learner):
    """Grading a new card answers with the next new card looked for in the statement of
    the counts; after a card already started, it is looked for on its own, a statement
    more (the next card is new both times)."""
    cards = make_cards(4)
    post_grade(learner_client, cards[0], 3)  # the topic's first: the frontier
    new = statements(lambda: post_grade(learner_client, cards[1], 3, htmx=True))
    assert sum("LEFT JOIN LATERAL" in sql for sql in new) == 1, new
    state = CardState.objects.get(learner=learner, card=cards[0])
    token = token_for(learner, cards[0], state)
    later = statements(lambda: post_grade(learner_client, cards[0], 3, token=token, htmx=True))
    assert not any("LEFT JOIN LATERAL" in sql for sql in later), later
    assert len(later) == len(new) + 1

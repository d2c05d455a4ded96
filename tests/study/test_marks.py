"""Anki's card actions: bury until tomorrow, suspend and unsuspend, flag; each undone by
u like a grade, newest first; each the learner's own."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.test import Client
from django.urls import reverse

from studyapp.accounts.models import profile_for
from studyapp.study import marks
from studyapp.study.counts import day_counts
from studyapp.study.models import CardMark, MarkLog, ReviewLog
from studyapp.study.reviewer import Today, grade, next_card, token_for
from tests.conftest import COURSE, make_cards, missed_card

NOW = datetime(2024, 5, 1, 12, tzinfo=UTC)

pytestmark = pytest.mark.django_db


def study(learner, now=NOW):
    profile = profile_for(learner)
    return next_card(learner, profile, Today.of(learner, profile, now), now)


def left(learner, now=NOW):
    profile = profile_for(learner)
    return day_counts(learner, profile, now).all()


def mark(learner, card, action, now=NOW, flag=None):
    return marks.change(learner, profile_for(learner), card.pk, action, now, flag)


def test_a_buried_card_waits_for_the_next_study_day(learner, other_learner):
    first, second = make_cards(2)
    assert study(learner)[0] == first
    mark(learner, first, "bury")
    assert study(learner)[0] == second
    assert left(learner).new == 1
    assert study(other_learner)[0] == first  # a mark is the learner's own
    # The study day starts at 04:00 (the profile's default): the card is back then.
    assert study(learner, NOW + timedelta(hours=15))[0] == second
    tomorrow = NOW + timedelta(hours=16, minutes=1)
    assert study(learner, tomorrow)[0] == first
    assert left(learner, tomorrow).new == 2


def test_a_suspended_card_stays_out_until_it_is_unsuspended(learner):
    first, second = make_cards(2)
    mark(learner, first, "suspend")
    assert study(learner, NOW + timedelta(days=30))[0] == second
    mark(learner, first, "unsuspend")
    assert study(learner)[0] == first


def test_a_flag_marks_the_card_and_keeps_it_in_the_queue(learner):
    (card,) = make_cards(1)
    mark(learner, card, "flag", flag=CardMark.Flag.RED)
    assert study(learner)[0] == card
    assert CardMark.objects.get(learner=learner, card=card).flag == CardMark.Flag.RED
    with pytest.raises(marks.MarkError):
        mark(learner, card, "flag", flag=9)
    with pytest.raises(marks.MarkError):
        mark(learner, card, "explode")


def test_undo_takes_back_the_newest_of_grades_and_marks(learner):
    first, second, third = make_cards(3)
    profile = profile_for(learner)
    grade(learner, profile, first.pk, token_for(learner, first, None), 4, NOW)
    mark(learner, second, "bury", NOW + timedelta(seconds=5))
    mark(learner, second, "flag", NOW + timedelta(seconds=6), flag=CardMark.Flag.BLUE)
    undone = marks.undo_newest(learner)
    assert isinstance(undone, MarkLog) and undone.action == "flag"
    assert CardMark.objects.get(card=second).flag == 0  # buried still
    undone = marks.undo_newest(learner)
    assert isinstance(undone, MarkLog) and undone.action == "bury"
    assert not CardMark.objects.exists()  # as before: no marks at all
    assert isinstance(marks.undo_newest(learner), ReviewLog)
    assert not ReviewLog.objects.exists()
    assert marks.undo_newest(learner) is None
    # A grade after a mark is undone first.
    mark(learner, third, "suspend", NOW)
    grade(learner, profile, first.pk, token_for(learner, first, None), 3, NOW + timedelta(1))
    assert isinstance(marks.undo_newest(learner), ReviewLog)
    assert CardMark.objects.get(card=third).suspended


# Through the views -----------------------------------------------------------------------


def post_mark(client, card, headers=None, **fields):
    return client.post(reverse("mark_card"), {"card": card.pk, **fields}, headers=headers or {})


@pytest.mark.parametrize("htmx", [False, True])
def test_bury_from_the_reviewer_with_and_without_htmx(learner_client, learner, htmx):
    first, second = make_cards(2)
    headers = {"HX-Request": "true"} if htmx else {}
    response = post_mark(learner_client, first, headers, action="bury")
    if htmx:  # the next card comes in the answer, to put in place of this one
        assert response.status_code == 200 and response.headers["HX-Retarget"] == "#card"
        page = response.text
    else:
        assert response.status_code == 302 and response.url == reverse("study")
        page = learner_client.get(reverse("study")).text
    assert "Buried until tomorrow." in page and second.front_html in page
    undone = learner_client.post(reverse("undo"), headers=headers)
    if htmx:  # the card undone comes in the answer, with what was done
        assert undone.status_code == 200 and first.front_html in undone.text
        page = undone.text
    else:
        assert undone.status_code == 302
        page = learner_client.get(reverse("study") + f"?card={first.pk}").text
    assert "Buried: undone." in page
    assert not CardMark.objects.exists()


def test_a_flag_button_flags_and_the_card_shows_it(learner_client, learner):
    (card,) = make_cards(1)
    response = post_mark(learner_client, card, flag="2")  # a flag's button sends the flag only
    assert response.status_code == 302 and f"card={card.pk}" in response.url
    page = learner_client.get(response.url).text
    assert "Flagged orange." in page and "flagged orange" in page
    assert 'aria-pressed="true"' in page and "Remove the flag" in page
    assert page.count('aria-pressed="true"') == 1 and page.count('aria-pressed="false"') == 3
    assert "flag-2 active" in page and page.count(" active") == 1


def test_a_card_with_no_flag_presses_no_flag_button(learner_client, learner):
    make_cards(1)
    page = learner_client.get(reverse("study")).text
    assert page.count('aria-pressed="false"') == 4 and 'aria-pressed="true"' not in page
    assert "Remove the flag" not in page and "flagged" not in page


def test_unsuspend_from_the_topic_page(learner_client, learner):
    card, _ = make_cards(2, slug="regions")
    post_mark(learner_client, card, action="suspend")
    page = learner_client.get(reverse("topic", args=[COURSE, "regions"])).text
    assert "1 suspended by you" in page and "Unsuspend" in page
    back = post_mark(
        learner_client, card, action="unsuspend", course=COURSE, topic="regions", then="topic"
    )
    assert back.status_code == 302 and back.url == reverse("topic", args=[COURSE, "regions"])
    assert not CardMark.objects.get(card=card).suspended
    page = learner_client.get(back.url).text
    assert "it is back in your reviews" in page and 'value="unsuspend"' not in page


def test_bad_card_actions_change_nothing(learner_client, learner, other_learner):

    (card,) = make_cards(1)
    for fields in ({"action": "explode"}, {"flag": "9"}, {}, {"action": "flag"}):
        response = post_mark(learner_client, card, **fields)
        assert response.status_code == 302
    assert not CardMark.objects.exists() and not MarkLog.objects.exists()
    # Another learner's card (a missed quiz question holds its answer) is not found.
    theirs = missed_card(other_learner, card.course, card.topic)
    assert post_mark(learner_client, theirs, action="bury").status_code == 404
    missing = learner_client.post(reverse("mark_card"), {"card": 999_999, "action": "bury"})
    assert missing.status_code == 404


def test_anonymous_visitors_are_sent_to_log_in(db):
    (card,) = make_cards(1)
    response = Client().post(reverse("mark_card"), {"card": card.pk, "action": "bury"})
    assert response.status_code == 302 and "/accounts/login/" in response.url
    assert not CardMark.objects.exists()


def test_instructors_mark_their_own_study_only(instructor, learner):
    (card,) = make_cards(1)
    client = Client()
    client.force_login(instructor)
    post_mark(client, card, action="suspend")
    assert CardMark.objects.get().learner == instructor
    assert study(learner)[0] == card

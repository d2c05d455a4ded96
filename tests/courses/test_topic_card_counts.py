"""Topic.cards_in_use and Topic.cards_version, kept by the database's triggers on the card
table (migration 0023) whatever way a card changes: the day's counts and the reviewer's
new-card frontier trust them."""

from __future__ import annotations

import pytest
from django.db import connection
from django.utils import timezone

from studyapp.courses.models import Card, Topic
from tests.conftest import make_cards, missed_card

pytestmark = pytest.mark.django_db


def counted(topic: Topic) -> tuple[int, int]:
    topic.refresh_from_db()
    return topic.cards_in_use, topic.cards_version


def recount(topic: Topic) -> int:
    cards = Card.objects.filter(topic=topic, retired_at=None).exclude(kind=Card.Kind.FROM_QUIZ)
    return cards.count()


def bumps(rows: int) -> int:
    """How much one statement changing `rows` cards bumps their topic's version: the
    triggers run once per statement on PostgreSQL (over the rows it changed), once per
    row on SQLite."""
    return 1 if connection.vendor == "postgresql" else rows


def test_adding_retiring_reviving_and_deleting_cards_keep_the_count(learner):
    cards = make_cards(5, slug="regions")  # one statement
    topic = cards[0].topic
    in_use, version = counted(topic)
    assert (in_use, version) == (5, bumps(5))  # the cards joined the topic's new cards

    Card.objects.filter(pk__in=[cards[0].pk, cards[1].pk]).update(retired_at=timezone.now())
    in_use, retired = counted(topic)
    assert in_use == 3 == recount(topic) and retired == version + bumps(2)

    cards[0].retired_at = None
    cards[0].save()  # brought back, as a note import does
    in_use, revived = counted(topic)
    assert in_use == 4 and revived == retired + 1

    cards[4].delete()
    assert counted(topic)[0] == 3 == recount(topic)


def test_a_change_of_order_bumps_the_version_and_other_edits_do_not():
    cards = make_cards(3, slug="zones")
    topic = cards[0].topic
    in_use, version = counted(topic)
    Card.objects.filter(pk=cards[2].pk).update(position=7)
    assert counted(topic)[0] == in_use and counted(topic)[1] > version
    version = counted(topic)[1]
    Card.objects.filter(pk=cards[1].pk).update(line=99)
    assert counted(topic)[0] == in_use and counted(topic)[1] > version
    version = counted(topic)[1]
    Card.objects.filter(pk=cards[1].pk).update(front_html="Reworded", back_html="Also")
    assert counted(topic) == (in_use, version)  # the order did not change


def test_a_card_moving_topic_leaves_one_count_for_the_other():
    here = make_cards(2, slug="here")
    there = make_cards(1, slug="there", order=1)
    Card.objects.filter(pk=here[0].pk).update(topic=there[0].topic)
    assert counted(here[0].topic)[0] == 1
    assert counted(there[0].topic)[0] == 2


def test_quiz_question_cards_never_count(learner):
    cards = make_cards(2, slug="quizzed")
    topic = cards[0].topic
    before = counted(topic)
    missed = missed_card(learner, topic.course, topic)
    assert counted(topic) == before
    missed.retired_at = timezone.now()
    missed.save()
    missed.delete()
    assert counted(topic) == before == (recount(topic), before[1])


def test_the_admin_cannot_move_a_card_to_another_topic(admin_client, rf, admin_user):
    """Its form has no topic, course, kind or learner to post (a POST that tried one was
    refused for other reasons, and proved nothing: this reads the form itself)."""
    from django.contrib.admin.sites import site

    card = make_cards(1, slug="fixed")[0]
    page = admin_client.get(f"/admin/studyapp/card/{card.pk}/change/")
    assert page.status_code == 200
    assert 'name="topic"' not in page.content.decode()
    request = rf.get("/")
    request.user = admin_user
    form = site._registry[Card].get_form(request, obj=card)
    assert {"course", "topic", "kind", "learner"}.isdisjoint(form.base_fields)
    assert "front_html" in form.base_fields

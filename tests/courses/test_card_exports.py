"""Flashcards as files, from the browser and the command line: a topic's, a course's and a
learner's own, and a learner's review history."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse

from studyapp.accounts.models import profile_for
from studyapp.courses.models import shipped_course
from studyapp.study.reviewer import grade, token_for
from tests.conftest import COURSE, make_cards, missed_card, remember

pytestmark = pytest.mark.django_db
NOW = datetime(2026, 5, 1, 12, tzinfo=UTC)


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def cards(learner, other_learner):
    """A topic of two cards, and a missed question's card for each learner."""
    made = make_cards(2, slug="zones", title="Zones")
    topic = made[0].topic
    missed_card(learner, topic.course, topic, key="mine")
    missed_card(other_learner, topic.course, topic, key="theirs")
    return made


def test_a_topic_and_a_course_leave_with_their_cards_and_nobody_s_missed_questions(learner, cards):
    client = client_for(learner)
    for url in (
        reverse("topic_cards", args=[COURSE, "zones"]),
        reverse("course_cards", args=[COURSE]),
    ):
        response = client.get(url, {"format": "quizlet"})
        assert response.status_code == 200
        assert response.text == "Front 0\tBack 0\nFront 1\tBack 1\n"  # no missed question
        assert response["Content-Disposition"].startswith("attachment;")


@pytest.mark.parametrize(
    ("fmt", "starts", "kind"),
    [
        ("apkg", b"PK", "application/apkg"),
        ("anki", b"#separator:tab", "text/plain"),
        ("quizlet", b"Front 0\t", "text/tab-separated-values"),
        ("markdown", b"## ", "text/markdown"),
    ],
)
def test_every_format_downloads_as_its_own_kind_of_file(learner, cards, fmt, starts, kind):
    response = client_for(learner).get(
        reverse("topic_cards", args=[COURSE, "zones"]), {"format": fmt}
    )
    assert response.content.startswith(starts) and response["Content-Type"].startswith(kind)
    ext = {"apkg": "apkg", "anki": "txt", "quizlet": "tsv", "markdown": "md"}[fmt]
    assert f'filename="cloud-fundamentals-zones.{ext}"' in response["Content-Disposition"]


def test_an_unknown_format_is_404(learner, cards):
    url = reverse("course_cards", args=[COURSE])
    assert client_for(learner).get(url, {"format": "pdf"}).status_code == 404
    assert client_for(learner).get(url).status_code == 404


def test_a_learner_s_own_cards_are_those_they_studied_their_missed_questions_included(
    learner, other_learner, cards
):
    remember(learner, cards[0], NOW)
    mine = learner.own_cards.get()
    remember(learner, mine, NOW)
    text = client_for(learner).get(reverse("my_cards"), {"format": "quizlet"}).text
    assert text.splitlines() == ["Front 0\tBack 0", "Missed?\tThe answer"]
    theirs = client_for(other_learner).get(reverse("my_cards"), {"format": "quizlet"}).text
    assert theirs == ""  # they studied nothing; the other missed card is not theirs to take
    assert Client().get(reverse("my_cards"), {"format": "anki"}).status_code == 302  # log in


def test_the_review_history_is_csv_in_the_columns_fsrs_reads(learner, other_learner, cards):
    profile = profile_for(learner)
    grade(learner, profile, cards[0].pk, token_for(learner, cards[0], None), 3, NOW, 4200)
    grade(
        other_learner,
        profile_for(other_learner),
        cards[1].pk,
        token_for(other_learner, cards[1], None),
        1,
        NOW,
    )
    response = client_for(learner).get(reverse("review_history"))
    rows = list(csv.reader(io.StringIO(response.text)))
    assert rows == [
        ["card_id", "review_time", "review_rating", "review_duration"],
        [str(cards[0].pk), "2026-05-01T12:00:00+00:00", "3", "4200"],
    ]
    assert Client().get(reverse("review_history")).status_code == 302


def test_the_pages_offer_the_downloads(learner, cards):
    client = client_for(learner)
    topic_page = client.get(reverse("topic", args=[COURSE, "zones"])).text
    assert reverse("topic_cards", args=[COURSE, "zones"]) + "?format=apkg" in topic_page
    assert (
        reverse("course_cards", args=[COURSE]) + "?format=anki"
        in client.get(reverse("course", args=[COURSE])).text
    )
    progress = client.get(reverse("progress")).text
    assert reverse("my_cards") + "?format=markdown" in progress
    assert reverse("review_history") in progress


def test_export_cards_writes_a_course_or_a_topic_to_a_file(cards, tmp_path, capsys):
    out = tmp_path / "zones.txt"
    call_command("export_cards", "zones", "--format", "quizlet", "-o", str(out))
    assert out.read_text() == "Front 0\tBack 0\nFront 1\tBack 1\n"
    assert "Wrote 2 cards of topic 'Zones'" in capsys.readouterr().out
    call_command("export_cards", shipped_course().slug, "--format", "apkg", "-o", str(out))
    assert out.read_bytes().startswith(b"PK")
    with pytest.raises(CommandError, match="No course or topic 'nope'"):
        call_command("export_cards", "nope", "--format", "anki", "-o", str(out))
    with pytest.raises(CommandError, match="No such file or directory"):
        call_command("export_cards", "zones", "--format", "anki", "-o", str(tmp_path / "x" / "y"))

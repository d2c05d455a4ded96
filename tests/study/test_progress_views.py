from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from studyapp.courses.models import Card, Topic, shipped_course
from studyapp.study.models import CardState, ReviewLog, StudyDay

pytestmark = pytest.mark.django_db


def test_the_progress_page_shows_my_figures_and_text_alternatives(learner_client, learner):
    topic = Topic.objects.create(course=shipped_course(), slug="t", title="Networking")
    card = Card.objects.create(
        course=topic.course, topic=topic, kind="basic", front_html="f", back_html="b", key="k"
    )
    today = timezone.now().date()
    StudyDay.objects.create(
        learner=learner, day=today, reviews=7, retention_total=4, retention_passed=3
    )
    CardState.objects.create(
        learner=learner,
        card=card,
        phase=2,
        stability=3,
        difficulty=5,
        due=timezone.now() + timedelta(days=1),
        last_review=timezone.now(),
        reps=1,
    )
    html = learner_client.get(reverse("progress")).content.decode()
    assert "Networking" in html and "1 of 1" in html
    assert "75%" in html  # true retention
    assert '<svg class="heatmap"' in html and '<title id="heatmap-title">' in html
    assert "Reviews per month, as a table" in html and "Cards due per day, as a table" in html


def test_the_progress_page_needs_a_login(client):
    assert client.get(reverse("progress")).status_code == 302


def test_progress_queries_do_not_grow_with_history(
    learner_client, learner, django_assert_max_num_queries
):
    topic = Topic.objects.create(course=shipped_course(), slug="t", title="T")
    cards = Card.objects.bulk_create(
        Card(
            course=topic.course,
            topic=topic,
            kind="basic",
            front_html="f",
            back_html="b",
            key=str(i),
        )
        for i in range(50)
    )
    CardState.objects.bulk_create(
        CardState(
            learner=learner, card=c, phase=2, stability=3, difficulty=5, due=timezone.now(), reps=1
        )
        for c in cards
    )
    now = timezone.now()
    ReviewLog.objects.bulk_create(
        ReviewLog(
            learner=learner, card=cards[i % 50], seq=i, rating=3, reviewed_at=now, day=now.date()
        )
        for i in range(2000)
    )
    StudyDay.objects.bulk_create(
        StudyDay(learner=learner, day=now.date() - timedelta(days=d), reviews=5) for d in range(400)
    )
    learner_client.get(reverse("progress"))
    with django_assert_max_num_queries(6):
        learner_client.get(reverse("progress"))


def test_each_topic_row_links_to_its_page_and_to_study_it_with_its_title_escaped(learner):
    from studyapp.study.progress import MissedQuestions, Progress, TopicProgress
    from studyapp.study.tables import topic_rows

    topic = Topic.objects.create(course=shipped_course(), slug="t", title="<b>Nets</b> & co")
    row = TopicProgress(topic, total=4, seen=2, due=1, mastered=1)
    missed = MissedQuestions(shipped_course(), cards=3, due=2)
    progress = Progress([row], [missed], {}, [], timezone.now().date())
    html = topic_rows(progress, read_only=False)
    assert "<b>" not in html and "&lt;b&gt;Nets&lt;/b&gt; &amp; co" in html
    assert f'href="{topic.get_absolute_url()}"' in html
    assert html.count(f'href="{topic.study_url}"') == 2  # the due count and Study
    assert "<td>2 of 4</td>" in html and "<span>25%</span>" in html
    assert html.count(f'href="{shipped_course().study_url}"') == 2 and "<td>3</td>" in html
    # Read-only, as a teacher sees it: the counts, and no link to study.
    shown = topic_rows(progress, read_only=True)
    assert "study" not in shown.lower().replace("visually-hidden", "")
    assert "<td>1</td>" in shown and "<td>2</td>" in shown

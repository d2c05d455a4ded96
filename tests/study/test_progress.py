"""Progress figures: mastery, due counts, forecast, streak and retention."""

from __future__ import annotations

import random
from collections import Counter
from datetime import UTC, date, datetime, timedelta

import pytest

from studyapp.accounts.models import profile_for
from studyapp.courses.models import Card, shipped_course
from studyapp.study.models import CardState, StudyDay
from studyapp.study.progress import heatmap_cells, monthly_totals, progress_for
from studyapp.study.scheduling import Memory, Phase, day_bounds, mastered, study_day
from tests.conftest import COURSE, make_cards, missed_card, remember

NOW = datetime(2024, 6, 15, 12, tzinfo=UTC)
TODAY = date(2024, 6, 15)

pytestmark = pytest.mark.django_db


@pytest.fixture
def topic_cards(db):
    return make_cards(4)


def remember_recent(learner, card, due, last=NOW - timedelta(days=3), stability=10.0):
    remember(learner, card, due, last_review=last, stability=stability, reps=2)


def test_topics_show_seen_due_and_mastery(learner, topic_cards):
    remember_recent(learner, topic_cards[0], NOW - timedelta(hours=1))
    remember_recent(learner, topic_cards[1], NOW + timedelta(days=5), last=NOW, stability=10)
    row = progress_for(learner, profile_for(learner), NOW).topics[0]
    assert (row.total, row.seen, row.due) == (4, 2, 1)
    # Recall now is above 90% for both, but in 30 days a 10-day stability is far below:
    # no card is mastered, where the old measure (recall now) read 96%.
    assert row.mastery == 0


def test_mastered_means_recall_of_90_percent_30_days_ahead(learner, topic_cards):
    remember_recent(learner, topic_cards[0], NOW + timedelta(days=60), last=NOW, stability=45)
    remember_recent(learner, topic_cards[1], NOW + timedelta(days=20), last=NOW, stability=25)
    remember_recent(learner, topic_cards[2], NOW + timedelta(days=50), last=NOW, stability=32)
    row = progress_for(learner, profile_for(learner), NOW).topics[0]
    # FSRS's stability is the time until recall falls to 90%: 45 and 32 days pass, 25 not.
    assert (row.seen, row.mastered) == (3, 2)
    assert row.mastery == 2 / 4  # of all the topic's cards, not of those seen


def test_missed_quiz_questions_have_a_row_of_their_own(learner_client, learner, topic_cards):
    from studyapp.formats import gift
    from studyapp.quizzes.cards import cards_for
    from studyapp.quizzes.imports import save_quiz
    from studyapp.study.reviewer import schedule_missed

    quiz = save_quiz(gift.parse("::Q:: AZs sit in Regions. {T}"), title="Q").quiz
    card = cards_for(learner, list(quiz.questions.all()))[0]
    schedule_missed(learner, profile_for(learner), [card], NOW)
    progress = progress_for(learner, profile_for(learner), NOW)
    assert [(m.course.slug, m.cards, m.due) for m in progress.missed] == [(COURSE, 1, 1)]
    assert progress.topics[0].seen == 0  # not one of the topic's own cards
    page = learner_client.get("/progress/").text
    assert "Missed quiz questions" in page and "30 days from now" in page


def test_mastery_is_none_before_any_card_is_seen(learner, topic_cards):
    assert progress_for(learner, profile_for(learner), NOW).topics[0].mastery is None


def test_the_forecast_puts_overdue_cards_today_and_stops_at_30_days(learner, topic_cards):
    remember_recent(learner, topic_cards[0], NOW - timedelta(days=4))
    remember_recent(learner, topic_cards[1], NOW + timedelta(days=2))
    remember_recent(learner, topic_cards[2], NOW + timedelta(days=45))
    forecast = dict(progress_for(learner, profile_for(learner), NOW).forecast)
    assert len(forecast) == 30
    assert forecast[TODAY] == 1 and forecast[TODAY + timedelta(days=2)] == 1
    assert sum(forecast.values()) == 2


def test_the_forecast_follows_the_learners_day(learner, topic_cards):
    profile = profile_for(learner)
    profile.time_zone, profile.day_start_hour = "Asia/Tokyo", 4
    profile.save()
    # 01:00 on the 17th in Tokyo is still the 16th's study day.
    remember_recent(learner, topic_cards[0], datetime(2024, 6, 16, 16, tzinfo=UTC))
    forecast = dict(progress_for(learner, profile, NOW).forecast)
    assert forecast[date(2024, 6, 16)] == 1


def days(learner, *spec):
    StudyDay.objects.bulk_create(
        StudyDay(learner=learner, day=d, reviews=n, retention_total=t, retention_passed=p)
        for d, n, t, p in spec
    )


def test_the_streak_counts_back_from_today_or_yesterday(learner):
    days(
        learner,
        (TODAY - timedelta(days=1), 5, 0, 0),
        (TODAY - timedelta(days=2), 3, 0, 0),
        (TODAY - timedelta(days=4), 9, 0, 0),
    )
    assert progress_for(learner, profile_for(learner), NOW).streak == 2
    days(learner, (TODAY, 1, 0, 0))
    assert progress_for(learner, profile_for(learner), NOW).streak == 3


def test_no_reviews_no_streak(learner):
    days(learner, (TODAY - timedelta(days=2), 3, 0, 0))
    assert progress_for(learner, profile_for(learner), NOW).streak == 0


def test_retention_covers_the_last_30_days_only(learner):
    days(
        learner,
        (TODAY, 10, 8, 6),
        (TODAY - timedelta(days=29), 4, 2, 2),
        (TODAY - timedelta(days=30), 50, 40, 0),
    )
    assert progress_for(learner, profile_for(learner), NOW).retention == (8, 10)


def test_other_learners_days_are_not_mine(learner, other_learner):
    days(other_learner, (TODAY, 10, 8, 6))
    data = progress_for(learner, profile_for(learner), NOW)
    assert (data.streak, data.retention, data.reviews_last_year) == (0, (0, 0), 0)


def test_the_heatmap_spans_53_weeks_with_levels():
    spec = {TODAY: StudyDay(reviews=40), TODAY - timedelta(days=3): StudyDay(reviews=4)}
    cells = heatmap_cells(spec, TODAY)
    assert cells[-1].day == TODAY and cells[0].day.weekday() == 0
    assert 52 * 7 < len(cells) <= 53 * 7
    levels = {c.day: c.level for c in cells}
    assert (
        levels[TODAY],
        levels[TODAY - timedelta(days=3)],
        levels[TODAY - timedelta(days=1)],
    ) == (4, 1, 0)
    assert monthly_totals(spec) == [("June 2024", 44)]


def plainly(learner, profile, now):
    """The page's per-topic figures, missed questions and forecast, state by state, as
    the definitions say them (scheduling.mastered, study_day)."""
    zone, hour = profile.zone, profile.day_start_hour
    today = study_day(now, zone, hour)
    _, end = day_bounds(today, zone, hour)
    topics, missed, forecast = {}, {}, Counter()
    for s in CardState.objects.filter(learner=learner, card__retired_at__isnull=True):
        card = s.card
        if card.kind == Card.Kind.FROM_QUIZ:
            cards, due = missed.get(card.course_id, (0, 0))
            missed[card.course_id] = (cards + 1, due + (s.due < end))
        else:
            memory = Memory(Phase(s.phase), s.step, s.stability, s.difficulty, s.due, s.last_review)
            seen, mastered_n, due = topics.get(card.topic_id, (0, 0, 0))
            topics[card.topic_id] = (
                seen + 1,
                mastered_n + mastered(memory, now),
                due + (s.due < end),
            )
        day = max(today, study_day(s.due, zone, hour))
        if day < today + timedelta(days=30):
            forecast[day] += 1
    return topics, missed, forecast


@pytest.mark.parametrize("seed", range(6))
def test_the_page_s_sums_say_what_each_state_says(seed, learner):
    """The database sums the states (progress_for); summed here state by state instead,
    they agree, in a time zone whose clocks change within the forecast (and whose study
    day starts at 4), with quiz cards of the learner's own and retired cards among them."""
    rng = random.Random(seed)
    now = datetime(2024, 3, 20, 12, tzinfo=UTC)  # Sydney's clocks go back on April 7th
    profile = profile_for(learner)
    profile.time_zone, profile.day_start_hour = "Australia/Sydney", 4
    profile.save()
    cards = make_cards(15, slug="a") + make_cards(10, slug="b", order=1)
    cards += [missed_card(learner, shipped_course(), key=f"miss{n}") for n in range(4)]
    for card in rng.sample(cards, 22):
        last = now - timedelta(hours=rng.randrange(1, 24 * 120))
        due = now + timedelta(hours=rng.randrange(-24 * 5, 24 * 40))
        remember(
            learner,
            card,
            due,
            last_review=rng.choice([last, None]),
            stability=rng.choice([0.5, 3.0, 20.0, 31.0, 45.0, 200.0]),
            phase=rng.choice([1, 2, 3]),
        )
    Card.objects.filter(pk__in=[c.pk for c in rng.sample(cards, 3)]).update(retired_at=now)
    found = progress_for(learner, profile, now)
    topics, missed, forecast = plainly(learner, profile, now)
    got = {t.topic.pk: (t.seen, t.mastered, t.due) for t in found.topics if t.seen}
    assert got == topics, seed
    assert {m.course.pk: (m.cards, m.due) for m in found.missed} == missed, seed
    assert dict(found.forecast) == {day: forecast[day] for day, _ in found.forecast}, seed
    assert sum(n for _, n in found.forecast) == sum(forecast.values()) > 0, seed

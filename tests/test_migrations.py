"""Data migrations, run forward over rows written as the code before them wrote them."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

NOW = datetime(2024, 5, 1, 12, tzinfo=UTC)


def migrate(target: tuple[str, str]):
    """Migrate the test database to target and return the apps of that state."""
    executor = MigrationExecutor(connection)
    executor.migrate([target])
    executor.loader.build_graph()
    return executor.loader.project_state([target]).apps


@pytest.fixture
def at(transactional_db):
    """Migrate back for a test, and forward to the latest migration after it."""
    yield migrate
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())


def test_a_shared_quiz_card_becomes_one_card_per_learner(at):
    apps = at(("studyapp", "0003_quizzes"))
    User = apps.get_model("auth", "User")
    Card = apps.get_model("studyapp", "Card")
    CardState = apps.get_model("studyapp", "CardState")
    ReviewLog = apps.get_model("studyapp", "ReviewLog")
    Quiz = apps.get_model("studyapp", "Quiz")
    lena, omar = (User.objects.create(username=n) for n in ("lena", "omar"))
    quiz = Quiz.objects.create(title="Q", slug="q")
    shared, unused = (
        Card.objects.create(
            kind="from-quiz",
            front_html=f"Which? {n}",
            back_html="CloudFront",
            key=f"k{n}",
            question=quiz.questions.create(key=f"q{n}", position=n, type="truefalse"),
        )
        for n in (1, 2)
    )
    for learner in (lena, omar):
        CardState.objects.create(learner=learner, card=shared, phase=1, due=NOW, reps=1)
    ReviewLog.objects.create(
        learner=omar, card=shared, seq=0, rating=1, reviewed_at=NOW, day=NOW.date()
    )

    apps = at(("studyapp", "0005_split_shared_quiz_cards"))
    Card = apps.get_model("studyapp", "Card")
    CardState = apps.get_model("studyapp", "CardState")
    ReviewLog = apps.get_model("studyapp", "ReviewLog")
    cards = {c.learner.username: c for c in Card.objects.select_related("learner")}
    assert sorted(cards) == ["lena", "omar"]  # nobody had the unused card: it is gone
    assert not Card.objects.filter(pk=unused.pk).exists()
    assert cards["lena"].pk == shared.pk and cards["omar"].pk != shared.pk
    assert {c.question_id for c in cards.values()} == {shared.question_id}
    assert all(c.back_html == "CloudFront" for c in cards.values())
    for name, card in cards.items():
        assert CardState.objects.get(card=card).learner.username == name
    assert ReviewLog.objects.get().card_id == cards["omar"].pk


def test_global_content_becomes_the_shipped_course_and_keeps_every_id(at):
    apps = at(("studyapp", "0007_answer_key_changed"))
    get = apps.get_model
    User = get("auth", "User")
    lena, ines = (User.objects.create(username=n) for n in ("lena", "ines"))
    topic = get("studyapp", "Topic").objects.create(slug="regions", title="Regions")
    lesson = get("studyapp", "Lesson").objects.create(
        topic=topic, source="content/regions.md", title="Regions", content_hash="x"
    )
    card = get("studyapp", "Card").objects.create(
        topic=topic, lesson=lesson, kind="basic", front_html="F", back_html="B", key="k"
    )
    state = get("studyapp", "CardState").objects.create(
        learner=lena, card=card, phase=2, due=NOW, reps=1
    )
    log = get("studyapp", "ReviewLog").objects.create(
        learner=lena, card=card, seq=0, rating=3, reviewed_at=NOW, day=NOW.date()
    )
    quiz = get("studyapp", "Quiz").objects.create(title="Q", slug="q", topic=topic, owner=ines)
    attempt = get("studyapp", "Attempt").objects.create(
        learner=lena, quiz=quiz, number=1, mode="practice", started_at=NOW
    )

    apps = at(("studyapp", "0009_shipped_course"))
    get = apps.get_model
    course = get("studyapp", "Course").objects.get()
    assert (course.slug, course.visibility) == ("cloud-fundamentals", "public")
    for model, pk in (("Topic", topic.pk), ("Lesson", lesson.pk), ("Card", card.pk)):
        assert get("studyapp", model).objects.get(pk=pk).course_id == course.pk, model
    assert get("studyapp", "Quiz").objects.get(pk=quiz.pk).course_id == course.pk
    assert get("studyapp", "CardState").objects.get(pk=state.pk).card_id == card.pk
    assert get("studyapp", "ReviewLog").objects.get(pk=log.pk).card_id == card.pk
    assert get("studyapp", "Attempt").objects.get(pk=attempt.pk).quiz_id == quiz.pk
    teaching = get("studyapp", "Teaching").objects.get()
    assert (teaching.course_id, teaching.instructor_id) == (course.pk, ines.pk)


def test_an_empty_database_gets_no_course(at):
    apps = at(("studyapp", "0009_shipped_course"))
    assert not apps.get_model("studyapp", "Course").objects.exists()


def test_each_card_state_gets_its_card_s_topic(at):
    apps = at(("studyapp", "0017_retention_advice"))
    get = apps.get_model
    lena = get("auth", "User").objects.create(username="lena")
    course = get("studyapp", "Course").objects.create(slug="c", title="C")
    topic = get("studyapp", "Topic").objects.create(course=course, slug="t", title="T")
    card, loose = (
        get("studyapp", "Card").objects.create(
            course=course, topic=t, kind="basic", front_html="F", back_html="B", key=k
        )
        for t, k in ((topic, "k1"), (None, "k2"))
    )
    states = [
        get("studyapp", "CardState").objects.create(learner=lena, card=c, phase=2, due=NOW, reps=1)
        for c in (card, loose)
    ]
    apps = at(("studyapp", "0018_cardstate_topic"))
    CardState = apps.get_model("studyapp", "CardState")
    assert [CardState.objects.get(pk=s.pk).topic_id for s in states] == [topic.pk, None]


def test_each_topic_s_cards_are_numbered_by_lesson_file_then_line(at):
    apps = at(("studyapp", "0020_reviewlog_undo_index"))
    get = apps.get_model
    course = get("studyapp", "Course").objects.create(slug="c", title="C")
    topics = [get("studyapp", "Topic").objects.create(course=course, slug=s, title=s) for s in "st"]
    lessons = {
        name: get("studyapp", "Lesson").objects.create(
            course=course, topic=topics[0], source=name, title=name, content_hash="x"
        )
        for name in ("b.md", "a.md")
    }
    made = [  # (topic, lesson, line), saved in this order
        (0, "b.md", 1),
        (0, "a.md", 5),
        (0, "a.md", 2),
        (1, "b.md", 9),
        (1, "b.md", 3),
    ]
    cards = [
        get("studyapp", "Card").objects.create(
            course=course,
            topic=topics[t],
            lesson=lessons[lesson],
            line=line,
            kind="basic",
            front_html="F",
            back_html="B",
            key=f"k{n}",
        )
        for n, (t, lesson, line) in enumerate(made)
    ]
    apps = at(("studyapp", "0021_card_positions"))
    Card = apps.get_model("studyapp", "Card")
    assert [Card.objects.get(pk=c.pk).position for c in cards] == [2, 1, 0, 1, 0]

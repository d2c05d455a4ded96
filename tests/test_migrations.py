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

"""The server side of test_real_server.py: run with `manage.py shell -c` against the
database the real server uses, so both see the same rows."""

from __future__ import annotations

import json

from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.auth.models import User
from django.contrib.sessions.backends.db import SessionStore

from studyapp.accounts.models import Profile
from studyapp.formats import gift
from studyapp.quizzes.imports import save_quiz
from studyapp.quizzes.models import Quiz
from tests.conftest import make_cards
from tests.invariants import assert_scores_match_responses, assert_state_replays_its_log

LEARNERS = 4
QUIZ = "::Q1:: AZs are inside Regions. {T}\n\n::Q2:: An edge location is an AZ. {F}\n"


def populate() -> None:
    """Make a course, a test quiz and learners; print each learner's session cookie."""
    make_cards(40, slug="regions", title="Regions")
    quiz = save_quiz(gift.parse(QUIZ), title="Race").quiz
    Quiz.objects.filter(pk=quiz.pk).update(mode=Quiz.Mode.TEST, shuffle=False)
    sessions = {}
    for n in range(LEARNERS):
        user = User.objects.create_user(f"racer{n}")
        Profile.objects.create(user=user)
        session = SessionStore()
        session[SESSION_KEY] = str(user.pk)
        session[BACKEND_SESSION_KEY] = "studyapp.accounts.auth.ProfileBackend"
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()
        session.create()
        sessions[user.username] = session.session_key
    print(json.dumps({"quiz": quiz.get_absolute_url(), "sessions": sessions}))


def check() -> None:
    """Every invariant, for every learner and the quiz; print what was checked."""
    reviews = attempts = 0
    for user in User.objects.filter(username__startswith="racer"):
        assert_state_replays_its_log(user, fuzzed=True)
        reviews += user.reviewlog_set.count()
    quiz = Quiz.objects.get(title="Race")
    assert_scores_match_responses(quiz)
    attempts = quiz.attempts.filter(finished_at__isnull=False).count()
    print(json.dumps({"reviews": reviews, "finished_attempts": attempts}))

"""Any values in any form field get a page or a message, never a 500.

Each form of the app gets arbitrary values, as a person or a script might send them:
odd text (NUL characters, astral-plane letters, huge numbers, "nan"), several values
for one field, and missing fields. Mixed in are real values (a card and its token, a
question's choices) so that requests get past their first check. The test client
raises any exception a view lets through, so the assertion on the status is the
second line of defence.
"""

from __future__ import annotations

from collections.abc import Sequence

import pytest
from django.test import Client
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from studyapp.courses.models import Topic
from studyapp.formats import gift
from studyapp.quizzes.imports import save_quiz
from studyapp.quizzes.models import Attempt, Quiz
from studyapp.study.reviewer import token_for
from tests.conftest import make_cards

QUIZ = """\
::MC::Which stores objects? {=S3 ~EC2 ~VPC}

::Many::Pick the storage services. {~%50%S3 ~%50%EBS ~%-100%EC2}

::TF::AZs are inside Regions. {T}

::Short::Name the CDN. {=CloudFront}

::Number::How many AZs at least in a Region? {#3:0}

::Match::Match them. {=S3 -> objects =EBS -> blocks =EFS -> files}

::Essay::Explain a VPC. {}
"""

AWKWARD = [
    "",
    " ",
    "0",
    "-1",
    "1",
    "3",
    "4",
    "true",
    "on",
    "confirm",
    "gift",
    "csv",
    "nan",
    "inf",
    "1e400",
    "99999999999999999999999",
    "\x00",
    "a\x00b",
    "𝔘",
    "a b/../c",
    "<script>x</script>",
    "Europe/Berlin",
    "Not/AZone",
    "0.5",
    "0.9",
    "S3",
    "objects",
    "x" * 300,
]

EXAMPLES = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def forms(fields: list[str], extra_values: Sequence[str] = ()) -> st.SearchStrategy[dict]:
    value = st.one_of(st.sampled_from(AWKWARD + list(extra_values)), st.text(max_size=40))
    return st.dictionaries(st.sampled_from(fields), st.lists(value, min_size=1, max_size=3))


def assert_no_server_error(client: Client, path: str, data: dict, **headers) -> None:
    response = client.post(path, data, **headers)
    assert response.status_code < 500, (path, data)


@pytest.fixture
def course(db):
    cards = make_cards(3, slug="storage")
    quiz = save_quiz(gift.parse(QUIZ), title="Storage", topic=Topic.objects.get()).quiz
    return cards, quiz


@pytest.mark.parametrize("htmx", [False, True])
@EXAMPLES
@given(data=st.data())
def test_grading_and_undo(learner_client, learner, course, htmx, data):
    cards, _ = course
    token = token_for(learner, cards[0], None)
    fields = ["card", "token", "rating", "topic", "duration_ms"]
    form = data.draw(forms(fields, [str(cards[0].pk), token, "storage"]))
    headers = {"HTTP_HX_REQUEST": "true"} if htmx else {}
    assert_no_server_error(learner_client, "/study/grade/", form, **headers)
    assert_no_server_error(learner_client, "/study/undo/", form, **headers)
    query = data.draw(forms(["card", "answer"], [str(cards[1].pk)]))
    assert learner_client.get("/study/", query, **headers).status_code < 500


@EXAMPLES
@given(data=st.data())
def test_answering_every_type_of_question(learner_client, course, data):
    _, quiz = course
    # A fresh attempt for each example: practice mode locks a question once answered.
    start = learner_client.post(f"/courses/{quiz.course.slug}/quizzes/{quiz.slug}/start/")
    assert start.status_code == 302
    attempt = Attempt.objects.get(quiz=quiz, finished_at=None)
    for question in quiz.questions.all():
        fields = ["answer", *(f"match-{i}" for i in range(4))]
        choices = [str(i) for i in range(len(question.data.get("choices", [])))]
        form = data.draw(forms(fields, choices))
        headers = data.draw(st.sampled_from([{}, {"HTTP_HX_REQUEST": "true"}]))
        path = f"/attempts/{attempt.pk}/questions/{question.pk}/"
        assert_no_server_error(learner_client, path, form, **headers)
    assert_no_server_error(learner_client, f"/attempts/{attempt.pk}/finish/", {})


@EXAMPLES
@given(data=st.data())
def test_a_tests_whole_form(learner_client, course, data):
    _, quiz = course
    Quiz.objects.filter(pk=quiz.pk).update(mode=Quiz.Mode.TEST)
    start = learner_client.post(f"/courses/{quiz.course.slug}/quizzes/{quiz.slug}/start/")
    assert start.status_code == 302
    attempt = Attempt.objects.get(quiz=quiz, finished_at=None)
    fields = ["then"]
    for question in quiz.questions.all():
        fields += [f"q{question.pk}-answer", *(f"q{question.pk}-match-{i}" for i in range(4))]
    form = data.draw(forms(fields, ["0", "1", "true", "finish", "finish-anyway", "save"]))
    assert_no_server_error(learner_client, f"/attempts/{attempt.pk}/save/", form)
    question = quiz.questions.first()
    headers = {"HTTP_HX_REQUEST": "true"}
    path = f"/attempts/{attempt.pk}/questions/{question.pk}/"
    assert_no_server_error(learner_client, path, form, **headers)
    Attempt.objects.filter(pk=attempt.pk).update(finished_at=timezone.now())


@EXAMPLES
@given(data=st.data())
def test_the_upload_form(client, instructor, course, data):
    client.force_login(instructor)
    fields = [
        "text",
        "format",
        "separator",
        "row_separator",
        "quiz",
        "title",
        "topic",
        "mode",
        "time_limit_minutes",
        "max_attempts",
        "shuffle",
        "action",
    ]
    topic = str(Topic.objects.get().pk)
    form = data.draw(forms(fields, [QUIZ, "::Q:: Odd? {T}", "practice", "test", topic]))
    assert_no_server_error(client, "/teach/upload/", form)


@EXAMPLES
@given(data=st.data())
def test_the_account_forms(learner_client, db, data):
    settings_fields = [
        "time_zone",
        "day_start_hour",
        "new_per_day",
        "reviews_per_day",
        "desired_retention",
    ]
    assert_no_server_error(learner_client, "/accounts/profile/", data.draw(forms(settings_fields)))
    change = ["old_password", "new_password1", "new_password2"]
    assert_no_server_error(learner_client, "/accounts/password/change/", data.draw(forms(change)))
    client = Client()  # nobody logged in
    signup = ["username", "email", "password1", "password2", "time_zone"]
    assert_no_server_error(client, "/accounts/signup/", data.draw(forms(signup)))
    client.logout()  # in case the sign-up worked
    assert_no_server_error(client, "/accounts/login/", data.draw(forms(["username", "password"])))
    assert_no_server_error(client, "/accounts/password/reset/", data.draw(forms(["email"])))

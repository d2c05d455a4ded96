"""Quiz upload: instructors only, a preview naming every problem, saved only on confirm."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from studyapp.quizzes.models import Question, Quiz

GOOD = "::One::Which stores objects? {=S3 ~EC2}\n\n::Two::AZs are in Regions. {T}\n"
BAD = GOOD + "\nBroken {=a ~b\n"


@pytest.fixture
def teacher(client, instructor, taught_course):
    client.force_login(instructor)
    return client


def test_learners_get_403_on_every_upload_request(learner_client):
    assert learner_client.get("/teach/upload/").status_code == 403
    response = learner_client.post(
        "/teach/upload/", {"text": GOOD, "title": "x", "action": "confirm"}
    )
    assert response.status_code == 403
    assert not Quiz.objects.exists()


def test_the_preview_lists_questions_and_saves_nothing(teacher):
    page = teacher.post(
        "/teach/upload/",
        {
            "text": GOOD,
            "format": "auto",
            "title": "Storage",
            "mode": "practice",
            "action": "preview",
        },
    )
    assert page.status_code == 200
    assert "Preview: 2 questions read as GIFT (Moodle)" in page.text
    assert "Which stores objects?" in page.text
    assert not Quiz.objects.exists()


def test_problems_are_listed_by_line_and_there_is_no_confirm(teacher):
    upload = SimpleUploadedFile("quiz.gift", BAD.encode())
    page = teacher.post(
        "/teach/upload/",
        {"file": upload, "format": "auto", "mode": "practice", "action": "preview"},
    )
    assert "line 5: the { that starts the answers has no closing }" in page.text
    assert 'value="confirm"' not in page.text
    assert not Quiz.objects.exists()


def test_confirm_saves_everything_and_a_second_upload_updates_in_place(teacher, instructor):
    data = {"text": GOOD, "format": "gift", "title": "Storage", "mode": "test", "action": "confirm"}
    data |= {"max_attempts": "2", "shuffle": "on"}
    response = teacher.post("/teach/upload/", data)
    quiz = Quiz.objects.get()
    assert (
        response.status_code == 302
        and response.url == f"/courses/{quiz.course.slug}/quizzes/{quiz.slug}/"
    )
    assert (quiz.owner, quiz.mode, quiz.max_attempts, quiz.questions.count()) == (
        instructor,
        "test",
        2,
        2,
    )
    first = set(Question.objects.values_list("pk", flat=True))
    changed = GOOD + "\n::Three::New? {F}\n"
    teacher.post("/teach/upload/", {**data, "text": changed, "quiz": quiz.pk, "title": ""})
    assert Quiz.objects.count() == 1
    assert first < set(Question.objects.values_list("pk", flat=True))


def test_confirming_a_file_with_problems_saves_nothing(teacher):
    teacher.post(
        "/teach/upload/",
        {"text": BAD, "format": "gift", "title": "x", "mode": "practice", "action": "confirm"},
    )
    assert not Quiz.objects.exists() and not Question.objects.exists()


@pytest.mark.parametrize(
    ("content", "words"),
    [
        (b"\x00\x01binary", "binary"),
        ("caf\u00e9".encode("latin-1"), "not UTF-8"),
        (b"x" * (2 * 1024 * 1024 + 1), "over 2 MB"),
    ],
)
def test_files_that_are_not_text_get_a_message(teacher, content, words):
    upload = SimpleUploadedFile("q.gift", content)
    page = teacher.post(
        "/teach/upload/",
        {"file": upload, "format": "auto", "mode": "practice", "action": "preview"},
    )
    assert page.status_code == 200 and words in page.text
    assert not Quiz.objects.exists()


def test_an_instructor_cannot_update_another_instructors_quiz(teacher, other_instructor):
    theirs = Quiz.objects.create(title="Theirs", slug="theirs", owner=other_instructor)
    page = teacher.post(
        "/teach/upload/",
        {
            "text": GOOD,
            "format": "gift",
            "quiz": theirs.pk,
            "mode": "practice",
            "action": "confirm",
        },
    )
    assert page.status_code == 200 and "Select a valid choice" in page.text
    assert not theirs.questions.exists()


def test_quizlet_with_chosen_separators(teacher):
    data = {"text": "S3 - objects;EBS - blocks", "format": "quizlet", "separator": " - "}
    data |= {"row_separator": ";", "title": "Cards", "mode": "practice", "action": "confirm"}
    teacher.post("/teach/upload/", data)
    assert list(Question.objects.values_list("parsed__text", flat=True)) == ["S3", "EBS"]


def test_a_failure_part_way_through_saving_leaves_nothing(teacher, monkeypatch):
    from studyapp.quizzes import imports

    def fail(*args, **kwargs):
        raise RuntimeError("disk full")

    # The quiz row and the new questions are written before this step fails.
    monkeypatch.setattr(imports.Question.objects, "bulk_update", fail)
    data = {
        "text": GOOD,
        "format": "gift",
        "title": "Half",
        "mode": "practice",
        "action": "confirm",
    }
    with pytest.raises(RuntimeError):
        teacher.post("/teach/upload/", data)
    assert not Quiz.objects.exists() and not Question.objects.exists()


def preview(client, **data):
    fields = {"format": "gift", "title": "Big", "mode": "practice", "action": "preview"}
    return client.post("/teach/upload/", fields | data)


def test_a_quiz_over_the_question_limit_is_refused_at_preview(teacher, settings):
    settings.QUIZ_MAX_QUESTIONS = 5
    text = "\n\n".join(f"::Q{i}:: Is {i} even? {{{'T' if i % 2 == 0 else 'F'}}}" for i in range(6))
    page = preview(teacher, text=text)
    assert page.status_code == 200
    assert "6 questions; a quiz may have at most 5" in page.text
    assert 'value="confirm"' not in page.text
    confirmed = preview(teacher, text=text, action="confirm")
    assert confirmed.status_code == 200 and not Quiz.objects.exists()


@pytest.mark.parametrize("megabytes", [2.2, 3])
def test_a_paste_over_the_size_limit_gets_a_message_not_a_bare_400(teacher, megabytes):
    text = "::Q:: Is it? {T}\n" * int(megabytes * 1024 * 1024 / 17)
    page = preview(teacher, text=text)
    assert page.status_code == 200
    assert "The pasted text is over 2 MB" in page.text
    assert not Quiz.objects.exists()


def test_a_request_far_over_any_limit_gets_a_page_that_names_the_limit(teacher):
    # Too big for the server to read at all (over 4 times the limit): no form to show it
    # on, but a page saying what happened, for any form, and nothing saved.
    text = "::Q:: Is it? {T}\n" * int(12 * 1024 * 1024 / 17)
    page = preview(teacher, text=text)
    assert page.status_code == 413
    assert "over 2 MB" in page.text and "Nothing was saved" in page.text
    assert not Quiz.objects.exists()


def test_a_nul_character_in_pasted_text_is_named_by_its_line(teacher):
    page = preview(teacher, text="::Q1:: Fine? {T}\n\n::Q2:: Not\x00 fine? {F}\n")
    assert page.status_code == 200
    assert "line 3: a NUL character" in page.text
    assert not Quiz.objects.exists()


def test_a_nul_character_in_a_file_is_named_by_its_line(teacher):
    upload = SimpleUploadedFile("q.gift", b"::Q1:: Fine? {T}\n\n\n::Q2:: No\x00t {F}\n")
    page = teacher.post("/teach/upload/", {"file": upload, "mode": "practice", "action": "preview"})
    assert "line 4: a NUL character" in page.text

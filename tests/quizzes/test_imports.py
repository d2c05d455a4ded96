"""Saving quizzes: identities kept across re-uploads, all or nothing, the commands."""

from __future__ import annotations

import random

import pytest
from django.core.management import CommandError, call_command
from django.http import QueryDict
from django.utils import timezone

from studyapp import formats
from studyapp.courses.models import shipped_course
from studyapp.formats import gift
from studyapp.formats.html import to_html
from studyapp.quizzes import attempts
from studyapp.quizzes.exports import from_json, parsed_questions
from studyapp.quizzes.imports import read_text, save_quiz
from studyapp.quizzes.models import Question, Quiz, Response

QUIZ = """\
::One::Which stores objects? {=S3 ~EC2}

::Two::AZs are in Regions. {T}

::Three::Name the CDN. {=CloudFront}
"""


@pytest.mark.django_db
def test_a_changed_upload_keeps_unchanged_questions_and_retires_missing_ones():
    report = save_quiz(gift.parse(QUIZ), title="Storage")
    quiz = report.quiz
    before = {q.title: q.pk for q in quiz.questions.all()}
    changed = QUIZ.replace("{=S3 ~EC2}", "{=S3 ~EC2 ~VPC}").replace(
        "::Three::Name the CDN. {=CloudFront}", "::Four::New one? {F}"
    )
    again = save_quiz(gift.parse(changed), quiz=quiz)
    after = {q.title: q for q in quiz.questions.all()}
    assert (again.created, again.updated, again.unchanged, again.retired) == (1, 1, 1, 1)
    assert after["One"].pk == before["One"] and len(after["One"].data["choices"]) == 3
    assert after["Two"].pk == before["Two"]
    assert after["Three"].retired_at is not None
    assert [q.title for q in parsed_questions(quiz)] == ["One", "Two", "Four"]


@pytest.mark.django_db
def test_two_identical_questions_get_two_keys():
    report = save_quiz(gift.parse("Same? {T}\n\nSame? {T}"), title="Twice")
    assert report.quiz.questions.count() == 2


@pytest.mark.django_db
def test_html_in_questions_is_sanitized():
    text = '[html]<b>Bold</b><script>alert(1)</script><img src=x onerror="x()"> {T}'
    report = save_quiz(gift.parse(text), title="Bad html")
    html = report.quiz.questions.get().text_html
    assert "<b>Bold</b>" in html
    assert "script" not in html and "onerror" not in html


def test_each_text_format_renders_to_html():
    assert to_html("**b**", "markdown") == "<p><strong>b</strong></p>\n"
    assert to_html("<i>x</i>\ny", "plain") == "&lt;i&gt;x&lt;/i&gt;<br>y"
    assert to_html("a\nb", "moodle") == "a<br>b"


@pytest.mark.parametrize(
    ("data", "words"),
    [
        (b"x" * (2 * 1024 * 1024 + 1), "over 2 MB"),
        (b"ab\x00cd", "binary"),
        (b"fine\nnot utf8 \xff\n", "not UTF-8"),
    ],
)
def test_files_that_are_not_text_are_refused(data, words):
    with pytest.raises(formats.FormatError) as caught:
        read_text(data)
    assert words in str(caught.value)


@pytest.mark.django_db
def test_import_quiz_prints_how_many_it_saved_and_export_writes_it_back(tmp_path, capsys):
    path = tmp_path / "storage.gift"
    path.write_text(QUIZ)
    call_command("import_quiz", str(path), "--title", "Storage basics")
    assert "3 questions saved" in capsys.readouterr().out
    quiz = Quiz.objects.get()
    call_command("export_quiz", quiz.slug, "--format", "gift")
    assert gift.parse(capsys.readouterr().out) == gift.parse(QUIZ)
    call_command("export_quiz", quiz.slug, "--format", "quizlet")
    assert "Name the CDN.\tCloudFront" in capsys.readouterr().out


@pytest.mark.django_db
def test_import_quiz_names_bad_lines_saves_nothing_and_exits_1(tmp_path, capsys):
    path = tmp_path / "bad.gift"
    path.write_text(QUIZ + "\nBroken {=a ~b\n\nAlso {#x}\n")
    with pytest.raises(CommandError) as caught:
        call_command("import_quiz", str(path))
    assert caught.value.returncode == 1
    err = capsys.readouterr().err
    assert "line 7: the { that starts the answers has no closing }" in err
    assert "line 9: " in err
    assert not Quiz.objects.exists() and not Question.objects.exists()


@pytest.mark.django_db
def test_import_quiz_reads_aiken_and_csv_with_a_topic(tmp_path, capsys):
    from tests.conftest import make_cards

    make_cards(1, slug="regions")
    aiken = tmp_path / "a.txt"
    aiken.write_text("Q?\nA. x\nB. y\nANSWER: B\n")
    call_command("import_quiz", str(aiken), "--topic", "regions")
    cards = tmp_path / "c.csv"
    cards.write_text("front,back\nS3,objects\n")
    call_command("import_quiz", str(cards), "--format", "csv")
    assert [q.format for q in Quiz.objects.order_by("id")] == ["aiken", "csv"]
    assert Quiz.objects.order_by("id").first().topic.slug == "regions"
    with pytest.raises(CommandError):
        call_command("import_quiz", str(cards), "--topic", "nope")


@pytest.mark.django_db
def test_reimporting_keeps_responses():
    from django.contrib.auth.models import User
    from django.utils import timezone

    from studyapp.quizzes.models import Attempt

    quiz = save_quiz(gift.parse(QUIZ), title="Keep").quiz
    learner = User.objects.create(username="l")
    attempt = Attempt.objects.create(
        learner=learner, quiz=quiz, number=1, mode="practice", started_at=timezone.now()
    )
    question = quiz.questions.get(title="Three")
    Response.objects.create(
        attempt=attempt, question=question, answer="x", fraction=0, answered_at=timezone.now()
    )
    save_quiz(gift.parse("Only? {T}"), quiz=quiz)
    assert Response.objects.get().question.retired_at is not None


def test_a_question_s_card_follows_its_edits_and_the_quiz_s_topic(learner):
    from django.utils import timezone

    from studyapp.accounts.models import profile_for
    from studyapp.courses.models import Topic
    from studyapp.quizzes.cards import cards_for
    from studyapp.study.reviewer import schedule_missed
    from tests.invariants import assert_states_have_their_cards_topics

    quiz = save_quiz(gift.parse(QUIZ), title="Cards").quiz
    one, two = quiz.questions.get(title="One"), quiz.questions.get(title="Two")
    edited_card, kept_card = cards_for(learner, [one, two])
    schedule_missed(learner, profile_for(learner), [edited_card, kept_card], timezone.now())
    topic = Topic.objects.create(course=shipped_course(), slug="storage", title="Storage")
    save_quiz(gift.parse(QUIZ.replace("~EC2}", "~Amazon EC2}")), quiz=quiz, topic=topic)
    edited_card.refresh_from_db()
    kept_card.refresh_from_db()
    assert "Amazon EC2" in edited_card.front_html
    assert edited_card.topic == topic and kept_card.topic == topic
    assert_states_have_their_cards_topics(learner)  # the learner's states moved with them


def test_import_quiz_offers_a_regrade_when_answered_questions_change_key(tmp_path, capsys, learner):
    path = tmp_path / "zones.gift"
    path.write_text("::TF::AZs are in Regions. {T}\n")
    call_command("import_quiz", str(path))
    quiz = Quiz.objects.get()
    attempt = attempts.start(learner, quiz, timezone.now(), random.Random(1))
    attempts.answer(attempt, attempts.slots(attempt)[0], QueryDict("answer=true"), timezone.now())
    attempts.finish(attempt, timezone.now())
    path.write_text("::TF::AZs are in Regions. {F}\n")
    call_command("import_quiz", str(path))
    assert "--regrade" in capsys.readouterr().out
    attempt.refresh_from_db()
    assert attempt.score == 1
    call_command("import_quiz", str(path), "--regrade")  # the same file: the regrade it owes
    assert "regraded: 1 attempts changed score" in capsys.readouterr().out
    attempt.refresh_from_db()
    assert attempt.score == 0
    assert Quiz.objects.get().answer_key_changed_at is None
    call_command("import_quiz", str(path), "--regrade")
    assert "regraded" not in capsys.readouterr().out  # nothing owed, nothing done


def test_import_quiz_refuses_a_quiz_over_the_question_limit(tmp_path, capsys, settings, db):
    settings.QUIZ_MAX_QUESTIONS = 2
    path = tmp_path / "big.gift"
    path.write_text("Q1? {T}\n\nQ2? {F}\n\nQ3? {T}\n")
    with pytest.raises(CommandError, match="nothing saved"):
        call_command("import_quiz", str(path))
    assert "3 questions; a quiz may have at most 2" in capsys.readouterr().err
    assert not Quiz.objects.exists()


def test_notes_and_quiz_files_are_decoded_alike():
    """One decoder: a BOM is dropped from both; refusals name the same line."""
    from studyapp.content.parse import decode_note
    from studyapp.content.parsed import ParseError
    from studyapp.content.text import TextError, decode_text

    assert decode_note("\ufeff# Regions\n".encode()) == read_text("\ufeff# Regions\n".encode())
    assert decode_note("\ufeffa".encode()) == "a"
    for data in (b"one\ntwo \xff\n", b"one\n\ntwo\x00"):
        with pytest.raises(TextError) as text:
            decode_text(data, 100)
        with pytest.raises(ParseError) as note:
            decode_note(data)
        with pytest.raises(formats.FormatError) as quiz:
            read_text(data)
        assert note.value.line == quiz.value.problems[0].line == text.value.line > 1
        assert note.value.message == quiz.value.problems[0].message == text.value.message


@pytest.mark.django_db
def test_review_cards_and_flashcard_exports_show_the_same_right_answers(learner):
    """One rule (formats.right_answers): the review card of a missed question and the Anki
    export used to disagree on short answers (all 100% ones against the single best)."""
    from studyapp.formats import csvtsv
    from studyapp.quizzes.cards import cards_for

    text = (
        "::Short:: Name the CDN. {=CloudFront =Amazon CloudFront =%50%CDN}\n\n"
        "::Num:: How many AZs at least? {#=3:0 =%50%2:0}\n\n"
        "::MC:: Which store objects? {~%50%S3 ~%50%Glacier ~EC2}\n"
    )
    quiz = save_quiz(gift.parse(text), title="Agree").quiz
    questions = list(quiz.questions.order_by("position"))
    exported = {
        row.text: row.choices[0].text for row in csvtsv.parse(csvtsv.render(parsed_questions(quiz)))
    }
    for question, card in zip(questions, cards_for(learner, questions), strict=True):
        answer = exported[from_json(question.parsed).text]
        assert [part.strip() for part in answer.split(";")] == [
            line for line in card.back_html.removeprefix("<p>").removesuffix("</p>").split("<br>")
        ], question.title
    assert exported["Name the CDN."] == "CloudFront; Amazon CloudFront"


def test_an_answer_in_its_own_markup_is_shown_in_it():
    """GIFT's ~[plain] and #[html]: the stored HTML follows each text's own markup."""
    from studyapp.quizzes.imports import answer_data

    [q] = gift.parse("[markdown]Which? {=[plain]<b> is a tag#[html]<em>Yes</em> ~**bold**#*No*}")
    right, wrong = answer_data(q)["choices"]
    assert right["html"] == "&lt;b&gt; is a tag" and right["feedback"] == "<em>Yes</em>"
    assert "<strong>bold</strong>" in wrong["html"] and "<em>No</em>" in wrong["feedback"]

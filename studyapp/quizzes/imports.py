"""Save parsed questions as a quiz, in one transaction, keeping question identities.

A question's key is its type and text (or the guid the file gives), so uploading a
changed file updates the quiz in place: an unchanged question keeps its row (and the
learners' responses to it), an edited answer updates it, a new text is a new question,
and a question the file no longer has is retired, never deleted.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from studyapp import formats
from studyapp.content.text import TextError, decode_text, megabytes, refuse_nul
from studyapp.courses.models import Card, Course, Topic, shipped_course
from studyapp.courses.notes_import import source_name
from studyapp.formats.html import to_html
from studyapp.formats.questions import FormatError, Problem, QuestionType
from studyapp.formats.questions import Question as Parsed
from studyapp.quizzes import exports
from studyapp.quizzes.cards import card_sides
from studyapp.quizzes.models import Question, Quiz, Response
from studyapp.study.models import CardState

# What a re-upload may change on a kept question.
_UPDATABLE = ["position", "title", "text_html", "general_feedback_html", "data", "parsed", "line"]


@dataclass
class QuizReport:
    quiz: Quiz
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    retired: int = 0
    rekeyed: int = 0  # questions with answers whose answer key changed: see attempts.regrade

    @property
    def saved(self) -> int:
        return self.created + self.updated + self.unchanged


def answer_data(q: Parsed) -> dict:
    """Return a question's answers as stored in Question.data, feedback rendered."""
    fmt = q.text_format

    def feedback(text: str, own: str = "") -> str:
        return to_html(text, own or fmt)  # "": the question's own markup

    if q.type == QuestionType.MULTICHOICE:
        return {
            "single": q.single,
            "choices": [
                {
                    "html": to_html(c.text, c.text_format or fmt),
                    "weight": c.weight,
                    "feedback": feedback(c.feedback, c.feedback_format),
                }
                for c in q.choices
            ],
        }
    if q.type == QuestionType.SHORTANSWER:
        return {
            "answers": [
                {
                    "text": c.text,
                    "weight": c.weight,
                    "feedback": feedback(c.feedback, c.feedback_format),
                }
                for c in q.choices
            ]
        }
    if q.type == QuestionType.NUMERICAL:
        return {
            "answers": [
                {
                    "value": n.value,
                    "tolerance": n.tolerance,
                    "weight": n.weight,
                    "feedback": feedback(n.feedback, n.feedback_format),
                }
                for n in q.numbers
            ]
        }
    if q.type == QuestionType.MATCHING:
        return {"pairs": [{"prompt": to_html(p.prompt, fmt), "answer": p.answer} for p in q.pairs]}
    if q.type == QuestionType.TRUEFALSE:
        return {
            "answer": q.answer,
            "feedback_wrong": feedback(q.feedback_wrong, q.feedback_wrong_format),
            "feedback_right": feedback(q.feedback_right, q.feedback_right_format),
        }
    return {}


def question_keys(questions: list[Parsed]) -> list[str]:
    """Return each question's identity: its guid, or a hash of its type and text; the
    second of two identical questions gets its own key."""
    seen: Counter[str] = Counter()
    keys = []
    for q in questions:
        identity = q.guid or f"{q.type}\n{' '.join(q.text.split())}"
        seen[identity] += 1
        if seen[identity] > 1:
            identity += f"\n#{seen[identity]}"
        keys.append(hashlib.sha256(identity.encode()).hexdigest()[:40])
    return keys


def unique_slug(course: Course, title: str) -> str:
    """Return a slug for a new quiz of the course: from its title, unique in the course."""
    base = slugify(title, allow_unicode=True)[:70] or "quiz"
    slug, n = base, 1
    while course.quizzes.filter(slug=slug).exists():
        n += 1
        slug = f"{base}-{n}"
    return slug


def _row(quiz: Quiz, key: str, position: int, q: Parsed) -> Question:
    return Question(
        quiz=quiz,
        key=key,
        position=position,
        type=q.type.value,
        title=q.title[:255],
        text_html=to_html(q.text, q.text_format),
        general_feedback_html=to_html(
            q.general_feedback, q.general_feedback_format or q.text_format
        ),
        data=answer_data(q),
        parsed=exports.to_json(q),
        line=q.line,
    )


@transaction.atomic
def save_quiz(
    questions: list[Parsed],
    *,
    quiz: Quiz | None = None,
    title: str = "",
    topic: Topic | None = None,
    course: Course | None = None,
    owner: AbstractBaseUser | None = None,
    source: str = "",
    fmt: str = "gift",
) -> QuizReport:
    """Create a quiz from questions, or bring an existing one up to date with them.

    A new quiz goes into the course given, else its topic's, else the shipped course.
    """
    now = timezone.now()
    if quiz is None:
        course = course or (topic.course if topic else None) or shipped_course()
        quiz = Quiz.objects.create(
            course=course,
            title=title,
            slug=unique_slug(course, title),
            topic=topic,
            owner=owner,
            source=source,
            format=fmt,
        )
    else:
        quiz.topic = topic if topic is not None else quiz.topic
        quiz.source, quiz.format = source or quiz.source, fmt
        quiz.save(update_fields=["topic", "source", "format", "updated_at"])
    report = QuizReport(quiz)
    existing = {q.key: q for q in quiz.questions.all()}
    new, changed, rekeyed = [], [], []
    for position, (key, parsed) in enumerate(zip(question_keys(questions), questions, strict=True)):
        row = _row(quiz, key, position, parsed)
        old = existing.pop(key, None)
        if old is None:
            new.append(row)
            continue
        if old.retired_at is None and all(getattr(old, f) == getattr(row, f) for f in _UPDATABLE):
            report.unchanged += 1
            continue
        if old.data != row.data:
            rekeyed.append(old.pk)
        for f in _UPDATABLE:
            setattr(old, f, getattr(row, f))
        old.retired_at = None
        changed.append(old)
    Question.objects.bulk_create(new, batch_size=1000)
    Question.objects.bulk_update(changed, [*_UPDATABLE, "retired_at"], batch_size=1000)
    gone = [q.pk for q in existing.values() if q.retired_at is None]
    Question.objects.filter(pk__in=gone).update(retired_at=now)
    Card.objects.filter(question__in=gone).update(retired_at=now)
    # Cards made from edited questions follow the edit; all follow the quiz's topic.
    cards = list(Card.objects.filter(question__in=changed).select_related("question"))
    for card in cards:
        card.retired_at = None
        for side, value in card_sides(card.question).items():
            setattr(card, side, value)
    Card.objects.bulk_update(cards, ["retired_at", "front_html", "back_html"])
    moved = Card.objects.filter(question__quiz=quiz).exclude(topic=quiz.topic)
    # A card's states keep its topic (CardState.topic): this is the one way it changes.
    CardState.objects.filter(card__in=moved).update(topic=quiz.topic)
    moved.update(topic=quiz.topic)
    report.created, report.updated, report.retired = len(new), len(changed), len(gone)
    answered = Response.objects.filter(question__in=rekeyed).values("question").distinct()
    report.rekeyed = answered.count() if rekeyed else 0
    if report.rekeyed:
        quiz.answer_key_changed_at = now
        Quiz.objects.filter(pk=quiz.pk).update(answer_key_changed_at=now)
    return report


def import_quiz_file(
    path: Path,
    fmt: str | None = None,
    topic: Topic | None = None,
    title: str = "",
    course: Course | None = None,
    **options: str,
) -> QuizReport:
    """Parse a quiz file and save it into the course (the topic's, else the shipped one),
    updating the quiz that came from the same file.

    Raises FormatError (with every problem's line) and saves nothing when it has any.
    """
    text = read_text(path.read_bytes())
    fmt = fmt or formats.detect(text, path.name)
    questions = formats.parse(text, fmt, **options)
    if problem := check_question_count(len(questions)):
        raise FormatError([problem])
    source = source_name(path)
    course = course or (topic.course if topic else None) or shipped_course()
    quiz = course.quizzes.filter(source=source, owner=None).first()
    return save_quiz(
        questions,
        quiz=quiz,
        course=course,
        title=title or (topic.title if topic else path.stem.replace("_", " ").replace("-", " ")),
        topic=topic,
        source=source,
        fmt=fmt,
    )


def read_text(data: bytes, limit: int | None = None) -> str:
    """Decode an uploaded file as text, or raise FormatError saying why not, by line."""
    try:
        return decode_text(data, limit or settings.NOTES_MAX_BYTES)
    except TextError as error:
        raise FormatError([Problem(error.line, error.message)]) from None


def check_pasted(text: str, limit: int | None = None) -> str | None:
    """Return why pasted text cannot be a quiz (over the size limit, or a NUL character,
    which PostgreSQL cannot store, named by its line), or None when it can."""
    limit = limit or settings.NOTES_MAX_BYTES
    if len(text.encode()) > limit:
        return too_big(limit)
    try:
        refuse_nul(text)
    except TextError as error:
        return str(Problem(error.line, error.message))
    return None


def too_big(limit: int | None = None) -> str:
    size = megabytes(limit or settings.NOTES_MAX_BYTES)
    return f"The pasted text is over {size}, the most a quiz may be; split it into several quizzes."


def check_question_count(count: int) -> Problem | None:
    """Return the problem with a quiz of this many questions, if it has too many."""
    most = settings.QUIZ_MAX_QUESTIONS
    if count <= most:
        return None
    return Problem(1, f"the quiz has {count:,} questions; a quiz may have at most {most:,}")


def course_quiz_files(paths: list[str | Path]) -> list[Path]:
    """Return the GIFT files among paths, and in folders among them."""
    found: list[Path] = []
    for path in map(Path, paths):
        if path.is_dir():
            found += sorted(path.rglob("*.gift"))
        elif path.suffix.lower() == ".gift":
            found.append(path)
    return found


def topic_for_quiz_file(path: Path, course: Course) -> Topic | None:
    """The course's topic of the notes file beside it with the same name (regions.gift
    goes with regions.md), else the course's topic whose slug is the file's name."""
    lesson = (
        course.lessons.filter(source=source_name(path.with_suffix(".md")))
        .select_related("topic")
        .first()
    )
    return lesson.topic if lesson else course.topics.filter(slug=path.stem).first()

"""Review cards made from quiz questions: a question's two sides, and each learner's own
card of a question they missed (it holds the right answer, so it is theirs alone)."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

from django.contrib.auth.models import AbstractBaseUser

from studyapp.courses.models import Card
from studyapp.formats.html import inline_html
from studyapp.formats.questions import QuestionType, right_answers_with_formats
from studyapp.quizzes.exports import from_json
from studyapp.quizzes.models import Question, Quiz


def card_sides(question: Question) -> dict[str, str]:
    """Return the front and back of the review card made from a question: its text (and
    a multiple-choice question's choices), then its right answers by formats.right_answers,
    the rule the flashcard exports follow too, and its general feedback."""
    parsed = from_json(question.parsed)
    front = question.text_html
    if question.type == QuestionType.MULTICHOICE:
        items = "".join(f"<li>{c['html']}</li>" for c in question.data["choices"])
        front += f"<ul>{items}</ul>"
    right = [inline_html(text, fmt) for text, fmt in right_answers_with_formats(parsed)]
    back = "<p>" + "<br>".join(right) + "</p>" if right else ""
    return {"front_html": front, "back_html": back + question.general_feedback_html}


def cards_for(learner: AbstractBaseUser, questions: Sequence[Question]) -> list[Card]:
    """Return the learner's review cards made from the questions, in their order, making
    those missed for the first time. Each learner has their own: a card holds the right
    answer. A fixed number of queries, however many questions."""
    mine = Card.objects.filter(learner=learner)
    found = {card.question_id: card for card in mine.filter(question__in=questions)}
    missing = [q for q in questions if q.pk not in found]
    if missing:
        quizzes = {
            pk: (course, topic)
            for pk, course, topic in Quiz.objects.filter(
                pk__in={q.quiz_id for q in missing}
            ).values_list("pk", "course", "topic")
        }
        # A second request of the same learner (another tab) may make the card first:
        # a conflict is skipped and the card read back.
        Card.objects.bulk_create(
            [
                Card(
                    question=q,
                    learner=learner,
                    course_id=quizzes[q.quiz_id][0],
                    topic_id=quizzes[q.quiz_id][1],
                    kind=Card.Kind.FROM_QUIZ,
                    key=hashlib.sha256(
                        f"quiz:{q.quiz_id}:{q.key}:{learner.pk}".encode()
                    ).hexdigest()[:40],
                    line=q.line,
                    **card_sides(q),
                )
                for q in missing
            ],
            ignore_conflicts=True,
        )
        found |= {card.question_id: card for card in mine.filter(question__in=missing)}
    return [found[q.pk] for q in questions]

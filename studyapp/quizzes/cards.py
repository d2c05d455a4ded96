"""Review cards made from quiz questions: a question's two sides, and each learner's own
card of a question they missed (it holds the right answer, so it is theirs alone)."""

from __future__ import annotations

import hashlib
import html
from collections.abc import Sequence

from django.contrib.auth.models import AbstractBaseUser

from studyapp.courses.models import Card
from studyapp.formats.questions import QuestionType
from studyapp.quizzes.models import Question, Quiz


def card_sides(question: Question) -> dict[str, str]:
    """Return the front and back of the review card made from a question."""
    data = question.data
    front = question.text_html
    if question.type == QuestionType.MULTICHOICE:
        items = "".join(f"<li>{c['html']}</li>" for c in data["choices"])
        front += f"<ul>{items}</ul>"
    right: list[str] = []
    if question.type == QuestionType.MULTICHOICE:
        right = [c["html"] for c in data["choices"] if c["weight"] > 0]
    elif question.type == QuestionType.SHORTANSWER:
        right = [html.escape(a["text"]) for a in data["answers"] if a["weight"] == 100]
    elif question.type == QuestionType.NUMERICAL:
        right = [
            f"{a['value']:g}" + (f" ± {a['tolerance']:g}" if a["tolerance"] else "")
            for a in data["answers"]
            if a["value"] is not None and a["weight"] == 100
        ]
    elif question.type == QuestionType.MATCHING:
        right = [
            f"{p['prompt']} → {html.escape(p['answer'])}" for p in data["pairs"] if p["prompt"]
        ]
    elif question.type == QuestionType.TRUEFALSE:
        right = ["True" if data["answer"] else "False"]
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
        topics = dict(
            Quiz.objects.filter(pk__in={q.quiz_id for q in missing}).values_list("pk", "topic")
        )
        # A second request of the same learner (another tab) may make the card first:
        # a conflict is skipped and the card read back.
        Card.objects.bulk_create(
            [
                Card(
                    question=q,
                    learner=learner,
                    topic_id=topics[q.quiz_id],
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

"""Which cards leave, and as what file: a topic's, a course's, or a learner's own (every
card they have studied, the cards of questions they missed included). The formats are
studyapp/formats/flashcards.py; this picks the cards and names the files.

A course's or a topic's export holds the course's cards only: a card from a missed quiz
question belongs to its learner (it holds the right answer) and leaves only in theirs.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.contrib.auth.models import AbstractBaseUser

from studyapp.courses.models import Card, Course, Topic
from studyapp.formats import flashcards
from studyapp.formats.flashcards import Flashcard


@dataclass(frozen=True)
class Format:
    label: str
    extension: str
    content_type: str
    write: Callable[[list[Flashcard]], bytes]


def _text(write: Callable[[list[Flashcard]], str]) -> Callable[[list[Flashcard]], bytes]:
    return lambda cards: write(cards).encode()


FORMATS = {
    "apkg": Format("Anki package (.apkg)", "apkg", "application/apkg", flashcards.apkg),
    "anki": Format("Anki text", "txt", "text/plain; charset=utf-8", _text(flashcards.anki_text)),
    "quizlet": Format(
        "Quizlet", "tsv", "text/tab-separated-values; charset=utf-8", _text(flashcards.quizlet)
    ),
    "markdown": Format(
        "Markdown (Obsidian)", "md", "text/markdown; charset=utf-8", _text(flashcards.markdown)
    ),
}
MISSED = "Missed questions"  # the deck of a missed question's card that has no topic


def _flashcards(cards: Iterable[Card]) -> list[Flashcard]:
    """The cards as the formats take them; each needs its course and topic loaded."""
    return [
        Flashcard(
            key=card.key,
            kind=card.kind,
            front_html=card.front_html,
            back_html=card.back_html,
            deck=(card.course.title, card.topic.title if card.topic else MISSED),
            tags=(card.topic.slug,) if card.topic else (),
        )
        for card in cards
    ]


def _in_order(cards) -> list[Card]:
    ordered = cards.select_related("course", "topic").order_by(
        "course__title", "topic__order", "topic__title", "lesson__source", "line", "id"
    )
    return list(ordered)


def topic_cards(topic: Topic) -> list[Flashcard]:
    """The topic's cards in use (a missed question's are its learner's, not here)."""
    return _flashcards(_in_order(Card.objects.active().filter(topic=topic, learner=None)))


def course_cards(course: Course) -> list[Flashcard]:
    return _flashcards(_in_order(Card.objects.active().filter(course=course, learner=None)))


def learner_cards(learner: AbstractBaseUser) -> list[Flashcard]:
    """Every card in use that the learner has studied and may still study, their missed
    questions' cards included."""
    studied = Card.objects.active().visible_to(learner).filter(states__learner=learner)
    return _flashcards(_in_order(studied))

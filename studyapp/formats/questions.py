"""Plain data that every quiz format parses to and renders from: no Django, no database.

The shapes follow Moodle's question types, since GIFT is the richest format we read:
weights are percentages (100 = fully right, negative = a penalty), and every text keeps
the markup it was written in (`text_format`) until the importer renders it to HTML.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class QuestionType(StrEnum):
    MULTICHOICE = "multichoice"
    TRUEFALSE = "truefalse"
    SHORTANSWER = "shortanswer"
    NUMERICAL = "numerical"
    MATCHING = "matching"
    ESSAY = "essay"
    DESCRIPTION = "description"


# Markups a text may be written in, as GIFT names them. "moodle" is Moodle's own
# "auto-format": HTML allowed, line breaks kept.
TEXT_FORMATS = ("moodle", "html", "markdown", "plain")


@dataclass(frozen=True)
class Choice:
    """A multiple-choice option, or an accepted short answer."""

    text: str
    weight: float  # percent of the question's mark, -100 to 100
    feedback: str = ""
    # The markup of the text and of the feedback when it is not the question's (GIFT's
    # ~[plain]... and #[html]...); "" for the question's own.
    text_format: str = ""
    feedback_format: str = ""


@dataclass(frozen=True)
class NumericAnswer:
    value: float | None  # None: any other number (GIFT's "*")
    tolerance: float = 0.0
    weight: float = 100.0
    feedback: str = ""
    is_range: bool = False  # written as low..high, and so shown
    feedback_format: str = ""  # as Choice's: "" for the question's own markup

    def shown(self) -> str:
        """The answer as a person reads it: "3 to 6" for a range, "3 ± 0.5", or "3"."""
        if self.is_range:
            return f"{self.value - self.tolerance:g} to {self.value + self.tolerance:g}"
        return f"{self.value:g}" + (f" ± {self.tolerance:g}" if self.tolerance else "")


@dataclass(frozen=True)
class MatchPair:
    prompt: str  # empty: an extra wrong answer to choose from
    answer: str


@dataclass(frozen=True)
class Question:
    type: QuestionType
    text: str
    title: str = ""
    text_format: str = "moodle"
    general_feedback: str = ""
    general_feedback_format: str = ""  # "" for the question's own markup
    choices: tuple[Choice, ...] = ()  # multichoice options or short answers
    single: bool = True  # multichoice: one answer to pick (else several)
    numbers: tuple[NumericAnswer, ...] = ()
    pairs: tuple[MatchPair, ...] = ()
    answer: bool | None = None  # truefalse
    feedback_wrong: str = ""  # truefalse
    feedback_right: str = ""  # truefalse
    feedback_wrong_format: str = ""
    feedback_right_format: str = ""
    category: str = ""
    tags: tuple[str, ...] = ()
    guid: str = ""  # an identity the file itself gives (Anki's guid, Moodle's [id:])
    line: int = field(default=0, compare=False)  # where it starts in its file

    @property
    def name(self) -> str:
        """The title, or the start of the text when there is none (as Moodle names it)."""
        if self.title:
            return self.title
        words = " ".join(self.text.split())
        return words if len(words) <= 60 else words[:57].rstrip() + "..."


def right_answers_with_formats(q: Question) -> list[tuple[str, str]]:
    """right_answers, each with the markup it is written in."""
    own = q.text_format
    if q.type == QuestionType.MULTICHOICE:
        return [(c.text, c.text_format or own) for c in q.choices if c.weight > 0]
    if q.type == QuestionType.SHORTANSWER:
        top = max((c.weight for c in q.choices), default=0)
        return [(c.text, c.text_format or own) for c in q.choices if c.weight == top and top > 0]
    return [(text, own) for text in right_answers(q)]


def right_answers(q: Question) -> list[str]:
    """Return what a flashcard of the question shows as its answer, as the file wrote it:
    the choices worth marks, the short answers with the top weight, the numbers worth
    full marks ("3 ± 0.5", "3 to 6"), each match as "prompt → answer", or True or False; none for
    an essay or a description. The one rule for the review card of a missed question and
    for the flashcard exports alike."""
    if q.type == QuestionType.MULTICHOICE:
        return [c.text for c in q.choices if c.weight > 0]
    if q.type == QuestionType.SHORTANSWER:
        top = max((c.weight for c in q.choices), default=0)
        return [c.text for c in q.choices if c.weight == top and top > 0]
    if q.type == QuestionType.NUMERICAL:
        return [n.shown() for n in q.numbers if n.value is not None and n.weight == 100]
    if q.type == QuestionType.MATCHING:
        return [f"{p.prompt} → {p.answer}" for p in q.pairs if p.prompt]
    if q.type == QuestionType.TRUEFALSE and q.answer is not None:
        return ["True" if q.answer else "False"]
    return []


@dataclass(frozen=True)
class Problem:
    line: int
    message: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.message}"


class FormatError(Exception):
    """A file with problems: all of them, by line, and the questions that did parse."""

    def __init__(self, problems: list[Problem], questions: list[Question] | None = None):
        super().__init__("\n".join(str(p) for p in problems))
        self.problems = problems
        self.questions = questions or []


class UnsupportedQuestion(ValueError):
    """A question the target format has no way to write."""

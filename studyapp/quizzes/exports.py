"""Turn stored questions back into the formats' plain questions, for export."""

from __future__ import annotations

import dataclasses

from studyapp.formats.questions import Choice, MatchPair, NumericAnswer, QuestionType
from studyapp.formats.questions import Question as Parsed
from studyapp.quizzes.models import Quiz


def to_json(q: Parsed) -> dict:
    """Return a parsed question as JSON-ready data (its line is not part of it)."""
    data = dataclasses.asdict(q)
    data.pop("line")
    # Lists, as the JSON column gives them back, so stored and new compare equal.
    for key in ("choices", "numbers", "pairs", "tags"):
        data[key] = list(data[key])
    data["type"] = q.type.value
    return data


def from_json(data: dict) -> Parsed:
    return Parsed(
        **{
            **data,
            "type": QuestionType(data["type"]),
            "choices": tuple(Choice(**c) for c in data.get("choices", ())),
            "numbers": tuple(NumericAnswer(**n) for n in data.get("numbers", ())),
            "pairs": tuple(MatchPair(**p) for p in data.get("pairs", ())),
            "tags": tuple(data.get("tags", ())),
        }
    )


def parsed_questions(quiz: Quiz) -> list[Parsed]:
    """Return a quiz's questions in use, in order, as the formats' plain questions."""
    return [from_json(q.parsed) for q in quiz.questions.active().order_by("position")]

"""Marking one answer to one question, by Moodle's rules. Plain functions over the
question's stored data (see quizzes/imports.answer_data); no database.

- Multiple choice: the chosen weights add up; a question never scores below 0 or above 1.
- Short answer: case and spacing do not matter; * in an accepted answer matches anything;
  the first accepted answer that matches gives its weight.
- Numerical: the first answer whose value is within its margin gives its weight.
- Matching: each pair is worth the same share.
- Essays are kept for the instructor: no mark until one is given.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field


class AnswerError(ValueError):
    """An answer that cannot be marked (no choice made, not a number); nothing is saved."""


@dataclass
class Marked:
    fraction: float | None  # 0..1; None for an essay waiting for the instructor
    feedback: list[str] = field(default_factory=list)  # HTML, for the answers given

    @property
    def right(self) -> bool:
        return self.fraction is not None and self.fraction >= 0.999999

    @property
    def wrong(self) -> bool:
        """Not fully right: the question becomes a review card for the learner."""
        return self.fraction is not None and not self.right


def _clamp(value: float) -> float:
    return min(1.0, max(0.0, value))


def _fold(text: str) -> str:
    return " ".join(text.split()).casefold()


def _short_matches(given: str, accepted: str) -> bool:
    pattern = ".*".join(re.escape(part) for part in _fold(accepted).split("*"))
    return re.fullmatch(pattern, _fold(given)) is not None


def parse_number(text: str) -> float:
    """Read a number as a learner types it: "3.5", "3,5", " 1e3 "."""
    cleaned = text.strip().replace(" ", "")
    if "," in cleaned and "." not in cleaned:
        cleaned = cleaned.replace(",", ".")
    try:
        value = float(cleaned)
    except ValueError:
        raise AnswerError(f"“{text.strip()}” is not a number.") from None
    if value != value or value in (float("inf"), float("-inf")):
        raise AnswerError(f"“{text.strip()}” is not a number.")
    return value


def mark(qtype: str, data: dict, answer: object) -> Marked:
    """Return the mark and feedback for an answer in its stored shape (see attempts)."""
    if qtype == "multichoice":
        chosen = [data["choices"][i] for i in answer]  # type: ignore[union-attr]
        total = sum(c["weight"] for c in chosen) / 100
        return Marked(_clamp(total), [c["feedback"] for c in chosen if c["feedback"]])
    if qtype == "truefalse":
        right = answer == data["answer"]
        feedback = data["feedback_right"] if right else data["feedback_wrong"]
        return Marked(1.0 if right else 0.0, [feedback] if feedback else [])
    if qtype == "shortanswer":
        for accepted in data["answers"]:
            if _short_matches(str(answer), accepted["text"]):
                fb = [accepted["feedback"]] if accepted["feedback"] else []
                return Marked(_clamp(accepted["weight"] / 100), fb)
        return Marked(0.0)
    if qtype == "numerical":
        value = parse_number(str(answer))
        for accepted in data["answers"]:
            if accepted["value"] is None or abs(value - accepted["value"]) <= accepted[
                "tolerance"
            ] * (1 + 1e-12):
                fb = [accepted["feedback"]] if accepted["feedback"] else []
                return Marked(_clamp(accepted["weight"] / 100), fb)
        return Marked(0.0)
    if qtype == "matching":
        prompts = [(i, p) for i, p in enumerate(data["pairs"]) if p["prompt"]]
        correct = sum(1 for i, p in prompts if answer.get(str(i)) == p["answer"])  # type: ignore[union-attr]
        return Marked(correct / len(prompts) if prompts else 0.0)
    if qtype == "essay":
        return Marked(None)
    raise AnswerError("This question takes no answer.")

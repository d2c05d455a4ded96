"""The Aiken format: multiple-choice questions with one right answer, as Moodle reads it.

    Which AWS service is a content delivery network?
    A. Amazon EC2
    B) Amazon CloudFront
    ANSWER: B

The question's text may run over several lines; choices start with a capital letter and
a "." or ")"; "ANSWER: X" ends the question. Blank lines between questions are optional.
"""

from __future__ import annotations

import re

from studyapp.formats.questions import (
    Choice,
    FormatError,
    Problem,
    Question,
    QuestionType,
    UnsupportedQuestion,
)

_CHOICE = re.compile(r"^([A-Z])[.)][ \t]+(.*)$")
_ANSWER = re.compile(r"^ANSWER:\s*(.*)$")


def _question(line: int, text: list[str], choices: list[tuple[str, str]], answer: str) -> Question:
    letters = [letter for letter, _ in choices]
    if len(choices) < 2:
        raise FormatError([Problem(line, "a question needs at least two choices (A. and B.)")])
    if letters != [chr(ord("A") + i) for i in range(len(letters))]:
        raise FormatError([Problem(line, f"the choices go {', '.join(letters)}; write A, B, C...")])
    if answer not in letters:
        raise FormatError(
            [Problem(line, f"ANSWER: {answer or '(nothing)'} is not one of {', '.join(letters)}")]
        )
    return Question(
        type=QuestionType.MULTICHOICE,
        text="\n".join(text),
        text_format="plain",
        choices=tuple(Choice(t, 100.0 if letter == answer else 0.0) for letter, t in choices),
        line=line,
    )


def parse(text: str) -> list[Question]:
    """Return the questions in an Aiken file; raise FormatError listing every problem."""
    questions: list[Question] = []
    problems: list[Problem] = []
    start, stem, choices = 0, [], []
    lines = text.removeprefix("\ufeff").splitlines()
    for number, raw in enumerate(lines, start=1):
        line = raw.strip()
        if not line:
            continue
        choice, answer = _CHOICE.match(line), _ANSWER.match(line)
        if answer:
            if not stem:
                problems.append(Problem(number, "ANSWER: comes before any question"))
            else:
                try:
                    questions.append(_question(start, stem, choices, answer.group(1).strip()))
                except FormatError as error:
                    problems += error.problems
            start, stem, choices = 0, [], []
        elif choice:
            if not stem:
                problems.append(Problem(number, "a choice comes before any question text"))
            else:
                choices.append((choice.group(1), choice.group(2).strip()))
        elif choices:
            # Text after the choices with no ANSWER: line in between.
            problems.append(Problem(start, "the question has no ANSWER: line"))
            start, stem, choices = number, [line], []
        else:
            start = start or number
            stem.append(line)
    if stem:
        problems.append(Problem(start, "the question has no ANSWER: line"))
    if problems:
        raise FormatError(problems, questions)
    return questions


def render(questions: list[Question]) -> str:
    """Write questions as Aiken; only one-answer multiple choice fits the format."""
    out = []
    for q in questions:
        right = [i for i, c in enumerate(q.choices) if c.weight == 100]
        fits = (
            q.type == QuestionType.MULTICHOICE
            and len(right) == 1
            and all(c.weight in (0, 100) for c in q.choices)
            and len(q.choices) <= 26
        )
        if not fits:
            raise UnsupportedQuestion(f"{q.name}: Aiken holds only one-answer multiple choice")
        lines = [line.strip() for line in q.text.splitlines() if line.strip()]
        if any(_CHOICE.match(line) or _ANSWER.match(line) for line in lines):
            raise UnsupportedQuestion(f"{q.name}: a line of its text would read as a choice")
        lines += [
            f"{chr(ord('A') + i)}. {' '.join(c.text.splitlines())}" for i, c in enumerate(q.choices)
        ]
        lines.append(f"ANSWER: {chr(ord('A') + right[0])}")
        out.append("\n".join(lines))
    return "\n\n".join(out) + "\n"

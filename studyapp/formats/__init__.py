"""Quiz and flashcard interchange formats: each module parses text to questions and
renders questions to text, in plain Python with no Django (see questions.py)."""

from __future__ import annotations

import re

from studyapp.formats import aiken, csvtsv, gift
from studyapp.formats.questions import FormatError, Problem, Question

# What an uploader may choose, and what `import_quiz --format` takes.
FORMATS = {
    "gift": "GIFT (Moodle)",
    "aiken": "Aiken",
    "csv": "CSV/TSV flashcards (Anki)",
    "quizlet": "Quizlet export (term, definition)",
}
EXPORTS = ("gift", "anki", "quizlet")

_AIKEN_ANSWER = re.compile(r"^ANSWER:\s*[A-Z]\s*$", re.MULTILINE)


def detect(text: str, filename: str = "") -> str:
    """Guess a file's format from its name, then from its text."""
    suffix = filename.lower().rsplit(".", 1)[-1] if "." in filename else ""
    if suffix == "gift":
        return "gift"
    if suffix in ("csv", "tsv"):
        return "csv"
    if _AIKEN_ANSWER.search(text) and "{" not in text:
        return "aiken"
    if "{" in text or text.lstrip("\ufeff").startswith(("::", "//", "$CATEGORY")):
        return "gift"
    if text.lstrip("\ufeff").startswith("#separator:") or "\t" in text or "," in text:
        return "csv"
    return "gift"


def parse(text: str, fmt: str, **options: str) -> list[Question]:
    """Parse text in the named format; FormatError for problems or an unknown format."""
    if fmt == "gift":
        return gift.parse(text)
    if fmt == "aiken":
        return aiken.parse(text)
    if fmt == "csv":
        return csvtsv.parse(text, separator=options.get("separator") or None)
    if fmt == "quizlet":
        return csvtsv.parse_quizlet(
            text,
            term_separator=options.get("separator") or "\t",
            row_separator=options.get("row_separator") or "\n",
        )
    raise FormatError([Problem(1, f"{fmt!r} is not a format we read ({', '.join(FORMATS)})")])


def render(questions: list[Question], fmt: str) -> str:
    if fmt == "gift":
        return gift.render(questions)
    if fmt == "anki":
        return csvtsv.render(questions)
    if fmt == "quizlet":
        return csvtsv.render_quizlet(questions)
    if fmt == "aiken":
        return aiken.render(questions)
    raise ValueError(f"{fmt!r} is not a format we write ({', '.join(EXPORTS)})")

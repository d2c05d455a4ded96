"""Flashcards in spreadsheet text: Anki's CSV/TSV files and Quizlet's term/definition export.

Anki's files may start with header lines (`#separator:Tab`, `#html:true`, `#deck:Name`,
`#columns:Front<TAB>Back<TAB>Tags`, and `#tags`, `#guid`, `#deck` or `#notetype column:N`
for columns that are not fields, as Anki's note export writes them); fields follow
RFC 4180, so a quoted field may hold the separator, quotes ("") and line breaks.
Quizlet writes one term and definition per row, with no quoting; the person uploading
says which separators it used (a tab and a new line unless they changed them).

Each row becomes a short-answer question: the front is asked, the back is the answer.
"""

from __future__ import annotations

import csv
import io

from studyapp.formats.html import inline_html
from studyapp.formats.questions import (
    Choice,
    FormatError,
    Problem,
    Question,
    QuestionType,
    UnsupportedQuestion,
    right_answers,
    right_answers_with_formats,
)

SEPARATORS = {
    "comma": ",",
    "semicolon": ";",
    "tab": "\t",
    "space": " ",
    "pipe": "|",
    "colon": ":",
}
_HEADERS = {"separator", "html", "deck", "tags column", "columns", "guid column", "notetype"}
_HEADERS |= {"deck column", "notetype column", "tags"}
_FRONT = {"front", "term", "question", "text"}
_BACK = {"back", "definition", "answer"}


def _separator(value: str, line: int) -> str:
    if value.lower() in SEPARATORS:
        return SEPARATORS[value.lower()]
    if len(value) == 1:
        return value
    raise FormatError([Problem(line, f"#separator:{value} is not a separator Anki knows")])


def _headers(lines: list[str]) -> tuple[dict[str, tuple[int, str]], int]:
    """Read the #key:value lines at the top; return them and how many lines they take."""
    headers: dict[str, tuple[int, str]] = {}
    for number, line in enumerate(lines, start=1):
        key, colon, value = line[1:].partition(":") if line.startswith("#") else ("", "", "")
        if not colon:
            return headers, number - 1
        if key.strip().lower() not in _HEADERS:
            raise FormatError([Problem(number, f"#{key}: is not one of Anki's file headers")])
        # Anki's header values end at the line's end; keep a tab value, trim the rest.
        headers[key.strip().lower()] = (number, value if value == "\t" else value.strip())
    return headers, len(lines)


def _column(headers: dict, key: str) -> int | None:
    """Return a 0-based column index from a 1-based `#... column:N` header."""
    if key not in headers:
        return None
    line, value = headers[key]
    if not value.isdigit() or int(value) < 1:
        raise FormatError([Problem(line, f"#{key}:{value} should be a column number from 1")])
    return int(value) - 1


def _cell(row: list[str], col: int | None) -> str:
    """The row's value in an optional column, or "" when the column or the cell is missing."""
    return row[col].strip() if col is not None and col < len(row) else ""


def _guess_separator(sample: str) -> str | None:
    for char in ("\t", ";", ",", "|"):
        if char in sample:
            return char
    return None


def parse(text: str, separator: str | None = None) -> list[Question]:
    """Return one question per row of an Anki-style CSV/TSV file.

    `separator` overrides the file's own `#separator:` header and the guess.
    """
    text = text.removeprefix("\ufeff")
    lines = text.splitlines()
    headers, skip = _headers(lines)
    if separator is None and "separator" in headers:
        separator = _separator(headers["separator"][1], headers["separator"][0])
    body = "\n".join(lines[skip:])
    separator = separator or _guess_separator(body.split("\n", 1)[0] if body else "")
    if separator is None:
        raise FormatError([Problem(skip + 1, "no tab, ; , or | separates a front from a back")])
    html = headers.get("html", (0, "false"))[1].lower() in ("true", "yes", "1")
    category = headers.get("deck", (0, ""))[1]
    tags_col = _column(headers, "tags column")
    guid_col = _column(headers, "guid column")
    deck_col = _column(headers, "deck column")
    # Anki writes the note type's name in its own column. We make every row a front and
    # back card whatever its note type, so the column is only stepped over.
    notetype_col = _column(headers, "notetype column")
    special = {c for c in (tags_col, guid_col, deck_col, notetype_col) if c is not None}
    names = headers["columns"][1].split(separator) if "columns" in headers else []
    plain = [i for i in range(max(len(names), 2) + len(special)) if i not in special]
    front, back = plain[0], plain[1]
    lowered = [n.strip().lower() for n in names]
    front = next((i for i, n in enumerate(lowered) if n in _FRONT), front)
    back = next((i for i, n in enumerate(lowered) if n in _BACK), back)

    questions: list[Question] = []
    problems: list[Problem] = []
    reader = csv.reader(io.StringIO(body), delimiter=separator, quotechar='"', strict=True)
    line = skip + 1
    try:
        for row in reader:
            start, line = line, skip + reader.line_num + 1
            if not any(field.strip() for field in row):
                continue
            if len(row) <= max(front, back):
                problems.append(
                    Problem(start, f"a row needs a front and a back, split by {separator!r}")
                )
                continue
            question, answer = row[front].strip(), row[back].strip()
            if not question or not answer:
                problems.append(Problem(start, "the front or the back is empty"))
                continue
            questions.append(
                Question(
                    type=QuestionType.SHORTANSWER,
                    text=question,
                    text_format="html" if html else "plain",
                    choices=(Choice(answer, 100.0),),
                    category=_cell(row, deck_col) or category,
                    tags=tuple(_cell(row, tags_col).split()),
                    guid=_cell(row, guid_col),
                    line=start,
                )
            )
    except csv.Error as error:
        problems.append(Problem(line, f"the row cannot be read: {error}"))
    if problems:
        raise FormatError(problems, questions)
    return questions


def parse_quizlet(
    text: str, term_separator: str = "\t", row_separator: str = "\n"
) -> list[Question]:
    """Return one question per term/definition row of a Quizlet export."""
    if not term_separator or not row_separator:
        raise FormatError([Problem(1, "the separators cannot be empty")])
    text = text.removeprefix("\ufeff").replace("\r\n", "\n")
    questions: list[Question] = []
    problems: list[Problem] = []
    line = 1
    for row in text.split(row_separator):
        start = line + row[: len(row) - len(row.lstrip())].count("\n")
        line += row.count("\n") + row_separator.count("\n")
        if not row.strip():
            continue
        term, found, definition = row.partition(term_separator)
        if not found or not term.strip() or not definition.strip():
            problems.append(
                Problem(start, f"a row needs a term and a definition, split by {term_separator!r}")
            )
            continue
        questions.append(
            Question(
                type=QuestionType.SHORTANSWER,
                text=term.strip(),
                text_format="plain",
                choices=(Choice(definition.strip(), 100.0),),
                line=start,
            )
        )
    if problems:
        raise FormatError(problems, questions)
    return questions


# Writing -------------------------------------------------------------------------------


def front_and_back(q: Question) -> tuple[str, str] | None:
    """Return a question as a flashcard's two sides; None for a question with no answer."""
    answers = right_answers(q)
    return (q.text, "; ".join(answers)) if answers else None


def anki_deck(category: str) -> str:
    """A Moodle category path ("$course$/Cloud/Storage") as the deck Anki nests it in
    ("Cloud::Storage")."""
    parts = [p.strip() for p in category.split("/") if p.strip()]
    if parts and parts[0].startswith("$") and parts[0].endswith("$"):
        parts = parts[1:]  # Moodle's context ($course$, $system$), no deck of Anki's
    return "::".join(parts)


def render(questions: list[Question]) -> str:
    """Write an Anki text file: tab-separated, with headers, quoted where needed.

    With #html:true Anki reads every field as HTML, so then every side is written as the
    HTML it shows: Markdown rendered, plain text escaped."""
    out = io.StringIO()
    html = any(q.text_format != "plain" for q in questions)
    decks = {anki_deck(q.category) for q in questions}
    out.write("#separator:tab\n")
    out.write(f"#html:{'true' if html else 'false'}\n")
    if len(decks) == 1 and "" not in decks:
        out.write(f"#deck:{decks.pop()}\n")
    out.write("#columns:Front\tBack\tTags\n#tags column:3\n")
    writer = csv.writer(out, delimiter="\t", lineterminator="\n")
    for q in questions:
        answers = right_answers_with_formats(q)
        if not answers:
            continue
        if html:
            sides = [
                inline_html(q.text, q.text_format),
                "; ".join(inline_html(text, fmt) for text, fmt in answers),
            ]
        else:
            sides = [q.text, "; ".join(text for text, _ in answers)]
        row = [*sides, " ".join(q.tags)]
        if row[0].startswith("#"):
            # A row starting with # would read as a header: quote every field.
            csv.writer(out, delimiter="\t", lineterminator="\n", quoting=csv.QUOTE_ALL).writerow(
                row
            )
        else:
            writer.writerow(row)
    return out.getvalue()


def render_quizlet(
    questions: list[Question], term_separator: str = "\t", row_separator: str = "\n"
) -> str:
    """Write Quizlet's import text: term, separator, definition, one row each."""
    rows = []
    for q in questions:
        sides = front_and_back(q)
        if sides is None:
            continue
        if any(term_separator in s or row_separator in s for s in sides):
            raise UnsupportedQuestion(
                f"{q.name}: a side holds a separator, which Quizlet cannot quote"
            )
        rows.append(term_separator.join(sides))
    return row_separator.join(rows) + (row_separator if rows else "")

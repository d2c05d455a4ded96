"""Moodle's GIFT format: parse a file into questions and render questions back.

We follow Moodle's own importer (question/format/gift/format.php) where it and the docs
disagree: lines are trimmed, a blank line ends a question, a line starting with // is a
comment, the first { and the first } bound the answers, the type is read off the
answers in Moodle's order (numerical, multichoice, matching, true/false, short answer),
and true/false is spelt T, TRUE, F or FALSE in capitals. Where Moodle would import
something broken without a word (no closing brace, a second answer block, a weight
over 100%), we report the line instead.
"""

from __future__ import annotations

import itertools
import math
import re
from dataclasses import dataclass

from studyapp.formats.questions import (
    TEXT_FORMATS,
    Choice,
    FormatError,
    MatchPair,
    NumericAnswer,
    Problem,
    Question,
    QuestionType,
    UnsupportedQuestion,
)

# Escaped characters become private-use characters while the question is taken apart,
# so that "\{" is never read as a brace; they turn back into plain characters at the end.
_ESCAPES = {"\\": "\ue000", ":": "\ue001", "#": "\ue002", "=": "\ue003"}
_ESCAPES |= {"{": "\ue004", "}": "\ue005", "~": "\ue006", "n": "\ue007"}
_UNESCAPE = str.maketrans({v: ("\n" if k == "n" else k) for k, v in _ESCAPES.items()})
_AS_WRITTEN = str.maketrans({v: "\\" + k for k, v in _ESCAPES.items()})
_ESCAPE_RE = re.compile(r"\\([\\:#={}~n])")
_WEIGHT_RE = re.compile(r"^%(-?\d+(?:\.\d*)?)%")
_FORMAT_RE = re.compile(r"^\[(\w+)\]")
_TRUE_FALSE = {"T": True, "TRUE": True, "F": False, "FALSE": False}


class _Bad(Exception):
    """One problem in one question: it is skipped and reported with its line."""

    def __init__(self, message: str, offset: int = 0) -> None:
        super().__init__(message)
        self.message = message
        self.offset = offset  # where in the question's text, to find the line


@dataclass
class _Block:
    line: int  # first line of the question in the file
    text: str  # its lines joined, comments blanked and escapes replaced
    comments: str = ""  # its comment lines, where Moodle 4 writes [id:...] and [tag:...]

    def line_at(self, offset: int) -> int:
        return self.line + self.text.count("\n", 0, max(offset, 0))


def _blocks(text: str):
    """Yield each question's lines as a _Block: blank lines separate questions."""
    lines: list[str] = []
    comments: list[str] = []
    start = 0
    for number, raw in enumerate([*text.splitlines(), ""], start=1):
        line = raw.strip()
        if not line:
            if lines:
                joined = "\n".join(lines)
                if joined.strip():
                    # Leading blanked comments do not count: the question starts later.
                    skipped = len(joined) - len(joined.lstrip())
                    yield _Block(
                        start + joined.count("\n", 0, skipped), joined.strip(), "\n".join(comments)
                    )
                lines, comments = [], []
            continue
        if not lines:
            start = number
        if line.startswith("//"):
            comments.append(line)
            lines.append(" ")
        else:
            lines.append(line)


# A backslash before any other mark (a\/b) is not GIFT's, but a writer's habit: the
# mark stands for itself, as it would in Markdown (which does its own escaping).
_OTHER_ESCAPE_RE = re.compile(r"\\([^\w\s])")


def _unescape(text: str, markdown: bool = False) -> str:
    if not markdown:
        text = _OTHER_ESCAPE_RE.sub(r"\1", text)
    return text.translate(_UNESCAPE)


def _with_format(text: str, default: str) -> tuple[str, str]:
    """Split a leading [markdown], [html], [plain] or [moodle] off a text."""
    match = _FORMAT_RE.match(text)
    if match and match.group(1) in TEXT_FORMATS:
        fmt = match.group(1)
        return _unescape(text[match.end() :], fmt == "markdown").strip(), fmt
    return _unescape(text, default == "markdown").strip(), default


def _weight(part: str, offset: int) -> tuple[float | None, str]:
    """Read a leading %50% off an answer; None when it has none."""
    match = _WEIGHT_RE.match(part)
    if not match:
        return None, part
    weight = float(match.group(1))
    if not -100 <= weight <= 100:
        raise _Bad(f"the weight {match.group(0)} is outside -100% to 100%", offset)
    return weight, part[match.end() :]


def _own(text: str, fmt: str) -> tuple[str, str]:
    """A text and its markup, "" when that is the question's own (fmt)."""
    text, found = _with_format(text, fmt)
    return text, "" if found == fmt else found


def _feedback(part: str, fmt: str) -> tuple[str, str, str, str]:
    """An answer's text, its markup, its feedback and the feedback's markup."""
    text, _, feedback = part.partition("#")
    return (*_own(text.strip(), fmt), *_own(feedback.strip(), fmt))


def _parts(text: str, markers: str, base: int) -> list[tuple[int, str]]:
    """Split answers at each marker character, keeping it; each part with its offset.
    Text before the first marker is kept when it is not blank, as Moodle keeps it."""
    found = [m.start() for m in re.finditer(f"[{re.escape(markers)}]", text)]
    bounds = [0, *found, len(text)] if not found or found[0] != 0 else [*found, len(text)]
    parts = [(base + a, text[a:b]) for a, b in itertools.pairwise(bounds)]
    return [(offset, part.strip()) for offset, part in parts if part.strip()]


def _multichoice(answers: str, base: int, fmt: str) -> dict:
    choices = []
    for offset, part in _parts(answers, "~=", base):
        if part[0] == "=":  # always 100%, as in Moodle: a %weight% after = is text
            weight, rest = 100.0, part[1:]
        elif part[0] == "~":
            weight, rest = _weight(part[1:], offset)
            weight = weight or 0.0
        else:  # text before the first ~ or =, which Moodle reads as a wrong answer
            weight, rest = 0.0, part
        text, text_format, feedback, feedback_format = _feedback(rest, fmt)
        if not text:
            raise _Bad("a choice has no text", offset)
        choices.append(Choice(text, weight, feedback, text_format, feedback_format))
    if len(choices) < 2:
        raise _Bad("a multiple-choice question needs at least two choices", base)
    if not any(c.weight > 0 for c in choices):
        raise _Bad("none of the choices is right (give one = or a positive %weight%)", base)
    return {"choices": tuple(choices), "single": "=" in answers}


def _shortanswer(answers: str, base: int, fmt: str) -> dict:
    choices = []
    for offset, part in _parts(answers, "=", base):
        weight, rest = _weight(part.removeprefix("="), offset)
        text, text_format, feedback, feedback_format = _feedback(rest, fmt)
        if not text:
            raise _Bad("an answer has no text", offset)
        weight = 100.0 if weight is None else weight
        choices.append(Choice(text, weight, feedback, text_format, feedback_format))
    if not choices:
        raise _Bad("a short-answer question needs an answer", base)
    return {"choices": tuple(choices)}


def _number(text: str, offset: int) -> float:
    try:
        value = float(text)
    except ValueError:
        raise _Bad(f"{text!r} is not a number", offset) from None
    if not math.isfinite(value):
        raise _Bad(f"{text!r} is not a number", offset)
    return value


def _numerical(answers: str, base: int, fmt: str) -> dict:
    answers, tilde, wrong = answers[1:].partition("~")  # drop the leading #
    numbers = []
    for offset, part in _parts(answers, "=", base + 1):
        weight, rest = _weight(part.removeprefix("="), offset)
        text, _, feedback, feedback_format = _feedback(rest, fmt)
        written_as_range = False
        if text == "*":
            value, tolerance = None, 0.0
        elif text.find("..") > 0:
            low, _, high = text.partition("..")
            low, high = _number(low.strip(), offset), _number(high.strip(), offset)
            if low > high:
                raise _Bad(f"the range {text} runs backwards", offset)
            value, tolerance = (low + high) / 2, (high - low) / 2
            written_as_range = True
        elif text.find(":") > 0:
            number, _, margin = text.partition(":")
            value, tolerance = _number(number.strip(), offset), _number(margin.strip(), offset)
            if tolerance < 0:
                raise _Bad(f"the margin in {text} is negative", offset)
        else:
            value, tolerance = _number(text, offset), 0.0
        weight = 100.0 if weight is None else weight
        numbers.append(
            NumericAnswer(value, tolerance, weight, feedback, written_as_range, feedback_format)
        )
    if not numbers:
        raise _Bad("a numerical question needs a number", base)
    if tilde:  # Moodle's ~#feedback: any other number
        _, _, feedback, feedback_format = _feedback(wrong, fmt)
        numbers.append(NumericAnswer(None, 0.0, 0.0, feedback, False, feedback_format))
    return {"numbers": tuple(numbers)}


def _matching(answers: str, base: int, fmt: str) -> dict:
    pairs = []
    for offset, part in _parts(answers, "=", base):
        prompt, arrow, answer = part.removeprefix("=").partition("->")
        if not arrow:
            raise _Bad("a matching pair needs ->, as in =prompt -> answer", offset)
        answer = _unescape(answer).strip()
        if not answer:
            raise _Bad("a matching pair has nothing after ->", offset)
        pairs.append(MatchPair(_with_format(prompt.strip(), fmt)[0], answer))
    if sum(1 for p in pairs if p.prompt) < 2:
        raise _Bad("a matching question needs at least two pairs", base)
    return {"pairs": tuple(pairs)}


def _truefalse(answers: str, fmt: str) -> dict:
    # {T#feedback for a wrong answer#feedback for a right one}; either may be missing.
    value, *feedback = answers.split("#", 2)
    (wrong, wrong_format), (right, right_format) = [_own(f.strip(), fmt) for f in feedback] + [
        ("", "")
    ] * (2 - len(feedback))
    return {
        "answer": _TRUE_FALSE[value.strip()],
        "feedback_wrong": wrong,
        "feedback_right": right,
        "feedback_wrong_format": wrong_format,
        "feedback_right_format": right_format,
    }


def _question_type(answers: str) -> QuestionType:
    if answers == "":
        return QuestionType.ESSAY
    if answers.startswith("#"):
        return QuestionType.NUMERICAL
    if "~" in answers:
        return QuestionType.MULTICHOICE
    if "=" in answers and "->" in answers:
        return QuestionType.MATCHING
    if answers.split("#", 1)[0].strip() in _TRUE_FALSE:
        return QuestionType.TRUEFALSE
    return QuestionType.SHORTANSWER


def _question(block: _Block, category: str) -> Question:
    text = block.text
    start = 0
    title = ""
    if text.startswith("::"):
        end = text.find("::", 2)
        if end < 0:
            raise _Bad("the title that starts with :: has no closing ::")
        title = _unescape(text[2:end]).strip()
        start = end + 2
        while start < len(text) and text[start].isspace():
            start += 1
    opening, closing = text.find("{", start), text.find("}", start)
    fields: dict = {}
    general = ""
    if opening < 0 and closing < 0:
        qtype, stem = QuestionType.DESCRIPTION, text[start:]
    elif closing < 0:
        raise _Bad("the { that starts the answers has no closing }", opening)
    elif opening < 0 or closing < opening:
        raise _Bad("a } comes before any {; write \\} for a brace in the text", closing)
    else:
        if "{" in text[closing:] or "}" in text[closing + 1 :]:
            extra = min(i for i in (text.find("{", closing), text.find("}", closing + 1)) if i >= 0)
            raise _Bad("a question has one answer block; write \\{ or \\} for a brace", extra)
        answers = text[opening + 1 : closing]
        base = opening + 1 + len(answers) - len(answers.lstrip())
        answers = answers.strip()
        cut = answers.rfind("####")
        if cut >= 0:
            general, answers = answers[cut + 4 :], answers[:cut].strip()
        # Missing word: text after the braces means the blank goes where they were.
        blank = "" if closing == len(text) - 1 else "_____"
        stem = text[start:opening] + blank + text[closing + 1 :]
        qtype = _question_type(answers)
    stem, fmt = _with_format(stem.strip(), "moodle")
    if not stem:
        raise _Bad("the question has no text")
    if qtype == QuestionType.MULTICHOICE:
        fields = _multichoice(answers, base, fmt)
    elif qtype == QuestionType.NUMERICAL:
        fields = _numerical(answers, base, fmt)
    elif qtype == QuestionType.MATCHING:
        fields = _matching(answers, base, fmt)
    elif qtype == QuestionType.TRUEFALSE:
        fields = _truefalse(answers, fmt)
    elif qtype == QuestionType.SHORTANSWER:
        fields = _shortanswer(answers, base, fmt)
    general, general_format = _own(general.strip(), fmt)
    guid, tags = _id_and_tags(block.comments)
    return Question(
        type=qtype,
        text=stem,
        title=title,
        text_format=fmt,
        general_feedback=general,
        general_feedback_format=general_format,
        category=category,
        tags=tags,
        guid=guid,
        line=block.line,
        **fields,
    )


# Moodle 4's comments: "// [id:X] [tag:Y] [tag:Z]", a ] in them written \].
_ID_RE = re.compile(r"\[id:((?:\\\]|[^\]\x00-\x1f])+)\]")
_TAG_RE = re.compile(r"\[tag:((?:\\\]|[^\]<>`\x00-\x1f])+)\]")


def _id_and_tags(comments: str) -> tuple[str, tuple[str, ...]]:
    """The question's id (the first [id:...], Moodle's idnumber) and its [tag:...]s."""
    # As Moodle reads them: the comment as written (GIFT's escapes do not apply in a
    # comment), and only a \] taken for ].
    comments = comments.translate(_AS_WRITTEN)
    found = _ID_RE.search(comments)
    guid = found.group(1).replace("\\]", "]").strip() if found else ""
    tags = (raw.replace("\\]", "]").strip() for raw in _TAG_RE.findall(comments))
    return guid, tuple(tag for tag in tags if tag)


def parse(text: str) -> list[Question]:
    """Return the questions in a GIFT file; raise FormatError listing every problem."""
    text = _ESCAPE_RE.sub(lambda m: _ESCAPES[m.group(1)], text.removeprefix("\ufeff"))
    questions: list[Question] = []
    problems: list[Problem] = []
    category = ""
    for block in _blocks(text):
        if block.text.startswith("$CATEGORY:"):
            category = _unescape(block.text[len("$CATEGORY:") :]).strip()
            continue
        try:
            questions.append(_question(block, category))
        except _Bad as bad:
            problems.append(Problem(block.line_at(bad.offset), bad.message))
    if problems:
        raise FormatError(problems, questions)
    return questions


# Rendering ---------------------------------------------------------------------------


def escape(text: str) -> str:
    """Escape GIFT's special characters, and line breaks, so a text reads back as it was."""
    text = text.replace("\\", "\\\\").replace("\r", "")
    for char in ":#={}~":
        text = text.replace(char, "\\" + char)
    return text.replace("\n", "\\n")


def _text(text: str, fmt: str, default: str = "moodle") -> str:
    # A [format] prefix when the format differs, and also when the text itself starts
    # with something that reads as one, or with // (which would read as a comment).
    needs_prefix = fmt != default or _FORMAT_RE.match(text) or text.startswith("//")
    return (f"[{fmt}]" if needs_prefix else "") + escape(text)


def _percent(weight: float) -> str:
    return f"%{int(weight) if weight.is_integer() else repr(weight)}%"


def _with_feedback(text: str, feedback: str, fmt: str, feedback_format: str = "") -> str:
    return text + (f"#{_text(feedback, feedback_format or fmt, fmt)}" if feedback else "")


def _first_right(q: Question) -> int:
    return next((i for i, c in enumerate(q.choices) if c.weight == 100), -1)


def _answers(q: Question) -> list[str]:
    fmt = q.text_format
    if q.type == QuestionType.MULTICHOICE:
        lines = []
        for i, c in enumerate(q.choices):
            # The first right answer is written with =, which marks "one answer to pick".
            # Others are written ~%100%, so that a ~ always marks the multiple choice.
            # A wrong choice whose text begins like a weight ("%10% off") gets its %0%
            # written, or the text would be read as its weight.
            if q.single and c.weight == 100 and i == _first_right(q):
                mark = "="
            elif c.weight == 0 and not _WEIGHT_RE.match(c.text):
                mark = "~"
            else:
                mark = "~" + _percent(c.weight)
            text = _text(c.text, c.text_format or fmt, fmt)
            lines.append(_with_feedback(mark + text, c.feedback, fmt, c.feedback_format))
        return lines
    if q.type == QuestionType.SHORTANSWER:
        if any("->" in c.text or "->" in c.feedback for c in q.choices):
            # With = and -> in its answers, Moodle reads a question as matching.
            raise UnsupportedQuestion(f"{q.name}: GIFT cannot write -> in a short answer")
        return [
            _with_feedback(
                "="
                + ("" if c.weight == 100 and not _WEIGHT_RE.match(c.text) else _percent(c.weight))
                + _text(c.text, c.text_format or fmt, fmt),
                c.feedback,
                fmt,
                c.feedback_format,
            )
            for c in q.choices
        ]
    if q.type == QuestionType.NUMERICAL:
        lines = []
        for i, n in enumerate(q.numbers):
            if n.value is None and n.weight == 0 and i == len(q.numbers) - 1:
                # Any other number, as Moodle writes it (and other GIFT readers read it).
                lines.append("~#" + _text(n.feedback, n.feedback_format or fmt, fmt))
                continue
            if n.value is None:
                number = "*"
            elif n.is_range:
                number = f"{n.value - n.tolerance!r}..{n.value + n.tolerance!r}"
            else:
                number = f"{n.value!r}:{n.tolerance!r}"
            line = f"={_percent(n.weight)}{number}"
            lines.append(_with_feedback(line, n.feedback, fmt, n.feedback_format))
        return lines
    if q.type == QuestionType.MATCHING:
        return [
            f"={_text(p.prompt, fmt, fmt) if p.prompt else ''} -> {escape(p.answer)}"
            for p in q.pairs
        ]
    return []


def _comment(q: Question) -> str:
    """Moodle 4's line of the question's id and tags, a ] in them written with a
    backslash before it."""

    def bit(kind: str, value: str) -> str:
        value = value.replace("]", _BACKSLASH + "]")
        # A last backslash would escape the closing ]: a space keeps them apart (the
        # reader trims it).
        return f"[{kind}:{value}{' ' if value.endswith(_BACKSLASH) else ''}]"

    bits = ([bit("id", q.guid)] if q.guid else []) + [bit("tag", tag) for tag in q.tags]
    return f"// {' '.join(bits)}\n" if bits else ""


_BACKSLASH = "\\"


def _render_one(q: Question) -> str:
    fmt = q.text_format
    head = _comment(q) + (f"::{escape(q.title)}::" if q.title else "")
    head += _text(q.text, fmt)
    if q.type == QuestionType.DESCRIPTION:
        return head
    general = f"####{_text(q.general_feedback, q.general_feedback_format or fmt, fmt)}"
    general = general if q.general_feedback else ""
    head += " "
    if q.type == QuestionType.ESSAY:
        return head + "{" + general + "}"
    if q.type == QuestionType.TRUEFALSE:
        wrong = (
            f"#{_text(q.feedback_wrong, q.feedback_wrong_format or fmt, fmt)}"
            if q.feedback_wrong or q.feedback_right
            else ""
        )
        right = (
            f"#{_text(q.feedback_right, q.feedback_right_format or fmt, fmt)}"
            if q.feedback_right
            else ""
        )
        return head + "{" + ("TRUE" if q.answer else "FALSE") + wrong + right + general + "}"
    opening = "{#" if q.type == QuestionType.NUMERICAL else "{"
    body = "".join(f"\n\t{line}" for line in _answers(q))
    return head + opening + body + (f"\n\t{general}" if general else "") + "\n}"


def render(questions: list[Question]) -> str:
    """Return GIFT text that parses back to the same questions."""
    out: list[str] = []
    category = ""
    for q in questions:
        if q.category != category:
            out.append(f"$CATEGORY: {q.category}")
            category = q.category
        out.append(_render_one(q))
    return "\n\n".join(out) + "\n"

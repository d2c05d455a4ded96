"""Hypothesis strategies for questions that every format can write and read back."""

from __future__ import annotations

from dataclasses import replace

from hypothesis import strategies as st

from studyapp.formats.questions import (
    TEXT_FORMATS,
    Choice,
    MatchPair,
    NumericAnswer,
    Question,
    QuestionType,
)

# Moodle's own list of grades, as percentages.
WEIGHTS = [100, 90, 83.33333, 80, 75, 70, 66.66667, 60, 50, 40, 33.33333, 30, 25, 20]
WEIGHTS += [16.66667, 14.28571, 12.5, 11.11111, 10, 5]
WEIGHTS = [float(w) for w in WEIGHTS]
SIGNED_WEIGHTS = [*WEIGHTS, 0.0, *(-w for w in WEIGHTS)]

# Letters plus every character GIFT gives a meaning to.
ALPHABET = st.sampled_from(list("abcXYZ 019_.,?!'\"%*-[]<>/\\~=#{}:\n\té"))


def text(alphabet=ALPHABET, min_size=1):
    """Non-empty text with no whitespace at either end (every format trims)."""
    return (
        st.text(alphabet, min_size=min_size, max_size=30)
        .map(str.strip)
        .filter(lambda s: len(s) >= min_size)
    )


def line_text():
    """Text on one line, with no leading list or comment marker."""
    return text(st.sampled_from(list("abcXYZ 019_.,?!'\"%*-[]<>/\\~=#{}:é"))).filter(
        lambda s: "->" not in s
    )


def feedback():
    return st.one_of(st.just(""), text())


def choices(weights, min_size=2):
    return st.lists(
        st.builds(Choice, text(), st.sampled_from(weights), feedback()),
        min_size=min_size,
        max_size=5,
    )


# Moodle 4's [id:...] and [tag:...]: no control characters, and no <, > or ` in a tag.
GIFT_ID = text(st.sampled_from(list("abcXYZ 019_.,?!'\"%*-[]/\\~=#{}:é")))
GIFT_TAG = text(st.sampled_from(list("abcXYZ 019_.,?!'\"%*-[]/\\~=#{}:é")))


@st.composite
def gift_questions(draw):
    qtype = draw(st.sampled_from(list(QuestionType)))
    fmt = draw(st.sampled_from(TEXT_FORMATS))

    def own_format():
        """An answer's or feedback's markup: the question's ("") or another."""
        return draw(st.sampled_from(["", *(f for f in TEXT_FORMATS if f != fmt)]))

    def with_formats(c: Choice) -> Choice:
        return replace(
            c, text_format=own_format(), feedback_format=own_format() if c.feedback else ""
        )

    general = "" if qtype == QuestionType.DESCRIPTION else draw(feedback())
    common = {
        "type": qtype,
        "text": draw(text()),
        "title": draw(st.one_of(st.just(""), line_text())),
        "text_format": fmt,
        "general_feedback": general,
        "general_feedback_format": own_format() if general else "",
        "category": draw(st.one_of(st.just(""), st.sampled_from(["course", "course/regions"]))),
        "guid": "" if qtype == QuestionType.DESCRIPTION else draw(st.one_of(st.just(""), GIFT_ID)),
        "tags": ()
        if qtype == QuestionType.DESCRIPTION
        else tuple(draw(st.lists(GIFT_TAG, max_size=3))),
    }
    if qtype == QuestionType.MULTICHOICE:
        single = draw(st.booleans())
        options = draw(choices(SIGNED_WEIGHTS))
        if single:  # a single answer is written with =, which means 100%
            options[0] = Choice(options[0].text, 100.0, options[0].feedback)
        elif not any(c.weight > 0 for c in options):
            options[0] = Choice(options[0].text, 50.0, options[0].feedback)
        return Question(**common, choices=tuple(map(with_formats, options)), single=single)
    if qtype == QuestionType.SHORTANSWER:
        # GIFT reads = and -> together as matching, so short answers cannot hold "->".
        options = draw(choices(WEIGHTS, min_size=1))
        options = [c for c in options if "->" not in c.text + c.feedback] or [Choice("a", 100.0)]
        return Question(**common, choices=tuple(map(with_formats, options)))
    if qtype == QuestionType.TRUEFALSE:
        wrong, right = draw(feedback()), draw(feedback())
        return Question(
            **common,
            answer=draw(st.booleans()),
            feedback_wrong=wrong,
            feedback_right=right,
            feedback_wrong_format=own_format() if wrong else "",
            feedback_right_format=own_format() if right else "",
        )
    if qtype == QuestionType.NUMERICAL:
        number = st.floats(allow_nan=False, allow_infinity=False, width=64)
        answers = st.builds(
            NumericAnswer,
            st.one_of(st.none(), number),
            st.floats(min_value=0, max_value=1e6),
            st.sampled_from(SIGNED_WEIGHTS),
            feedback(),
        )
        numbers = draw(st.lists(answers, min_size=1, max_size=4))
        if all(n.value is None for n in numbers):
            # A question of wildcards alone has no answer to mark against; the parser
            # refuses it ("a numerical question needs a number"), as Moodle's form does.
            numbers[0] = replace(numbers[0], value=draw(number))
        numbers = [
            NumericAnswer(
                n.value,
                0.0 if n.value is None else n.tolerance,
                n.weight,
                n.feedback,
                feedback_format=own_format() if n.feedback else "",
            )
            for n in numbers
        ]
        return Question(**common, numbers=tuple(numbers))
    if qtype == QuestionType.MATCHING:
        pairs = draw(st.lists(st.builds(MatchPair, line_text(), text()), min_size=2, max_size=5))
        extra = draw(st.lists(st.builds(MatchPair, st.just(""), text()), max_size=2))
        return Question(**common, pairs=tuple(pairs + extra))
    return Question(**common)

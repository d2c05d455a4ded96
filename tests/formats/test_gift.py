"""GIFT, one test per feature and per escape, with examples of our own."""

from __future__ import annotations

import pytest

from studyapp.formats import gift
from studyapp.formats.questions import (
    Choice,
    FormatError,
    MatchPair,
    NumericAnswer,
    QuestionType,
    right_answers,
)


def one(text: str):
    questions = gift.parse(text)
    assert len(questions) == 1
    return questions[0]


def test_multiple_choice_with_one_answer():
    q = one("Which service stores objects? {=Amazon S3 ~Amazon EC2 ~AWS Lambda}")
    assert q.type == QuestionType.MULTICHOICE
    assert q.single is True
    assert q.text == "Which service stores objects?"
    assert q.choices == (
        Choice("Amazon S3", 100),
        Choice("Amazon EC2", 0),
        Choice("AWS Lambda", 0),
    )


def test_multiple_choice_with_several_answers_and_weights():
    q = one("Pick the two storage services. {~%50%S3 ~%50%EBS ~%-100%Lambda ~EC2}")
    assert q.single is False
    assert [c.weight for c in q.choices] == [50, 50, -100, 0]


def test_an_equals_choice_is_right_whatever_its_text_begins_with():
    # Moodle gives "=" a weight of 100% and keeps the rest as the text: no %weight% there.
    q = one("What is the discount? {=%10%off ~%20%off}")
    assert q.choices == (Choice("%10%off", 100), Choice("off", 20))


def test_a_choice_whose_text_looks_like_a_weight_is_written_so_it_reads_back():
    q = one("What is the discount? {=ten ~%0%%10% ~%50%%20%off}")
    assert [(c.text, c.weight) for c in q.choices] == [("ten", 100), ("%10%", 0), ("%20%off", 50)]
    assert gift.parse(gift.render([q])) == [q]
    short = one("Which discount? {=%100%%10% =%50%%5%}")
    assert [(c.text, c.weight) for c in short.choices] == [("%10%", 100), ("%5%", 50)]
    assert gift.parse(gift.render([short])) == [short]


def test_decimal_weights():
    q = one("Pick three. {~%33.33333%a ~%33.33333%b ~%33.33334%c ~d}")
    assert q.choices[0].weight == pytest.approx(33.33333)


def test_true_false_in_every_spelling():
    assert one("The sky is blue. {T}").answer is True
    assert one("The sky is blue. {TRUE}").answer is True
    assert one("Fish fly. {F}").answer is False
    assert one("Fish fly. {FALSE}").answer is False


def test_true_false_takes_the_wrong_then_the_right_feedback():
    q = one("Regions hold several AZs. {T#No: each Region has several.#Right.}")
    assert q.type == QuestionType.TRUEFALSE
    assert q.feedback_wrong == "No: each Region has several."
    assert q.feedback_right == "Right."


def test_true_false_is_in_capitals_as_in_moodle():
    # Moodle reads a lower-case {true} as a short answer whose answer is "true".
    q = one("Is it? {true}")
    assert q.type == QuestionType.SHORTANSWER
    assert q.choices == (Choice("true", 100),)


def test_short_answer_with_several_answers_and_weights():
    q = one(
        "Name the edge service. {=CloudFront =%50%CDN#Half: name the service. =Amazon CloudFront}"
    )
    assert q.type == QuestionType.SHORTANSWER
    assert q.choices == (
        Choice("CloudFront", 100),
        Choice("CDN", 50, "Half: name the service."),
        Choice("Amazon CloudFront", 100),
    )


def test_numerical_with_a_margin():
    q = one("How many AZs at least? {#3:0.5}")
    assert q.type == QuestionType.NUMERICAL
    assert q.numbers == (NumericAnswer(3.0, 0.5, 100),)


def test_numerical_with_a_range():
    q = one("Pick a number from 1 to 5. {#1..5}")
    assert q.numbers == (NumericAnswer(3.0, 2.0, 100, is_range=True),)
    # and a person reads it as they wrote it, not as its middle and margin
    assert right_answers(q) == ["1 to 5"]
    assert right_answers(one("How many? {#3:0.5}")) == ["3 ± 0.5"]


def test_a_backslash_before_another_mark_is_dropped_outside_markdown():
    # GIFT escapes only ~ = # { } : and backslash; a\/b is a writer's habit, read as a/b.
    assert one(r"::T:: Is a\/b here\? {T}").text == "Is a/b here?"
    assert one(r"Is a\\b here? {T}").text == "Is a\\b here?"  # an escaped backslash stays
    # Markdown escapes for itself: the backslash is left for markdown-it.
    assert one(r"[markdown]Is a\*b\* here? {T}").text == r"Is a\*b\* here?"


def test_numerical_with_several_answers_and_wrong_feedback():
    q = one("Pi to two places? {# =3.14:0.005#Right. =%50%3.1:0.05#Close. ~#Try 3.14.}")
    assert q.numbers == (
        NumericAnswer(3.14, 0.005, 100, "Right."),
        NumericAnswer(3.1, 0.05, 50, "Close."),
        NumericAnswer(None, 0.0, 0.0, "Try 3.14."),
    )


def test_matching():
    q = one("Match them. {=S3 -> objects =EBS -> blocks =EFS -> files = -> tape}")
    assert q.type == QuestionType.MATCHING
    assert q.pairs == (
        MatchPair("S3", "objects"),
        MatchPair("EBS", "blocks"),
        MatchPair("EFS", "files"),
        MatchPair("", "tape"),
    )


def test_missing_word_puts_a_blank_where_the_braces_were():
    q = one("An AZ is one or more {=data centers ~edge locations} in a Region.")
    assert q.type == QuestionType.MULTICHOICE
    assert q.text == "An AZ is one or more _____ in a Region."


def test_essay():
    q = one("Explain why you would use two AZs. {}")
    assert q.type == QuestionType.ESSAY
    assert q.text == "Explain why you would use two AZs."


def test_description_has_no_braces():
    q = one("The next questions are about networking.")
    assert q.type == QuestionType.DESCRIPTION


def test_title():
    q = one("::VPC basics::What does a VPC isolate? {=your network ~your bill}")
    assert q.title == "VPC basics"
    assert q.text == "What does a VPC isolate?"


def test_feedback_per_answer_and_general_feedback():
    q = one("Which is global? {=IAM#Yes. ~EC2#No, Regional. ####IAM is a global service.}")
    assert q.choices[0].feedback == "Yes."
    assert q.choices[1].feedback == "No, Regional."
    assert q.general_feedback == "IAM is a global service."


def test_general_feedback_on_an_essay():
    q = one("Describe a VPC. {####Mention subnets.}")
    assert q.type == QuestionType.ESSAY
    assert q.general_feedback == "Mention subnets."


def test_comment_lines_are_ignored():
    questions = gift.parse(
        "// a comment before\nWhat is S3? {\n// a comment inside\n"
        "=storage ~compute}\n\n// only a comment\n"
    )
    assert len(questions) == 1
    assert questions[0].choices == (Choice("storage", 100), Choice("compute", 0))


def test_category_applies_to_the_questions_after_it():
    questions = gift.parse("A? {T}\n\n$CATEGORY: course/regions\n\nB? {F}\n\nC? {T}")
    assert [q.category for q in questions] == ["", "course/regions", "course/regions"]


@pytest.mark.parametrize("fmt", ["markdown", "html", "plain", "moodle"])
def test_text_formats(fmt):
    q = one(f"[{fmt}]What is **S3**? {{=storage ~compute}}")
    assert q.text_format == fmt
    assert q.text == "What is **S3**?"


def test_an_unknown_format_name_stays_in_the_text():
    q = one("[note] this is text. {T}")
    assert q.text_format == "moodle"
    assert q.text == "[note] this is text."


def test_multi_line_questions():
    q = one("::Long::\nWhich of these\nare Regional?\n{\n  ~%50%EC2\n  ~%50%VPC\n  ~IAM\n}")
    assert q.text == "Which of these\nare Regional?"
    assert len(q.choices) == 3
    assert q.line == 1


@pytest.mark.parametrize(
    ("escaped", "char"),
    [("\\~", "~"), ("\\=", "="), ("\\#", "#"), ("\\{", "{"), ("\\}", "}"), ("\\:", ":")],
)
def test_each_escape_gives_the_plain_character(escaped, char):
    q = one(f"Is a{escaped}b fine? {{=yes{escaped}sure ~no}}")
    assert q.text == f"Is a{char}b fine?"
    assert q.choices[0].text == f"yes{char}sure"


def test_escaped_backslash():
    q = one("Path C:\\\\temp\\: ok? {T}")
    assert q.text == "Path C:\\temp: ok?"


def test_escaped_newline():
    q = one("First line\\nsecond line {T}")
    assert q.text == "First line\nsecond line"


def test_an_escaped_backslash_before_n_is_not_a_newline():
    q = one("Write \\\\n for a newline {T}")
    assert q.text == "Write \\n for a newline"


def test_a_byte_order_mark_is_ignored():
    assert one("\ufeff::T::A? {T}").title == "T"


@pytest.mark.parametrize(
    ("text", "line", "words"),
    [
        ("Q1 {T}\n\nWhat? {=a ~b", 3, "no closing }"),
        ("What? } {T}", 1, "before any {"),
        ("::Unclosed title What? {T}", 1, "no closing ::"),
        ("Q {~%150%a =b}", 1, "outside -100% to 100%"),
        ("Q {#abc}", 1, "not a number"),
        ("Q {#5..1}", 1, "backwards"),
        ("Match {=a -> b =c -> d =e}", 1, "needs ->"),
        ("Only one {~a}", 1, "at least two choices"),
        ("None right {~a ~b}", 1, "none of the choices is right"),
        ("Two {T} blocks {F}", 1, "one answer block"),
        ("{T}", 1, "no text"),
        ("Q\n{\n=a ~b\n~#fb\n}", 4, "has no text"),
    ],
)
def test_problems_name_their_line(text, line, words):
    with pytest.raises(FormatError) as caught:
        gift.parse(text)
    [problem] = caught.value.problems
    assert problem.line == line
    assert words in problem.message
    assert str(problem).startswith(f"line {line}: ")


def test_every_problem_is_reported_and_good_questions_are_kept():
    with pytest.raises(FormatError) as caught:
        gift.parse("Good? {T}\n\nBad {#x}\n\nAlso good? {F}\n\n\nBad too {~a}")
    assert [p.line for p in caught.value.problems] == [3, 8]
    assert [q.text for q in caught.value.questions] == ["Good?", "Also good?"]


def test_render_writes_what_parse_reads():
    text = (
        "$CATEGORY: course\n\n::T1::[markdown]Is **it**? {TRUE#no#yes}\n\n"
        "Pick {~%50%a#fa ~%50%b ~%-50%c}\n\nN {#=2.5:0.1 =%50%*}\n\n"
        "Match {=x -> 1 =y -> 2}\n\nSay {=a =%25%b}\n\nEssay {####gf}\n\nJust text\\: here"
    )
    questions = gift.parse(text)
    assert gift.parse(gift.render(questions)) == questions


def test_render_escapes_special_characters():
    q = one("A \\{brace\\} and \\~tilde\\~ {T}")
    assert "\\{brace\\}" in gift.render([q])
    assert gift.parse(gift.render([q])) == [q]


def test_moodle_4_id_and_tag_comments_give_the_question_its_identity_and_tags():
    text = (
        "// question: 12  name: Zones\n"
        "// [id:aws-az-1] [tag:zones] [tag:needs review]\n"
        "// [tag:odd\\]name]\n"
        "::Zones::An AZ sits in a Region. {T}\n"
    )
    [q] = gift.parse(text)
    assert q.guid == "aws-az-1" and q.tags == ("zones", "needs review", "odd]name")
    written = gift.render([q])
    assert "// [id:aws-az-1] [tag:zones] [tag:needs review] [tag:odd\\]name]\n" in written
    assert gift.parse(written) == [q]


def test_each_answer_and_feedback_keeps_its_own_format():
    text = (
        "[markdown]Which is **bold**? {\n"
        "=[plain]<b> is a tag#[html]Right: <em>plain</em> text shows the tag.\n"
        "~**this**#Markdown makes it bold.\n"
        "####[html]<p>See the docs.</p>}\n"
    )
    [q] = gift.parse(text)
    right, wrong = q.choices
    assert (right.text, right.text_format, right.feedback_format) == (
        "<b> is a tag",
        "plain",
        "html",
    )
    assert (wrong.text_format, wrong.feedback_format) == ("", "")  # the question's
    assert q.general_feedback_format == "html"
    assert gift.parse(gift.render([q])) == [q]


def test_a_numerical_wildcard_is_written_as_moodle_writes_it():
    [q] = gift.parse("Pi to two places? {#=3.14:0.005#Right. ~#Try 3.14.}")
    written = gift.render([q])
    assert "\t~#Try 3.14.\n" in written  # Moodle's ~#feedback, not =%0%*
    assert gift.parse(written) == [q]

"""Anki CSV/TSV files and Quizlet exports."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from studyapp.formats import csvtsv
from studyapp.formats.questions import Choice, FormatError, Question, QuestionType
from tests.formats.strategies import text


def test_anki_headers_pick_separator_html_deck_columns_tags_and_guid():
    questions = csvtsv.parse(
        "#separator:Semicolon\n#html:true\n#deck:Cloud::Regions\n"
        "#columns:Back;Front;Tags;Guid\n#tags column:3\n#guid column:4\n"
        "<b>Region</b> code form;What does us-east-1 name?;aws regions;abc123\n"
    )
    [q] = questions
    assert q.type == QuestionType.SHORTANSWER
    assert q.text == "What does us-east-1 name?"
    assert q.choices == (Choice("<b>Region</b> code form", 100.0),)
    assert q.text_format == "html"
    assert q.category == "Cloud::Regions"
    assert q.tags == ("aws", "regions")
    assert q.guid == "abc123"
    assert q.line == 7


def test_an_anki_note_export_with_every_column_it_can_add():
    # Anki's "Notes in Plain Text" with the unique identifier, note type, deck and tags
    # ticked puts guid, note type and deck before the fields and the tags after them.
    questions = csvtsv.parse(
        "#separator:tab\n#html:true\n#guid column:1\n#notetype column:2\n"
        "#deck column:3\n#tags column:6\n"
        "f9#Kx\tBasic\tCloud::Edge\tWhat serves content near users?\tEdge locations\tcdn\n"
        "Qz1Lm\tBasic (and reversed card)\tCloud::Regions\tA Region holds\tAZs\t\n"
    )
    assert [(q.guid, q.category, q.text, q.choices[0].text, q.tags) for q in questions] == [
        ("f9#Kx", "Cloud::Edge", "What serves content near users?", "Edge locations", ("cdn",)),
        ("Qz1Lm", "Cloud::Regions", "A Region holds", "AZs", ()),
    ]


def test_rfc_4180_quoting_with_separators_quotes_and_line_breaks():
    questions = csvtsv.parse('front,back\n"a, b","say ""hi""\nthen go"\nnext,row\n')
    assert [(q.text, q.choices[0].text) for q in questions] == [
        ("front", "back"),
        ("a, b", 'say "hi"\nthen go'),
        ("next", "row"),
    ]
    assert [q.line for q in questions] == [1, 2, 4]


def test_the_separator_is_guessed_tab_first():
    [q] = csvtsv.parse("term, with comma\tdefinition\n")
    assert q.text == "term, with comma"


def test_a_chosen_separator_wins_over_the_guess():
    [q] = csvtsv.parse("a\tb|c\n", separator="|")
    assert (q.text, q.choices[0].text) == ("a\tb", "c")


@pytest.mark.parametrize(
    ("text", "line", "words"),
    [
        ("#separator:Wiggle\na,b", 1, "not a separator"),
        ("#wat:1\na,b", 1, "not one of Anki's file headers"),
        ("#separator:Comma\na,b\nonly one field\nc,d", 3, "needs a front and a back"),
        ("#separator:Comma\na,\n", 2, "empty"),
        ('a,"unclosed\n', 1, "cannot be read"),
        ("#tags column:x\na,b", 1, "column number"),
        ("nothing to split", 1, "no tab"),
    ],
)
def test_problems_name_their_line(text, line, words):
    with pytest.raises(FormatError) as caught:
        csvtsv.parse(text)
    assert caught.value.problems[0].line == line
    assert words in caught.value.problems[0].message


def test_quizlet_with_default_and_chosen_separators():
    assert [q.text for q in csvtsv.parse_quizlet("S3\tobject storage\nEBS\tblock storage\n")] == [
        "S3",
        "EBS",
    ]
    questions = csvtsv.parse_quizlet("S3 - object storage;EBS - block storage", " - ", ";")
    assert [(q.text, q.choices[0].text) for q in questions] == [
        ("S3", "object storage"),
        ("EBS", "block storage"),
    ]


def test_quizlet_row_without_a_definition_names_its_line():
    with pytest.raises(FormatError) as caught:
        csvtsv.parse_quizlet("a\tb\n\nno definition here\n")
    assert str(caught.value.problems[0]).startswith("line 3: ")


def test_anki_export_writes_every_type_it_can_as_front_and_back():
    questions = [
        Question(QuestionType.TRUEFALSE, "Is S3 global?", answer=False),
        Question(QuestionType.MULTICHOICE, "Pick", choices=(Choice("a", 100), Choice("b", 0))),
        Question(QuestionType.ESSAY, "Explain"),
    ]
    rows = csvtsv.parse(csvtsv.render(questions))
    assert [(q.text, q.choices[0].text) for q in rows] == [
        ("Is S3 global?", "False"),
        ("Pick", "a"),
    ]


SIDE = text(st.sampled_from(list("abcXYZ 019_.,;:|?!'\"%*-#\t\né")))
CARD = st.builds(
    lambda front, back, tags, fmt: Question(
        QuestionType.SHORTANSWER, front, text_format=fmt, choices=(Choice(back, 100.0),), tags=tags
    ),
    SIDE,
    SIDE,
    st.lists(text(st.sampled_from(list("abc_:"))).filter(lambda s: " " not in s), max_size=3).map(
        tuple
    ),
    st.just("plain"),
)


@given(st.lists(CARD, min_size=1, max_size=5))
def test_anki_parse_reads_back_what_render_writes(questions):
    assert csvtsv.parse(csvtsv.render(questions)) == questions


QUIZLET_SIDE = text(st.sampled_from(list("abcXYZ 019_.,:|?!'\"%*-#é")))


@given(
    st.lists(st.tuples(QUIZLET_SIDE, QUIZLET_SIDE), min_size=1, max_size=5),
    st.sampled_from([("\t", "\n"), (",", ";"), (" - ", "\n\n")]),
)
def test_quizlet_parse_reads_back_what_render_writes(pairs, separators):
    term, row = separators
    pairs = [(a, b) for a, b in pairs if term not in a + b and row not in a + b] or [("a", "b")]
    questions = [
        Question(QuestionType.SHORTANSWER, a, text_format="plain", choices=(Choice(b, 100.0),))
        for a, b in pairs
    ]
    assert csvtsv.parse_quizlet(csvtsv.render_quizlet(questions, term, row), term, row) == questions


def test_anki_export_writes_html_as_html_and_nests_decks_with_colons():
    """#html:true says every field is HTML: Markdown and plain text are written as the
    HTML they show (plain text escaped), and Moodle's category path nests as Anki does."""
    questions = [
        Question(
            QuestionType.SHORTANSWER,
            "What does **S3** store?",
            text_format="markdown",
            choices=(Choice("objects & files", 100.0),),
            category="$course$/Cloud/Storage",
        ),
        Question(
            QuestionType.SHORTANSWER,
            "Is 1 < 2?",
            choices=(Choice("yes", 100.0),),
            category="$course$/Cloud/Storage",
        ),
    ]
    text = csvtsv.render(questions)
    assert "#html:true\n" in text and "#deck:Cloud::Storage\n" in text
    rows = text.splitlines()[-2:]
    assert rows[0] == "What does <strong>S3</strong> store?\tobjects &amp; files\t"
    assert rows[1] == "Is 1 &lt; 2?\tyes\t"

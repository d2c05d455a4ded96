"""Cards guessed from notes without card syntax: each style's rule, and what it leaves."""

from __future__ import annotations

import pytest

from studyapp.content.parse import parse_note


def cards(text: str) -> list[tuple[str, str, bool]]:
    return [(c.front_html, c.back_html, c.implicit) for c in parse_note(text, "n.md").cards]


@pytest.mark.parametrize(
    ("sentence", "front", "back"),
    [
        (
            "An Availability Zone (AZ) is one or more data centers.",
            "Availability Zone (AZ)",
            "one or more data centers.",
        ),
        (
            "Least privilege means granting only what a task needs.",
            "Least privilege",
            "granting only what a task needs.",
        ),
        (
            "Federation refers to signing in with another system's identity.",
            "Federation",
            "signing in with another system's identity.",
        ),
        (
            "So the first thing, a route table is a set of rules for traffic.",
            "route table",
            "a set of rules for traffic.",
        ),
        (
            "CloudFront is AWS's content delivery network.",
            "CloudFront",
            "AWS's content delivery network.",
        ),
    ],
)
def test_a_sentence_that_defines_something_is_a_card(sentence, front, back):
    assert cards(f"Some words first. {sentence} Then more words.\n") == [(front, back, True)]


@pytest.mark.parametrize(
    "sentence",
    [
        "It is a service for files.",  # points back at something
        "S3 is great for storing files.",  # describes, does not define
        "AWS has many data centers and a Region is several of them.",  # no short subject
        "Everything is an API call.",
        "The question is what to choose?",
    ],
)
def test_a_sentence_that_defines_nothing_is_no_card(sentence):
    assert cards(f"{sentence}\n") == []


def test_spaced_dash_bullets_are_terms_but_long_ones_are_not():
    text = "- Amazon RDS — managed relational databases\n- Aurora – MySQL compatible\n"
    text += "- DynamoDB - key-value store\n- Backups of a database are taken - daily\n"
    assert cards(text) == [
        ("Amazon RDS", "managed relational databases", True),
        ("Aurora", "MySQL compatible", True),
        ("DynamoDB", "key-value store", True),
    ]


def test_an_outline_term_is_answered_by_its_sub_bullets_which_make_no_cards():
    text = "- Encryption\n    - at rest: on disk\n    - in transit: over TLS\n- a sentence here\n"
    [(front, back, guessed)] = cards(text)
    assert front == "Encryption" and guessed
    assert back.count("<li>") == 2 and "at rest: on disk" in back


def test_a_table_row_asks_with_its_first_cell_and_a_column_s_header():
    text = "| Service | Manage | Billing |\n|---|---|---|\n| EC2 | The OS | Per second |\n"
    text += "\n| Term | Meaning |\n|---|---|\n| Spot | Spare capacity |\n"
    assert cards(text) == [
        ("EC2 — Manage", "The OS", True),
        ("EC2 — Billing", "Per second", True),
        ("Spot", "Spare capacity", True),
    ]


def test_a_short_section_is_asked_by_its_heading_with_its_parent_for_context():
    text = "## Storage\n\n### Versioning\nA bucket keeps every earlier version of an object.\n"
    [(front, back, guessed)] = cards(text)
    assert front == 'Versioning<span class="card-context"> (Storage)</span>'
    assert back == "A bucket keeps every earlier version of an object." and guessed


def test_long_generic_or_captioned_sections_make_no_heading_card():
    long = "### Routing\n" + "Traffic goes where the rules send it. " * 12 + "\n"
    generic = "### Key terms\nSome words here for the terms below.\n"
    caption = "### Diagram\n![the diagram](d.png) here\n"
    assert cards(long) == cards(generic) == cards(caption) == []


def test_an_explicit_card_wins_over_a_guess_that_asks_the_same():
    text = "CloudFront is AWS's content delivery network.\n\nCloudFront::A CDN\n"
    assert cards(text) == [("CloudFront", "A CDN", False)]


def test_a_section_whose_first_sentence_is_a_guess_gets_no_heading_card_too():
    text = "### CloudFront\nCloudFront is the CDN of AWS. It caches content.\n"
    assert [front for front, _, _ in cards(text)] == ["CloudFront"]

"""Flashcard exports: Markdown our importer reads back to the same cards, and Anki's files
as Anki itself imports them (the `anki` package's headless collection)."""

from __future__ import annotations

import csv
import dataclasses
import io
from pathlib import Path

import pytest
from anki.collection import (
    Collection,
    ImportAnkiPackageOptions,
    ImportAnkiPackageRequest,
    ImportCsvRequest,
)
from hypothesis import given
from hypothesis import strategies as st

from studyapp.content.parse import parse_note
from studyapp.formats import flashcards
from studyapp.formats.flashcards import Flashcard

CONTENT = Path(__file__).resolve().parents[2] / "content"


def course_cards() -> list[Flashcard]:
    cards = []
    for path in sorted(CONTENT.glob("*.md")):
        note = parse_note(path.read_text(), path.name)
        cards += [
            Flashcard(c.identity, c.kind, c.front_html, c.back_html, ("Cloud", note.title))
            for c in note.cards
        ]
    return cards


def sides(cards) -> list[tuple[str, str, str]]:
    return sorted((c.kind, c.front_html, c.back_html) for c in cards)


def test_the_course_in_markdown_reads_back_to_the_same_cards():
    cards = course_cards()
    kinds = {c.kind for c in cards}
    assert kinds == {"basic", "reversed", "cloze"}  # every kind the notes make
    note = parse_note(flashcards.markdown(cards), "export.md")
    assert note.problems == []
    assert sides(note.cards) == sides(cards)


# Text with every character our importer gives a meaning to.
SIDE = st.text(st.sampled_from(list("ab Z9:=?{}*_`#-<>&[]!|\\")), min_size=1, max_size=20)


@given(front=SIDE, back=SIDE)
def test_any_text_reads_back_as_it_was_written(front, back):
    """Whatever a side says, Markdown writes it so that the importer reads the same side,
    not a card separator, a cloze, or markup."""
    made = parse_note(f"{_escaped(front)}::{_escaped(back)}\n", "in.md").cards
    if len(made) != 1:
        return  # text that is itself no card (blank once rendered, say)
    [card] = made
    exported = Flashcard("k", card.kind, card.front_html, card.back_html, ("C", "T"))
    again = parse_note(flashcards.markdown([exported]), "out.md").cards
    # Compared as a browser shows them: runs of white space as one space, none at the ends.
    assert [(c.kind, shown(c.front_html), shown(c.back_html)) for c in again] == [
        (card.kind, shown(card.front_html), shown(card.back_html))
    ]


def shown(html: str) -> str:
    return " ".join(html.split())


def _escaped(text: str) -> str:
    """A side as its writer would type it: every punctuation mark escaped."""
    return "".join(f"\\{ch}" if not ch.isalnum() and ch != " " else ch for ch in text)


def test_a_cloze_keeps_its_hint_and_a_reversed_pair_is_one_line():
    note = parse_note(
        "An {{c1::Availability Zone::AZ}} is in a {{c2::Region}}.\n\nEdge:::CloudFront\n", "n.md"
    )
    exported = [
        Flashcard(str(n), c.kind, c.front_html, c.back_html, ("C", "T"))
        for n, c in enumerate(note.cards)
    ]
    text = flashcards.markdown(exported)
    assert "{{c1::Availability Zone::AZ}}" in text and "Edge:::CloudFront" in text
    assert sides(parse_note(text, "out.md").cards) == sides(note.cards)


def test_quizlet_gets_each_side_as_plain_text_on_one_line():
    card = Flashcard(
        "k", "basic", "What is <strong>S3</strong>?", "<p>Objects &amp;\nfiles</p>", ()
    )
    assert flashcards.quizlet([card]) == "What is S3?\tObjects & files\n"


# Anki itself ------------------------------------------------------------------------------


@pytest.fixture
def collection(tmp_path):
    col = Collection(str(tmp_path / "collection.anki2"))
    yield col
    col.close()


def notes(col: Collection) -> list[tuple[str, str, list[str]]]:
    found = [col.get_note(n) for n in col.find_notes("")]
    return sorted((n.guid, n.note_type()["name"], list(n.fields)) for n in found)


def import_apkg(col: Collection, path: Path) -> None:
    options = ImportAnkiPackageOptions(with_scheduling=False)
    col.import_anki_package(ImportAnkiPackageRequest(package_path=str(path), options=options))


def test_anki_imports_the_package_with_nested_decks_and_cloze_notes(collection, tmp_path):
    cards = course_cards()
    path = tmp_path / "course.apkg"
    path.write_bytes(flashcards.apkg(cards))
    import_apkg(collection, path)
    reversed_pairs = sum(c.kind == "reversed" for c in cards) // 2
    assert collection.note_count() == len(cards) - reversed_pairs  # a pair is one note
    types = {kind for _, kind, _ in notes(collection)}  # genanki's own note types
    assert types == {"Basic (genanki)", "Basic (and reversed card) (genanki)", "Cloze (genanki)"}
    decks = {d.name for d in collection.decks.all_names_and_ids()}
    assert {"Cloud", "Cloud::AWS Regions", "Cloud::Networking"} <= decks
    cloze = next(fields for _, kind, fields in notes(collection) if kind.startswith("Cloze"))
    assert "{{c1::" in cloze[0]


def edited(cards: list[Flashcard]) -> list[Flashcard]:
    return [dataclasses.replace(cards[0], back_html="Edited back"), *cards[1:]]


def test_an_updated_package_updates_its_notes_in_anki(collection, tmp_path):
    """The GUID comes from the card's key: an edited card imported again changes its
    note instead of adding one."""
    cards = course_cards()[:5]
    for made_at, version in ((1_800_000_000, cards), (1_800_003_600, edited(cards))):
        path = tmp_path / f"{made_at}.apkg"
        path.write_bytes(flashcards.apkg(version, timestamp=made_at))
        import_apkg(collection, path)
    assert collection.note_count() == 5
    assert "Edited back" in [fields[1] for _, _, fields in notes(collection)]


def test_an_updated_text_file_updates_its_notes_in_anki(collection, tmp_path):
    cards = course_cards()[:5]
    for name, version in (("first", cards), ("second", edited(cards))):
        path = tmp_path / f"{name}.txt"
        path.write_text(flashcards.anki_text(version))
        metadata = collection.get_csv_metadata(str(path), None)
        collection.import_csv(ImportCsvRequest(path=str(path), metadata=metadata))
    assert collection.note_count() == 5
    found = notes(collection)
    assert "Edited back" in [fields[1] for _, _, fields in found]
    assert {guid for guid, _, _ in found} == {flashcards.guid(c) for c in cards}
    decks = {d.name for d in collection.decks.all_names_and_ids()}
    assert "Cloud::" + cards[0].deck[1] in decks


def test_the_anki_text_names_its_columns_as_anki_reads_them():
    cards = course_cards()[:2]
    lines = flashcards.anki_text(cards).splitlines()
    assert lines[:6] == [
        "#separator:tab",
        "#html:true",
        "#guid column:1",
        "#notetype column:2",
        "#deck column:3",
        "#tags column:6",
    ]
    row = next(csv.reader(io.StringIO(lines[6]), delimiter="\t"))
    assert row[0] == flashcards.guid(cards[0]) and row[2] == "Cloud::" + cards[0].deck[1]

"""Flashcards on their way out: Anki packages (.apkg) and text, Quizlet, and Markdown in
the Obsidian Spaced Repetition syntax our own importer reads (pure Python, no Django).

A card leaves as the HTML it shows (sanitized when it came in). Both Anki formats give a
card's note a GUID derived from the card's stable key, so an updated export imported
into Anki again updates its notes instead of adding new ones. Decks nest as Anki writes
them, "Course::Topic". The package brings genanki's note types; the text file names
Anki's own, as a collection has them.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from html import unescape
from pathlib import Path

import genanki
import nh3
from markdownify import markdownify

CLOZE = "cloze"
REVERSED = "reversed"


@dataclass(frozen=True)
class Flashcard:
    key: str  # the card's stable key: its identity across re-imports
    kind: str  # basic, reversed, cloze or from-quiz (a missed question's, basic here)
    front_html: str
    back_html: str
    deck: tuple[str, ...]  # ("Course", "Topic"): nested decks, outermost first
    tags: tuple[str, ...] = ()


def guid(card: Flashcard) -> str:
    """The GUID of the card's note in Anki, from its key (genanki's own derivation)."""
    return genanki.guid_for(card.key)


def deck_name(card: Flashcard) -> str:
    # A "::" inside a title would nest a deck of its own.
    return "::".join(part.replace("::", ":") for part in card.deck)


# Notes ---------------------------------------------------------------------------------
# A cloze card keeps its deletions marked in its back and its blanks (with any hint) in its
# front; an Anki Cloze note writes them {{c1::answer::hint}} instead. The two sides of a
# reversed card are one note in Anki ("Basic (and reversed card)"), two cards here.

_DELETION = re.compile(r'<mark class="cloze">(.*?)</mark>', re.DOTALL)
_BLANK = re.compile(r'<span class="cloze-blank">\[(.*?)\]</span>', re.DOTALL)
_NO_HINT = "…"


@dataclass(frozen=True)
class _Note:
    card: Flashcard  # the first card of the note: its key, deck and tags
    model: str  # "basic", "reversed" or "cloze"
    fields: tuple[str, str]


def anki_cloze(answer: str, hint: str) -> str:
    return f"{{{{c1::{answer}::{hint}}}}}" if hint else f"{{{{c1::{answer}}}}}"


def cloze_text(card: Flashcard, marker=anki_cloze) -> str:
    """The card's back with each of its deletions written by marker(answer, hint), the
    hint "" when the blank shows none."""
    found = iter(_BLANK.findall(card.front_html))

    def mark(m: re.Match[str]) -> str:
        hint = next(found, _NO_HINT)
        return marker(m.group(1), "" if hint == _NO_HINT else hint)

    return _DELETION.sub(mark, card.back_html)


def _notes(cards: Iterable[Flashcard]) -> Iterator[_Note]:
    pending: dict[tuple[str, str], Flashcard] = {}  # reversed cards waiting for their twin
    for card in cards:
        if card.kind == CLOZE:
            yield _Note(card, "cloze", (cloze_text(card), ""))
        elif card.kind == REVERSED:
            twin = pending.pop((card.back_html, card.front_html), None)
            if twin is None:
                pending[(card.front_html, card.back_html)] = card
            else:
                yield _Note(twin, "reversed", (twin.front_html, twin.back_html))
        else:
            yield _Note(card, "basic", (card.front_html, card.back_html))
    for card in pending.values():  # a reversed card whose twin is not in the export
        yield _Note(card, "basic", (card.front_html, card.back_html))


# Anki package ---------------------------------------------------------------------------

_MODELS = {
    "basic": genanki.BASIC_MODEL,
    "reversed": genanki.BASIC_AND_REVERSED_CARD_MODEL,
    "cloze": genanki.CLOZE_MODEL,
}
# Anki's own names of these note types, as a text file names them.
NOTE_TYPES = {"basic": "Basic", "reversed": "Basic (and reversed card)", "cloze": "Cloze"}


def _deck_id(name: str) -> int:
    """A deck's id from its name, the same in every export (Anki wants a positive int)."""
    return int(hashlib.sha256(name.encode()).hexdigest()[:12], 16) + 1


def apkg(cards: Iterable[Flashcard], timestamp: float | None = None) -> bytes:
    """An Anki package of the cards: a deck per course and topic, a note per card (a
    reversed pair is one note), clozes as Cloze notes. Its notes are as new as the
    timestamp (default: now): Anki updates its notes from a package newer than them."""
    decks: dict[str, genanki.Deck] = {}
    for note in _notes(cards):
        name = deck_name(note.card)
        deck = decks.setdefault(name, genanki.Deck(_deck_id(name), name))
        deck.add_note(
            genanki.Note(
                model=_MODELS[note.model],
                fields=list(note.fields),
                guid=guid(note.card),
                tags=[_tag(t) for t in note.card.tags],
            )
        )
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "cards.apkg"
        genanki.Package(list(decks.values())).write_to_file(path, timestamp)
        return path.read_bytes()


def _tag(tag: str) -> str:
    return "_".join(tag.split())  # Anki's tags are separated by spaces


# Anki text ------------------------------------------------------------------------------


def anki_text(cards: Iterable[Flashcard]) -> str:
    """Anki's "Notes in Plain Text" with the headers its importer reads: every field is
    HTML (#html:true), and each row names its note's GUID, note type and deck."""
    out = io.StringIO()
    out.write("#separator:tab\n#html:true\n")
    out.write("#guid column:1\n#notetype column:2\n#deck column:3\n#tags column:6\n")
    writer = csv.writer(out, delimiter="\t", lineterminator="\n")
    for note in _notes(cards):
        tags = " ".join(_tag(t) for t in note.card.tags)
        writer.writerow(
            [guid(note.card), NOTE_TYPES[note.model], deck_name(note.card), *note.fields, tags]
        )
    return out.getvalue()


# Quizlet --------------------------------------------------------------------------------


def plain_text(html: str) -> str:
    """The text a side shows, without markup, on one line."""
    return " ".join(unescape(nh3.clean(html.replace("<br>", " "), tags=set())).split())


def quizlet(cards: Iterable[Flashcard]) -> str:
    """Quizlet's import text: term, a tab, definition, a card per line. Quizlet reads no
    markup and cannot quote, so each side is its plain text on one line."""
    return "".join(f"{plain_text(c.front_html)}\t{plain_text(c.back_html)}\n" for c in cards)


# Markdown -------------------------------------------------------------------------------
# Each card in the syntax of the Obsidian Spaced Repetition plugin: "front::back" (":::"
# for a reversed pair) on one line, or, for a side of several blocks, the front, a line
# "?" ("??") and the back; a cloze in Anki's {{c1::answer}}. A deck's cards go under its
# heading. studyapp's importer reads the file back to the same cards.

# What our importer would take for its own syntax inside a side is written escaped
# (CommonMark lets any punctuation be escaped with a backslash).
_SYNTAX = re.compile(r"::|==|\{\{|^\?\??$", re.MULTILINE)


def _escape_syntax(markdown: str) -> str:
    return _SYNTAX.sub(lambda m: "".join(f"\\{ch}" for ch in m.group()), markdown)


def _markdown_side(html: str) -> str:
    text = markdownify(html, heading_style="ATX", bullets="-", escape_misc=True).strip()
    # A side's blocks must follow each other without a blank line, or the importer
    # takes the rest for text after the card.
    return _escape_syntax(re.sub(r"\n\s*\n", "\n", text))


def markdown(cards: Iterable[Flashcard]) -> str:
    """The cards as one Markdown note, a heading per deck."""
    out: list[str] = []
    deck = None
    for note in _notes(cards):
        if note.card.deck != deck:
            deck = note.card.deck
            out.append(f"{'#' * min(len(deck), 6)} {' › '.join(deck) or 'Cards'}\n")
        if note.model == "cloze":
            # Marked with characters of no meaning, so that escaping leaves the marks be.
            text = cloze_text(note.card, marker=lambda a, h: f"\ue000{a}\ue001{h}\ue002")
            body = _markdown_side(text)
            body = re.sub(
                "\ue000(.*?)\ue001(.*?)\ue002",
                lambda m: anki_cloze(m.group(1), m.group(2)),
                body,
                flags=re.DOTALL,
            )
            out.append(body + "\n")
            continue
        front, back = (_markdown_side(side) for side in note.fields)
        # A colon beside the separator would make it a longer one (the importer finds
        # the separator before any escape is read): it is written as its character
        # reference, which renders as the colon.
        if front.endswith(":"):
            front = front[:-1] + "&#58;"
        if back.startswith(":"):
            back = "&#58;" + back[1:]
        both = note.model == "reversed"
        if "\n" in front or "\n" in back:
            out.append(f"{front}\n{'??' if both else '?'}\n{back}\n")
        else:
            out.append(f"{front}{':::' if both else '::'}{back}\n")
    return "\n".join(out)

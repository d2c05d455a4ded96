"""Plain data that the notes parser returns: no Django, no database."""

from __future__ import annotations

import hashlib
import unicodedata
from dataclasses import dataclass, field


class ParseError(Exception):
    """A note that cannot be imported at all; names the line when there is one."""

    def __init__(self, message: str, line: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.line = line

    def __str__(self) -> str:
        return f"line {self.line}: {self.message}" if self.line else self.message


@dataclass(frozen=True)
class Problem:
    """Something in a note that was skipped or changed; the rest still imports."""

    line: int
    message: str


@dataclass(frozen=True)
class ParsedSection:
    anchor: str
    title: str
    level: int
    path: tuple[str, ...]  # titles from the outermost heading down to this one
    line: int


@dataclass(frozen=True)
class ParsedCard:
    kind: str  # "basic", "reversed" or "cloze"
    front_html: str
    back_html: str
    # The card's text with whitespace folded: its identity within a topic, so that
    # moving a card or editing its neighbours keeps the learners' progress on it.
    identity: str
    line: int
    section: str | None  # anchor of the enclosing section
    # Guessed from notes that use no card syntax (studyapp/content/implicit.py): the
    # instructor's preview marks it, and the instructor may drop it.
    implicit: bool = False


@dataclass
class ParsedNote:
    filename: str
    title: str
    html: str
    sections: list[ParsedSection] = field(default_factory=list)
    cards: list[ParsedCard] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    headings: list[str] = field(default_factory=list)
    # From front matter; None when the note does not say.
    topic: str | None = None
    order: int | None = None
    aliases: list[str] = field(default_factory=list)


def fold(text: str) -> str:
    """Return text in NFC with runs of white space folded to one space."""
    if not text.isascii():  # ASCII is in NFC already
        text = unicodedata.normalize("NFC", text)
    return " ".join(text.split())


def card_key(topic_slug: str, identity: str) -> str:
    """Return a card's stable key: a hash of its topic and its text, not its position."""
    return hashlib.sha256(f"{topic_slug}\x1f{identity}".encode()).hexdigest()[:40]

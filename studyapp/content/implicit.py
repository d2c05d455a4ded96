"""Cards a student would make from notes that use no card syntax: definition sentences,
short sections under headings, table rows and outline bullets (pure Python, no Django).

Every card made here is implicit (ParsedCard.implicit): a guess the instructor's preview
shows with its line, to keep or drop. Guesses stay narrow on purpose: a definition needs
a short subject and a copula followed by what it is; a section becomes a card only when
it is short and made no card of its own; long prose (a lecture's transcript) gives only
its definition sentences, never whole paragraphs. bench/cards.py measures precision and
recall against notes labelled by hand, in each of these styles.

Sentences are split by pysbd (a rule-based splitter that knows "e.g." and "U.S.")
rather than a regular expression of our own.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

import pysbd

_SEGMENTER = pysbd.Segmenter(language="en", clean=False, char_span=True)
# Where pysbd may end a sentence: a sentence's last mark, a line end, or a list's "a)",
# "iv)" or "2)" (its list items are lower-case letters or numbers, so "(AZ)" is none).
# A text with none of these before its end pysbd gives back whole, after a millisecond's
# work that was two fifths of parsing a real note; sentences() answers such a text
# itself (tests/content/test_parse_properties.py checks it against pysbd).
_MAY_END_SENTENCE = re.compile(r"[.!?…\r\n\u2028\u2029\x0b\x0c\x1c-\x1e\x85]|(?<=[a-z0-9])\)")

# "An Availability Zone (AZ) is one or more ...", "X means ...", "X refers to ...": the
# subject is at most MAX_TERM_WORDS words, and what follows "is"/"are" must start as a
# definition does (an article, a number, a possessive), not as a description ("is fast").
MAX_TERM_WORDS = 6
_COPULA = re.compile(
    r"\s+(?:is|are|means|refers to|is defined as|stands for|is called)\s+", re.IGNORECASE
)
# Whether a text holds a copula at all; most paragraphs hold none. "\s+X\s+" anywhere
# means "\sX\s" there, and "is defined as" or "is called" holds "is". On ASCII text a
# lowered copy gives the same answer as IGNORECASE at a quarter of its cost: with
# IGNORECASE this one search was an eighth of a note's card finding.
_ANY_COPULA_LOWERED = re.compile(r"\s(?:is|are|means|refers to|stands for)\s")
_DEFINING_START = re.compile(
    r"(?:an?|the|one|two|three|several|any|some|each|a set|a kind|a type|aws's|amazon's"
    r"|where|how|when)\b",
    re.IGNORECASE,
)
_NEEDS_DEFINING_START = {"is", "are"}
_ARTICLE = re.compile(r"^(?:an?|the)\s+", re.IGNORECASE)
# Subjects that point back at something said before, or say nothing on their own.
_NOT_SUBJECT_WORDS = (
    "it this that these those there they here he she we you i what which who each every"
    " most some many all one another such its their our your my everything everyone"
    " anything something nothing someone"
)
_NOT_SUBJECTS = frozenset(_NOT_SUBJECT_WORDS.split())
# Where a spoken or written lead-in ends ("So the first thing, a route table is ..."):
# the subject starts after it.
_LEAD_IN = re.compile(r".*(?:,|:|;|—|–|\bso|\bnow|\band then)\s+", re.IGNORECASE)
_MARKUP = re.compile(r"[*_`]")


@dataclass(frozen=True)
class Definition:
    start: int  # where the sentence starts in the text
    term: str  # as written, markup included
    definition: str


def definitions(text: str) -> Iterator[Definition]:
    """The definition sentences in a paragraph of Markdown source."""
    if not has_copula(text):  # most paragraphs: no sentence splitting at all
        return
    # A line break inside a paragraph is no sentence's end; a space in its place keeps
    # every offset where it was.
    for start, sentence in sentences(text.replace("\n", " ")):
        found = definition(sentence)
        if found is not None:
            term, rest = found
            yield Definition(start, term, rest)


def sentences(text: str) -> list[tuple[int, str]]:
    """(start, sentence) for each sentence of text, as pysbd splits it."""
    body = text.rstrip()
    if body[-1:] in (".", "!", "?"):
        body = body[:-1]
    if body.strip() and _MAY_END_SENTENCE.search(body) is None:
        start = len(text) - len(text.lstrip())
        return [(start, text[start:])]
    return [(span.start, span.sent) for span in _SEGMENTER.segment(text)]


def has_copula(text: str) -> bool:
    """Whether _COPULA is found anywhere in text."""
    if text.isascii():
        return _ANY_COPULA_LOWERED.search(text.lower()) is not None
    return _COPULA.search(text) is not None


def definition(sentence: str) -> tuple[str, str] | None:
    """Split a sentence into (term, what it is), or None when it defines nothing."""
    sentence = " ".join(sentence.split())
    match = _COPULA.search(sentence)
    if match is None:
        return None
    subject, verb, rest = sentence[: match.start()], match.group().strip(), sentence[match.end() :]
    if lead := _LEAD_IN.match(subject):
        subject = subject[lead.end() :]
    subject = _ARTICLE.sub("", subject.strip())
    plain = _MARKUP.sub("", subject)
    words = plain.split()
    if not words or len(words) > MAX_TERM_WORDS or words[0].casefold() in _NOT_SUBJECTS:
        return None
    if not re.match(r"[^\W\d_]", plain) or re.search(r"[.!?;]", plain):
        return None
    if verb.casefold() in _NEEDS_DEFINING_START and not _DEFINING_START.match(rest):
        return None
    rest = rest.strip()
    if len(rest.split()) < 2 or rest.endswith("?"):
        return None
    return subject, rest


# Bullets as "Term — text", "Term – text" or "Term - text" (spaces around the dash).
_SPACED_DASH = re.compile(r"^(?P<term>[^\s—–-][^—–\n]*?)\s+[—–-]\s+(?P<rest>\S.*)$")
MAX_DASH_TERM_WORDS = 4


def dash_term(line: str) -> tuple[str, str] | None:
    """Split a "Term — text" bullet into (term, text), or None."""
    match = _SPACED_DASH.match(line)
    if match is None:
        return None
    term = match.group("term").strip()
    words = _MARKUP.sub("", term).split()
    if not words or len(words) > MAX_DASH_TERM_WORDS or words[0].casefold() in _NOT_SUBJECTS:
        return None
    if re.search(r"[.!?,;:]$", term):
        return None
    return term, match.group("rest").strip()


MAX_PHRASE_WORDS = 5


def is_term(text: str) -> bool:
    """Whether a bullet's text is a term (a short phrase, no sentence): the parent of an
    outline's sub-bullets, which then answer it."""
    plain = _MARKUP.sub("", text).strip().rstrip(":")
    words = plain.split()
    return (
        0 < len(words) <= MAX_PHRASE_WORDS
        and not re.search(r"[.!?;]$", plain)
        and words[0].casefold() not in _NOT_SUBJECTS
    )


# Headings that name a part of the notes, not a subject to ask about.
_GENERIC_HEADINGS = re.compile(
    r"^(?:key terms?|terms|glossary|summary|overview|introduction|intro|notes?|examples?"
    r"|references?|sources?|further reading|questions?|review|recap|todo|misc\w*"
    r"|(?:module|week|lecture|chapter|part|unit|lesson|section|day)\b.*|\d[\d.\s]*)$",
    re.IGNORECASE,
)
MAX_SECTION_WORDS = 60  # a section longer than this is prose to read, not one card
MIN_ANSWER_WORDS = 3  # an answer shorter than this is a caption or a leftover


def asks(heading: str) -> bool:
    """Whether a heading can ask a card's question."""
    return bool(heading.strip()) and not _GENERIC_HEADINGS.match(heading.strip())


def first_sentences(text: str) -> str:
    """The first sentence of a text, and the second too when the first is very short."""
    found = [sent.strip() for _start, sent in sentences(" ".join(text.split()))]
    found = [s for s in found if s]
    if not found:
        return ""
    if len(found[0].split()) < 6 and len(found) > 1:
        return f"{found[0]} {found[1]}"
    return found[0]

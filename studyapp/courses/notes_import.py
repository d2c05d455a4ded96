"""Save parsed notes as topics, lessons, sections and cards, keeping card identities.

A re-import compares card keys: unchanged cards are left alone, new ones are created and
the ones a file no longer has are retired (never deleted), so learners' progress survives.
Each file is saved in its own transaction: a rejected file saves nothing and the others
still import.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.db.models import Count
from django.utils import timezone

from studyapp.content.parse import parse_note_bytes
from studyapp.content.parsed import ParsedCard, ParsedNote, ParseError, card_key
from studyapp.content.topics import match_topic, topic_from_filename
from studyapp.courses.models import (
    Card,
    Course,
    DroppedCard,
    Lesson,
    Section,
    Topic,
    shipped_course,
)

NOTE_SUFFIXES = {".md", ".markdown"}
# What a re-import may change on an existing card: where it sits and how it renders.
# Its key (its text) and kind never change; a different text is a different card.
_CARD_PLACEMENT = ["lesson_id", "section_id", "line", "front_html", "back_html", "retired_at"]


@dataclass
class NoteReport:
    """What saving one note did: what the instructor's preview shows, file by file."""

    note: ParsedNote
    topic: Topic
    topic_is_new: bool
    created: int = 0
    unchanged: int = 0
    # Cards the note no longer has, each with how many learners have progress on it.
    retired: list[tuple[Card, int]] = field(default_factory=list)
    # Every card of the note with its key, and whether it is a guess left out (dropped).
    cards: list[tuple[ParsedCard, str, bool]] = field(default_factory=list)

    @property
    def dropped(self) -> int:
        return sum(1 for _, _, dropped in self.cards if dropped)

    @property
    def guesses(self) -> int:
        return sum(1 for card, _, _ in self.cards if card.implicit)


@dataclass
class ImportReport:
    created: int = 0
    unchanged: int = 0
    retired: int = 0
    files: int = 0
    messages: list[str] = field(default_factory=list)  # "file:line: message"
    rejected: list[str] = field(default_factory=list)
    notes: list[NoteReport] = field(default_factory=list)


def note_files(paths: Iterable[str | Path]) -> list[Path]:
    """Return the notes named by paths: files as given, folders searched for *.md."""
    found: list[Path] = []
    for path in map(Path, paths):
        if path.is_dir():
            found += sorted(p for p in path.rglob("*") if p.suffix.lower() in NOTE_SUFFIXES)
        else:
            found.append(path)
    return found


def source_name(path: Path) -> str:
    """Return how a file is named in the database: relative to the project when inside it."""
    resolved = path.resolve()
    try:
        return resolved.relative_to(settings.BASE_DIR).as_posix()
    except ValueError:
        return resolved.as_posix()


def import_note_files(paths: Iterable[str | Path], course: Course | None = None) -> ImportReport:
    """Read, parse and save the notes named by paths into the course (the shipped one
    unless another is given)."""
    report = ImportReport()
    uploads = []
    for path in note_files(paths):
        source = source_name(path) if path.exists() else str(path)
        try:
            uploads.append((source, path.read_bytes()))
        except OSError as error:
            report.rejected.append(f"{source}: cannot read: {error.strerror or error}")
    _import(uploads, course or shipped_course(), report)
    return report


def import_notes(
    uploads: list[tuple[str, bytes]], course: Course | None = None, drop: set[str] | None = None
) -> ImportReport:
    """Parse and save notes given as (source name, bytes) pairs into the course.

    drop: the keys of the guessed cards to leave out, as the instructor chose them at the
    preview (the others are kept, even if dropped before); None keeps the choices made
    at earlier uploads."""
    report = ImportReport()
    _import(uploads, course or shipped_course(), report, drop)
    return report


def known_sources(course: Course, uploads: list[tuple[str, bytes]]) -> list[tuple[str, bytes]]:
    """Name uploaded files as the course's lessons already are: a browser sends only a
    file's name ("regions.md"), while import_notes saved it by its path in the project
    ("content/regions.md"). Without this, uploading it again would make a second lesson."""
    by_name: dict[str, list[str]] = {}
    for source in course.lessons.values_list("source", flat=True):
        by_name.setdefault(source.rsplit("/", 1)[-1], []).append(source)
    renamed = []
    for name, data in uploads:
        found = by_name.get(name, [])
        renamed.append((found[0] if len(found) == 1 and "/" not in name else name, data))
    return renamed


def preview_notes(uploads: list[tuple[str, bytes]], course: Course) -> ImportReport:
    """Return what importing the notes would do, and save nothing.

    The import runs exactly as it will on confirm, then is rolled back, so the preview
    cannot disagree with what is saved. The report holds what the preview shows, read
    while the rows existed (topics, cards, learner counts).
    """
    with transaction.atomic():
        report = import_notes(uploads, course)
        transaction.set_rollback(True)
    return report


def _import(
    uploads: list[tuple[str, bytes]],
    course: Course,
    report: ImportReport,
    drop: set[str] | None = None,
) -> None:
    parsed: list[tuple[ParsedNote, str]] = []
    for source, data in uploads:
        try:
            note = parse_note_bytes(data, source, settings.NOTES_MAX_BYTES)
        except ParseError as error:
            where = f"{source}:{error.line}" if error.line else source
            report.rejected.append(f"{where}: {error.message}")
            continue
        parsed.append((note, hashlib.sha256(data).hexdigest()))

    # Topics a note can be matched to: those saved already and those this batch declares.
    names = {t.slug: [t.title, *t.aliases] for t in course.topics.all()}
    for note, _ in parsed:
        if note.topic:
            names.setdefault(note.topic, [note.title, *note.aliases])

    for note, digest in parsed:
        for problem in note.problems:
            report.messages.append(f"{note.filename}:{problem.line}: {problem.message}")
        with transaction.atomic():
            _save(course, note, digest, names, report, drop)
        report.files += 1


def _topic_for(course: Course, note: ParsedNote, names: dict[str, list[str]]) -> Topic:
    topics = course.topics
    if note.topic:
        topic, _ = topics.get_or_create(slug=note.topic, defaults={"title": note.title})
        # A note that names its topic in front matter is that topic's own lesson.
        fields = {"title": note.title, "aliases": note.aliases}
        if note.order is not None:
            fields["order"] = note.order
        if any(getattr(topic, k) != v for k, v in fields.items()):
            Topic.objects.filter(pk=topic.pk).update(**fields)
        return topic
    if slug := match_topic(note.headings, names):
        return topics.get_or_create(slug=slug, defaults={"title": names[slug][0]})[0]
    slug, title = topic_from_filename(note.filename)
    names.setdefault(slug, [title])
    return topics.get_or_create(slug=slug, defaults={"title": title})[0]


def _save(
    course: Course,
    note: ParsedNote,
    digest: str,
    names: dict[str, list[str]],
    report: ImportReport,
    drop: set[str] | None = None,
) -> None:
    had_topic = set(course.topics.values_list("pk", flat=True))
    topic = _topic_for(course, note, names)
    done = NoteReport(note, topic, topic_is_new=topic.pk not in had_topic)
    report.notes.append(done)
    lesson, created = course.lessons.get_or_create(
        source=note.filename,
        defaults={"topic": topic, "title": note.title, "html": note.html, "content_hash": digest},
    )
    if not created and (lesson.content_hash, lesson.topic_id) != (digest, topic.pk):
        lesson.topic, lesson.title, lesson.html, lesson.content_hash = (
            topic,
            note.title,
            note.html,
            digest,
        )
        lesson.save()
    sections = _save_sections(lesson, note)

    keyed = {card_key(topic.slug, card.identity): card for card in note.cards}
    dropped = _dropped(topic, keyed, drop)
    done.cards = [(card, key, key in dropped) for key, card in keyed.items()]
    # A dropped guess is not in the notes: a card of it saved before is retired below.
    keyed = {key: card for key, card in keyed.items() if key not in dropped}
    existing = {c.key: c for c in Card.objects.filter(topic=topic, key__in=list(keyed))}
    now = timezone.now()
    new, changed = [], []
    for key, parsed in keyed.items():
        section = sections.get(parsed.section)
        values = {  # the keys of _CARD_PLACEMENT
            "lesson_id": lesson.pk,
            "section_id": section.pk if section else None,
            "line": parsed.line,
            "front_html": parsed.front_html,
            "back_html": parsed.back_html,
            "retired_at": None,
        }
        card = existing.get(key)
        if card is None:
            new.append(Card(course=course, topic=topic, key=key, kind=parsed.kind, **values))
            continue
        if card.retired_at is not None:
            done.created += 1  # back in the notes: the same card, with its history
        else:
            done.unchanged += 1
        if any(getattr(card, k) != v for k, v in values.items()):
            for k, v in values.items():
                setattr(card, k, v)
            changed.append(card)
    Card.objects.bulk_create(new)
    if changed:
        Card.objects.bulk_update(changed, _CARD_PLACEMENT)
    done.created += len(new)
    gone = Card.objects.active().filter(lesson=lesson).exclude(topic=topic, key__in=list(keyed))
    done.retired = [(card, card.learners) for card in gone.annotate(learners=Count("states"))]
    Card.objects.filter(pk__in=[card.pk for card, _ in done.retired]).update(retired_at=now)
    number_cards(topic)
    report.created += done.created
    report.unchanged += done.unchanged
    report.retired += len(done.retired)


def number_cards(topic: Topic) -> None:
    """Give the topic's cards their positions (Card.position): by lesson file, then line,
    then age. After every save of a note, as a note of the topic may have been added,
    renamed, or moved here from another topic."""
    cards = Card.objects.filter(topic=topic).exclude(kind=Card.Kind.FROM_QUIZ)
    rows = cards.values_list("pk", "lesson__source", "line", "position")
    ordered = sorted(rows, key=lambda row: (row[1] or "", row[2], row[0]))
    moved = [
        Card(pk=pk, position=number)
        for number, (pk, _, _, position) in enumerate(ordered)
        if position != number
    ]
    Card.objects.bulk_update(moved, ["position"], batch_size=1000)


def _dropped(topic: Topic, keyed: dict[str, ParsedCard], drop: set[str] | None) -> set[str]:
    """The keys of the note's guessed cards to leave out: those dropped at an earlier
    upload, or, when the instructor chose at this one (drop), exactly those chosen. An
    explicit card is never dropped: the notes ask for it."""
    guesses = {key for key, card in keyed.items() if card.implicit}
    before = set(topic.dropped_cards.filter(key__in=guesses).values_list("key", flat=True))
    if drop is None:
        return before
    wanted = drop & guesses
    topic.dropped_cards.filter(key__in=before - wanted).delete()
    DroppedCard.objects.bulk_create(DroppedCard(topic=topic, key=key) for key in wanted - before)
    return wanted


def _save_sections(lesson: Lesson, note: ParsedNote) -> dict[str, Section]:
    """Bring the lesson's sections in line with the note's headings; return them by anchor."""
    current = {s.anchor: s for s in lesson.sections.all()}
    wanted = {}
    new, changed = [], []
    for order, parsed in enumerate(note.sections):
        values = {
            "title": parsed.title,
            "level": parsed.level,
            "path": list(parsed.path),
            "order": order,
        }
        section = current.get(parsed.anchor)
        if section is None:
            section = Section(lesson=lesson, anchor=parsed.anchor, **values)
            new.append(section)
        elif any(getattr(section, k) != v for k, v in values.items()):
            for k, v in values.items():
                setattr(section, k, v)
            changed.append(section)
        wanted[parsed.anchor] = section
    Section.objects.bulk_create(new)
    if changed:
        Section.objects.bulk_update(changed, ["title", "level", "path", "order"])
    gone = [s.pk for anchor, s in current.items() if anchor not in wanted]
    if gone:
        Section.objects.filter(pk__in=gone).delete()
    return wanted

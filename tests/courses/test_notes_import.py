"""Importing notes: idempotent, identity-keeping, one transaction per file."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from studyapp.courses.models import Card, Lesson, Section, Topic
from studyapp.courses.notes_import import import_note_files, import_notes

CONTENT = Path(__file__).resolve().parents[2] / "content"
NOTE = b"""---
topic: storage
title: Storage
---
# Storage

## Buckets
Bucket::A container for objects
Object::A file and its metadata

## Classes
Glacier::Archive storage
"""

pytestmark = pytest.mark.django_db


def snapshot() -> list[tuple]:
    return list(
        Card.objects.order_by("pk").values_list(
            "pk", "key", "topic_id", "section_id", "front_html", "back_html", "retired_at"
        )
    )


def test_importing_twice_changes_nothing():
    first = import_note_files([CONTENT])
    before = snapshot(), list(Lesson.objects.values_list("pk", "html", "imported_at"))
    second = import_note_files([CONTENT])
    assert first.created > 90 and first.rejected == []
    assert (second.created, second.retired, second.unchanged) == (0, 0, first.created)
    assert (snapshot(), list(Lesson.objects.values_list("pk", "html", "imported_at"))) == before


def test_editing_one_card_adds_it_and_retires_the_old_one_and_keeps_the_rest():
    import_notes([("storage.md", NOTE)])
    kept = {c.front_html: c.pk for c in Card.objects.all()}
    report = import_notes([("storage.md", NOTE.replace(b"Archive storage", b"Cold archive"))])
    assert (report.created, report.unchanged, report.retired) == (1, 2, 1)
    old = Card.objects.get(front_html="Glacier", retired_at__isnull=False)
    assert old.pk == kept["Glacier"]  # retired, never deleted: its history stays
    new = Card.objects.active().get(front_html="Glacier")
    assert new.back_html == "Cold archive"
    assert Card.objects.get(front_html="Bucket").pk == kept["Bucket"]
    assert Card.objects.active().filter(pk=kept["Object"]).exists()


def test_moving_a_card_to_another_section_keeps_its_identity():
    import_notes([("storage.md", NOTE)])
    pk = Card.objects.get(front_html="Object").pk
    moved = (
        NOTE.replace(b"Object::A file and its metadata\n", b"")
        + b"Object::A file and its metadata\n"
    )
    report = import_notes([("storage.md", moved)])
    assert (report.created, report.retired) == (0, 0)
    card = Card.objects.get(pk=pk)
    assert card.section.anchor == "classes"


def test_a_card_put_back_into_the_notes_comes_back_with_its_identity():
    import_notes([("storage.md", NOTE)])
    pk = Card.objects.get(front_html="Glacier").pk
    import_notes([("storage.md", NOTE.replace(b"Glacier::Archive storage\n", b""))])
    assert Card.objects.get(pk=pk).retired_at is not None
    import_notes([("storage.md", NOTE)])
    assert Card.objects.get(pk=pk).retired_at is None


def test_a_rejected_file_saves_nothing_and_the_others_still_import():
    report = import_notes([("bad.md", b"x::y\n\xff\xfe"), ("good.md", NOTE)])
    assert report.rejected == ["bad.md:2: not UTF-8 text (byte 0xff)"]
    assert not Lesson.objects.filter(source="bad.md").exists()
    assert Lesson.objects.filter(source="good.md").exists()


def test_a_file_over_the_size_limit_is_rejected(settings):
    settings.NOTES_MAX_BYTES = 10
    report = import_notes([("big.md", NOTE)])
    assert "limit" in report.rejected[0] and Card.objects.count() == 0


def test_a_note_without_front_matter_joins_the_topic_its_headings_name():
    import_note_files([CONTENT])
    note = b"### Notes\n- **Latency**: delay\n\n### Choosing a region\n- **Proximity**- be close\n"
    import_notes([("student.md", note)])
    lesson = Lesson.objects.get(source="student.md")
    assert lesson.topic.slug == "regions"
    assert Topic.objects.get(slug="regions").title == "AWS Regions"  # not renamed


def test_a_note_matching_no_topic_gets_a_topic_named_after_the_file():
    import_notes([("week_7-databases.md", b"### Module 7\n- **RDS**: managed SQL\n")])
    topic = Topic.objects.get(slug="week-7-databases")
    assert topic.title == "Week 7 databases"
    assert topic.cards.count() == 1


def test_sections_follow_the_headings():
    import_notes([("storage.md", NOTE)])
    import_notes([("storage.md", NOTE.replace(b"## Classes", b"## Tiers"))])
    assert list(Section.objects.values_list("anchor", flat=True)) == ["buckets", "tiers"]
    assert Card.objects.get(front_html="Glacier").section.anchor == "tiers"


def test_the_command_prints_counts_and_problems_and_exits_1_on_a_rejected_file(tmp_path, capsys):
    (tmp_path / "good.md").write_bytes(b"a::\n\nq::a\n")
    (tmp_path / "bad.md").write_bytes(b"\x00binary")
    with pytest.raises(CommandError) as error:
        call_command("import_notes", str(tmp_path))
    assert error.value.returncode == 1
    out, err = capsys.readouterr()
    assert "1 files: 1 cards created, 0 unchanged, 0 retired" in out
    assert f"{tmp_path}/good.md:1: '::' with one side empty" in err
    assert f"{tmp_path}/bad.md:1: a NUL character" in err and "binary file" in err


def test_the_command_succeeds_on_the_shipped_course(capsys):
    call_command("import_notes", str(CONTENT))
    out, err = capsys.readouterr()
    assert "6 files" in out and err == ""


def test_new_cards_come_by_lesson_file_then_line_whatever_order_they_were_saved_in(learner):
    """The reviewer's new-card order (Card.position): two notes of one topic, the later
    file saved first, and a card added above the others on a re-import."""
    from datetime import UTC, datetime

    from studyapp.accounts.models import profile_for
    from studyapp.study.reviewer import Today, grade, next_card, token_for

    head = b"---\ntopic: storage\n---\n"
    import_notes([("b.md", head + b"B1::one\nB2::two\n")])
    import_notes([("a.md", head + b"A1::one\n")])
    import_notes([("a.md", head + b"A0::zero\nA1::one\n")])
    now = datetime(2024, 5, 1, 12, tzinfo=UTC)
    profile = profile_for(learner)
    fronts = []
    while (found := next_card(learner, profile, Today.of(learner, profile, now), now))[0]:
        card, state = found
        fronts.append(card.front_html)
        grade(learner, profile, card.pk, token_for(learner, card, state), 4, now)  # Easy
    assert fronts == ["A0", "A1", "B1", "B2"]

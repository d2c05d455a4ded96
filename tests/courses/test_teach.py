"""Teaching a course in the browser: making one, its settings, co-teachers, and lesson
notes uploaded with a preview. Every view from every persona: anonymous (to log in),
learners (403), an instructor of another course (404), the instructor and a co-teacher."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from studyapp.courses.models import Card, CoTeacherInvite, Course, Lesson, Teaching, Topic
from studyapp.study.models import CardState
from tests.conftest import remember

pytestmark = pytest.mark.django_db

NOTE = b"""---
topic: peering
title: VPC peering
---
# VPC peering

## What it is
Peering::A private link between two VPCs

## Limits
Transitive peering?::Not supported
Image ![diagram](peering.png) here.
"""


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def course_urls(course: Course) -> list[str]:
    return [
        reverse("course_manage", args=[course.slug]),
        reverse("notes_upload", args=[course.slug]),
    ]


def test_every_teaching_page_from_every_persona(
    client, learner, other_learner, instructor, co_teacher, other_instructor, taught_course
):
    join = reverse("coteacher_join", args=["made-up"])
    everyone = [reverse("teach"), reverse("course_new"), join, *course_urls(taught_course)]
    for url in everyone:
        response = client.get(url)
        assert response.status_code == 302 and response.url.startswith("/accounts/login/")
    for person in (learner, other_learner):
        visitor = client_for(person)
        for url in everyone:
            assert visitor.get(url).status_code == 403, url
        assert (
            visitor.post(reverse("coteacher_invite", args=[taught_course.slug])).status_code == 403
        )
    outsider = client_for(other_instructor)
    assert outsider.get(reverse("teach")).status_code == 200
    assert taught_course.title not in outsider.get(reverse("teach")).text
    for url in course_urls(taught_course):
        assert outsider.get(url).status_code == 404, url
    assert outsider.post(reverse("coteacher_invite", args=[taught_course.slug])).status_code == 404
    for person in (instructor, co_teacher):
        teacher = client_for(person)
        assert taught_course.title in teacher.get(reverse("teach")).text
        for url in course_urls(taught_course):
            assert teacher.get(url).status_code == 200, url


def test_an_instructor_makes_a_course_and_teaches_it(instructor):
    teacher = client_for(instructor)
    response = teacher.post(
        reverse("course_new"),
        {
            "title": "Cloud security",
            "slug": "",
            "description": "IAM and more",
            "visibility": "class",
        },
    )
    course = Course.objects.get(slug="cloud-security")
    assert response.url == reverse("course_manage", args=["cloud-security"])
    assert course.visibility == "class" and course.teaching.get().instructor == instructor
    taken = teacher.post(reverse("course_new"), {"title": "Cloud security", "visibility": "public"})
    assert "is called “cloud-security” already" in taken.text
    assert Course.objects.count() == 1


def test_a_co_teacher_changes_the_settings(co_teacher, taught_course):
    page = client_for(co_teacher).post(
        reverse("course_manage", args=[taught_course.slug]),
        {"title": "Cloud basics", "slug": taught_course.slug, "visibility": "class"},
    )
    assert page.status_code == 302
    taught_course.refresh_from_db()
    assert (taught_course.title, taught_course.visibility) == ("Cloud basics", "class")


def invite_link(client, course, htmx=False) -> str:
    url = reverse("coteacher_invite", args=[course.slug])
    if htmx:
        page = client.post(url, headers={"HX-Request": "true"})
        assert "<html" not in page.text
        text = page.text
    else:
        text = client.post(url, follow=True).text
    return "/teach/join/" + text.split("/teach/join/")[1].split("/")[0] + "/"


@pytest.mark.parametrize("htmx", [False, True])
def test_a_co_teacher_link_works_once_for_an_instructor(
    instructor, other_instructor, learner, taught_course, htmx
):
    link = invite_link(client_for(instructor), taught_course, htmx)
    assert client_for(learner).post(link).status_code == 403
    joining = client_for(other_instructor)
    assert f"Co-teach “{taught_course.title}”" in joining.get(link).text
    assert not Teaching.objects.filter(instructor=other_instructor).exists()  # a GET joins no one
    assert joining.post(link).status_code == 302
    assert Teaching.objects.filter(course=taught_course, instructor=other_instructor).exists()
    again = client_for(instructor).post(link)
    assert again.status_code == 404 and "used already" in again.text


def test_a_co_teacher_link_expires_after_a_week(instructor, other_instructor, taught_course):
    link = invite_link(client_for(instructor), taught_course)
    CoTeacherInvite.objects.update(created_at=timezone.now() - timedelta(days=8))
    refused = client_for(other_instructor).post(link)
    assert refused.status_code == 404 and "older than 7 days" in refused.text
    assert client_for(other_instructor).post("/teach/join/made-up/").status_code == 404
    assert not Teaching.objects.filter(instructor=other_instructor).exists()


def preview(client, course, htmx=False, **data):
    headers = {"HX-Request": "true"} if htmx else {}
    return client.post(
        reverse("notes_upload", args=[course.slug]), {"action": "preview", **data}, headers=headers
    )


def confirm(client, course, page, untick: tuple[str, ...] = ()) -> None:
    """Post the confirm form of a preview page, as the browser would, with the guessed
    cards of the keys in untick unticked."""
    import re

    names = re.findall(r'name="note_name" value="([^"]*)"', page.text)
    texts = re.findall(
        r'<textarea name="note_text" hidden aria-hidden="true">\n(.*?)</textarea>', page.text, re.S
    )
    from html import unescape

    # The guesses' boxes, as the browser sends them: each shown one, and the ticked ones.
    guesses = re.findall(r'name="guess" value="([^"]*)"', page.text)
    kept = re.findall(r'name="keep" value="([^"]*)" id="[^"]*" checked', page.text)
    kept = [key for key in kept if key not in untick]
    response = client.post(
        reverse("notes_upload", args=[course.slug]),
        {
            "action": "confirm",
            "note_name": names,
            "note_text": [unescape(t) for t in texts],
            "guess": guesses,
            "keep": kept,
        },
    )
    assert response.status_code == 302, response


@pytest.mark.parametrize("htmx", [False, True])
def test_the_preview_shows_everything_and_saves_nothing(instructor, taught_course, htmx):
    teacher = client_for(instructor)
    page = preview(teacher, taught_course, htmx, files=[SimpleUploadedFile("peering.md", NOTE)])
    assert page.status_code == 200 and ("<html" in page.text) is not htmx
    text = page.text
    assert "Topic: <strong>VPC peering</strong> (new)" in text
    assert "What it is" in text and "Limits" in text  # sections
    assert "<td>8</td><td>basic</td><td>Peering</td>" in text  # each card with its line
    assert "peering.md:12: image “peering.png” skipped" in text
    assert "2 cards new" in text.replace("</strong>", "").replace("<strong>", "")
    assert not Topic.objects.filter(slug="peering").exists() and not Card.objects.exists()
    confirm(teacher, taught_course, page)
    topic = taught_course.topics.get(slug="peering")
    assert topic.cards.count() == 2 and Lesson.objects.get().source == "peering.md"
    assert sorted(topic.cards.values_list("line", flat=True)) == [8, 11]


def test_a_re_upload_shows_what_it_retires_and_who_has_progress_on_it(
    instructor, learner, other_learner, taught_course
):
    teacher = client_for(instructor)
    confirm(
        teacher,
        taught_course,
        preview(teacher, taught_course, text=NOTE.decode(), name="peering.md"),
    )
    gone = Card.objects.get(front_html="Transitive peering?")
    for person in (learner, other_learner):
        remember(person, gone, timezone.now())
    edited = NOTE.decode().replace("Transitive peering?::Not supported\n", "")
    page = preview(teacher, taught_course, text=edited, name="peering.md")
    assert "Transitive peering?: 2 learners with progress on it" in page.text
    assert "0 cards new, 1 unchanged, 1 retired" in page.text.replace("<strong>", "").replace(
        "</strong>", ""
    ).replace(" card ", " cards ")
    assert Card.objects.active().count() == 2  # the preview retired nothing
    confirm(teacher, taught_course, page)
    gone.refresh_from_db()
    assert gone.retired_at is not None and CardState.objects.filter(card=gone).count() == 2


def test_a_bad_file_is_named_and_nothing_is_saved_not_even_the_good_ones(instructor, taught_course):
    teacher = client_for(instructor)
    files = [
        SimpleUploadedFile("good.md", NOTE),
        SimpleUploadedFile("bad.md", b"# Bad\n\nok\n\xff\xfe\n"),
    ]
    page = preview(teacher, taught_course, files=files)
    assert "bad.md:4: not UTF-8 text" in page.text
    assert 'value="confirm"' not in page.text
    assert not Card.objects.exists() and not Topic.objects.exists()
    # A confirm posted anyway (by hand) saves nothing either.
    response = teacher.post(
        reverse("notes_upload", args=[taught_course.slug]),
        {
            "action": "confirm",
            "note_name": ["good.md", "bad.md"],
            "note_text": [NOTE.decode(), "x\x00"],
        },
        follow=True,
    )
    assert "could not be saved" in response.text
    assert not Card.objects.exists()


def test_an_empty_upload_gets_a_message(instructor, taught_course):
    page = preview(client_for(instructor), taught_course)
    assert "Choose one or more files, or paste a note." in page.text


def test_uploading_a_shipped_note_again_updates_its_lesson(instructor, taught_course):
    from pathlib import Path

    from studyapp.courses.notes_import import import_note_files

    content = Path(__file__).resolve().parents[2] / "content"
    import_note_files([content / "regions.md"], taught_course)
    teacher = client_for(instructor)
    edited = (content / "regions.md").read_bytes() + b"\nExtra card::Its answer\n"
    page = preview(teacher, taught_course, files=[SimpleUploadedFile("regions.md", edited)])
    assert "content/regions.md" in page.text and "1 cards new" in page.text.replace(
        "<strong>", ""
    ).replace("</strong>", "").replace(" card ", " cards ")
    confirm(teacher, taught_course, page)
    assert list(Lesson.objects.values_list("source", flat=True)) == ["content/regions.md"]


GUESSES = b"""---
topic: storage
title: Storage
---
# Storage

Amazon S3 is the object storage service of AWS. It keeps files as objects.

Bucket::A container for objects
"""


def test_guessed_cards_are_marked_and_a_dropped_one_stays_dropped(instructor, taught_course):
    from studyapp.content.parsed import card_key
    from studyapp.courses.models import DroppedCard

    teacher = client_for(instructor)
    page = preview(teacher, taught_course, text=GUESSES.decode(), name="storage.md")
    guessed = '<td>basic <span class="badge text-bg-info">guessed</span>'
    assert page.text.count(guessed) == 1
    assert f"<td>7</td>{guessed}" in page.text  # the guess, with its line
    [key] = re.findall(r'name="guess" value="([^"]*)"', page.text)
    confirm(teacher, taught_course, page, untick=(key,))
    topic = taught_course.topics.get(slug="storage")
    assert list(topic.cards.values_list("front_html", flat=True)) == ["Bucket"]
    assert DroppedCard.objects.get().key == key

    # Uploaded again, the guess shows unticked and stays out, however the boxes were left.
    again = preview(teacher, taught_course, text=GUESSES.decode(), name="storage.md")
    assert f'value="{key}" id="keep-{key}">' in again.text  # not checked
    confirm(teacher, taught_course, again)
    assert topic.cards.active().count() == 1

    # Ticked to keep, it comes in; an explicit card cannot be dropped at all.
    explicit = card_key("storage", "Bucket\x1fA container for objects")
    response = teacher.post(
        reverse("notes_upload", args=[taught_course.slug]),
        {
            "action": "confirm",
            "note_name": ["storage.md"],
            "note_text": [GUESSES.decode()],
            "guess": [key, explicit],
            "keep": [key],
        },
    )
    assert response.status_code == 302
    assert topic.cards.active().count() == 2 and not DroppedCard.objects.exists()

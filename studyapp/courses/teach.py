"""Teaching: the courses an instructor teaches, making a course, its settings, its
co-teachers, and uploading its lesson notes. Every view is for instructors (403 for
anyone else) and every course is one the instructor teaches (404 for any other)."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib import messages
from django.db import transaction
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.defaultfilters import pluralize
from django.urls import reverse
from django.utils.text import slugify
from django.views.decorators.http import require_http_methods, require_POST

from studyapp.accounts.access import instructor_required
from studyapp.classes.models import Classroom
from studyapp.courses.access import course_for_instructor
from studyapp.courses.coteachers import InviteError, accept_invite, invited_course, make_invite
from studyapp.courses.models import Course, Teaching
from studyapp.courses.notes_import import import_notes, known_sources, preview_notes


class CourseForm(forms.ModelForm):
    slug = forms.SlugField(
        required=False,
        allow_unicode=True,
        max_length=80,
        help_text="Its name in web addresses; made from the title when left empty.",
    )

    class Meta:
        model = Course
        fields = ["title", "slug", "description", "visibility"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}

    def clean_slug(self) -> str:
        slug = self.cleaned_data["slug"] or slugify(self.cleaned_data.get("title", ""), True)
        slug = slug[:80]
        if not slug:
            raise forms.ValidationError("Give the course a title or a slug.")
        taken = Course.objects.filter(slug=slug).exclude(pk=self.instance.pk)
        if taken.exists():
            raise forms.ValidationError(f"A course is called “{slug}” already; choose another.")
        return slug


@instructor_required
@require_http_methods(["GET"])
def teach_home(request: HttpRequest) -> HttpResponse:
    courses = (
        Course.objects.taught_by(request.user)
        .annotate(
            topic_count=Count("topics", distinct=True),
            quiz_count=Count("quizzes", filter=Q(quizzes__retired_at__isnull=True), distinct=True),
        )
        .order_by("title")
    )
    classes = Classroom.objects.taught_by(request.user).annotate(
        learner_count=Count("members", distinct=True)
    )
    context = {"courses": courses, "classes": classes.order_by("name")}
    return render(request, "courses/teach_home.html", context)


@instructor_required
@require_http_methods(["GET", "POST"])
def course_new(request: HttpRequest) -> HttpResponse:
    form = CourseForm(request.POST or None, initial={"visibility": Course.Visibility.CLASS})
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():  # a course and its first instructor, or neither
            course = form.save()
            Teaching.objects.create(course=course, instructor=request.user)
        messages.success(request, f"“{course.title}” is made. Add its notes and quizzes below.")
        return redirect("course_manage", course=course.slug)
    return render(request, "courses/course_new.html", {"form": form})


@instructor_required
@require_http_methods(["GET", "POST"])
def course_manage(request: HttpRequest, course: str) -> HttpResponse:
    found = course_for_instructor(request, course)
    form = CourseForm(request.POST or None, instance=found)
    if request.method == "POST" and form.is_valid():
        found = form.save()
        messages.success(request, "The course's settings are saved.")
        return redirect("course_manage", course=found.slug)
    quizzes = found.quizzes.select_related("topic").annotate(
        attempt_count=Count("attempts", distinct=True),
        question_count=Count(
            "questions", filter=Q(questions__retired_at__isnull=True), distinct=True
        ),
    )
    context = {
        "course": Course.objects.get(pk=found.pk) if form.errors else found,
        "form": form,
        "quizzes": quizzes.order_by("retired_at", "topic__order", "title"),
        "teachers": found.teaching.select_related("instructor").order_by("added_at"),
    }
    return render(request, "courses/course_manage.html", context)


@instructor_required
@require_POST
def coteacher_invite(request: HttpRequest, course: str) -> HttpResponse:
    """Make a one-time link for another instructor to join the course as a co-teacher."""
    found = course_for_instructor(request, course)
    secret = make_invite(found, request.user)
    context = {
        "course": found,
        "invite_link": request.build_absolute_uri(reverse("coteacher_join", args=[secret])),
    }
    if request.htmx:
        return render(request, "courses/course_manage.html#coteacher-link", context)
    messages.success(
        request, f"Send this one-time link to your co-teacher: {context['invite_link']}"
    )
    return redirect("course_manage", course=found.slug)


@instructor_required
@require_http_methods(["GET", "POST"])
def coteacher_join(request: HttpRequest, secret: str) -> HttpResponse:
    """Show which course a co-teacher link is for; joining is a POST, so that a link
    preview or a prefetch spends nothing."""
    try:
        course = invited_course(secret)
        if request.method == "POST":
            course = accept_invite(secret, request.user)
            messages.success(request, f"You now teach “{course.title}”.")
            return redirect("course_manage", course=course.slug)
    except InviteError as error:
        return render(request, "courses/coteacher_join.html", {"problem": str(error)}, status=404)
    return render(request, "courses/coteacher_join.html", {"course": course})


# Lesson notes ----------------------------------------------------------------------------

MAX_NOTE_FILES = 50


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one field, as Django's documentation shows."""

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ".md,.markdown,.txt"}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None) -> list:
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(item, initial) for item in data]
        return [single(data, initial)] if data else []


class NotesForm(forms.Form):
    files = MultipleFileField(
        required=False,
        label="Markdown files",
        help_text=f"One or more .md files, {MAX_NOTE_FILES} at most, 2 MB each at most.",
    )
    text = forms.CharField(
        required=False, widget=forms.Textarea(attrs={"rows": 8}), label="Or paste a note"
    )
    name = forms.CharField(
        required=False,
        max_length=200,
        initial="notes.md",
        label="File name for the pasted note",
        help_text="A re-upload under the same name updates that lesson.",
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["text"].validators = []  # the importer names a NUL's line

    def uploads(self) -> list[tuple[str, bytes]]:
        """Return the notes as (file name, bytes), each read up to just past the limit,
        which is enough for the importer to refuse it by name."""
        data = self.cleaned_data
        found = [
            (upload.name, upload.read(settings.NOTES_MAX_BYTES + 1)) for upload in data["files"]
        ]
        if data["text"].strip():
            found.append(((data["name"] or "notes.md").strip(), data["text"].encode()))
        return found

    def clean(self) -> dict:
        data = super().clean()
        if not data.get("files") and not data.get("text", "").strip():
            raise forms.ValidationError("Choose one or more files, or paste a note.")
        if len(data.get("files") or []) > MAX_NOTE_FILES:
            self.add_error("files", f"Upload {MAX_NOTE_FILES} files at most at a time.")
        return data


def _carried(request: HttpRequest) -> list[tuple[str, bytes]]:
    """The notes the preview page carries back to be saved: what was shown is saved."""
    names, texts = request.POST.getlist("note_name"), request.POST.getlist("note_text")
    return [(name, text.encode()) for name, text in zip(names, texts, strict=False)]


@instructor_required
@require_http_methods(["GET", "POST"])
def notes_upload(request: HttpRequest, course: str) -> HttpResponse:
    """Upload lesson notes into a course: a preview of every topic, section, card and
    problem, and of what a re-upload changes; nothing is saved until the confirm."""
    found = course_for_instructor(request, course)
    if request.method == "POST" and request.POST.get("action") == "confirm":
        uploads = _carried(request)
        with transaction.atomic():  # every note, or none
            # The guesses shown at the preview, less those left ticked to keep.
            drop = set(request.POST.getlist("guess")) - set(request.POST.getlist("keep"))
            report = import_notes(uploads, found, drop) if uploads else None
            if report is None or report.rejected:
                transaction.set_rollback(True)
        if report is not None and not report.rejected:
            messages.success(
                request,
                f"Saved {report.files} note{pluralize(report.files)}: {report.created} cards "
                f"new, {report.unchanged} unchanged, {report.retired} retired.",
            )
            return redirect("course_manage", course=found.slug)
        messages.error(request, "Those notes could not be saved; upload them again.")
        return redirect("notes_upload", course=found.slug)
    form = NotesForm(request.POST or None, request.FILES or None)
    context: dict = {"course": found, "form": form}
    if request.method == "POST" and form.is_valid():
        uploads = known_sources(found, form.uploads())
        report = preview_notes(uploads, found)
        kept = {done.note.filename for done in report.notes}
        context |= {
            "report": report,
            "carry": [(name, data.decode("utf-8-sig")) for name, data in uploads if name in kept],
        }
    template = "courses/notes_upload.html#preview" if request.htmx else "courses/notes_upload.html"
    return render(request, template, context)

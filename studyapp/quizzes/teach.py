"""Instructors upload quizzes: a file or pasted text, a preview of every question and
problem, and nothing saved until they confirm."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.validators import MaxValueValidator
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.defaultfilters import pluralize
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from studyapp import formats
from studyapp.accounts.access import instructor_required
from studyapp.courses.models import Card, Course, Topic
from studyapp.formats.html import to_html
from studyapp.formats.questions import FormatError, Problem, UnsupportedQuestion
from studyapp.quizzes.access import quiz_for_instructor
from studyapp.quizzes.exports import parsed_questions
from studyapp.quizzes.imports import (
    answer_data,
    check_pasted,
    check_question_count,
    read_text,
    save_quiz,
)
from studyapp.quizzes.marking import essays_to_mark, mark_essay
from studyapp.quizzes.models import Quiz


def _unescape_separator(value: str) -> str:
    """Let people type a tab or a line break as \\t or \\n."""
    return value.replace("\\t", "\t").replace("\\n", "\n")


class UploadForm(forms.Form):
    file = forms.FileField(
        required=False, help_text="GIFT, Aiken, CSV/TSV or a Quizlet export; 2 MB at most."
    )
    text = forms.CharField(
        required=False, widget=forms.Textarea(attrs={"rows": 8}), label="Or paste the questions"
    )
    format = forms.ChoiceField(
        choices=[("auto", "Detect it"), *formats.FORMATS.items()], initial="auto"
    )
    separator = forms.CharField(
        required=False,
        max_length=5,
        help_text="CSV/Quizlet: what separates front and back; type \\t for a tab (the default).",
    )
    row_separator = forms.CharField(
        required=False,
        max_length=5,
        help_text="Quizlet: what separates rows; \\n (a new line) unless you changed it.",
    )
    quiz = forms.ModelChoiceField(
        Quiz.objects.none(), required=False, label="Update one of your quizzes"
    )
    course = forms.ModelChoiceField(
        Course.objects.none(), required=False, label="Or make a new quiz in the course"
    )
    title = forms.CharField(required=False, max_length=200, label="Name of the new quiz")
    topic = forms.ModelChoiceField(Topic.objects.none(), required=False)
    mode = forms.ChoiceField(choices=Quiz.Mode.choices, initial=Quiz.Mode.PRACTICE)
    time_limit_minutes = forms.IntegerField(
        required=False, min_value=1, max_value=24 * 60, help_text="Test mode only."
    )
    max_attempts = forms.IntegerField(required=False, min_value=1, max_value=1000)
    shuffle = forms.BooleanField(
        required=False, initial=True, label="Shuffle questions and choices"
    )

    def __init__(self, *args, owner, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # An instructor changes only the courses they teach: the choices are the permission.
        taught = self.taught = Course.objects.taught_by(owner)
        self.fields["course"].queryset = taught
        self.fields["quiz"].queryset = Quiz.objects.filter(course__in=taught).select_related(
            "course"
        )
        self.fields["topic"].queryset = Topic.objects.filter(course__in=taught).select_related(
            "course"
        )
        if len(taught) == 1:
            self.fields["course"].initial = taught[0].pk
        # Django's own NUL check says "Null characters are not allowed" with no line;
        # check_pasted says which line, in clean().
        self.fields["text"].validators = []

    def clean(self) -> dict:
        data = super().clean()
        upload = data.get("file")
        if upload:
            try:
                # Read one byte past the limit at most: enough for read_text to refuse it.
                data["text"] = read_text(upload.read(settings.NOTES_MAX_BYTES + 1))
            except FormatError as error:
                self.add_error("file", str(error.problems[0]))
            data["filename"] = upload.name
        elif not data.get("text", "").strip():
            raise forms.ValidationError("Choose a file or paste some questions.")
        elif problem := check_pasted(data["text"]):
            self.add_error("text", problem)
        if not data.get("quiz") and not data.get("title", "").strip():
            name = data.get("filename", "")
            data["title"] = name.rsplit(".", 1)[0] if name else ""
            if not data["title"]:
                self.add_error("title", "Name the new quiz, or pick one of yours to update.")
        quiz, course, topic = data.get("quiz"), data.get("course"), data.get("topic")
        if quiz is None and course is None and len(self.taught) == 1:
            course = self.taught[0]  # the one course this instructor teaches
        course = data["course"] = quiz.course if quiz else course
        if not quiz and course is None and "course" not in self.errors:
            self.add_error("course", "Choose the course the new quiz belongs to.")
        if topic is not None and course is not None and topic.course_id != course.pk:
            self.add_error("topic", f"That topic is not one of “{course.title}”.")
        return data


def _parse(data: dict) -> tuple[str, list, list[Problem]]:
    text = data["text"]
    fmt = data["format"]
    if fmt == "auto":
        fmt = formats.detect(text, data.get("filename", ""))
    options = {
        "separator": _unescape_separator(data.get("separator") or ""),
        "row_separator": _unescape_separator(data.get("row_separator") or ""),
    }
    try:
        return fmt, formats.parse(text, fmt, **options), []
    except FormatError as error:
        return fmt, error.questions, error.problems


def _preview_rows(questions: list) -> list[dict]:
    return [
        {
            "line": q.line,
            "type": q.type.value,
            "name": q.name,
            "html": to_html(q.text, q.text_format),
            "data": answer_data(q),
        }
        for q in questions
    ]


@instructor_required
def upload(request: HttpRequest) -> HttpResponse:
    if request.method not in ("GET", "POST"):
        return HttpResponse(status=405)
    # ?quiz= or ?course= (from the course and quiz pages) chooses one to begin with.
    initial = {name: request.GET[name] for name in ("quiz", "course") if name in request.GET}
    form = UploadForm(
        request.POST or None, request.FILES or None, owner=request.user, initial=initial
    )
    context: dict = {"form": form}
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        fmt, questions, problems = _parse(data)
        if not questions and not problems:
            problems = [Problem(1, "no questions were found")]
        if too_many := check_question_count(len(questions)):
            problems = [too_many, *problems]
        if request.POST.get("action") == "confirm" and not problems:
            report = save_quiz(
                questions,
                quiz=data["quiz"],
                title=data["title"].strip(),
                topic=data["topic"],
                course=data["course"],
                owner=request.user,
                source=data.get("filename", "") or "pasted text",
                fmt=fmt,
            )
            Quiz.objects.filter(pk=report.quiz.pk).update(
                mode=data["mode"],
                time_limit_minutes=data["time_limit_minutes"],
                max_attempts=data["max_attempts"],
                shuffle=data["shuffle"],
            )
            messages.success(
                request,
                f"Saved {report.saved} questions in “{report.quiz.title}” "
                f"({report.created} new, {report.updated} updated, "
                f"{report.unchanged} unchanged, {report.retired} retired).",
            )
            if report.rekeyed:
                messages.warning(
                    request,
                    f"{report.rekeyed} question{pluralize(report.rekeyed)} that learners "
                    f"had answered now ha{pluralize(report.rekeyed, 's,ve')} other right answers. "
                    "Their attempts keep their marks until you regrade them below.",
                )
            return redirect(report.quiz)
        # The confirm form carries the same text back, so what is saved is what was shown.
        confirm = UploadForm(initial={**data, "format": fmt, "file": None}, owner=request.user)
        for name in confirm.fields:
            confirm.fields[name].widget = forms.HiddenInput()
        confirm.fields["file"].widget = forms.HiddenInput()
        context |= {
            "preview": _preview_rows(questions),
            "problems": problems,
            "fmt": formats.FORMATS.get(fmt, fmt),
            "confirm": confirm,
        }
    return render(request, "quizzes/upload.html", context)


# Managing a quiz -------------------------------------------------------------------------

DOWNLOADS = {
    "gift": ("GIFT (Moodle)", "gift"),
    "anki": ("Anki text", "txt"),
    "quizlet": ("Quizlet", "txt"),
}


class QuizSettingsForm(forms.ModelForm):
    class Meta:
        model = Quiz
        fields = [
            "title",
            "topic",
            "mode",
            "time_limit_minutes",
            "max_attempts",
            "shuffle",
            "show_answers",
        ]
        help_texts = {
            "time_limit_minutes": "Test mode only; the server finishes a late attempt.",
            "show_answers": "Whether an answer was right is always shown.",
        }

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["topic"].queryset = self.instance.course.topics.all()
        self.fields["time_limit_minutes"].validators.append(MaxValueValidator(24 * 60))
        self.fields["max_attempts"].validators.append(MaxValueValidator(1000))


@instructor_required
@require_http_methods(["GET", "POST"])
def quiz_manage(request: HttpRequest, course: str, slug: str) -> HttpResponse:
    quiz = quiz_for_instructor(request, course, slug)
    form = QuizSettingsForm(request.POST or None, instance=quiz)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, "The quiz's settings are saved.")
        return redirect("quiz_manage", course=quiz.course.slug, slug=quiz.slug)
    context = {
        "quiz": quiz,
        "form": form,
        "attempt_count": quiz.attempts.count(),
        "downloads": [(fmt, label) for fmt, (label, _) in DOWNLOADS.items()],
    }
    return render(request, "quizzes/manage.html", context)


@instructor_required
@require_POST
def quiz_retire(request: HttpRequest, course: str, slug: str) -> HttpResponse:
    """Hide the quiz from learners (its attempts are kept), or bring it back."""
    quiz = quiz_for_instructor(request, course, slug)
    quiz.retired_at = None if quiz.retired_at else timezone.now()
    quiz.save(update_fields=["retired_at", "updated_at"])
    if quiz.retired_at:
        messages.success(request, f"“{quiz.title}” is retired: learners no longer see it.")
    else:
        messages.success(request, f"“{quiz.title}” is back for learners.")
    return redirect("quiz_manage", course=quiz.course.slug, slug=quiz.slug)


@instructor_required
@require_POST
def quiz_delete(request: HttpRequest, course: str, slug: str) -> HttpResponse:
    """Delete a quiz nobody has attempted; one with attempts can only be retired."""
    quiz = quiz_for_instructor(request, course, slug)
    if quiz.attempts.exists():
        messages.error(request, "Learners have attempted this quiz: retire it instead.")
        return redirect("quiz_manage", course=quiz.course.slug, slug=quiz.slug)
    title = quiz.title
    with transaction.atomic():
        Card.objects.filter(question__quiz=quiz).delete()  # learners' cards of its misses
        quiz.delete()
    messages.success(request, f"“{title}” is deleted.")
    return redirect("course_manage", course=quiz.course.slug)


@instructor_required
@require_GET
def quiz_download(request: HttpRequest, course: str, slug: str, fmt: str) -> HttpResponse:
    quiz = quiz_for_instructor(request, course, slug)
    if fmt not in DOWNLOADS:
        raise Http404("No such format.")
    try:
        text = formats.render(parsed_questions(quiz), fmt)
    except UnsupportedQuestion as error:
        messages.error(request, f"This quiz cannot be written as {DOWNLOADS[fmt][0]}: {error}")
        return redirect("quiz_manage", course=quiz.course.slug, slug=quiz.slug)
    response = HttpResponse(text, content_type="text/plain; charset=utf-8")
    name = f"{quiz.slug}.{DOWNLOADS[fmt][1]}"
    response["Content-Disposition"] = content_disposition_header(True, name)
    return response


# Marking essays --------------------------------------------------------------------------


class EssayMarkForm(forms.Form):
    mark = forms.DecimalField(
        label="Mark (%)", min_value=0, max_value=100, max_digits=5, decimal_places=1
    )
    comment = forms.CharField(
        required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 3})
    )


@instructor_required
@require_GET
def essays(request: HttpRequest, course: str, slug: str) -> HttpResponse:
    """The quiz's essays that wait for a mark, oldest first, each with its form."""
    quiz = quiz_for_instructor(request, course, slug)
    waiting = [(r, EssayMarkForm(prefix=str(r.pk))) for r in essays_to_mark(quiz)]
    return render(request, "quizzes/essays.html", {"quiz": quiz, "waiting": waiting})


@instructor_required
@require_POST
def essay_mark(request: HttpRequest, course: str, slug: str, response: int) -> HttpResponse:
    quiz = quiz_for_instructor(request, course, slug)
    found = get_object_or_404(essays_to_mark(quiz), pk=response)
    form = EssayMarkForm(request.POST, prefix=str(found.pk))
    if form.is_valid():
        mark_essay(
            found,
            float(form.cleaned_data["mark"]) / 100,
            form.cleaned_data["comment"].strip(),
            request.user,
            timezone.now(),
        )
        messages.success(request, f"Marked {found.attempt.learner.get_username()}'s essay.")
    else:
        errors = "; ".join(" ".join(e) for e in form.errors.values())
        messages.error(request, f"Not marked: {errors}")
    return redirect("essays", course=quiz.course.slug, slug=quiz.slug)

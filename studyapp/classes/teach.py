"""A teacher's classes: making one, its join code, its roster and its assignments. Every
view is for instructors (403 for anyone else), of a class of a course they teach (404
for any other); co-teachers of its courses share it."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from studyapp.accounts.access import instructor_required
from studyapp.classes.access import classroom_for_instructor
from studyapp.classes.membership import new_code
from studyapp.classes.models import Assignment, Classroom, Membership
from studyapp.courses.models import Course, Topic
from studyapp.quizzes.models import Quiz


class ClassForm(forms.ModelForm):
    class Meta:
        model = Classroom
        fields = ["name", "courses", "joining_open"]
        widgets = {"courses": forms.CheckboxSelectMultiple}
        help_texts = {"courses": "What the class studies: courses you teach."}

    def __init__(self, *args, teacher, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # The choices are the permission: only courses this instructor teaches.
        self.fields["courses"].queryset = Course.objects.taught_by(teacher)


@instructor_required
@require_http_methods(["GET", "POST"])
def class_new(request: HttpRequest) -> HttpResponse:
    form = ClassForm(request.POST or None, teacher=request.user)
    if request.method == "POST" and form.is_valid():
        classroom = form.save()
        messages.success(request, f"“{classroom.name}” is made. Its learners join with its code.")
        return redirect("class_manage", pk=classroom.pk)
    return render(request, "classes/class_new.html", {"form": form})


def _class_page(request: HttpRequest, classroom: Classroom, form: ClassForm) -> HttpResponse:
    members = classroom.members.select_related("learner").order_by("learner__username")
    assignments = classroom.assignments.select_related("topic__course", "quiz__course")
    context = {
        "classroom": classroom,
        "form": form,
        "members": members,
        "assignments": assignments,
        "assignment_form": AssignmentForm(classroom=classroom),
        "join_url": request.build_absolute_uri(reverse("join_link", args=[classroom.join_code])),
    }
    return render(request, "classes/class_manage.html", context)


@instructor_required
@require_http_methods(["GET", "POST"])
def class_manage(request: HttpRequest, pk: int) -> HttpResponse:
    classroom = classroom_for_instructor(request, pk)
    form = ClassForm(request.POST or None, instance=classroom, teacher=request.user)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            # A co-teacher of one course must not drop the class's other courses, which
            # they cannot see among the choices: those stay.
            hidden = classroom.courses.exclude(pk__in=form.fields["courses"].queryset)
            kept = list(hidden)
            classroom = form.save()
            classroom.courses.add(*kept)
        messages.success(request, "The class's settings are saved.")
        return redirect("class_manage", pk=classroom.pk)
    return _class_page(request, classroom, form)


@instructor_required
@require_http_methods(["GET"])
def class_code(request: HttpRequest, pk: int) -> HttpResponse:
    """The join code, big, for a projector."""
    classroom = classroom_for_instructor(request, pk)
    join_url = request.build_absolute_uri(reverse("join_link", args=[classroom.join_code]))
    return render(
        request, "classes/class_code.html", {"classroom": classroom, "join_url": join_url}
    )


@instructor_required
@require_POST
def class_new_code(request: HttpRequest, pk: int) -> HttpResponse:
    classroom = classroom_for_instructor(request, pk)
    code = new_code(classroom)
    messages.success(request, f"The new join code is {code}; the old one no longer works.")
    return redirect("class_manage", pk=classroom.pk)


@instructor_required
@require_POST
def class_remove(request: HttpRequest, pk: int, learner: int) -> HttpResponse:
    """Take a learner out of the class; their own history stays theirs."""
    classroom = classroom_for_instructor(request, pk)
    membership = get_object_or_404(Membership, classroom=classroom, learner_id=learner)
    name = membership.learner.get_username()
    membership.delete()
    messages.success(request, f"{name} is no longer in the class.")
    return redirect("class_manage", pk=classroom.pk)


class AssignmentForm(forms.ModelForm):
    """A topic to study or a quiz to take, of the class's courses, by a date."""

    work = forms.ChoiceField(label="Assign")

    class Meta:
        model = Assignment
        fields = ["due_at", "opens_at", "closes_at"]
        widgets = {
            "due_at": forms.DateTimeInput(attrs={"type": "datetime-local"}),
            "opens_at": forms.DateTimeInput(attrs={"type": "datetime-local"}),
            "closes_at": forms.DateTimeInput(attrs={"type": "datetime-local"}),
        }
        help_texts = {
            "opens_at": "A quiz only: when learners may start it (empty: now).",
            "closes_at": "A quiz only: when it stops taking attempts (empty: never).",
        }

    def __init__(self, *args, classroom: Classroom, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        courses = classroom.courses.all()
        self.topics = {
            f"topic-{t.pk}": t for t in Topic.objects.filter(course__in=courses).order_by("order")
        }
        self.quizzes = {
            f"quiz-{q.pk}": q
            for q in Quiz.objects.filter(course__in=courses, retired_at__isnull=True)
        }
        self.fields["work"].choices = [
            ("Study a topic", [(key, t.title) for key, t in self.topics.items()]),
            ("Take a quiz", [(key, q.title) for key, q in self.quizzes.items()]),
        ]

    def clean(self) -> dict:
        data = super().clean()
        key = data.get("work", "")
        self.instance.topic = self.topics.get(key)
        self.instance.quiz = self.quizzes.get(key)
        opens, closes = data.get("opens_at"), data.get("closes_at")
        if self.instance.topic and (opens or closes):
            self.add_error("opens_at", "Only a quiz opens and closes at set times.")
        if opens and closes and closes <= opens:
            self.add_error("closes_at", "A quiz closes after it opens.")
        return data


@instructor_required
@require_POST
def assignment_new(request: HttpRequest, pk: int) -> HttpResponse:
    classroom = classroom_for_instructor(request, pk)
    form = AssignmentForm(request.POST, classroom=classroom)
    form.instance.classroom = classroom
    if form.is_valid():
        form.save()
        messages.success(request, "Assigned.")
        return redirect("class_manage", pk=classroom.pk)
    problems = "; ".join(
        f"{form.fields[name].label if name in form.fields else 'Assignment'}: {' '.join(errors)}"
        for name, errors in form.errors.items()
    )
    messages.error(request, f"Nothing was assigned. {problems}")
    return redirect("class_manage", pk=classroom.pk)


@instructor_required
@require_POST
def assignment_delete(request: HttpRequest, pk: int, assignment: int) -> HttpResponse:
    classroom = classroom_for_instructor(request, pk)
    get_object_or_404(Assignment, pk=assignment, classroom=classroom).delete()
    messages.success(request, "The assignment is removed.")
    return redirect("class_manage", pk=classroom.pk)

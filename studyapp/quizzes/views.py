"""Taking quizzes: the list, a quiz's page, an attempt, answering and finishing."""

from __future__ import annotations

import random

from django.contrib import messages
from django.db.models import Count, Max, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.defaultfilters import pluralize
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST
from django_htmx.http import HttpResponseClientRedirect

from studyapp.accounts.access import instructor_required
from studyapp.classes.windows import Window
from studyapp.courses.models import Course
from studyapp.quizzes import attempts
from studyapp.quizzes.access import quiz_for_instructor, quiz_for_learner
from studyapp.quizzes.grading import AnswerError
from studyapp.quizzes.marking import with_pending_marks
from studyapp.quizzes.models import Attempt, Quiz


@require_GET
def quiz_list(request: HttpRequest) -> HttpResponse:
    quizzes = (
        Quiz.objects.filter(course__in=Course.objects.visible_to(request.user).values("pk"))
        .filter(retired_at__isnull=True)
        .select_related("course", "topic")
        .annotate(
            # distinct: the join with attempts would otherwise count each question again.
            question_count=Count(
                "questions", filter=Q(questions__retired_at__isnull=True), distinct=True
            ),
            best=Max(
                "attempts__score",
                filter=Q(attempts__learner=request.user, attempts__finished_at__isnull=False),
            ),
        )
        .order_by("course__title", "topic__order", "title")
    )
    return render(request, "quizzes/list.html", {"quizzes": quizzes})


@require_GET
def quiz_detail(request: HttpRequest, course: str, slug: str) -> HttpResponse:
    quiz = quiz_for_learner(request, course, slug)
    mine = Attempt.objects.filter(learner=request.user, quiz=quiz).order_by("number")
    mine = with_pending_marks(mine)
    context = {
        "quiz": quiz,
        "teaches": quiz.course.teaching.filter(instructor=request.user).exists(),
        "attempts": mine,
        "open": next((a for a in mine if a.finished_at is None), None),
        "left": attempts.attempts_left(request.user, quiz),
        "question_count": quiz.questions.active().count(),
    }
    return render(request, "quizzes/detail.html", context)


@require_POST
def quiz_start(request: HttpRequest, course: str, slug: str) -> HttpResponse:
    quiz = quiz_for_learner(request, course, slug)
    now, window = timezone.now(), Window(request.user, quiz)
    if problem := window.problem(now):
        messages.error(request, problem)
        return redirect(quiz)
    try:
        attempt = attempts.start(
            request.user, quiz, now, random.Random(), closes_at=window.closes(now)
        )
    except attempts.AttemptError as error:
        messages.error(request, str(error))
        return redirect(quiz)
    return redirect("attempt", pk=attempt.pk)


def _attempt_for(request: HttpRequest, pk: int) -> Attempt:
    """The learner's own attempt, or 404: nobody sees or answers another's attempt."""
    mine = Attempt.objects.select_related("quiz__course").filter(learner=request.user)
    return get_object_or_404(mine, pk=pk)


def _expire(attempt: Attempt) -> None:
    """Finish a timed attempt whose time is up, so every page shows it as finished."""
    if attempt.finished_at is None and attempt.deadline and timezone.now() > attempt.deadline:
        attempts.finish(attempt, attempt.deadline)


def _attempt_context(attempt: Attempt, all_slots: list[attempts.Slot]) -> dict:
    left = None
    if attempt.deadline and attempt.finished_at is None:
        # The countdown counts from what the server says is left, not from the
        # browser's clock, which may be set wrong.
        left = max(0, int((attempt.deadline - timezone.now()).total_seconds()))
    return {
        "seconds_left": left,
        "attempt": attempt,
        "quiz": attempt.quiz,
        "slots": all_slots,
        "reveal": attempts.reveals_answers(attempt),
        "awaiting_marking": attempt.responses.filter(fraction__isnull=True).exists(),
        "unanswered": [s for s in all_slots if s.number is not None and s.response is None],
    }


@require_GET
def attempt_page(request: HttpRequest, pk: int) -> HttpResponse:
    attempt = _attempt_for(request, pk)
    _expire(attempt)
    context = _attempt_context(attempt, attempts.slots(attempt))
    # "Finish" with questions unanswered comes back here to ask whether to finish anyway.
    context["confirm_finish"] = request.GET.get("confirm") == "finish" and bool(
        context["unanswered"]
    )
    return render(request, "quizzes/attempt.html", context)


@require_POST
def attempt_answer(request: HttpRequest, pk: int, question_id: int) -> HttpResponse:
    """One question's answer: practice's "Check", and a test's answer saved as the
    learner chooses it (htmx, on change)."""
    attempt = _attempt_for(request, pk)
    slot = next((s for s in attempts.slots(attempt) if s.question.pk == question_id), None)
    if slot is None:
        messages.error(request, "That question is not part of this attempt.")
        return redirect("attempt", pk=attempt.pk)
    fields = attempts.fields_for(slot, request.POST)
    autosave = attempt.mode == Quiz.Mode.TEST and request.htmx
    error = None
    try:
        if autosave and attempts.left_blank(fields):
            attempts.withdraw(attempt, slot, timezone.now())
        else:
            attempts.answer(attempt, slot, fields, timezone.now())
    except (AnswerError, attempts.AttemptError) as problem:
        error = str(problem)
    if request.htmx and attempt.finished_at is not None:
        # Time ran out: the whole page changes, so send the browser to it.
        messages.error(request, error or "This attempt is finished.")
        return HttpResponseClientRedirect(reverse("attempt", args=[attempt.pk]))
    if request.htmx:
        slot.response = attempt.responses.filter(question=slot.question).first()
        context = {
            "attempt": attempt,
            "slot": slot,
            "error": error,
            "reveal": attempts.reveals_answers(attempt),
        }
        if autosave:  # only the question's status (and its place in the list) change
            context["saved_at"] = None if error else timezone.now()
            return render(request, "quizzes/attempt.html#autosaved", context)
        return render(request, "quizzes/attempt.html#question", context)
    if error:
        messages.error(request, error)
    elif attempt.mode == Quiz.Mode.TEST:
        messages.success(request, "Answer saved.")
    return redirect(reverse("attempt", args=[attempt.pk]) + f"#q-{slot.question.pk}")


@require_POST
def attempt_save(request: HttpRequest, pk: int) -> HttpResponse:
    """A test's whole form: "Save all", or "Finish", which saves everything first, so
    an answer chosen but not yet saved is never lost. Finishing with questions
    unanswered asks first; an answer that cannot be read stops the finish."""
    attempt = _attempt_for(request, pk)
    all_slots = attempts.slots(attempt)
    then = request.POST.get("then", "save")
    try:
        result = attempts.save_all(attempt, all_slots, request.POST, timezone.now())
    except attempts.AttemptError as problem:
        messages.error(request, str(problem))
        return redirect("attempt", pk=attempt.pk)
    if result.errors:
        # Shown again with what the learner wrote, so that nothing typed is lost.
        all_slots = attempts.slots(attempt)
        for slot in all_slots:
            if slot.question.pk in result.errors:
                slot.error = result.errors[slot.question.pk]
                slot.draft = attempts.fields_for(slot, request.POST)
        context = _attempt_context(attempt, all_slots)
        n = len(result.errors)
        context["form_error"] = (
            f"{n} answer{pluralize(n)} could not be saved (marked below); "
            f"{'nothing was finished' if then != 'save' else 'the others were'}."
        )
        return render(request, "quizzes/attempt.html", context, status=422)
    if then == "finish" and result.unanswered:
        return redirect(reverse("attempt", args=[attempt.pk]) + "?confirm=finish#finish")
    if then in ("finish", "finish-anyway"):
        attempts.finish(attempt, min(timezone.now(), attempt.deadline or timezone.now()))
        messages.success(request, "Attempt finished.")
        return redirect("attempt", pk=attempt.pk)
    saved = result.saved + result.cleared
    messages.success(request, f"Saved: {saved} answer{pluralize(saved)}." if saved else "Saved.")
    return redirect("attempt", pk=attempt.pk)


@require_POST
def attempt_finish(request: HttpRequest, pk: int) -> HttpResponse:
    attempt = _attempt_for(request, pk)
    if attempt.finished_at is None:
        attempts.finish(attempt, min(timezone.now(), attempt.deadline or timezone.now()))
        messages.success(request, "Attempt finished.")
    return redirect("attempt", pk=attempt.pk)


@require_POST
@instructor_required
def quiz_regrade(request: HttpRequest, course: str, slug: str) -> HttpResponse:
    """Mark every attempt at the quiz again under its current answer key (its teachers)."""
    quiz = quiz_for_instructor(request, course, slug)
    done = attempts.regrade(quiz)
    summary = (
        f"Marked again: {done.attempts} attempt{pluralize(done.attempts)} changed score "
        f"({done.responses} answer{pluralize(done.responses)} changed mark)."
    )
    if request.htmx:
        context = {"quiz": quiz, "teaches": True, "regraded": summary}
        return render(request, "quizzes/detail.html#regrade", context)
    messages.success(request, summary)
    return redirect(quiz)

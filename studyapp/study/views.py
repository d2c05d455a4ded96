"""The reviewer (one card at a time, graded with 1-4, undone with u) and a learner's own
progress page."""

from __future__ import annotations

import functools
from collections.abc import Mapping
from datetime import datetime, timedelta

from django import forms
from django.contrib import messages
from django.contrib.auth.models import AbstractBaseUser
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import get_script_prefix, reverse
from django.utils import timezone
from django.utils.http import content_disposition_header, urlencode
from django.views.decorators.http import require_GET, require_POST
from django_htmx.http import reswap, retarget

from studyapp.accounts.models import profile_for
from studyapp.courses.access import course_for_learner, topic_for_learner
from studyapp.courses.models import Card, Course, Topic
from studyapp.study import fitting, marks, scheduling
from studyapp.study.charts import forecast_chart, heatmap_squares
from studyapp.study.counts import counts_and_next_card, scope_counts
from studyapp.study.models import CardMark, CardState, MarkLog, ParameterFit
from studyapp.study.progress import CELL, heatmap_cells, monthly_totals, progress_for
from studyapp.study.reviewer import (
    GradeError,
    grade,
    memory_of,
    time_studied,
    token_for,
)
from studyapp.study.tables import topic_rows

RATING_LABELS = {1: "Again", 2: "Hard", 3: "Good", 4: "Easy"}


class GradeForm(forms.Form):
    card = forms.IntegerField(min_value=1)
    token = forms.CharField(max_length=200)
    rating = forms.IntegerField()
    duration_ms = forms.IntegerField(min_value=0, max_value=24 * 3600 * 1000, required=False)


def _grade_posted(posted: Mapping) -> tuple[dict, list[str]]:
    """GradeForm's cleaned data and the names of its fields in error, read by its fields
    as declared: a form of its own for each grade deep-copies them first (42 us a grade,
    against 7 so; the reviewer posts one with every card)."""
    data, errors = {}, []
    for name, field in GradeForm.base_fields.items():
        try:
            data[name] = field.clean(field.widget.value_from_datadict(posted, None, name))
        except forms.ValidationError:
            errors.append(name)
    return data, errors


_SLUG = forms.SlugField(required=False, allow_unicode=True)
Scope = tuple[str | None, str | None]  # (course slug, topic slug): what is being studied


def _posted_scope(request: HttpRequest) -> Scope:
    """Return the course and topic a write came from, to go back to them; a value that is
    not a slug counts as none."""

    def slug(name: str) -> str | None:
        try:
            return _SLUG.clean(request.POST.get(name, "")) or None
        except forms.ValidationError:
            return None

    course, topic = slug("course"), slug("topic")
    return (course, topic if course else None)


def _study_url(scope: Scope, **query: object) -> str:
    course, topic = scope
    if topic:
        url = _url("study_topic", course, topic)
    elif course:
        url = _url("study_course", course)
    else:
        url = _url("study")
    return f"{url}?{urlencode(query)}" if query else url


def _url(name: str, *args: str) -> str:
    """reverse(), remembered: the reviewer's addresses (the forms' and the answer link's)
    are reversed for every card it shows, and reversing them was a twentieth of the
    card's answer. Kept apart for each script prefix, which reverse() puts in front."""
    return _reversed(get_script_prefix(), name, args)


@functools.lru_cache(maxsize=1024)
def _reversed(prefix: str, name: str, args: tuple[str, ...]) -> str:
    return reverse(name, args=args)


def _chosen(
    request: HttpRequest, query: Mapping, course: Course | None, topic: Topic | None
) -> tuple[Card, CardState | None] | None:
    """Return the card named by ?card= (the one just undone), or None when none is named.

    A card the learner may not study (another learner's card from a missed question, a
    retired card, one of another course or topic) is a 404, the same as a card that does
    not exist.
    """
    try:
        pk = int(query.get("card", ""))
    except ValueError:
        return None
    cards = Card.objects.active().visible_to(request.user).select_related("topic")
    if topic is not None:
        cards = cards.filter(topic=topic)
    elif course is not None:
        cards = cards.filter(course=course)
    card = get_object_or_404(cards, pk=pk)
    return card, CardState.objects.filter(learner=request.user, card=card).first()


@require_GET
def review(
    request: HttpRequest, course: str | None = None, slug: str | None = None
) -> HttpResponse:
    return _review(request, course, slug, request.GET)


def _review(
    request: HttpRequest,
    course: str | None,
    slug: str | None,
    query: Mapping,
    taking_new: bool = False,
) -> HttpResponse:
    """The reviewer's page (or, for htmx, its card) for a scope: ?card= names the card
    just undone, ?answer=1 shows its answer (the link that does so without JavaScript)."""
    topic = topic_for_learner(request, course, slug) if slug else None
    found = topic.course if topic else course_for_learner(request, course) if course else None
    scope = (found.slug if found else None, topic.slug if topic else None)
    profile = profile_for(request.user)
    now = timezone.now()
    htmx = bool(request.htmx)  # read once: each read parses the header again
    # What is left today, here: shown above the card and updated after each grade; and
    # the card, in the same statement unless the card is named (the one just undone).
    chosen = _chosen(request, query, found, topic)
    if chosen is None:
        today, left, card, state = counts_and_next_card(
            request.user, profile, now, topic=topic, course=found, taking_new=taking_new
        )
    else:
        today, left = scope_counts(request.user, profile, now, topic=topic, course=found)
        card, state = chosen
    context = {
        "course": found,
        "topic": topic,
        # The slugs the forms send back ("" for none): one look-up each in the template.
        "scope": {"course": scope[0] or "", "topic": scope[1] or ""},
        "plain_forms": not htmx,  # forms that may be sent without htmx
        "today": today,
        "card": card,
        "left": left,
        "undo_url": _url("undo"),
    }
    if card is None:
        upcoming = CardState.objects.filter(learner=request.user, card__retired_at__isnull=True)
        if topic is not None:
            upcoming = upcoming.filter(card__topic=topic)
        elif found is not None:
            upcoming = upcoming.filter(card__course=found)
        context["next_due"] = upcoming.order_by("due").values_list("due", flat=True).first()
        context["time_today"] = _spoken(time_studied(request.user, today))
    else:
        intervals = scheduling.preview(
            memory_of(state), now, profile.desired_retention, profile.parameters
        )
        context |= {
            "token": token_for(request.user, card, state),
            "show_answer": str(query.get("answer", "")) == "1",
            "answer_url": _study_url(scope, card=card.pk, answer=1),
            "grade_url": _url("grade"),
            "mark_url": _url("mark_card"),
            # Each grade's next interval, by its button's name (written out in the card).
            "intervals": {
                RATING_LABELS[r].lower(): scheduling.format_interval(i)
                for r, i in intervals.items()
            },
            "is_new": state is None,
            "flag": CardMark.Flag(_flag_of(request.user, card)),
            # Which count the card is from, underlined as in Anki.
            "from_count": "new"
            if state is None
            else "due"
            if state.phase == scheduling.Phase.REVIEW
            else "learning",
        }
    template = "study/review.html#card" if htmx else "study/review.html"
    return render(request, template, context)


def _spoken(spent: timedelta) -> str:
    """A time spent as a person says it: "40 s", "12 min", "1 h 5 min"."""
    seconds = round(spent.total_seconds())
    if seconds < 60:
        return f"{seconds} s"
    hours, minutes = divmod(round(seconds / 60), 60)
    return f"{hours} h {minutes} min" if hours else f"{minutes} min"


def _flag_of(learner: AbstractBaseUser, card: Card) -> int:
    """The card's flag: next_card brings it with the card; a card named by ?card= (the
    one just undone) has it read."""
    if hasattr(card, "flag"):
        return card.flag
    marks_of_card = CardMark.objects.filter(learner=learner, card=card)
    return marks_of_card.values_list("flag", flat=True).first() or 0


def _done(
    request: HttpRequest, scope: Scope, taking_new: bool = False, **query: object
) -> HttpResponse:
    """After a write (a grade, an undo, a card action): a plain form follows a redirect to
    the reviewer; htmx gets the card to show next in the same answer, put in place of the
    card, so that a card costs the learner one round trip and the server one request, not
    a write and then a fetch (bench/load.py)."""
    if request.htmx:
        course, topic = scope
        response = _review(request, course, topic, query, taking_new)
        return reswap(retarget(response, "#card"), "outerHTML")
    return redirect(_study_url(scope, **query))


@require_POST
def grade_card(request: HttpRequest) -> HttpResponse:
    data, errors = _grade_posted(request.POST)
    scope = _posted_scope(request)
    if errors:
        fields = ", ".join(errors)
        messages.error(request, f"That grade could not be read ({fields}); nothing was recorded.")
        return _done(request, scope)
    try:
        log = grade(
            request.user,
            profile_for(request.user),
            data["card"],
            data["token"],
            data["rating"],
            timezone.now(),
            data["duration_ms"],
        )
    except Card.DoesNotExist:
        raise Http404("No such card to study.") from None
    except GradeError as error:
        messages.warning(request, str(error))
        return _done(request, scope)
    # A new card graded: the next is likely new too (counts_and_next_card's hint).
    return _done(request, scope, taking_new=log.state_before is None)


@require_POST
def undo(request: HttpRequest) -> HttpResponse:
    """Undo the newest review or card action (bury, suspend, flag), as Anki's u does."""
    scope = _posted_scope(request)
    try:
        log = marks.undo_newest(request.user)
    except GradeError as error:
        messages.warning(request, str(error))
        return _done(request, scope)
    if log is None:
        messages.info(request, "There is nothing to undo.")
        return _done(request, scope)
    if isinstance(log, MarkLog):
        messages.success(request, f"{log.get_action_display()}: undone.")
    else:
        messages.success(request, "Review undone.")
    return _done(request, scope, card=log.card_id)


class MarkForm(forms.Form):
    card = forms.IntegerField(min_value=1)
    action = forms.ChoiceField(choices=MarkLog.Action.choices, required=False)
    flag = forms.TypedChoiceField(
        choices=CardMark.Flag.choices, coerce=int, required=False, empty_value=None
    )

    def clean(self) -> dict:
        data = super().clean()
        # A flag's button sends only the flag: one button carries one name and value.
        if not data.get("action"):
            if data.get("flag") is None:
                raise forms.ValidationError("Choose an action.", code="action")
            data["action"] = MarkLog.Action.FLAG
        return data


DONE_MESSAGES = {
    MarkLog.Action.BURY: "Buried until tomorrow.",
    MarkLog.Action.SUSPEND: "Suspended: it stays out of your reviews until you unsuspend "
    "it on its topic's page.",
    MarkLog.Action.UNSUSPEND: "Unsuspended: it is back in your reviews.",
}


@require_POST
def mark_card(request: HttpRequest) -> HttpResponse:
    """Anki's card actions: bury until tomorrow, suspend, unsuspend, flag; undone by u."""
    form = MarkForm(request.POST)
    scope = _posted_scope(request)
    if not form.is_valid():
        fields = ", ".join(name for name in form.errors if name != "__all__") or "action"
        messages.error(request, f"That card action could not be read ({fields}); nothing changed.")
        return _done(request, scope)
    data = form.cleaned_data
    try:
        log = marks.change(
            request.user,
            profile_for(request.user),
            data["card"],
            data["action"],
            timezone.now(),
            data["flag"],
        )
    except Card.DoesNotExist:
        raise Http404("No such card to study.") from None
    except marks.MarkError as error:
        messages.warning(request, str(error))
        return _done(request, scope)
    if log.action == MarkLog.Action.FLAG:
        flag = CardMark.Flag(data["flag"])
        messages.success(request, "Flag removed." if not flag else f"Flagged {flag.label.lower()}.")
        # The card stays, answer shown, to be graded.
        return _done(request, scope, card=log.card_id, answer=1)
    messages.success(request, DONE_MESSAGES[log.action])
    if request.POST.get("then") == "topic" and scope[1]:  # from the topic page's list
        return redirect("topic", *scope)
    return _done(request, scope)


FORECAST_BAR, FORECAST_HEIGHT = 16, 100


@require_GET
def progress(request: HttpRequest) -> HttpResponse:
    return render(request, "study/progress.html", progress_context(request.user, timezone.now()))


def progress_context(learner: AbstractBaseUser, now: datetime, read_only: bool = False) -> dict:
    """What the progress page shows of a learner: to them, or read-only to their class's
    teachers (studyapp/classes/report_views.py)."""
    data = progress_for(learner, profile_for(learner), now)
    cells = heatmap_cells(data.days, data.today)
    passed, total = data.retention
    return {
        "progress": data,
        "topic_rows": topic_rows(data, read_only),
        "squares": heatmap_squares(cells),
        "heat_width": (cells[-1].x + CELL) if cells else 0,
        "months": monthly_totals(data.days),
        # Each month's first day is named under the axis.
        "forecast": forecast_chart(
            data.forecast, FORECAST_BAR, FORECAST_HEIGHT, lambda day: day.day == 1
        ),
        "retention_passed": passed,
        "retention_total": total,
    }


@require_GET
def review_history(request: HttpRequest) -> HttpResponse:
    """The learner's reviews as CSV, as FSRS's optimizers read them."""
    response = HttpResponse(fitting.history_csv(request.user), content_type="text/csv")
    response["Content-Disposition"] = content_disposition_header(True, "reviews.csv")
    return response


@require_GET
def schedule(request: HttpRequest) -> HttpResponse:
    """The learner's FSRS parameters: the defaults or fitted to their reviews, the newest
    fits, and the buttons to fit again or to go back."""
    profile = profile_for(request.user)
    fits = list(ParameterFit.objects.filter(learner=request.user).order_by("-requested_at")[:5])
    context = {
        "profile": profile,
        "fits": fits,
        "reviews": fitting.history_count(request.user),
        "needed": scheduling.MIN_REVIEWS_TO_FIT,
        "waiting": any(f.status == ParameterFit.Status.QUEUED for f in fits),
        "can_undo": any(f.status == ParameterFit.Status.APPLIED for f in fits),
        "advice": next((f for f in fits if f.suggested_retention is not None), None),
        "parameters": ", ".join(f"{w:.4f}" for w in profile.parameters or ()),
    }
    return render(request, "study/schedule.html", context)


@require_POST
def schedule_fit(request: HttpRequest) -> HttpResponse:
    _, new = fitting.request_fit(request.user)
    if new:
        messages.success(
            request,
            "Fitting is queued: it runs in the background and takes a few seconds. "
            "Reload this page to see the result.",
        )
    else:
        messages.info(request, "A fit is already waiting for the background worker.")
    return redirect("schedule")


@require_POST
def schedule_retention(request: HttpRequest) -> HttpResponse:
    suggested = fitting.use_suggested_retention(request.user)
    if suggested is None:
        messages.info(request, "No fit has suggested a retention yet.")
    else:
        messages.success(request, f"Your cards are now scheduled for a retention of {suggested}.")
    return redirect("schedule")


@require_POST
def schedule_undo(request: HttpRequest) -> HttpResponse:
    if fitting.undo_fit(request.user) is None:
        messages.info(request, "There is no fit in use to undo.")
    else:
        messages.success(request, "The parameters from before the newest fit are back in use.")
    return redirect("schedule")

"""What a learner can study: the courses with their topics, a course, and each topic's
lesson and cards; and those cards as files for Anki, Quizlet or Obsidian."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.text import slugify
from django.views.decorators.http import require_GET

from studyapp.accounts.models import profile_for
from studyapp.classes.models import Classroom
from studyapp.classes.reports import learner_work
from studyapp.courses import card_exports
from studyapp.courses.access import course_for_learner, topic_for_learner
from studyapp.courses.models import Card, Course, Section, Topic
from studyapp.study.counts import day_counts
from studyapp.study.models import CardMark
from studyapp.study.progress import streak_for


def _topics_by_course(courses: list[Course]) -> dict[int, list[Topic]]:
    topics = Topic.objects.with_card_counts().filter(course__in=courses).order_by("order", "title")
    grouped: dict[int, list[Topic]] = {course.pk: [] for course in courses}
    by_pk = {course.pk: course for course in courses}
    for topic in topics:
        topic.course = by_pk[topic.course_id]
        grouped[topic.course_id].append(topic)
    return grouped


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    """Anki's deck list: the courses this person can study, each topic with today's
    New · Learning · Due, one "Study now" for all, their assignments and their streak."""
    now = timezone.now()
    profile = profile_for(request.user)
    counts = day_counts(request.user, profile, now)
    today = counts.today
    courses = list(Course.objects.visible_to(request.user).order_by("title"))
    grouped = _topics_by_course(courses)
    decks = []
    for course in courses:
        topics = [(topic, counts.topic(course.pk, topic.pk)) for topic in grouped[course.pk]]
        missed = counts.topic(course.pk, None)  # missed quiz questions of no topic
        decks.append((course, counts.course(course.pk), topics, missed))
    context = {
        "decks": decks,
        "total": counts.all(),
        "streak": streak_for(request.user, today.day),
        "work": learner_work(request.user, now),
        "classes": Classroom.objects.filter(members__learner=request.user).order_by("name"),
    }
    return render(request, "courses/home.html", context)


@require_GET
def course(request: HttpRequest, course: str) -> HttpResponse:
    found = course_for_learner(request, course)
    quizzes = found.quizzes.filter(retired_at__isnull=True).select_related("topic")
    quizzes = quizzes.order_by("topic__order", "title")
    for quiz in quizzes:
        quiz.course = found
    context = {
        "course": found,
        "topics": _topics_by_course([found])[found.pk],
        "quizzes": quizzes,
    }
    return render(request, "courses/course.html", context)


@require_GET
def topic(request: HttpRequest, course: str, slug: str) -> HttpResponse:
    topic = topic_for_learner(request, course, slug)
    sections = list(Section.objects.filter(lesson__topic=topic).select_related("lesson"))
    cards = Card.objects.active().visible_to(request.user).filter(topic=topic)
    cards = cards.select_related("section")
    # ?section=<id> narrows the card list; htmx swaps just that list in place.
    chosen = next((s for s in sections if str(s.pk) == request.GET.get("section")), None)
    if chosen is not None:
        cards = cards.filter(section=chosen)
    cards = list(cards)
    # The learner's own marks: a suspended card is listed with a way to unsuspend it.
    marks = CardMark.objects.filter(learner=request.user, card__in=[c.pk for c in cards])
    marked = {m.card_id: m for m in marks}
    for card in cards:
        card.mark = marked.get(card.pk)
    context = {
        "topic": topic,
        "lessons": topic.lessons.all(),
        "sections": sections,
        "chosen": chosen,
        "cards": cards,
        "suspended": sum(1 for m in marked.values() if m.suspended),
    }
    template = "courses/topic.html#cards" if request.htmx else "courses/topic.html"
    return render(request, template, context)


def _cards_file(request: HttpRequest, cards: list, name: str) -> HttpResponse:
    """The cards in the format ?format= names, as a file to save."""
    found = card_exports.FORMATS.get(request.GET.get("format", ""))
    if found is None:
        raise Http404("No such export format.")
    response = HttpResponse(found.write(cards), content_type=found.content_type)
    filename = f"{slugify(name) or 'cards'}.{found.extension}"
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response


@require_GET
def course_cards(request: HttpRequest, course: str) -> HttpResponse:
    found = course_for_learner(request, course)
    return _cards_file(request, card_exports.course_cards(found), found.slug)


@require_GET
def topic_cards(request: HttpRequest, course: str, slug: str) -> HttpResponse:
    found = topic_for_learner(request, course, slug)
    name = f"{found.course.slug}-{found.slug}"
    return _cards_file(request, card_exports.topic_cards(found), name)


@require_GET
def my_cards(request: HttpRequest) -> HttpResponse:
    """Every card this person has studied, their missed questions' included."""
    cards = card_exports.learner_cards(request.user)
    return _cards_file(request, cards, f"{request.user.get_username()}-cards")

"""The course: the list of topics, and each topic's lesson and cards."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET

from studyapp.courses.models import Card, Section, Topic


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    topics = Topic.objects.with_card_counts().order_by("order", "title")
    return render(request, "courses/home.html", {"topics": topics})


@require_GET
def topic(request: HttpRequest, slug: str) -> HttpResponse:
    topic = get_object_or_404(Topic, slug=slug)
    sections = list(Section.objects.filter(lesson__topic=topic).select_related("lesson"))
    cards = Card.objects.active().visible_to(request.user).filter(topic=topic)
    cards = cards.select_related("section")
    # ?section=<id> narrows the card list; htmx swaps just that list in place.
    chosen = next((s for s in sections if str(s.pk) == request.GET.get("section")), None)
    if chosen is not None:
        cards = cards.filter(section=chosen)
    context = {
        "topic": topic,
        "lessons": topic.lessons.all(),
        "sections": sections,
        "chosen": chosen,
        "cards": list(cards),
    }
    template = "courses/topic.html#cards" if request.htmx else "courses/topic.html"
    return render(request, template, context)

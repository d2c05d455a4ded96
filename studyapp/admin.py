from django.contrib import admin

from studyapp.accounts.models import Profile
from studyapp.courses.models import Card, Course, Lesson, Section, Teaching, Topic


class TeachingInline(admin.TabularInline):
    model = Teaching
    extra = 1
    autocomplete_fields = ["instructor"]


@admin.register(Course)
class CourseAdmin(admin.ModelAdmin):
    list_display = ["title", "slug", "visibility"]
    inlines = [TeachingInline]


@admin.register(Topic)
class TopicAdmin(admin.ModelAdmin):
    list_display = ["title", "course", "slug", "order"]
    list_filter = ["course"]


@admin.register(Lesson)
class LessonAdmin(admin.ModelAdmin):
    list_display = ["title", "topic", "source", "imported_at"]
    list_filter = ["topic"]


@admin.register(Section)
class SectionAdmin(admin.ModelAdmin):
    list_display = ["title", "lesson", "anchor", "order"]


@admin.register(Card)
class CardAdmin(admin.ModelAdmin):
    list_display = ["key", "topic", "kind", "line", "retired_at"]
    list_filter = ["topic", "kind"]
    # Learners' states copy their card's topic and course (CardState.topic), which the
    # reviewer and the reports read: a card changes topic only through its notes.
    readonly_fields = ["course", "topic", "kind", "learner"]


@admin.register(Profile)
class ProfileAdmin(admin.ModelAdmin):
    """A site admin makes someone an instructor here, by their role."""

    list_display = ["user", "role"]
    list_editable = ["role"]
    list_filter = ["role"]
    search_fields = ["user__username", "user__email"]

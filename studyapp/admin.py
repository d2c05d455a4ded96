from django.contrib import admin

from studyapp.accounts.models import Profile
from studyapp.courses.models import Card, Lesson, Section, Topic


@admin.register(Topic)
class TopicAdmin(admin.ModelAdmin):
    list_display = ["title", "slug", "order"]


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


@admin.register(Profile)
class ProfileAdmin(admin.ModelAdmin):
    list_display = ["user", "role"]

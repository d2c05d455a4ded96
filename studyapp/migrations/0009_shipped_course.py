"""Content that was global becomes the shipped course's (courses.models.SHIPPED_COURSE).

Every topic, lesson, card and quiz keeps its row and id, so every learner's states,
reviews and attempts stay as they were. Whoever uploaded a quiz becomes an instructor of
the course, so they still manage it. A database with no content yet gets no course: the
first import makes it.
"""

from django.db import migrations

SHIPPED = {"slug": "cloud-fundamentals", "title": "Cloud fundamentals"}


def into_the_shipped_course(apps, schema_editor):
    Course = apps.get_model("studyapp", "Course")
    Teaching = apps.get_model("studyapp", "Teaching")
    models = [apps.get_model("studyapp", name) for name in ("Topic", "Lesson", "Card", "Quiz")]
    if not any(model.objects.exists() for model in models):
        return
    course, _ = Course.objects.get_or_create(slug=SHIPPED["slug"], defaults=SHIPPED)
    for model in models:
        model.objects.filter(course__isnull=True).update(course=course)
    Quiz = apps.get_model("studyapp", "Quiz")
    for owner in (
        Quiz.objects.filter(owner__isnull=False).values_list("owner", flat=True).distinct()
    ):
        Teaching.objects.get_or_create(course=course, instructor_id=owner)


class Migration(migrations.Migration):
    # Its own migration: PostgreSQL refuses 0008's deferred schema changes in a transaction
    # that has already changed rows (as 0005 explains).
    dependencies = [("studyapp", "0008_courses")]

    operations = [migrations.RunPython(into_the_shipped_course, migrations.RunPython.noop)]

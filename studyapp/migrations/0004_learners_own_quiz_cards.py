"""Cards from missed quiz questions get a learner: the schema (0005 moves the rows)."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("studyapp", "0003_quizzes"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="card",
            name="learner",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="own_cards",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.AlterField(
            model_name="card",
            name="kind",
            field=models.CharField(
                choices=[
                    ("basic", "Basic"),
                    ("reversed", "Reversed"),
                    ("cloze", "Cloze"),
                    ("from-quiz", "From a question you missed"),
                ],
                max_length=20,
            ),
        ),
        migrations.AlterField(
            model_name="card",
            name="question",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="cards",
                to="studyapp.question",
            ),
        ),
        migrations.AddConstraint(
            model_name="card",
            constraint=models.UniqueConstraint(
                condition=models.Q(("question__isnull", False)),
                fields=("question", "learner"),
                name="card_one_per_question_and_learner",
            ),
        ),
    ]

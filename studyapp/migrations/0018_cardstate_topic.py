"""Each card state gets its card's topic (CardState.topic), and the indexes the class
report reads instead of looking up each state's card.

Additive first: the column and the new indexes come before the old index goes. States
that old code writes during a rolling restart have no topic until their next review
writes it (studyapp/study/reviewer.py saves it with every state).
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def copy_topics(apps, schema_editor):
    CardState = apps.get_model("studyapp", "CardState")
    Card = apps.get_model("studyapp", "Card")
    states, cards = CardState._meta.db_table, Card._meta.db_table
    quote = schema_editor.quote_name
    schema_editor.execute(
        f"UPDATE {quote(states)} SET topic_id = (SELECT c.topic_id FROM {quote(cards)} c"
        f" WHERE c.id = {quote(states)}.card_id)"
    )


class Migration(migrations.Migration):
    dependencies = [
        ("studyapp", "0017_retention_advice"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="cardstate",
            name="topic",
            field=models.ForeignKey(
                blank=True,
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to="studyapp.topic",
            ),
        ),
        migrations.RunPython(copy_topics, migrations.RunPython.noop),
        migrations.AddIndex(
            model_name="cardstate",
            index=models.Index(fields=["learner", "due", "topic", "card"], name="cardstate_due"),
        ),
        migrations.AddIndex(
            model_name="cardstate",
            index=models.Index(
                fields=["learner", "topic", "card", "due", "stability", "last_review"],
                name="cardstate_report",
            ),
        ),
        migrations.RemoveIndex(model_name="cardstate", name="cardstate_learner_due"),
    ]

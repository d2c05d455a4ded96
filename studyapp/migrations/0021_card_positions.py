from django.db import migrations, models


def number_cards(apps, schema_editor):
    """Each topic's cards by lesson file, then line, then age, as the reviewer brought
    new cards before (courses/notes_import.number_cards keeps them so)."""
    Card = apps.get_model("studyapp", "Card")
    cards = Card.objects.exclude(kind="from-quiz").exclude(topic=None)
    rows = sorted(
        cards.values_list("topic_id", "lesson__source", "line", "pk"),
        key=lambda row: (row[0], row[1] or "", row[2], row[3]),
    )
    numbered, topic, number = [], None, 0
    for topic_id, _, _, pk in rows:
        number = number + 1 if topic_id == topic else 0
        topic = topic_id
        numbered.append(Card(pk=pk, position=number))
    Card.objects.bulk_update(numbered, ["position"], batch_size=1000)


class Migration(migrations.Migration):
    dependencies = [
        ("studyapp", "0020_reviewlog_undo_index"),
    ]

    operations = [
        migrations.AddField(
            model_name="card",
            name="position",
            field=models.PositiveIntegerField(db_default=0, default=0),
        ),
        migrations.RunPython(number_cards, migrations.RunPython.noop),
        migrations.AddIndex(
            model_name="card",
            index=models.Index(fields=["topic", "position", "line", "id"], name="card_new_order"),
        ),
    ]

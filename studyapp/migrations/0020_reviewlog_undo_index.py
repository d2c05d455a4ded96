from django.db import migrations, models

from studyapp.ops.schema import AddIndexWithoutLocking


class Migration(migrations.Migration):
    # CREATE INDEX CONCURRENTLY cannot run inside a transaction.
    atomic = False

    dependencies = [
        ("studyapp", "0019_dropped_cards"),
    ]

    operations = [
        AddIndexWithoutLocking(
            model_name="reviewlog",
            index=models.Index(fields=["learner", "kind", "id"], name="reviewlog_undo"),
        ),
    ]

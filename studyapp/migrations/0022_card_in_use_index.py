from django.db import migrations, models

from studyapp.ops.schema import AddIndexWithoutLocking


class Migration(migrations.Migration):
    # CREATE INDEX CONCURRENTLY cannot run inside a transaction.
    atomic = False

    dependencies = [
        ("studyapp", "0021_card_positions"),
    ]

    operations = [
        AddIndexWithoutLocking(
            model_name="card",
            index=models.Index(
                condition=models.Q(
                    ("retired_at__isnull", True),
                    ("topic__isnull", False),
                    models.Q(("kind", "from-quiz"), _negated=True),
                ),
                fields=["course", "topic"],
                name="card_in_use",
            ),
        ),
    ]

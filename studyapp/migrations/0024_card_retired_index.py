from django.db import migrations, models

from studyapp.ops.schema import AddIndexWithoutLocking, RemoveIndexWithoutLocking


class Migration(migrations.Migration):
    # CREATE and DROP INDEX CONCURRENTLY cannot run inside a transaction.
    atomic = False

    dependencies = [
        ("studyapp", "0023_topic_card_counts"),
    ]

    operations = [
        # The day's counts read each topic's cards_in_use now (0023), not this index.
        RemoveIndexWithoutLocking(model_name="card", name="card_in_use"),
        AddIndexWithoutLocking(
            model_name="card",
            index=models.Index(
                condition=models.Q(("retired_at__isnull", False)),
                fields=["course", "topic"],
                name="card_retired",
            ),
        ),
    ]

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

# The index Django made for each table's learner column (db_index): each table also has
# a unique constraint and indexes that lead with the learner, which serve every look-up
# by learner, and each index is one more for every grade to write.
INDEXES = {
    "studyapp_cardstate": "studyapp_cardstate_learner_id_88bd006a",
    "studyapp_reviewlog": "studyapp_reviewlog_learner_id_bdc498f9",
    "studyapp_studyday": "studyapp_studyday_learner_id_2df0e768",
}


def _concurrently(schema_editor) -> str:
    # Without blocking the grades of a large database while it runs (atomic = False).
    return " CONCURRENTLY" if schema_editor.connection.vendor == "postgresql" else ""


def drop(apps, schema_editor):
    quote = schema_editor.quote_name
    for name in INDEXES.values():
        schema_editor.execute(f"DROP INDEX{_concurrently(schema_editor)} IF EXISTS {quote(name)}")


def create(apps, schema_editor):
    quote = schema_editor.quote_name
    for table, name in INDEXES.items():
        schema_editor.execute(
            f"CREATE INDEX{_concurrently(schema_editor)} IF NOT EXISTS {quote(name)}"
            f" ON {quote(table)} (learner_id)"
        )


def _unindexed_learner() -> models.ForeignKey:
    return models.ForeignKey(
        db_index=False,
        on_delete=django.db.models.deletion.CASCADE,
        to=settings.AUTH_USER_MODEL,
    )


class Migration(migrations.Migration):
    # DROP INDEX CONCURRENTLY cannot run inside a transaction.
    atomic = False

    dependencies = [
        ("studyapp", "0024_card_retired_index"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        # Only the indexes go: AlterField would also drop and re-add (and so re-check on
        # every row) the foreign keys, and on SQLite copy each table.
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(model_name=model, name="learner", field=_unindexed_learner())
                for model in ("cardstate", "reviewlog", "studyday")
            ],
            database_operations=[migrations.RunPython(drop, create)],
        ),
    ]

"""Schema changes that keep the app serving while `migrate` runs on a large database."""

from __future__ import annotations

from django.contrib.postgres.operations import AddIndexConcurrently, RemoveIndexConcurrently
from django.db.migrations.operations import AddIndex, RemoveIndex


class _ConcurrentlyOnPostgreSQL:
    """PostgreSQL's CONCURRENTLY form of an index operation (its migration must say
    atomic = False), and the plain one (`plain`) on SQLite, whose writers queue behind
    migrate in any case."""

    plain: type

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            return super().database_forwards(app_label, schema_editor, from_state, to_state)
        return self.plain.database_forwards(self, app_label, schema_editor, from_state, to_state)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            return super().database_backwards(app_label, schema_editor, from_state, to_state)
        return self.plain.database_backwards(self, app_label, schema_editor, from_state, to_state)


class AddIndexWithoutLocking(_ConcurrentlyOnPostgreSQL, AddIndexConcurrently):
    """Add an index without blocking writes: CREATE INDEX CONCURRENTLY on PostgreSQL,
    where a plain CREATE INDEX would hold up every grade while it reads a table of
    millions of reviews."""

    plain = AddIndex


class RemoveIndexWithoutLocking(_ConcurrentlyOnPostgreSQL, RemoveIndexConcurrently):
    """Drop an index without blocking reads and writes while it waits for them: DROP INDEX
    CONCURRENTLY on PostgreSQL."""

    plain = RemoveIndex

"""Run a hand-written SELECT and get model instances back, as the ORM would give them.

The reviewer runs a few queries on every card, and for those the ORM spent longer
compiling the SQL than the database spent running it (bench/review.py). Those queries
are written out in SQL where they are used; this module only turns their rows into
model instances. Column lists come from the models' own metadata, so a new field needs
no change in the SQL.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence
from contextlib import nullcontext
from datetime import UTC, date, datetime
from weakref import WeakKeyDictionary

from django.db import DEFAULT_DB_ALIAS, DatabaseError, connection, connections, transaction
from django.db.models import Model
from django.db.models.expressions import Col


def _db():
    """The default database's connection. Each attribute read through django.db's
    `connection` is a look-up in a thread-local (asgiref's Local): the reviewer's
    statements, built and read here, made about sixty of those a card, a tenth of
    next_card's time (bench/load.py). So each function here looks the connection up
    once, and what cannot change while a process runs is kept."""
    return connections[DEFAULT_DB_ALIAS]


@functools.cache
def vendor() -> str:
    """The database's kind ("postgresql", "sqlite"): one per process, as settings are."""
    return _db().vendor


# Kept (the reviewer builds its statements from these with every card).
@functools.cache
def table(model: type[Model]) -> str:
    return _db().ops.quote_name(model._meta.db_table)


@functools.cache
def columns(model: type[Model], alias: str) -> str:
    """Return "alias.col1, alias.col2, ..." for every concrete field of the model."""
    quote = _db().ops.quote_name
    return ", ".join(f"{alias}.{quote(f.column)}" for f in model._meta.concrete_fields)


def adapted(params: Sequence[object], db=None) -> list[object]:
    """The parameters, each date and datetime adapted for the database as the ORM does
    (SQLite stores text). The connection is looked up once for all of them, not once per
    date: the reviewer's statements take about forty parameters, a dozen of them times."""
    ops = (db or _db()).ops
    return [
        (
            ops.adapt_datetimefield_value(p)
            if isinstance(p, datetime)
            else ops.adapt_datefield_value(p)
        )
        if isinstance(p, date)  # a datetime is a date too
        else p
        for p in params
    ]


_CONSTANT = re.compile(r"[a-z0-9_-]+")


def constant(value: str) -> str:
    """A code constant (a model's choice, such as Card.Kind.FROM_QUIZ) as an SQL literal.

    Written into the statement rather than sent as a parameter, so that PostgreSQL's plan
    of a prepared statement (its generic plan, made once for every parameter) knows it:
    "kind <> $1" is guessed to keep almost no cards, and the reviewer's new-card query
    planned so scanned every state of the learner for every card of the topic (267 ms
    against 1.4 ms, bench/load.py). Only ever for our own constants, never for input.
    """
    if not _CONSTANT.fullmatch(value):
        raise ValueError(f"not a code constant: {value!r}")
    return f"'{value}'"


def probe() -> str:
    """Ends a NOT EXISTS subquery that must stay a probe of an index for each row tried.

    PostgreSQL turns NOT EXISTS into an anti join, and may then build a hash of every
    row the subquery could match (all of a learner's states, say) to test a few cards of
    a walk that stops at the first that passes: cost that grows with the learner's
    history on every request. OFFSET 0 is PostgreSQL's documented fence against that
    rewriting (simplify_EXISTS_query leaves it alone). SQLite runs such a subquery as a
    probe already.
    """
    return " OFFSET 0" if vendor() == "postgresql" else ""


# The reviewer's longest statement (counts.counts_and_next_card: the day's counts and the
# due card, and the next new card when the learner is taking new ones) is about 10,400
# characters; psycopg keeps its parse of a statement's placeholders only for statements
# of up to 4,096 (psycopg._queries), and parsing that one again cost about 0.09 ms of
# every card. Its statements are a few fixed texts, so they may all be kept (psycopg's
# cache holds the 128 last used).
LONGEST_KEPT_STATEMENT = 16_384


def keep_long_statements() -> None:
    """Let psycopg keep its parse of statements up to LONGEST_KEPT_STATEMENT long (called
    once, when the app starts)."""
    try:
        from psycopg import _queries
    except ImportError:  # SQLite only: no psycopg
        return
    _queries.MAX_CACHED_STATEMENT_LENGTH = max(
        _queries.MAX_CACHED_STATEMENT_LENGTH, LONGEST_KEPT_STATEMENT
    )


def execute(sql: str, params: Sequence[object]) -> None:
    with connection.cursor() as cursor:
        cursor.execute(sql, adapted(params))


def rows(sql: str, params: Sequence[object]) -> list[tuple]:
    """Run a query and return all its rows as plain tuples (for reports' aggregates)."""
    with connection.cursor() as cursor:
        cursor.execute(sql, adapted(params))
        return cursor.fetchall()


_native_pow: dict[str, bool] = {}


def power() -> str:
    """The SQL name of x to the power y that runs in the database itself: PostgreSQL's,
    or SQLite's built-in pow where it has math functions (3.35 and later, as built by
    Python's own). Django replaces SQLite's POWER with a Python function, which a report
    averaging thousands of rows pays for on every one."""
    if vendor() != "sqlite":
        return "POWER"
    if "sqlite" not in _native_pow:
        try:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pow(2, 1)")
            _native_pow["sqlite"] = True
        except DatabaseError:  # an SQLite built without math functions
            _native_pow["sqlite"] = False
    return "pow" if _native_pow["sqlite"] else "POWER"


def whole_days(later: str, earlier: str) -> str:
    """SQL for the whole days from one datetime to a later one (columns or %s), as
    Python's (later - earlier).days counts them for times apart by a day or more; each
    database says it its own way."""
    if vendor() == "postgresql":
        # date_part, not EXTRACT: EXTRACT gives numeric, many times slower per row.
        return f"FLOOR(date_part('epoch', {later} - {earlier}) / 86400)"
    return f"CAST(julianday({later}) - julianday({earlier}) AS INTEGER)"


def unindexed(column: str) -> str:
    """The column, kept from driving SQLite's plan: "+column" stops SQLite from starting
    at an index of it (when starting elsewhere reads far fewer rows). PostgreSQL plans
    by its statistics, and "+" would only blind them, so it gets the plain column."""
    return f"+{column}" if vendor() == "sqlite" else column


def _prepared(obj: Model, fields: list, add: bool) -> list[object]:
    """The fields' values as the ORM would send them: through pre_save first (which fills
    auto_now fields, on the instance too), then adapted for the database."""
    db = _db()
    return [f.get_db_prep_save(f.pre_save(obj, add), db) for f in fields]


Statement = tuple[str, list]  # SQL and its parameters


def values_or_select(width: int, source: str | None) -> str:
    """An INSERT's row of `width` values: VALUES (...), or, with a source (the name of a
    WITH in the same statement), SELECT ... FROM it: a row for each of its rows, so that
    the INSERT writes only where the source did."""
    values = ", ".join(["%s"] * width)
    return f"SELECT {values} FROM {source}" if source else f"VALUES ({values})"


def insert_statement(obj: Model, source: str | None = None, conflict: str = "") -> Statement:
    """The INSERT that obj.save() would run for a new instance, returning its id (for
    each row of `source`, when given: see values_or_select), with an ON CONFLICT clause
    when given."""
    fields = [f for f in obj._meta.concrete_fields if not f.primary_key]
    quote = _db().ops.quote_name
    return (
        f"INSERT INTO {table(type(obj))} ({', '.join(quote(f.column) for f in fields)})"
        f" {values_or_select(len(fields), source)} {conflict} RETURNING id",
        _prepared(obj, fields, add=True),
    )


def update_statement(obj: Model, names: list[str], by: str | None = None) -> Statement:
    """The UPDATE that obj.save(update_fields=names) would run, returning the id: of the
    instance's row, or of the rows `by` says (a condition, whose parameters the caller
    adds after those returned)."""
    fields = [obj._meta.get_field(name) for name in names]
    quote = _db().ops.quote_name
    params = _prepared(obj, fields, add=False)
    return (
        f"UPDATE {table(type(obj))} SET {', '.join(f'{quote(f.column)} = %s' for f in fields)}"
        f" WHERE {by or 'id = %s'} RETURNING id",
        params if by else [*params, obj.pk],
    )


def insert(obj: Model) -> None:
    """Insert a new instance's row, as obj.save() would, and set its id."""
    [obj.pk] = together(insert_statement(obj))
    obj._state.adding = False


def update(obj: Model, names: list[str]) -> None:
    """Write the named fields of a saved instance, as obj.save(update_fields=...) would."""
    together(update_statement(obj, names))


def together(*statements: Statement) -> list:
    """Run writes that do not read each other's rows, each ending in RETURNING one
    column, and return the value of each one's first row (None when it wrote none).

    PostgreSQL runs them as one statement, each a data-modifying WITH: one round trip to
    the server instead of one per write, which grading pays on every card. SQLite runs
    in the same process, where a statement costs no trip: there they run one by one.
    """
    with connection.cursor() as cursor:
        if vendor() != "postgresql" or len(statements) == 1:
            found = []
            for text, params in statements:
                cursor.execute(text, adapted(params))
                row = cursor.fetchone()
                found.append(row[0] if row else None)
            return found
        parts = ", ".join(f"w{n} AS ({text})" for n, (text, _) in enumerate(statements))
        picks = ", ".join(f"(SELECT * FROM w{n} LIMIT 1)" for n in range(len(statements)))
        cursor.execute(
            f"WITH {parts} SELECT {picks}",
            adapted([p for _, params in statements for p in params]),
        )
        return list(cursor.fetchone())


# Per connection (a weak key, so a closed thread's connection takes its entry along) and
# model: each column with its converters. Looking them up was a third of a row's cost.
_converters: WeakKeyDictionary = WeakKeyDictionary()


def _columns_with_converters(wrapper, model: type[Model]) -> list[tuple[Col, list]]:
    by_model = _converters.setdefault(wrapper, {})
    if model not in by_model:
        cols = [f.get_col(model._meta.db_table) for f in model._meta.concrete_fields]
        by_model[model] = [
            (col, wrapper.ops.get_db_converters(col) + col.get_db_converters(wrapper))
            for col in cols
        ]
    return by_model[model]


def _instance(db, model: type[Model], values: Sequence[object]) -> Model:
    converted = []
    for (col, converters), value in zip(_columns_with_converters(db, model), values, strict=True):
        for convert in converters:
            value = convert(value, col, db)
        converted.append(value)
    return model.from_db(db.alias, _attnames(model), converted)


@functools.cache
def _attnames(model: type[Model]) -> list[str]:
    return [f.attname for f in model._meta.concrete_fields]


def fetch_all(sql: str, params: Sequence[object], *models: type[Model]) -> list[list]:
    """Run the query and return each row as fetch_one does."""
    db = _db()
    with db.cursor() as cursor:
        cursor.execute(sql, adapted(params, db))
        found = cursor.fetchall()
    return [_split(db, row, models) for row in found]


def _split(db, row: Sequence[object], models: Sequence[type[Model]]) -> list:
    result: list = []
    start = 0
    for model in models:
        width = len(model._meta.concrete_fields)
        values = row[start : start + width]
        if all(v is None for v in values):  # no row: a LEFT JOIN that found nothing
            result.append(None)
        else:
            result.append(_instance(db, model, values))
        start += width
    return result + list(row[start:])


def instances(row: Sequence[object], *models: type[Model]) -> list:
    """A row's values as fetch_one returns them: an instance of each model in turn (None
    for one whose columns are all NULL), then the rest as plain values."""
    return _split(_db(), row, models)


def as_date(value: object) -> date | None:
    """A date from a hand-written query's row: SQLite gives its text."""
    return date.fromisoformat(value) if isinstance(value, str) else value


def as_datetime(value: object) -> datetime | None:
    """An aware datetime from a hand-written query's row: SQLite gives a column's value
    naive (an expression's, as text), in UTC as Django writes it there."""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    if isinstance(value, datetime) and value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value


def fetch_one(
    sql: str, params: Sequence[object], *models: type[Model], atomic: bool = False
) -> list | None:
    """Run the query and return its first row as one instance per model, in the order
    their columns come in the row, followed by any remaining columns as plain values. A
    model whose columns are all NULL (a LEFT JOIN that found nothing) comes back as None.

    atomic: a statement that writes, and must leave nothing behind when it fails: in a
    transaction already, it runs in a savepoint; else on its own (autocommit), without
    the two trips to the server of a BEGIN and a COMMIT.
    """
    db = _db()
    alone = transaction.atomic() if atomic and db.in_atomic_block else nullcontext()
    with alone, db.cursor() as cursor:
        cursor.execute(sql, adapted(params, db))
        row = cursor.fetchone()
    if row is None:
        return None
    return _split(db, row, models)

"""The reads of a page's step providers in one statement (courses.registry.BatchStatement).

The dashboard shows every enrollment with its steps; each step provider reads
what it needs for all of them at once (attempts, overrides, the evaluation,
certificates), so the page costs a constant number of queries. On PostgreSQL
those reads go to the database together: each registered read is compiled
once per process from its QuerySet, and `batch_prefetch` sends them as one
statement, each read's rows coming back as one JSON column, then hands each
read its rows through `batch_fill`. On SQLite every `batch_read` makes its own
ORM query, as it always has (tests/courses/test_step_statement.py holds the two
ways to the same answers).

A read names the page's enrollments through the statement's common table
``batch_enrollments(id, user_id, course_id)`` and the site's local date through
``batch_day(today)``: `batch_enrollment_ids()`, `batch_enrollment_column()` and
`batch_today()` are those as expressions for a QuerySet's filter.
"""

from __future__ import annotations

import json
from decimal import Decimal
from functools import lru_cache

from django.db import connection
from django.db.models import DateField, JSONField, Model, TextField
from django.db.models.expressions import RawSQL
from django.db.models.functions import Cast
from django.utils import timezone

from cms.prepared import PreparedStatement

from ..models import Enrollment
from ..registry import batch_fill, batch_statements


def batch_enrollment_ids() -> RawSQL:
    """The ids of the page's enrollments, for `…__in=` in a BatchStatement's query."""
    return batch_enrollment_column("id")


_BATCH_COLUMNS = {
    "id": "SELECT id FROM batch_enrollments",
    "user_id": "SELECT user_id FROM batch_enrollments",
    "course_id": "SELECT course_id FROM batch_enrollments",
}


def batch_enrollment_column(name: str) -> RawSQL:
    """One column (id, user_id or course_id) of the page's enrollments, for `…__in=`."""
    if name not in _BATCH_COLUMNS:
        raise ValueError(f"batch_enrollments has no column {name!r}")
    return RawSQL(_BATCH_COLUMNS[name], ())  # noqa: S611 (one of the fixed strings above)


def batch_today() -> RawSQL:
    """The site's local date (timezone.localdate()) as the statement was sent."""
    return RawSQL("SELECT today FROM batch_day", (), output_field=DateField())


def json_text(name: str) -> Cast:
    """A JSON field as text, for a values_list that `instances` reads."""
    return Cast(name, output_field=TextField())


def one_statement_possible() -> bool:
    """On PostgreSQL (its json_agg); on SQLite each read is its own query."""
    return connection.vendor == "postgresql"


def batch_prefetch(enrollments: list[Enrollment]) -> bool:
    """Make every registered BatchStatement for these enrollments in one statement
    and fill the current step_batch with the results. Returns whether it did
    (on PostgreSQL); otherwise each read is made when asked."""
    statements = batch_statements()
    if not (enrollments and statements and one_statement_possible()):
        return False
    statement, params = _statement(tuple(s.name for s in statements))
    columns = (
        [e.pk for e in enrollments],
        [e.user_id for e in enrollments],
        [e.course_id for e in enrollments],
        timezone.localdate(),
    )
    with connection.cursor() as cursor:
        statement.execute(cursor, [*columns, *params])  # planned once per database session
        row = cursor.fetchone()
    for statement, value in zip(statements, row, strict=True):
        rows = _loads(value) if value is not None else []
        batch_fill(statement.name, enrollments, statement.parse(rows, enrollments))
    return True


@lru_cache(maxsize=8)
def _statement(names: tuple[str, ...]) -> tuple[PreparedStatement, list]:
    """The one statement for these registered reads: each read's SQL (compiled
    once here) as a JSON column of its rows, and the reads' own parameters."""
    by_name = {s.name: s for s in batch_statements()}
    parts, params = [], []
    for name in names:
        sql, part_params = by_name[name].query().query.sql_with_params()
        parts.append(_PART.format(sql))
        params.extend(part_params)
    return PreparedStatement(_STATEMENT.format(", ".join(parts))), params


# The page's enrollments (ids, people, courses) and the local date, then each read
# as one JSON column of its rows.
_STATEMENT = (
    "WITH batch_enrollments(id, user_id, course_id) AS ("
    "SELECT * FROM unnest(%s::bigint[], %s::bigint[], %s::bigint[])), "
    "batch_day(today) AS (SELECT %s::date) "
    "SELECT {}"
)
_PART = "(SELECT json_agg(r) FROM ({}) r)::text"


def _loads(text: str) -> list[list]:
    # A row comes as an object keyed by column name; its values are what matter,
    # in column order (two columns may share a name). Numbers are read exactly.
    return json.loads(text, parse_float=Decimal, object_pairs_hook=_values)


def _values(pairs: list[tuple[str, object]]) -> list:
    return [value for _, value in pairs]


def instances(model: type[Model], names: list[str], rows: list[list]) -> list[Model]:
    """Model instances made from rows of `names` (attnames: "enrollment_id", not
    "enrollment"), as the ORM would load them; the model's other fields deferred.
    A JSON field's object comes back as the ORM reads it (JSON objects within a row
    come as lists of their values here, so a JSON field is read from its text:
    give it in the values_list as the field cast to text, see `json_text`)."""
    # Model.from_db takes the values in the order of the model's fields.
    ordered = [f for f in model._meta.concrete_fields if f.attname in names]
    if len(ordered) != len(names):
        raise ValueError(f"{model.__name__} has no field among {names}")
    where = [names.index(f.attname) for f in ordered]
    attnames = [f.attname for f in ordered]
    return [
        model.from_db(
            connection.alias,
            attnames,
            [_python(f, row[i]) for f, i in zip(ordered, where, strict=True)],
        )
        for row in rows
    ]


def _python(field, value):
    if value is None:
        return None
    if isinstance(field, JSONField):
        return json.loads(value, cls=field.decoder)
    return field.to_python(value)

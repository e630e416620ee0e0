"""Statements PostgreSQL plans once per database session instead of on every request.

Django binds parameters on the client (psycopg's ClientCursor): every query
reaches PostgreSQL as new text with its values written in, and is planned
anew. For the few hand-written statements made on every page view or beat
(the dashboard's step reads, a lesson's personal reading, the clinician's
licenses, the heartbeat) planning cost more than running them: EXPLAIN ANALYZE
of the dashboard's step statement, 2026-12-07, planning 1.47 ms against 0.42 ms
executing; the heartbeat's 0.43 ms of 0.61 ms.

`PreparedStatement.execute` sends ``PREPARE`` the first time a database session
(a kept psycopg connection, CONN_MAX_AGE) meets the statement, then ``EXECUTE``
by name with the values written in as Django writes them: PostgreSQL plans
the statement once per session. Both go through Django's cursor, so they are
logged, counted by tests and wrapped like any other query. A prepared
statement outlives a rolled-back transaction and ends with its session; a new
connection prepares again. Nothing here uses psycopg's own prepared statements,
which it drops wholesale (DEALLOCATE ALL) on every rollback. Behind PgBouncer,
use session pooling or PgBouncer 1.21+ with ``max_prepared_statements`` set.

PostgreSQL only; callers keep an ORM path for other databases.
"""

from __future__ import annotations

import hashlib
import re
import weakref
from collections.abc import Mapping, Sequence

from django.db import connection

# Django's placeholders: %s, %(name)s, and %% for a literal percent sign.
_PLACEHOLDER = re.compile(r"%(?:(%)|s|\((\w+)\)s)")
# An EXECUTE and its values: always the end of the query it is sent in.
_EXECUTE = re.compile(r"EXECUTE (practicum_\w+)(?:\(.*\))?\Z", re.DOTALL)
# Every statement made in this process, by name.
_statements: dict[str, PreparedStatement] = {}


class PreparedStatement:
    """One statement, prepared on each database session that executes it.

    `sql` is written as for Django's cursor: all ``%s`` (values given as a
    sequence) or all ``%(name)s`` (values given as a mapping). `types` may give
    a parameter's SQL type by name (named) or position (positional); the others
    are inferred by PostgreSQL from the statement. Unless given a `name`
    (unique: a name in pg_stat_activity reads better than a digest), the
    statement is named after its text, so two statements never share a name."""

    def __init__(
        self, sql: str, *, name: str = "", types: Mapping[str, str] | Sequence[str] = ()
    ) -> None:
        self.order: list[str | int] = []
        self.body = _PLACEHOLDER.sub(self._numbered, sql)
        if types and self.order and isinstance(types, Mapping) != isinstance(self.order[0], str):
            raise ValueError("types are by name for %(name)s parameters, by position for %s")
        if isinstance(types, Mapping):
            kinds = [types.get(key, "unknown") for key in self.order]
        else:
            kinds = [*types, *["unknown"] * (len(self.order) - len(types))]
        signature = f" ({', '.join(kinds)})" if types and self.order else ""
        digest = hashlib.sha256(f"{signature} {self.body}".encode()).hexdigest()[:20]
        self.name = name or f"practicum_{digest}"
        self.prepare_sql = f"PREPARE {self.name}{signature} AS {self.body}"
        if not self.order:
            self.arguments = ""
        elif isinstance(self.order[0], str):
            self.arguments = f"({', '.join(f'%({key})s' for key in self.order)})"
        else:
            self.arguments = f"({', '.join('%s' for _ in self.order)})"
        # The database sessions (psycopg connections) that hold the statement,
        # shared with a statement made before of the same name and text.
        made = _statements.setdefault(self.name, self)
        if made.prepare_sql != self.prepare_sql:
            raise ValueError(f"Another statement is named {self.name}")
        self._prepared_on: weakref.WeakSet = (
            made._prepared_on if made is not self else weakref.WeakSet()
        )

    def _numbered(self, match: re.Match) -> str:
        percent, key = match.groups()
        if percent:
            return "%"
        if key is None:
            if self.order and isinstance(self.order[0], str):
                raise ValueError("a statement's parameters are all %s or all %(name)s")
            self.order.append(len(self.order))
            return f"${len(self.order)}"
        if self.order and not isinstance(self.order[0], str):
            raise ValueError("a statement's parameters are all %s or all %(name)s")
        if key not in self.order:
            self.order.append(key)
        return f"${self.order.index(key) + 1}"

    def execute(self, cursor, params=(), *, before: str = "") -> None:
        """EXECUTE the statement on `cursor` (a Django cursor of the default
        database), preparing it first on a session that has not. `before` is SQL
        sent ahead of it in the same simple query (and so in the same implicit
        transaction outside an atomic block), such as a ``SET LOCAL …;``."""
        session = connection.connection
        if session not in self._prepared_on:
            cursor.execute(self.prepare_sql)
            self._prepared_on.add(session)
        cursor.execute(f"{before}EXECUTE {self.name}{self.arguments}", params or None)


def readable(sql: str) -> str | None:
    """A logged query as it reads: an EXECUTE of a statement made here as the
    statement's own SQL (with ``$n`` for its parameters), a PREPARE as None (it
    runs nothing), any other query as it is. For tests that look at the SQL a
    page sends."""
    if sql.startswith("PREPARE "):
        return None
    found = _EXECUTE.search(sql)
    statement = _statements.get(found.group(1)) if found else None
    return sql if statement is None else sql[: found.start()] + statement.body

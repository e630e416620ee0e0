"""Hand-written statements read on every page view are planned once per database
session (cms.prepared): PREPARE on the session's first use, EXECUTE by name after,
the same rows as the plain query, and a statement that outlives a rolled-back
transaction, so a request that fails never breaks the next one on its connection."""

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from cms.prepared import PreparedStatement, readable
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db(transaction=True)

SQL = (
    "SELECT email, %(tag)s || ':' || full_name FROM accounts_user"
    " WHERE id = %(user)s OR (email LIKE '%%@nowhere' AND id = %(user)s)"
)


def _run(statement, params):
    with CaptureQueriesContext(connection) as captured, connection.cursor() as cursor:
        statement.execute(cursor, params)
        rows = cursor.fetchall()
    return rows, [q["sql"] for q in captured.captured_queries]


def _server_side(statement) -> tuple[int, int] | None:
    """(generic plans, custom plans) PostgreSQL made of the statement in this session."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT generic_plans, custom_plans FROM pg_prepared_statements WHERE name = %s",
            [statement.name],
        )
        return cursor.fetchone()


def test_a_statement_is_prepared_once_per_session_and_answers_as_the_plain_query():
    user = UserFactory(full_name="Dana Reyes")
    statement = PreparedStatement(SQL, types={"tag": "text"})
    params = {"user": user.pk, "tag": "clinician"}
    with connection.cursor() as cursor:
        cursor.execute(SQL, params)
        expected = cursor.fetchall()
    assert expected == [(user.email, "clinician:Dana Reyes")]

    first, sent = _run(statement, params)
    assert first == expected
    assert [q.split()[0] for q in sent] == ["PREPARE", "EXECUTE"]
    # Named parameters are numbered once each, in order of first use; %% is a %.
    assert "id = $2 OR (email LIKE '%@nowhere' AND id = $2)" in sent[0]
    assert sent[0].startswith(f"PREPARE {statement.name} (text, unknown) AS SELECT")
    for _ in range(6):
        again, sent = _run(statement, params)
        assert again == expected
        assert [q.split()[0] for q in sent] == ["EXECUTE"]
    # PostgreSQL holds it for the session and planned it at most once per
    # execution at first, then (past its five custom plans) once for good.
    generic, custom = _server_side(statement)
    assert generic + custom == 7 and custom <= 5

    connection.close()  # a new session (a restarted database, CONN_MAX_AGE)
    assert _server_side(statement) is None
    rows, sent = _run(statement, params)
    assert rows == expected
    assert [q.split()[0] for q in sent] == ["PREPARE", "EXECUTE"]


def test_a_rolled_back_transaction_keeps_the_sessions_statements():
    user = UserFactory()
    statement = PreparedStatement("SELECT email FROM accounts_user WHERE id = %s")
    assert _run(statement, [user.pk])[0] == [(user.email,)]

    class Failed(Exception):
        pass

    with pytest.raises(Failed), transaction.atomic():
        assert _run(statement, [user.pk])[0] == [(user.email,)]
        raise Failed
    connection.rollback()  # also outside a block: Django's own rollback keeps it
    rows, sent = _run(statement, [user.pk])
    assert rows == [(user.email,)]
    assert [q.split()[0] for q in sent] == ["EXECUTE"]


def test_positional_parameters_and_readable_sql():
    user = UserFactory()
    statement = PreparedStatement("SELECT %s::int + 1, email FROM accounts_user WHERE id = %s")
    rows, sent = _run(statement, [41, user.pk])
    assert rows == [(42, user.email)]
    assert sent[1] == f"EXECUTE {statement.name}(41, {user.pk})"
    # Tests read what a page sends: the EXECUTE as the statement's SQL, no PREPARE.
    assert readable(sent[0]) is None
    assert readable(sent[1]) == "SELECT $1::int + 1, email FROM accounts_user WHERE id = $2"
    assert readable("SELECT 1") == "SELECT 1"
    assert readable("EXECUTE practicum_unknown(1)") == "EXECUTE practicum_unknown(1)"


def test_two_statements_never_share_a_name_and_mixed_placeholders_are_refused():
    one = PreparedStatement("SELECT %s::int")
    assert PreparedStatement("SELECT %s::bigint").name != one.name
    assert PreparedStatement("SELECT %s::int").name == one.name
    assert PreparedStatement("SELECT %s::int", types=["bigint"]).name != one.name
    with pytest.raises(ValueError, match="all %s or all"):
        PreparedStatement("SELECT %s, %(x)s")
    with pytest.raises(ValueError, match="types are by name"):
        PreparedStatement("SELECT %(x)s", types=["int"])
    PreparedStatement("SELECT 1", name="practicum_test_one")
    with pytest.raises(ValueError, match="Another statement is named practicum_test_one"):
        PreparedStatement("SELECT 2", name="practicum_test_one")


def test_the_same_statement_made_twice_is_prepared_once_per_session():
    user = UserFactory()
    sql = "SELECT email FROM accounts_user WHERE id = %s AND %s = 1"
    first, second = PreparedStatement(sql), PreparedStatement(sql)
    assert [q.split()[0] for q in _run(first, [user.pk, 1])[1]] == ["PREPARE", "EXECUTE"]
    assert [q.split()[0] for q in _run(second, [user.pk, 1])[1]] == ["EXECUTE"]

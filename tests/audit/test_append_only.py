"""The audit log is append-only, and the database is what says so: PostgreSQL's
trigger refuses UPDATE and DELETE whatever the client (raw SQL here); Django's
own paths refuse before they reach it."""

import pytest
from django.db import DatabaseError, connection, transaction

from audit.models import AuditAction, AuditEvent, AuditLogIsAppendOnly
from audit.services import audit_record
from tests.factories import staff_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def event(db):
    admin = staff_user(group="Administrators", email="avery@example.org")
    return audit_record(
        actor=admin, action=AuditAction.CERTIFICATE_REVOKE, reason="Attestation found false"
    )


def test_the_database_refuses_an_update_of_an_audit_row(event):
    assert connection.vendor == "postgresql"
    with (
        pytest.raises(DatabaseError, match="Cannot update or delete"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(
            "UPDATE audit_auditevent SET reason = %s WHERE id = %s", ["tidied", event.pk]
        )
    event.refresh_from_db()
    assert event.reason == "Attestation found false"


def test_the_database_refuses_a_delete_of_an_audit_row(event):
    with (
        pytest.raises(DatabaseError, match="Cannot update or delete"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute("DELETE FROM audit_auditevent WHERE id = %s", [event.pk])
    assert AuditEvent.objects.filter(pk=event.pk).exists()


def test_the_database_refuses_a_delete_of_every_row_at_once(event):
    with (
        pytest.raises(DatabaseError, match="Cannot update or delete"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute("DELETE FROM audit_auditevent")
    assert AuditEvent.objects.count() == 1


def test_the_database_accepts_new_rows(event):
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO audit_auditevent (created_at, actor_label, action, object_type, "
            "object_id, object_label, reason, data) VALUES (now(), '', 'export', '', '', '', "
            "'', '{}')"
        )
    assert AuditEvent.objects.count() == 2


def test_django_refuses_to_save_delete_or_update_an_existing_row(event):
    event.reason = "tidied"
    with pytest.raises(AuditLogIsAppendOnly):
        event.save()
    with pytest.raises(AuditLogIsAppendOnly):
        event.delete()
    with pytest.raises(AuditLogIsAppendOnly):
        AuditEvent.objects.filter(pk=event.pk).update(reason="tidied")
    with pytest.raises(AuditLogIsAppendOnly):
        AuditEvent.objects.all().delete()
    assert AuditEvent.objects.get(pk=event.pk).reason == "Attestation found false"


def test_deleting_the_actor_leaves_the_row_as_written(event):
    from accounts.models import User

    actor_id = event.actor_id
    User.objects.get(pk=actor_id).delete()
    event = AuditEvent.objects.get(pk=event.pk)
    assert (event.actor_id, event.actor_label) == (actor_id, "avery@example.org")

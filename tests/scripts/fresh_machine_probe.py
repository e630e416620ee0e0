"""Run only by test_services.py's fresh-machine test, through scripts/test.py with
PRACTICUM_SERVICES=private (its name keeps it out of the normal collection)."""

from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.db import connection

from cms.celery import ping
from tests.factories import UserFactory


@pytest.mark.django_db(transaction=True)
def test_the_private_servers_hold_a_migrated_test_database_and_run_a_real_worker(
    celery_worker,
):
    # The private servers listen on free ports, never the conventional ones.
    assert connection.vendor == "postgresql"
    assert int(connection.settings_dict["PORT"]) != 5432
    assert urlsplit(settings.CELERY_BROKER_URL).port != 6379
    print(f"probe: database port {connection.settings_dict['PORT']}")
    print(f"probe: broker {settings.CELERY_BROKER_URL}")
    user = UserFactory(full_name="Fresh Machine")
    assert type(user).objects.get(pk=user.pk).full_name == "Fresh Machine"
    result = ping.apply_async(args=["fresh"], queue=settings.CELERY_TASK_DEFAULT_QUEUE)
    assert result.get(timeout=30) == "fresh"

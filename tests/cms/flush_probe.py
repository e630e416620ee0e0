"""Run only by test_flush_restore.py, in one pytest process (its name keeps it out of
the normal collection). pytest-django runs transactional tests after the others and
tests without the database last, so the order here is the order they run in."""

import pytest
from django.contrib.auth.models import Group
from wagtail.models import Collection, Locale, Page, Workflow

MARKER = "flush-probe"


@pytest.mark.django_db(transaction=True)
def test_first_a_transactional_test_which_commits_a_row_and_ends_with_a_flush():
    assert Group.objects.filter(name="Administrators").exists()
    Group.objects.create(name=MARKER)


@pytest.mark.django_db(transaction=True)
def test_then_the_flush_took_that_row_and_what_data_migrations_made_is_back():
    assert not Group.objects.filter(name=MARKER).exists()  # the flush did happen
    administrators = Group.objects.get(name="Administrators")
    assert administrators.permissions.filter(codename="access_admin").exists()
    assert Group.objects.filter(name="Instructors").exists()
    assert Collection.objects.filter(depth=1).exists()
    assert Page.objects.filter(depth=1).exists()
    assert Locale.objects.exists()
    assert Workflow.objects.exists()


def test_last_a_test_after_which_the_database_is_left_whole():
    """The replay follows the previous test's flush only because a test comes next:
    this one. The caller's database is then as whole as it was."""

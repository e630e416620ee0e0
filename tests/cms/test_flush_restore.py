"""After a transactional test's flush, what data migrations made is back."""

import pytest
from django.contrib.auth.models import Group
from wagtail.models import Collection, Locale, Page


@pytest.mark.django_db(transaction=True)
def test_a_transactional_test_ends_with_a_flush():
    assert Group.objects.filter(name="Administrators").exists()


@pytest.mark.django_db
def test_the_next_test_still_has_the_staff_groups_and_wagtail_roots():
    administrators = Group.objects.get(name="Administrators")
    assert administrators.permissions.filter(codename="access_admin").exists()
    assert Group.objects.filter(name="Instructors").exists()
    assert Collection.objects.filter(depth=1).exists()
    assert Page.objects.filter(depth=1).exists()
    assert Locale.objects.exists()

"""Fixtures for the courses tests.

`isolated_registry` empties the step-provider, publish-check and figure registries for a
test, so that the completion rule and the publishing check are tested on their
own; tests that need a provider register a small one of their own. (quizzes and
certificates test their providers against the real rule in their own suites.)
It also skips the higher apps' course_build hooks (a post-test per course).
"""

import pytest
from django.test import Client

from courses import registry
from tests import factories
from tests.factories import UserFactory, course_build, staff_user


@pytest.fixture
def isolated_registry(monkeypatch):
    monkeypatch.setattr(registry, "_step_providers", [])
    monkeypatch.setattr(registry, "_publish_checks", [])
    monkeypatch.setattr(registry, "_course_figures", [])
    # Without the higher apps' publish checks, course_build needs none of their pages.
    monkeypatch.setattr(factories, "COURSE_BUILD_HOOKS", [], raising=False)
    return registry


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def clinician(db):
    return UserFactory()


@pytest.fixture
def other_clinician(db):
    return UserFactory()


@pytest.fixture
def instructor_user(db):
    return staff_user(group="Instructors")


@pytest.fixture
def course(isolated_registry):
    return course_build(lessons=3)

"""Fixtures for the courses tests.

`isolated_registry` empties the step-provider, publish-check and figure registries for a
test, so that the completion rule and the publishing check are tested on their
own; tests that need a provider register a `StandInSteps` of their own. (quizzes
and certificates test their providers against the real rule in their own suites.)
It also skips the higher apps' course_build hooks (a post-test per course).
"""

import pytest
from django.test import Client

from courses import registry
from courses.registry import Step
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


class StandInSteps:
    """A step provider standing in for a higher app's (a post-test, an evaluation,
    an attestation…): its one step is done for the enrollments whose pk the test
    adds to `done`. `fields` are the Step's others (label, required, url…); the
    label is the key unless given, and `done_detail` replaces `detail` once done."""

    def __init__(self, key, *, order=50, done_detail="", **fields):
        self.key = key
        self.order = order
        self.done_detail = done_detail
        self.fields = {"label": key, **fields}
        self.done: set[int] = set()

    def steps_for(self, *, enrollments):
        return {e.pk: [self.step(done=e.pk in self.done)] for e in enrollments}

    def step(self, *, done: bool) -> Step:
        fields = dict(self.fields)
        if done and self.done_detail:
            fields["detail"] = self.done_detail
        return Step(key=self.key, done=done, **fields)


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

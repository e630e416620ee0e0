"""No dead ends (issue 15): every order in which a clinician can meet the
requirements of a course whose accreditor asks for a minimum active time ends
in a certificate, rendered and emailed by a real Celery worker; so does an
Administrator's override lowering the minimum for a clinician who attested first.

The requirements: every lesson, the post-test, the evaluation, the attestation
and 24 minutes of active reading (80 % of 30 estimated minutes). Reading time
is reached with a real heartbeat over HTTP (tests.factories.reading_time_reach);
everything else through the services, as the pages call them."""

from django.test import Client
from django.utils import timezone

from certificates.models import Certificate
from courses.models import CourseCompletion
from courses.overrides import override_grant
from courses.services import enrollment_create
from quizzes.selectors import claim_options
from quizzes.services import attestation_submit
from tests.certificates.pdf import wait_for
from tests.certificates.worker import WORKER_TESTS
from tests.factories import (
    AccreditorFactory,
    attempt_pass,
    clinician,
    course_build,
    evaluation_submit_default,
    lessons_complete,
    lessons_of,
    page_words,
    reading_time_reach,
    staff_user,
)

pytestmark = WORKER_TESTS

REQUIRED = 24 * 60


class Learner:
    def __init__(self, course, name):
        self.user = clinician(full_name=name)
        self.course = course
        self.enrollment = enrollment_create(user=self.user, course=course)
        self.client = Client()
        self.client.force_login(self.user)

    def lessons(self):
        lessons_complete(enrollment=self.enrollment)

    def post_test(self):
        assert attempt_pass(enrollment=self.enrollment).passed

    def evaluation(self):
        evaluation_submit_default(enrollment=self.enrollment)

    def attestation(self):
        options = claim_options(enrollment=self.enrollment)
        attestation_submit(
            enrollment=self.enrollment,
            confirmed=True,
            accreditors=[o.accreditor for o in options if o.matches_license],
        )

    def time(self):
        lesson = lessons_of(self.course)[-1]
        response = reading_time_reach(
            client=self.client, user=self.user, lesson=lesson, total_seconds=REQUIRED
        )
        assert response.json() == {"credited": 30}

    def override(self):
        """An Administrator lowers the minimum to what this clinician has read (none)."""
        override_grant(
            actor=staff_user(group="Administrators"),
            user=self.user,
            course=self.course,
            minimum_active_minutes=0,
            reason="Accommodation: reads with a screen reader that sends no activity.",
            expires_on=timezone.localdate(),
        )

    def completed(self) -> bool:
        return CourseCompletion.objects.filter(enrollment=self.enrollment).exists()

    def dashboard(self) -> str:
        return page_words(self.client.get("/dashboard/"))


# Each order of the requirements after the lessons (the post-test needs them).
ORDERS = {
    "time first": ["lessons", "time", "post_test", "evaluation", "attestation"],
    "time after the post-test": ["lessons", "post_test", "time", "evaluation", "attestation"],
    "evaluation before the time, attestation after": [
        "lessons",
        "post_test",
        "evaluation",
        "time",
        "attestation",
    ],
    "attestation first, time last": ["lessons", "post_test", "evaluation", "attestation", "time"],
    "attestation first, then an override lowers the minimum": [
        "lessons",
        "post_test",
        "evaluation",
        "attestation",
        "override",
    ],
}


def test_every_order_of_the_requirements_ends_in_a_delivered_certificate(drained_worker):
    board = AccreditorFactory(
        short_name="BOARD", seat_time_policy="enforce", minimum_time_percent=80
    )
    course = course_build(lessons=2, estimated_minutes=30, accreditors=[board])
    learners = {}
    for name, order in ORDERS.items():
        learner = learners[name] = Learner(course, name=f"Walker {len(learners) + 1}")
        for step in order:
            assert not learner.completed(), f"{name}: completed before {step}"
            if step == order[-1] and step in ("time", "override"):
                # Every other step done: the dashboard says what is left, in minutes,
                # and does not pretend the certificate is on its way.
                text = learner.dashboard()
                assert "To do: Active reading time — 24 more minutes of active reading" in text
                assert "Issued when you complete every requirement" in text
            getattr(learner, step)()
        assert learner.completed(), f"{name}: not completed after {order}"

    for name, learner in learners.items():
        certificate = wait_for(
            lambda learner=learner: Certificate.objects.filter(
                enrollment=learner.enrollment, emailed_at__isnull=False
            ).first(),
            what=f"the certificate of “{name}”",
        )
        assert certificate.accreditor == board
        completion = CourseCompletion.objects.get(enrollment=learner.enrollment)
        assert (completion.override is not None) == ("override" in name)
        assert "Download certificate" in learner.dashboard()

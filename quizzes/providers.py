"""The two completion steps quizzes adds to every course (courses.registry).

Both are required: a self-paced CE course always needs a passed post-test and
an evaluation with the attestation before a certificate. Each provider runs
a constant number of queries for any number of enrollments.
"""

from collections import defaultdict

from django.db import models
from django.utils import timezone

from cms import site_cache
from cms.numbers import humane_number
from cms.paths import id_path
from courses.models import Enrollment
from courses.registry import BatchStatement, Step, batch_read
from courses.selectors import (
    batch_enrollment_ids,
    course_credit_terms,
    instances,
    lessons_complete_ids,
    overrides_in_force,
)

from .models import DEFAULT_ATTEMPTS, Attempt, PostTestPage
from .selectors import attempts_allowed


def _date(value) -> str:
    return f"{timezone.localtime(value):%-d %b %Y}"


def _post_tests_by_course(enrollments: list[Enrollment]) -> dict[int, PostTestPage]:
    """Each course's post-test page (without its questions), by course id: one
    query for the courses not in the site cache, which any page change moves on."""
    paths = {e.course_id: e.course.path for e in enrollments}

    def read(course_ids: list[int]) -> dict[int, PostTestPage]:
        course_paths = {paths[pk]: pk for pk in course_ids}
        result = {}
        for page in PostTestPage.objects.filter(
            path__regex=r"^(" + "|".join(course_paths) + r")[0-9A-Z]{4}$"
        ).defer("questions", "intro"):
            result[course_paths[page.path[: -PostTestPage.steplen]]] = page
        return result

    found = site_cache.cached_by_id("course-post-test", paths, read)
    site_cache.with_site_root_paths(found.values())  # their links, without a Redis round trip each
    return found


# What the steps read of an attempt: not the questions, answers, draft or results.
_ATTEMPT_FIELDS = [
    f.attname
    for f in Attempt._meta.concrete_fields
    if f.name not in ("questions", "answers", "draft", "results")
]


def _attempts_by_enrollment(enrollments: list[Enrollment]) -> dict[int, list[Attempt]]:
    """Each enrollment's attempts in order, without their answers: one query, read
    once for both providers of a page (or a part of their one statement: ATTEMPTS)."""
    return batch_read(
        "quizzes.attempts",
        enrollments,
        lambda: _by_enrollment(
            Attempt.objects.filter(enrollment__in=[e.pk for e in enrollments]).only(
                *_ATTEMPT_FIELDS
            )
        ),
    )


def _by_enrollment(attempts) -> dict[int, list[Attempt]]:
    found: dict[int, list[Attempt]] = defaultdict(list)
    for attempt in sorted(attempts, key=lambda a: a.number):
        found[attempt.enrollment_id].append(attempt)
    return found


ATTEMPTS = BatchStatement(
    name="quizzes.attempts",
    query=lambda: Attempt.objects.filter(enrollment_id__in=batch_enrollment_ids()).values_list(
        *_ATTEMPT_FIELDS
    ),
    parse=lambda rows, enrollments: _by_enrollment(instances(Attempt, _ATTEMPT_FIELDS, rows)),
)


def _evaluations(rows) -> tuple[dict, dict, dict[int, list[str]]]:
    """(evaluation dates, attestation dates, accreditors claimed), by enrollment id,
    from (enrollment id, evaluated at, attested at, accreditor claimed) rows."""
    evaluated, attested, claims = {}, {}, defaultdict(list)
    for pk, submitted_at, attested_at, claimed_under in rows:
        if submitted_at is not None:
            evaluated[pk] = submitted_at
        if attested_at is not None:
            attested[pk] = attested_at
        if claimed_under:
            claims[pk].append(claimed_under)
    return evaluated, attested, claims


# One row per claimed accreditor (outer joins: one if none).
_EVALUATION_COLUMNS = (
    "pk",
    "evaluation__submitted_at",
    "attestation__attested_at",
    "attestation__accreditors__short_name",
)


def _at(value):
    return models.DateTimeField().to_python(value)


EVALUATIONS = BatchStatement(
    name="quizzes.evaluations",
    query=lambda: Enrollment.objects.filter(pk__in=batch_enrollment_ids()).values_list(
        *_EVALUATION_COLUMNS
    ),
    parse=lambda rows, enrollments: _evaluations(
        (pk, _at(evaluated), _at(attested), claimed) for pk, evaluated, attested, claimed in rows
    ),
)


class PostTestStepProvider:
    key = "post_test"
    order = 20

    def steps_for(self, *, enrollments: list[Enrollment]) -> dict[int, list[Step]]:
        post_tests = _post_tests_by_course(enrollments)
        attempts = _attempts_by_enrollment(enrollments)
        unlocked = lessons_complete_ids(enrollments=enrollments)
        overrides = overrides_in_force(enrollments=enrollments)
        allowed_by_course = {
            course_id: min(terms.attempts_allowed for terms in course_terms)
            for course_id, course_terms in course_credit_terms(enrollments=enrollments).items()
            if course_terms
        }
        return {
            e.pk: [
                self._step(
                    enrollment=e,
                    post_test=post_tests.get(e.course_id),
                    attempts=attempts.get(e.pk, []),
                    unlocked=e.pk in unlocked,
                    default_allowed=allowed_by_course.get(e.course_id, DEFAULT_ATTEMPTS),
                    override=overrides.get(e.pk),
                )
            ]
            for e in enrollments
        }

    def _step(
        self, *, enrollment, post_test, attempts, unlocked, default_allowed, override=None
    ) -> Step:
        history = tuple(
            f"Attempt {a.number}, {_date(a.started_at)}: "
            + (
                "in progress"
                if a.is_open
                else f"{humane_number(a.score)} % — {'passed' if a.passed else 'not passed'}"
                + (" (time ran out)" if a.status == Attempt.Status.EXPIRED else "")
            )
            for a in attempts
        )
        passed = next((a for a in attempts if a.passed), None)
        common = {"key": self.key, "label": "Post-test", "history": history}
        if passed is not None:
            return Step(
                **common,
                done=True,
                available=False,
                detail=f"Passed with {humane_number(passed.score)} % on {_date(passed.submitted_at)}",
            )
        if post_test is None or not post_test.live:
            return Step(
                **common, done=False, available=False, detail="The post-test is not open yet"
            )
        url = site_cache.page_url(post_test) or ""
        if not unlocked:
            return Step(
                **common,
                done=False,
                available=False,
                detail="Unlocks when every lesson is complete",
                url=url,
            )
        allowed = attempts_allowed(
            base=post_test.attempts_allowed or default_allowed, attempts=attempts, override=override
        )
        open_attempt = next((a for a in attempts if a.is_open), None)
        left = max(0, allowed - len(attempts))
        granted = _granted(override)
        if open_attempt is not None:
            return Step(
                **common,
                done=False,
                detail=f"Attempt {open_attempt.number} of {allowed} in progress{granted}",
                url=url,
                action_label="Resume the post-test",
            )
        if left == 0:
            return Step(
                **common,
                done=False,
                available=False,
                detail=f"All {allowed} attempts used; contact the CE administrator",
                url=url,
            )
        return Step(
            **common,
            done=False,
            detail=f"{left} of {allowed} attempts left{granted}",
            url=url,
            action_label="Take the post-test" if not attempts else "Try the post-test again",
        )


def _granted(override) -> str:
    """ "; you have 1 extra attempt, granted 4 Dec 2026" for an override in force."""
    grants = override.grants(post_test_only=True) if override is not None else []
    if not grants:
        return ""
    return (
        f"; you have {', '.join(grants)}, granted {override.granted_on} "
        f"(until {override.expires_on:%-d %b %Y})"
    )


class EvaluationStepProvider:
    key = "evaluation"
    order = 30

    def steps_for(self, *, enrollments: list[Enrollment]) -> dict[int, list[Step]]:
        ids = [e.pk for e in enrollments]
        passed = {
            enrollment_id
            for enrollment_id, attempts in _attempts_by_enrollment(enrollments).items()
            if any(a.passed for a in attempts)
        }
        # The evaluation's date, the attestation's and the accreditors it claims, in
        # one query (or a part of the providers' one statement: EVALUATIONS).
        evaluated, attested, claims = batch_read(
            "quizzes.evaluations",
            enrollments,
            lambda: _evaluations(
                Enrollment.objects.filter(pk__in=ids).values_list(*_EVALUATION_COLUMNS)
            ),
        )
        steps = {}
        for e in enrollments:
            url = id_path("quizzes:evaluation", e.course_id)
            done = e.pk in evaluated and e.pk in attested
            if done:
                claimed = sorted(claims[e.pk])
                detail = f"Attested on {_date(attested[e.pk])}; " + (
                    f"credit claimed under {', '.join(claimed)}"
                    if claimed
                    else "certificate of attendance (no credit claimed)"
                )
            elif e.pk in passed:
                detail = "Rate the course and confirm you completed it yourself"
            else:
                detail = "Unlocks when you pass the post-test"
            steps[e.pk] = [
                Step(
                    key=self.key,
                    label="Evaluation and attestation",
                    done=done,
                    available=not done and e.pk in passed,
                    detail=detail,
                    url=url if e.pk in passed else "",
                    action_label="Complete the evaluation",
                )
            ]
        return steps

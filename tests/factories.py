"""Factories shared by every test package.

Simple rows come from factory_boy; page trees (a published course with its
lessons) from `course_build`, which goes through Wagtail's own add_child /
save_revision / publish, exactly as the admin does (each object is indexed once
at the end of the build: `_built_like_fixtures`).

Each app's section is marked; add to the section of your app.
"""

import functools
import html
import itertools
import re
from datetime import date
from decimal import Decimal

import factory
from django.contrib.auth.models import Group

from accounts.models import ClinicianLicense, Profession, User

# --- accounts -----------------------------------------------------------------------------

DEFAULT_PASSWORD = "a-Long-test-pass-42"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"clinician{n}@example.org")
    full_name = factory.Faker("name")
    password = factory.PostGenerationMethodCall("set_password", DEFAULT_PASSWORD)

    @factory.post_generation
    def verified(obj, create, extracted, **kwargs):
        """Every factory user has a verified primary email unless verified=False."""
        if not create or extracted is False:
            obj.save()
            return
        from allauth.account.models import EmailAddress

        obj.save()
        EmailAddress.objects.update_or_create(
            user=obj, email=obj.email, defaults={"verified": True, "primary": True}
        )

    @factory.post_generation
    def mfa(obj, create, extracted, **kwargs):
        """Staff and superusers have an authenticator app (TEST_TOTP_SECRET) and
        recovery codes, as the admin requires; mfa=False leaves them without one,
        mfa=True gives one to a clinician."""
        if create and (extracted if extracted is not None else obj.is_staff or obj.is_superuser):
            totp_enable(obj)


class LicenseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ClinicianLicense

    user = factory.SubFactory(UserFactory)
    profession = Profession.PSYCHOLOGIST
    license_number = factory.Sequence(lambda n: f"PSY {10000 + n}")
    region = "CA"


def staff_user(*, group: str, **kwargs) -> User:
    """An Instructors or Administrators member (groups come from a data migration),
    with an authenticator app unless mfa=False."""
    user = UserFactory(is_staff=True, **kwargs)
    user.groups.add(Group.objects.get(name=group))
    return user


# Base32. Every factory authenticator app shares it; allauth keeps used codes per user.
TEST_TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


def totp_enable(user: User, secret: str = TEST_TOTP_SECRET) -> str:
    """An authenticator app and recovery codes for `user`, through allauth.mfa's own
    API, as its setup page makes them. Returns the secret."""
    from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
    from allauth.mfa.totp.internal.auth import TOTP

    TOTP.activate(user, secret)
    RecoveryCodes.activate(user)
    return secret


_totp_periods_used: dict[tuple[str, str], int] = {}


def totp_code(secret: str = TEST_TOTP_SECRET, *, who: str = "") -> str:
    """The current code of an authenticator app holding `secret`, computed by
    allauth's own TOTP functions.

    allauth accepts a code only within its 30-second period and only once per
    person: this waits out the last two seconds of a period (so the code is still
    current on arrival) and, for the same `secret` and `who`, the rest of a period
    whose code was already handed out."""
    import time

    from allauth.mfa import app_settings
    from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value

    period = app_settings.TOTP_PERIOD
    while True:
        now = time.time()
        counter = int(now // period)
        if now % period > period - 2 or _totp_periods_used.get((secret, who)) == counter:
            time.sleep(period - now % period + 0.1)
            continue
        _totp_periods_used[(secret, who)] = counter
        return format_hotp_value(hotp_value(secret, counter))


def client_reauthenticated(client):
    """Mark a signed-in test client's session as freshly re-authenticated, as
    allauth records it when the password is confirmed again, so that a test can
    reach a sensitive action (accounts.decorators) without the password page."""
    from allauth.account.internal.flows.login import record_authentication
    from django.contrib.auth import SESSION_KEY
    from django.test import RequestFactory

    request = RequestFactory().get("/")
    request.session = client.session
    request.user = User.objects.get(pk=request.session[SESSION_KEY])
    record_authentication(request, request.user, method="password", reauthenticated=True)
    request.session.save()
    return client


def page_text(response) -> str:
    """A response's HTML with its character references decoded and its white
    space folded, so that a sentence reads as one string whatever the markup's
    line breaks."""
    return " ".join(html.unescape(response.content.decode()).split())


def page_words(response) -> str:
    """A response's HTML with its tags replaced by spaces and its white space
    folded: the words the page shows, in order (character references as sent)."""
    return " ".join(re.sub(r"<[^>]+>", " ", response.content.decode()).split())


# --- courses ------------------------------------------------------------------------------


def _courses():
    from courses import models

    return models


class AccreditorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "courses.Accreditor"
        django_get_or_create = ("short_name",)

    name = "American Psychological Association"
    short_name = "APA"
    professions = factory.LazyFunction(lambda: [Profession.PSYCHOLOGIST.value])
    provider_number = "APA-1234"
    approval_start = date(2026, 1, 1)
    approval_end = date(2028, 12, 31)
    statement_template = (
        "{provider} is approved by the American Psychological Association to sponsor "
        "continuing education for psychologists. {provider} maintains responsibility for "
        "this program and its content."
    )
    delivery_formats = factory.LazyFunction(lambda: ["self_paced_reading"])
    pass_mark = Decimal("75")
    questions_per_hour = 6
    attempts_allowed = 3


class InstructorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "courses.Instructor"

    name = factory.Faker("name")
    credentials = "PhD, licensed psychologist"
    bio = "<p>A fictional test instructor.</p>"
    disclosure = "No relevant financial or non-financial relationships."


def lesson_body(words: int, *, reflection: bool = False) -> list[dict]:
    """A StreamField body of about `words` words of rich text (and a reflection prompt)."""
    body = [{"type": "paragraph", "value": "<p>" + " ".join(["word"] * words) + "</p>"}]
    if reflection:
        body.append({"type": "reflection_prompt", "value": {"prompt": "What did you notice?"}})
    return body


def catalog_get(*, home=None):
    """The catalog page, creating the site tree and policies if the test has none."""
    from cms.seed import site_tree_ensure
    from courses.seed import catalog_ensure

    return catalog_ensure(home=home or site_tree_ensure())


def launch_module_as_seeded(slug: str):
    """One launch module, loaded the way `seed_demo` loads it: the seeded accreditors
    and demo instructor, the course and its lessons, the post-test, then publishing."""
    from courses import seed as course_seed
    from courses.models import CoursePage
    from quizzes.seed import post_test_load

    spec = next(s for s in course_seed.launch_module_specs() if s["slug"] == slug)
    course = course_seed.launch_module_load(
        spec=spec,
        catalog=catalog_get(),
        instructor=course_seed.demo_instructor_ensure(),
        accreditors=course_seed.accreditors_ensure(),
    )
    post_test_load(spec=spec, course=course)
    course_seed.launch_course_publish(course=course.specific)
    return CoursePage.objects.get(pk=course.pk)


def _built_like_fixtures(build):
    """Each object a build saves is put in Wagtail's search index and reference
    index (the "usage" that cms.media reads) once, when the build is done, with
    what it holds then: the admin updates both on every save (a course and its
    lessons some thirty times each), and the last update is what counts. The
    repeats were two fifths of building a course. Revisions, publishing and every
    signal of ours run as in the admin."""

    @functools.wraps(build)
    def built(*args, **kwargs):
        from modelsearch import signal_handlers as search_signals
        from wagtail import signal_handlers as wagtail_signals

        deferred = [
            (search_signals, "insert_or_update_object_task"),
            (wagtail_signals, "update_reference_index_task"),
        ]
        if isinstance(getattr(*deferred[0]), _UpdateLater):
            return build(*args, **kwargs)  # inside another build (a hook)
        tasks = {name: getattr(module, name) for module, name in deferred}
        due: dict[tuple, None] = {}
        for module, name in deferred:
            setattr(module, name, _UpdateLater(name, due))
        try:
            result = build(*args, **kwargs)
        finally:
            for module, name in deferred:
                setattr(module, name, tasks[name])
        for name, *key in due:
            tasks[name].enqueue(*key)
        return result

    return built


class _UpdateLater:
    """Stands in for an index's update task during a build: notes what to update."""

    def __init__(self, name: str, due: dict):
        self.name, self.due = name, due

    def enqueue(self, *key):
        self.due[(self.name, *key)] = None


_course_numbers = itertools.count(1)

# Higher apps' sections append callables(course=, owner=) that add what a course needs
# before it can publish (quizzes: a published post-test). Run by course_build.
COURSE_BUILD_HOOKS: list = []


@_built_like_fixtures
def course_build(
    *,
    title: str = "Understanding stuck treatments",
    slug: str | None = None,
    lessons: int = 2,
    words_per_lesson: int = 2600,
    accreditors=None,
    hours: Decimal | str = "0.5",
    publish: bool = True,
    publish_lessons: bool = True,
    owner=None,
    catalog=None,
    **fields,
):
    """A CE course that passes the publishing check, with `lessons` lessons.

    `hours` is credited under each accreditor (general category); with the defaults
    (2 x 2,600 words) the word-count rule allows 0.5 h. `publish=False` leaves the
    course a draft (not live); its lessons are published unless `publish_lessons=False`.
    """
    m = _courses()
    catalog = catalog or catalog_get()
    accreditors = accreditors if accreditors is not None else [AccreditorFactory()]
    instructor = fields.pop("instructor", None) or InstructorFactory()
    course = m.CoursePage(
        title=title,
        slug=slug or f"course-{next(_course_numbers)}",
        summary=fields.pop("summary", "A course for testing."),
        outline=fields.pop("outline", "<ul><li>Lesson one</li><li>Lesson two</li></ul>"),
        target_audience=fields.pop("target_audience", "Licensed psychotherapists."),
        limitations=fields.pop(
            "limitations", "<p>A course for testing: it does not replace supervision.</p>"
        ),
        level=fields.pop("level", m.Level.INTERMEDIATE),
        delivery_format=fields.pop("delivery_format", m.DeliveryFormat.SELF_PACED_READING),
        estimated_minutes=fields.pop("estimated_minutes", 30),
        owner=owner,
        live=False,
        **fields,
    )
    course.objectives = [
        m.LearningObjective(text=f"Describe key idea number {i + 1}.", sort_order=i)
        for i in range(3)
    ]
    course.course_instructors = [m.CourseInstructor(instructor=instructor)]
    course.credits = [
        m.CourseCredit(accreditor=a, category=m.CreditCategory.GENERAL, hours=Decimal(str(hours)))
        for a in accreditors
    ]
    catalog.add_child(instance=course)
    for i in range(lessons):
        lesson = m.LessonPage(
            title=f"Lesson {i + 1}",
            slug=f"lesson-{i + 1}",
            body=lesson_body(words_per_lesson, reflection=(i == 0)),
            owner=owner,
            live=False,
        )
        course.add_child(instance=lesson)
        revision = lesson.save_revision(user=owner)
        if publish_lessons:
            revision.publish()
    for hook in COURSE_BUILD_HOOKS:
        hook(course=course, owner=owner)
    revision = course.save_revision(user=owner)
    if publish:
        revision.publish()
        course.refresh_from_db()
    return course


def lessons_of(course):
    from courses.selectors import lesson_list

    return list(lesson_list(course=course))


# --- quizzes ------------------------------------------------------------------------------


def q_single(stem="Which is right?", *, correct=0, choices=4, objective=1, rationale="Because."):
    """Raw StreamField data for a single-choice question; choice `correct` is right."""
    return {
        "type": "single",
        "value": {
            "stem": stem,
            "choices": [
                {"text": f"{stem} — choice {i + 1}", "correct": i == correct}
                for i in range(choices)
            ],
            "rationale": rationale,
            "objective": objective,
        },
    }


def q_multiple(
    stem="Select all that apply.",
    *,
    correct=(0, 1),
    choices=4,
    partial_credit=False,
    objective=1,
    rationale="Because.",
):
    return {
        "type": "multiple",
        "value": {
            "stem": stem,
            "choices": [
                {"text": f"{stem} — choice {i + 1}", "correct": i in correct}
                for i in range(choices)
            ],
            "partial_credit": partial_credit,
            "rationale": rationale,
            "objective": objective,
        },
    }


def q_true_false(stem="This statement is true.", *, answer=True, objective=1, rationale="Because."):
    return {
        "type": "true_false",
        "value": {
            "stem": stem,
            "correct_answer": "true" if answer else "false",
            "rationale": rationale,
            "objective": objective,
        },
    }


def default_questions() -> list[dict]:
    """One question of each kind, covering the three objectives course_build writes."""
    return [
        q_single("Which single choice is right?", correct=0, objective=1),
        q_multiple("Which two are right?", correct=(0, 1), objective=2),
        q_multiple("Which three are right?", correct=(0, 1, 2), partial_credit=True, objective=3),
        q_true_false("A true statement.", answer=True, objective=1),
    ]


def objectives_keyed(*, course, questions: list[dict]) -> list[dict]:
    """`questions` with each objective given by number (1 = the course's first, as the
    q_* helpers take it) replaced by that objective's key, as questions store it; a
    number the course does not have becomes a key no objective has."""
    from courses.selectors import course_objectives

    keys = [str(o.key) for o in course_objectives(course=course)]
    keyed = []
    for question in questions:
        value = dict(question["value"])
        if isinstance(value.get("objective"), int):
            number = value["objective"]
            value["objective"] = (
                keys[number - 1] if 1 <= number <= len(keys) else f"no-objective-{number}"
            )
        keyed.append({**question, "value": value})
    return keyed


@_built_like_fixtures
def posttest_build(*, course, questions=None, publish: bool = True, owner=None, **settings):
    """The course's post-test with `questions` (raw StreamField data, see q_single,
    q_multiple, q_true_false, whose objective numbers become the course's objective
    keys; default: default_questions()) and page `settings`
    (draw_count, pass_mark, attempts_allowed, wait_minutes, time_limit_minutes,
    review_after_attempt, full_review_after_pass, shuffle_questions, shuffle_choices).

    A course has at most one post-test: an existing one (course_build makes one)
    is updated and republished, as an editor would.
    """
    from quizzes.models import PostTestPage

    questions = objectives_keyed(
        course=course, questions=default_questions() if questions is None else questions
    )
    post_test = PostTestPage.objects.child_of(course).first()
    if post_test is None:
        post_test = PostTestPage(
            title=settings.pop("title", "Post-test"),
            slug="post-test",
            questions=questions,
            owner=owner,
            **settings,
        )
        course.add_child(instance=post_test)
    else:
        post_test = post_test.specific
        post_test.questions = questions
        for name, value in settings.items():
            setattr(post_test, name, value)
    revision = post_test.save_revision(user=owner)
    if publish:
        revision.publish()
    post_test.refresh_from_db()
    return post_test


def _post_test_for_course_build(*, course, owner):
    # Published whatever course_build's `publish` says: a course cannot publish without it.
    posttest_build(course=course, owner=owner)


COURSE_BUILD_HOOKS.append(_post_test_for_course_build)


def lesson_done(*, user, lesson):
    """The clinician opens the lesson (as its page does) and marks it complete."""
    from courses.models import Enrollment
    from courses.services import lesson_mark_complete, lesson_visit

    enrollment = Enrollment.objects.filter(
        user=user, course_id=lesson.get_parent().pk, status=Enrollment.Status.ACTIVE
    ).first()
    if enrollment is not None:  # not enrolled: let the service refuse
        lesson_visit(enrollment=enrollment, lesson=lesson)
    return lesson_mark_complete(user=user, lesson=lesson)


def reading_time_reach(*, client, user, lesson, total_seconds: int, beat: int = 30):
    """Bring `user`'s active reading time in the lesson's course to `total_seconds`
    with one real heartbeat: the time before it is written into the lesson's
    progress (as if read earlier), the previous beat moved `beat` seconds back,
    and the lesson's page beats over HTTP (`client`, signed in as `user`),
    crediting `beat`. Returns the beat's response."""
    from datetime import timedelta

    from django.db.models import Sum
    from django.utils import timezone

    from courses.models import LessonProgress

    headers = {"accept": "application/json"}
    client.post("/learn/heartbeat/", {"lesson": lesson.pk, "seconds": 0}, headers=headers)
    progress = LessonProgress.objects.get(lesson=lesson, enrollment__user=user)
    others = (
        LessonProgress.objects.filter(enrollment_id=progress.enrollment_id)
        .exclude(pk=progress.pk)
        .aggregate(total=Sum("active_seconds"))["total"]
        or 0
    )
    LessonProgress.objects.filter(enrollment_id=progress.enrollment_id).update(
        last_heartbeat_at=timezone.now() - timedelta(seconds=beat)
    )
    LessonProgress.objects.filter(pk=progress.pk).update(
        active_seconds=max(0, total_seconds - beat - others)
    )
    return client.post("/learn/heartbeat/", {"lesson": lesson.pk, "seconds": beat}, headers=headers)


def lessons_complete(*, enrollment):
    for lesson in lessons_of(enrollment.course):
        lesson_done(user=enrollment.user, lesson=lesson)


def attempt_pass(*, enrollment):
    """Start an attempt and submit the answer key (lessons must be complete)."""
    from quizzes.grading import answer_key
    from quizzes.services import attempt_start, attempt_submit

    attempt = attempt_start(enrollment=enrollment)
    return attempt_submit(
        attempt_id=attempt.pk, user=enrollment.user, answers=answer_key(attempt.questions)
    )


def evaluation_submit_default(*, enrollment, rating: int = 4, **overrides):
    """A complete evaluation through the service: every item rated `rating`."""
    from quizzes.selectors import evaluation_items
    from quizzes.services import evaluation_submit

    items = evaluation_items(course=enrollment.course)
    data = {
        "objective_ratings": {i.position: rating for i in items if i.kind == "objective"},
        "instructor_ratings": {i.position: rating for i in items if i.kind == "instructor"},
        "relevance": rating,
        "content_quality": rating,
        "hours_accurate": "accurate",
        "bias_noticed": False,
        "comments": "",
    }
    data.update(overrides)
    return evaluation_submit(enrollment=enrollment, **data)


def requirements_complete(*, enrollment, accreditors=None):
    """Everything a clinician does to complete a course, through the services:
    every lesson complete, the post-test passed with the answer key, the
    evaluation, and the attestation claiming `accreditors` (default: those
    matching the clinician's licenses; [] claims none, an attendance
    certificate). The completion rule fires on the way; returns the
    courses.CourseCompletion (None if something else still blocks it)."""
    from courses.models import CourseCompletion
    from quizzes.models import Attestation, Evaluation
    from quizzes.selectors import claim_options, enrollment_has_passed
    from quizzes.services import attestation_submit

    lessons_complete(enrollment=enrollment)
    if not enrollment_has_passed(enrollment=enrollment):
        attempt = attempt_pass(enrollment=enrollment)
        assert attempt.passed, "the answer key must pass the post-test"
    if not Evaluation.objects.filter(enrollment=enrollment).exists():
        evaluation_submit_default(enrollment=enrollment)
    if not Attestation.objects.filter(enrollment=enrollment).exists():
        if accreditors is None:
            accreditors = [
                o.accreditor for o in claim_options(enrollment=enrollment) if o.matches_license
            ]
        attestation_submit(enrollment=enrollment, confirmed=True, accreditors=list(accreditors))
    return CourseCompletion.objects.filter(enrollment=enrollment).first()


# --- certificates -------------------------------------------------------------------------


def clinician(*, full_name: str = "Dana Whitfield", professions=("psychologist",), **kwargs):
    """A clinician with one license per profession (e.g. PSY 10001, CA)."""
    user = UserFactory(full_name=full_name, **kwargs)
    for profession in professions:
        LicenseFactory(user=user, profession=profession)
    return user


def course_completed_by(*, user, course=None, accreditors=None, **course_fields):
    """Enroll `user` in `course` (built if not given) and complete every
    requirement through the services; returns (enrollment, completion). The
    certificates are issued by the completion, as in production."""
    from courses.services import enrollment_create

    course = course or course_build(**course_fields)
    enrollment = enrollment_create(user=user, course=course)
    completion = requirements_complete(enrollment=enrollment, accreditors=accreditors)
    assert completion is not None, "the course did not complete"
    return enrollment, completion


def completion_in_every_export(*, title: str, full_name: str, license_number: str, comments: str):
    """A clinician named `full_name`, holding license `license_number`, completes
    the APA-approved course `title` through every step and writes `comments` in
    the evaluation: a line in each staff export (certificates, roster, accreditor
    report, evaluations). Returns (apa, course)."""
    from courses.services import enrollment_create

    apa = AccreditorFactory(approval_start=date(2020, 1, 1), approval_end=date(2099, 12, 31))
    course = course_build(title=title, accreditors=[apa])
    person = clinician(full_name=full_name)
    person.licenses.update(license_number=license_number)
    enrollment = enrollment_create(user=person, course=course)
    lessons_complete(enrollment=enrollment)
    attempt_pass(enrollment=enrollment)
    evaluation_submit_default(enrollment=enrollment, comments=comments)
    assert requirements_complete(enrollment=enrollment) is not None
    return apa, course


def certificate_issued(*, user=None, course=None, accreditors=None, **course_fields):
    """The one certificate a completion issued (for tests that need just one)."""
    from certificates.models import Certificate

    user = user or clinician()
    enrollment, _ = course_completed_by(
        user=user, course=course, accreditors=accreditors, **course_fields
    )
    return Certificate.objects.get(enrollment=enrollment)


def completion_record(*, enrollment, completed_at=None):
    """A courses.CourseCompletion written directly, without the requirements and
    without sending course_completed: for tests of the issuing service itself."""
    from django.utils import timezone

    from courses.models import CourseCompletion
    from courses.services import course_snapshot

    course = enrollment.course
    return CourseCompletion.objects.create(
        enrollment=enrollment,
        completed_at=completed_at or timezone.now(),
        course_revision_id=course.live_revision_id,
        snapshot=course_snapshot(course=course),
    )


def aswb_accreditor(**kwargs):
    return AccreditorFactory(
        name="Association of Social Work Boards ACE",
        short_name="ASWB",
        professions=["social_worker"],
        provider_number="ACE-1677",
        statement_template=(
            "{provider}, provider #{number}, is approved to offer social work continuing "
            "education by the Association of Social Work Boards (ASWB) Approved Continuing "
            "Education (ACE) program. ACE provider approval period: {start}–{end}. Social "
            "workers completing this course receive {credits} continuing education credits."
        ),
        **kwargs,
    )


# --- renewals -----------------------------------------------------------------------------


def course_build_in(*, category: str, hours="0.5", accreditors=None, **fields):
    """A published course whose credit (and lesson words) are in `category`
    (course_build credits the general category)."""
    from courses.models import CourseCredit, CoursePage, LessonPage

    instructor = fields.pop("instructor", None) or InstructorFactory(license="LCSW 1234 (CA)")
    course = course_build(
        hours=hours, accreditors=accreditors, publish=False, instructor=instructor, **fields
    )
    LessonPage.objects.child_of(course).update(credit_category=category)
    course = CoursePage.objects.get(pk=course.pk)
    course.credits = [
        CourseCredit(accreditor=c.accreditor, category=category, hours=c.hours)
        for c in course.credits.all()
    ]
    course.save_revision().publish()
    return CoursePage.objects.get(pk=course.pk)


def certificates_completed_on(*, user, day, course=None, accreditors=None, **course_fields):
    """The certificates of a real completion of `course` by `user`, dated `day`
    (as if it had been completed then)."""
    from certificates.models import Certificate

    enrollment, _ = course_completed_by(
        user=user, course=course, accreditors=accreditors, **course_fields
    )
    certificates = Certificate.objects.filter(enrollment=enrollment)
    certificates.update(completion_date=day)
    return list(certificates.order_by("pk"))


def requirement_template(*, minimums=None, **fields):
    """A board's template (a snippet with a first revision), by default a psychology
    board's: 40 h every 24 months, ethics 3, cultural diversity 3, home study at most 20,
    APA credit accepted."""
    from renewals.models import RequirementTemplate, RequirementTemplateMinimum

    defaults = {
        "board": "Example Board of Psychology",
        "region": "MD",
        "profession": Profession.PSYCHOLOGIST,
        "credential": f"Psychologist {next(_course_numbers)}",
        "cycle_months": 24,
        "total_hours": Decimal("40"),
        "home_study_cap": Decimal("20"),
        "accepted_accreditors": "APA\nAmerican Psychological Association",
        "source_url": "https://board.example/ce",
        "source_checked_on": date(2026, 12, 1),
    }
    template = RequirementTemplate(**(defaults | fields))
    minimums = {"ethics": "3", "cultural_diversity": "3"} if minimums is None else minimums
    template.minimums = [
        RequirementTemplateMinimum(category=category, hours=Decimal(str(hours)), sort_order=i)
        for i, (category, hours) in enumerate(minimums.items())
    ]
    template.full_clean()
    template.save()
    template.save_revision()
    return template


def license_tracked(*, license=None, user=None, cycle_start, deadline, **requirement):
    """A license (made for `user` if not given) tracked through the service: under
    `template=`, or with the clinician's own numbers."""
    from renewals.services import requirement_save

    license = license or LicenseFactory(user=user or UserFactory())
    requirement_save(license=license, cycle_start=cycle_start, deadline=deadline, **requirement)
    return license


def pdf_bytes(text: str = "Certificate of completion", pages: int = 1) -> bytes:
    """A small real PDF with `text` on each page (laid out by Typst), readable back."""
    import json

    import typst

    source = (
        "#set page(width: 300pt, height: 200pt)\n"
        f"#let text = json(bytes({json.dumps(json.dumps(text))}))\n"
        f"#for page in range({pages}) {{ if page > 0 {{ pagebreak() }}; [#text, page #(page + 1)] }}\n"
    )
    return typst.Compiler().compile(source.encode(), format="pdf")


def image_bytes(fmt: str = "PNG", size=(400, 300)) -> bytes:
    import io

    from PIL import Image, ImageDraw

    image = Image.new("RGB", size, "white")
    ImageDraw.Draw(image).text((20, 20), "Certificate", fill="black")
    out = io.BytesIO()
    image.save(out, format=fmt)
    return out.getvalue()


def outside_certificate(*, user, data: bytes | None = None, **fields):
    """An uploaded certificate, through the service (a real PDF unless `data`)."""
    from renewals.services import outside_certificate_add

    defaults = {
        "original_name": "certificate.pdf",
        "title": "Trauma-informed care",
        "provider": "Elsewhere CE",
        "accreditor": "APA",
        "category": "general",
        "hours": Decimal("3"),
        "completed_on": date(2026, 6, 1),
        "home_study": True,
    }
    return outside_certificate_add(user=user, data=data or pdf_bytes(), **(defaults | fields))

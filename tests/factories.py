"""Factories shared by every test package.

Simple rows come from factory_boy; page trees (a published course with its
lessons) from `course_build`, which goes through Wagtail's own add_child /
save_revision / publish, exactly as the admin does.

Each app's section is marked; add to the section of your app.
"""

import itertools
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


class LicenseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ClinicianLicense

    user = factory.SubFactory(UserFactory)
    profession = Profession.PSYCHOLOGIST
    license_number = factory.Sequence(lambda n: f"PSY {10000 + n}")
    region = "CA"


def staff_user(*, group: str, **kwargs) -> User:
    """An Instructors or Administrators member (groups come from a data migration)."""
    user = UserFactory(is_staff=True, **kwargs)
    user.groups.add(Group.objects.get(name=group))
    return user


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


_course_numbers = itertools.count(1)


def course_build(
    *,
    title: str = "Understanding stuck treatments",
    slug: str | None = None,
    lessons: int = 2,
    words_per_lesson: int = 2600,
    accreditors=None,
    hours: Decimal | str = "0.5",
    publish: bool = True,
    owner=None,
    catalog=None,
    **fields,
):
    """A CE course that passes the publishing check, with `lessons` lessons.

    `hours` is credited under each accreditor (general category); with the defaults
    (2 x 2,600 words) the word-count rule allows 0.5 h.
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
        level=fields.pop("level", m.Level.INTERMEDIATE),
        delivery_format=fields.pop("delivery_format", m.DeliveryFormat.SELF_PACED_READING),
        estimated_minutes=fields.pop("estimated_minutes", 30),
        owner=owner,
        **fields,
    )
    course.objectives = [
        m.LearningObjective(text=f"Describe key idea number {i + 1}.") for i in range(3)
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
        )
        course.add_child(instance=lesson)
        revision = lesson.save_revision(user=owner)
        if publish:
            revision.publish()
    revision = course.save_revision(user=owner)
    if publish:
        revision.publish()
        course.refresh_from_db()
    return course


def lessons_of(course):
    from courses.selectors import lesson_list

    return list(lesson_list(course=course))

"""Idempotent seed data: the seeded accreditors, the demo instructor, the
catalog page and the launch modules (courses/launch_modules/*.yaml)."""

from datetime import date
from decimal import Decimal
from pathlib import Path

import yaml
from django.contrib.auth.models import Group, Permission
from django.db import transaction
from wagtail.models import (
    GroupApprovalTask,
    GroupPagePermission,
    Page,
    Workflow,
    WorkflowPage,
    WorkflowTask,
)

from accounts.models import Profession

from .models import (
    Accreditor,
    CourseCredit,
    CourseIndexPage,
    CourseInstructor,
    CoursePage,
    CreditMethod,
    DeliveryFormat,
    Instructor,
    LearningObjective,
    LessonPage,
)
from .wordcount import hours_from_words, stream_word_count

LAUNCH_MODULES_DIR = Path(__file__).resolve().parent / "launch_modules"

PLACEHOLDER_NUMBER = "REPLACE-ME"

SEEDED_ACCREDITORS = [
    {
        "short_name": "APA",
        "name": "American Psychological Association",
        "professions": [Profession.PSYCHOLOGIST],
        "statement_template": (
            "{provider} is approved by the American Psychological Association to sponsor continuing "
            "education for psychologists. {provider} maintains responsibility for this program and its content."
        ),
        "questions_per_hour": 6,
        "questions_first_hour": 0,
        "questions_per_additional_hour": 0,
    },
    {
        "short_name": "ASWB ACE",
        "name": "Association of Social Work Boards Approved Continuing Education",
        "professions": [Profession.SOCIAL_WORKER],
        "statement_template": (
            "{provider}, provider #{number}, is approved to offer social work continuing education by the "
            "Association of Social Work Boards (ASWB) Approved Continuing Education (ACE) program. "
            "Organizations, not individual courses, are approved as ACE providers. State and provincial "
            "regulatory boards have the final authority to determine whether an individual course may be "
            "accepted for continuing education credit. {provider} maintains responsibility for this course. "
            "ACE provider approval period: {start}–{end}. Social workers completing this course receive "
            "{credits} continuing education credits."
        ),
        "questions_per_hour": 0,
        "questions_first_hour": 10,
        "questions_per_additional_hour": 5,
    },
    {
        "short_name": "NBCC",
        "name": "National Board for Certified Counselors",
        "professions": [Profession.COUNSELOR],
        "statement_template": (
            "{provider} has been approved by NBCC as an Approved Continuing Education Provider, ACEP No. "
            "{number}. Programs that do not qualify for NBCC credit are clearly identified. {provider} is "
            "solely responsible for all aspects of the programs."
        ),
        "questions_per_hour": 6,
        "questions_first_hour": 0,
        "questions_per_additional_hour": 0,
    },
]

DEMO_INSTRUCTOR = {
    "name": "Rowan Ellery",
    "credentials": "PhD, licensed psychologist",
    "bio": (
        "<p><strong>Rowan Ellery is a fictional demo instructor</strong> created for Practicum's "
        "launch modules. The profile stands in for the real author whose name, credentials and CV "
        "an administrator enters before the courses are offered for credit.</p>"
    ),
    "disclosure": (
        "No relevant financial or non-financial relationships to disclose. This course receives no "
        "commercial support."
    ),
}


def accreditors_ensure() -> list[Accreditor]:
    result = []
    for spec in SEEDED_ACCREDITORS:
        accreditor, _ = Accreditor.objects.get_or_create(
            short_name=spec["short_name"],
            defaults={
                **spec,
                "professions": [str(p) for p in spec["professions"]],
                "provider_number": PLACEHOLDER_NUMBER,
                "approval_start": date(2026, 1, 1),
                "approval_end": date(2028, 12, 31),
                "delivery_formats": [
                    DeliveryFormat.SELF_PACED_READING,
                    DeliveryFormat.SELF_PACED_MULTIMEDIA,
                ],
            },
        )
        result.append(accreditor)
    return result


def demo_instructor_ensure(*, user=None) -> Instructor:
    instructor, _ = Instructor.objects.get_or_create(
        name=DEMO_INSTRUCTOR["name"], defaults={**DEMO_INSTRUCTOR, "user": user}
    )
    return instructor


def catalog_ensure(*, home: Page) -> CourseIndexPage:
    catalog = CourseIndexPage.objects.first()
    if catalog is None:
        catalog = CourseIndexPage(
            title="Courses",
            slug="courses",
            intro="<p>Self-paced CE for psychotherapists. Every course lists its credit, its accreditors "
            "and how its hours were set.</p>",
        )
        home.add_child(instance=catalog)
        catalog.save_revision().publish()
    # Courses and lessons under the catalog go through the Administrators' approval.
    WorkflowPage.objects.update_or_create(
        page=catalog, defaults={"workflow": approval_workflow_ensure()}
    )
    # Instructors add courses here and edit the pages they own; publishing goes through approval.
    # The groups come from a data migration (accounts 0002); get_or_create keeps the
    # seed whole on a flushed test database too.
    instructors = Group.objects.get_or_create(name="Instructors")[0]
    administrators = Group.objects.get_or_create(name="Administrators")[0]
    for group, codenames in (
        (instructors, ["add_page"]),
        (administrators, ["add_page", "change_page", "publish_page", "lock_page", "unlock_page"]),
    ):
        target = catalog if group == instructors else home
        for codename in codenames:
            GroupPagePermission.objects.get_or_create(
                group=group,
                page=target,
                permission=Permission.objects.get(
                    content_type__app_label="wagtailcore", codename=codename
                ),
            )
    return catalog


APPROVAL_WORKFLOW = "CE course approval"
APPROVAL_TASK = "CE administrator approval"


def approval_workflow_ensure() -> Workflow:
    """The workflow instructors submit courses to: one Administrators approval task.
    (Migration 0002 creates the same rows; this keeps the seed whole on its own.)"""
    task = GroupApprovalTask.objects.filter(name=APPROVAL_TASK).first()
    if task is None:
        task = GroupApprovalTask.objects.create(name=APPROVAL_TASK)
    task.groups.add(Group.objects.get_or_create(name="Administrators")[0])
    workflow, _ = Workflow.objects.get_or_create(name=APPROVAL_WORKFLOW, defaults={"active": True})
    WorkflowTask.objects.get_or_create(workflow=workflow, task=task, defaults={"sort_order": 0})
    return workflow


def launch_module_specs() -> list[dict]:
    return [yaml.safe_load(path.read_text()) for path in sorted(LAUNCH_MODULES_DIR.glob("*.yaml"))]


@transaction.atomic
def launch_module_load(
    *,
    spec: dict,
    catalog: CourseIndexPage,
    instructor: Instructor,
    accreditors: list[Accreditor],
    owner=None,
) -> CoursePage:
    """Create the course and its lessons from a launch-module spec, unless it exists.
    Credit hours follow the word-count rule, per category, for every accreditor."""
    existing = CoursePage.objects.filter(slug=spec["slug"]).first()
    if existing is not None:
        return existing
    course = CoursePage(
        title=spec["title"],
        slug=spec["slug"],
        summary=spec["summary"].strip(),
        outline="<ul>" + "".join(f"<li>{line}</li>" for line in spec["outline"]) + "</ul>",
        target_audience=spec["target_audience"].strip(),
        level=spec.get("level", "intermediate"),
        delivery_format=DeliveryFormat.SELF_PACED_READING,
        estimated_minutes=spec.get("estimated_minutes", 60),
        credit_method=CreditMethod.WORD_COUNT,
        live=False,
        references=[
            {
                "type": "reference",
                "value": {
                    k: str(ref.get(k) or "") for k in ("authors", "year", "title", "source", "doi")
                },
            }
            for ref in spec.get("references", [])
        ],
        owner=owner,
    )
    course.objectives = [LearningObjective(text=text) for text in spec["objectives"]]
    course.course_instructors = [CourseInstructor(instructor=instructor)]
    catalog.add_child(instance=course)
    course.topics.add(*spec.get("topics", []))
    words: dict[str, int] = {}
    for lesson_spec in spec["lessons"]:
        lesson = LessonPage(
            title=lesson_spec["title"],
            slug=lesson_spec["slug"],
            credit_category=lesson_spec.get("credit_category", "general"),
            body=lesson_spec["body"],
            owner=owner,
            live=False,
        )
        course.add_child(instance=lesson)
        lesson.save_revision(user=owner).publish()
        words[lesson.credit_category] = words.get(lesson.credit_category, 0) + stream_word_count(
            lesson.body.raw_data
        )
    course.credits = [
        CourseCredit(
            accreditor=accreditor,
            category=category,
            hours=hours_from_words(count, words_per_hour=course.words_per_credit_hour),
        )
        for accreditor in accreditors
        for category, count in sorted(words.items())
        if hours_from_words(count, words_per_hour=course.words_per_credit_hour) > Decimal("0")
    ]
    course.save()
    return course


def launch_course_publish(*, course: CoursePage, user=None) -> None:
    # Also publishes courses an earlier seed left "live" without a published revision.
    if not course.live or course.live_revision_id is None:
        course.save_revision(user=user).publish(user=user)

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
    RuleKind,
)
from .wordcount import hours_from_words, stream_word_count

LAUNCH_MODULES_DIR = Path(__file__).resolve().parent / "launch_modules"

PLACEHOLDER_NUMBER = "REPLACE-ME"

# Where no written rule was found: no post-test size or true/false rule, and the product's
# defaults for the pass mark (75 %) and the credit increment (quarter hours).
NO_WRITTEN_RULE = {
    "questions_per_hour": 0,
    "questions_first_hour": 0,
    "questions_per_additional_hour": 0,
    "max_true_false_percent": 100,
    "post_test_rule_kind": RuleKind.REQUIREMENT,
    "pass_mark": Decimal("75"),
    "credit_increment": Decimal("0.25"),
    "credit_minimum": Decimal("0.25"),
}

# Each rule below carries its source (also listed in docs/courses.md). Where no written
# rule was found, the value is the product's default and says so: a default is not a rule.
SEEDED_ACCREDITORS = [
    {
        "short_name": "APA",
        "name": "American Psychological Association",
        "professions": [Profession.PSYCHOLOGIST],
        # Statement: APA, "FAQs for Applicants and Approved CE Sponsors" (apa.org/ed/sponsor).
        "statement_template": (
            "{provider} is approved by the American Psychological Association to sponsor continuing "
            "education for psychologists. {provider} maintains responsibility for this program and its content."
        ),
        # APA's sponsor FAQ: "Although there are no specific requirements, we recommend 6-8
        # questions for every one credit and a passing criterion of at least 75%" — a
        # recommendation, shown to authors as one. No APA true/false limit was found (the
        # "one true/false per hour" figure is a sponsor's FAQ), hence 100 %.
        "questions_per_hour": 6,
        "questions_first_hour": 0,
        "questions_per_additional_hour": 0,
        "max_true_false_percent": 100,
        "post_test_rule_kind": RuleKind.RECOMMENDATION,
        "pass_mark": Decimal("75"),
        # Quarter hours: common practice (docs/ce-rules.md), no APA rule to the contrary found.
        "credit_increment": Decimal("0.25"),
        "credit_minimum": Decimal("0.25"),
    },
    {
        "short_name": "ASWB ACE",
        "name": "Association of Social Work Boards Approved Continuing Education",
        "professions": [Profession.SOCIAL_WORKER],
        # Statement: the ACE provider statement as docs/ce-rules.md gives it.
        "statement_template": (
            "{provider}, provider #{number}, is approved to offer social work continuing education by the "
            "Association of Social Work Boards (ASWB) Approved Continuing Education (ACE) program. "
            "Organizations, not individual courses, are approved as ACE providers. State and provincial "
            "regulatory boards have the final authority to determine whether an individual course may be "
            "accepted for continuing education credit. {provider} maintains responsibility for this course. "
            "ACE provider approval period: {start}–{end}. Social workers completing this course receive "
            "{credits} continuing education credits."
        ),
        # No ACE post-test size or true/false rule was found (the 10 + 5 rule is NASW's, below):
        # none is seeded. Pass mark 75 % and quarter hours are the product's defaults.
        **NO_WRITTEN_RULE,
    },
    {
        "short_name": "NASW",
        "name": "National Association of Social Workers CE Approval Program",
        "professions": [Profession.SOCIAL_WORKER],
        # NASW approves programs, not providers; its certificates carry the program's approval
        # number and NASW's statement (socialworkers.org, CE Approval Program FAQ). Copy the exact
        # statement from the approval letter; {number} holds the approval number here.
        "statement_template": (
            "This program is Approved by the National Association of Social Workers (Approval # "
            "{number}) for {credits} continuing education contact hours."
        ),
        # socialworkers.org, "Apply to the NASW CE Approval Program" (distance learning): a
        # post-test with a passing score of 80 % or more; at least ten multiple-choice questions
        # for the first credit hour and five more for each further hour or half hour; no more
        # than 10 % true/false. The same page: written materials, 1 CEU = 10,000 words.
        "questions_per_hour": 0,
        "questions_first_hour": 10,
        "questions_per_additional_hour": 5,
        "max_true_false_percent": 10,
        "post_test_rule_kind": RuleKind.REQUIREMENT,
        "pass_mark": Decimal("80"),
        # socialworkers.org, "Application Checklist Information": requested CEs "must be on the
        # whole or half hour"; "programs and sessions must be a minimum of one hour".
        "credit_increment": Decimal("0.50"),
        "credit_minimum": Decimal("1.00"),
    },
    {
        "short_name": "NBCC",
        "name": "National Board for Certified Counselors",
        "professions": [Profession.COUNSELOR],
        # Statement: the ACEP statement as docs/ce-rules.md gives it.
        "statement_template": (
            "{provider} has been approved by NBCC as an Approved Continuing Education Provider, ACEP No. "
            "{number}. Programs that do not qualify for NBCC credit are clearly identified. {provider} is "
            "solely responsible for all aspects of the programs."
        ),
        # No NBCC post-test size or true/false rule was found, so none is seeded (APA's
        # recommendation is APA's). Pass mark 75 % and quarter hours are the product's defaults.
        **NO_WRITTEN_RULE,
    },
]

# The rule fields accreditors_ensure keeps in step with the list above, on rows an
# administrator has not configured yet (still carrying the placeholder number).
SEEDED_RULE_FIELDS = (
    "questions_per_hour",
    "questions_first_hour",
    "questions_per_additional_hour",
    "max_true_false_percent",
    "post_test_rule_kind",
    "pass_mark",
    "credit_increment",
    "credit_minimum",
)

DEMO_INSTRUCTOR = {
    "name": "Rowan Ellery",
    "credentials": "Fictional sample instructor (no real credentials)",
    "bio": (
        "<p><strong>Rowan Ellery is a fictional demo instructor</strong> created for Practicum's "
        "launch modules. The profile stands in for the real author whose name, credentials, "
        "license and CV an administrator enters before the courses are offered for credit.</p>"
    ),
    "disclosure": (
        "Fictional sample profile: a real author's conflict-of-interest and commercial-support "
        "disclosure goes here. The launch modules receive no commercial support."
    ),
    "license": "",
    "is_sample": True,
}


def accreditors_ensure() -> list[Accreditor]:
    result = []
    for spec in SEEDED_ACCREDITORS:
        accreditor, created = Accreditor.objects.get_or_create(
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
        if not created and accreditor.has_placeholder_number:
            # A seeded row nobody has configured: bring its rules in step with their sources
            # (an earlier seed gave ASWB ACE the NASW post-test rule and NBCC APA's figure).
            for name in SEEDED_RULE_FIELDS:
                setattr(accreditor, name, spec[name])
            accreditor.save(update_fields=list(SEEDED_RULE_FIELDS))
        result.append(accreditor)
    return result


def demo_instructor_ensure(*, user=None) -> Instructor:
    instructor, created = Instructor.objects.get_or_create(
        name=DEMO_INSTRUCTOR["name"], defaults={**DEMO_INSTRUCTOR, "user": user}
    )
    if not created and not instructor.is_sample:
        # Rows from an earlier seed: the demo instructor is always marked fictional.
        instructor.is_sample = True
        instructor.save(update_fields=["is_sample"])
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
        limitations=spec.get("limitations", "").strip(),
        level=spec.get("level", "intermediate"),
        delivery_format=DeliveryFormat.SELF_PACED_READING,
        estimated_minutes=spec.get("estimated_minutes", 60),
        featured=spec.get("featured", False),
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
        CourseCredit(accreditor=accreditor, category=category, hours=hours)
        for accreditor in accreditors
        for category, hours in sorted(
            credit_by_category(
                words=words, words_per_hour=course.words_per_credit_hour, accreditor=accreditor
            ).items()
        )
    ]
    course.save()
    return course


def credit_by_category(
    *, words: dict[str, int], words_per_hour: int, accreditor: Accreditor
) -> dict[str, Decimal]:
    """The hours the word-count rule gives each category, rounded down to the accreditor's
    increment; nothing when the total falls under its minimum (NASW: one hour)."""
    increment = Decimal(accreditor.credit_increment)
    hours = {}
    for category, count in words.items():
        allowed = hours_from_words(count, words_per_hour=words_per_hour)
        rounded = (allowed // increment) * increment
        if rounded > 0:
            hours[category] = rounded.quantize(Decimal("0.01"))
    if sum(hours.values(), Decimal("0")) < accreditor.credit_minimum:
        return {}
    return hours


def launch_course_publish(*, course: CoursePage, user=None) -> None:
    # Also publishes courses an earlier seed left "live" without a published revision.
    if not course.live or course.live_revision_id is None:
        course.save_revision(user=user).publish(user=user)

"""The publish gate: every CE-required item a course still lacks, in one place.

`course_publish_problems` is the one entry point. Every path that publishes a
course or sends it for approval asks it, and only shows its answer:

- the page editor's form (`courses.forms.CoursePageForm`) passes the facts it was
  given (`CourseFacts`, built by the form from what was typed);
- `CoursePage.publish` (workflow approval, bulk actions, schedules) refuses with
  `CoursePublishRefused`, which `courses.middleware` shows as admin messages;
- the editor's checklist and credit panels show `course_editor_report` (read once a request);
- higher apps add their own items through `courses.registry.register_publish_check`
  (quizzes: the post-test), which this gate asks last.
"""

from dataclasses import dataclass, field

from django.urls import reverse
from django.utils import timezone
from wagtail.models import Page, WorkflowState

from cms.models import ProviderSettings
from cms.refusals import Refusal

from .credit_rules import CreditCheck
from .models import CourseCredit, CoursePage
from .publish_rules import REQUIRED_TEXT, CourseFacts, SitePolicy, publish_problems
from .registry import publish_check_problems
from .selectors.authoring import course_credit_check, course_warnings, lesson_versions


def course_facts(course: CoursePage) -> CourseFacts:
    return CourseFacts(
        fields={name: getattr(course, name) for name in REQUIRED_TEXT},
        objectives=[o.text for o in course.objectives.all()],
        instructors=[ci.instructor for ci in course.course_instructors.all()],
        credits=list(course.credits.all().select_related("accreditor")),
        credit_method=course.credit_method,
        credit_evidence=course.credit_evidence,
        words_per_credit_hour=course.words_per_credit_hour,
        estimated_minutes=course.estimated_minutes,
    )


def course_publish_problems(
    *, course: CoursePage, facts: CourseFacts | None = None, for_submission: bool = False
) -> list[str]:
    """Every CE-required item still missing. Empty means the course may publish.

    `facts` (the admin editor) replaces what is read from the saved course.
    `for_submission` (sending the course for approval) accepts lessons that are still
    drafts: they go through approval too; publishing needs at least one published
    lesson. The registered checks are told which it is (`for_publish=not for_submission`).
    """
    facts = facts if facts is not None else course_facts(course)
    return _problems(course, _read(course, facts), for_submission=for_submission)


@dataclass(frozen=True)
class _Read:
    """What the rules read from the database, once for both checks of the editor."""

    facts: CourseFacts
    lessons: list
    check: CreditCheck | None  # None without lessons: there is no word count
    policies: list[SitePolicy]


def _read(course: CoursePage, facts: CourseFacts) -> _Read:
    lessons = lesson_versions(course=course) if course.pk else []
    check = None
    if lessons:
        check = course_credit_check(
            course=course,
            credits=facts.credits,
            method=facts.credit_method,
            words_per_hour=facts.words_per_credit_hour or course.words_per_credit_hour,
            estimated_minutes=facts.estimated_minutes,
            lessons=lessons,
        )
    return _Read(facts=facts, lessons=lessons, check=check, policies=site_policies())


def site_policies() -> list[SitePolicy]:
    """The refund, grievance and accommodation pages the provider's settings name, and
    whether each is live (one query)."""
    provider = ProviderSettings.load()
    policies = [
        ("refund policy", provider.refund_policy_page_id),
        ("grievance policy", provider.grievance_policy_page_id),
        ("accommodation-request page", provider.accommodation_page_id),
    ]
    live = set(
        Page.objects.live()
        .filter(pk__in=[page_id for _, page_id in policies if page_id])
        .values_list("pk", flat=True)
    )
    return [
        SitePolicy(label=label, page_id=page_id, live=page_id in live)
        for label, page_id in policies
    ]


def _problems(course: CoursePage, read: _Read, *, for_submission: bool) -> list[str]:
    return [
        *publish_problems(
            facts=read.facts,
            lessons_live=[lesson.live for lesson in read.lessons],
            check=read.check,
            policies=read.policies,
            today=timezone.localdate(),
            for_submission=for_submission,
        ),
        *publish_check_problems(course, for_publish=not for_submission),
    ]


class CoursePublishRefused(Refusal):
    """Raised by `CoursePage.publish`; courses.middleware shows each problem as an
    admin message on the course's edit page."""

    def __init__(self, *, page_id: int, problems: list[str]):
        self.page_id = page_id
        self.problems = problems
        super().__init__(
            "This course cannot be published: " + "; ".join(problems) + ".",
            kind=Refusal.Kind.CONFLICT,
        )


@dataclass(frozen=True)
class PublishChecklist:
    """What the editor's checklist shows for a saved course."""

    problems: list[str]  # block sending it for approval (and publishing)
    before_publishing: list[str]  # block only its publication (pages under it not yet live)
    pending: list["PendingChild"]


@dataclass(frozen=True)
class EditorReport:
    """Everything the course editor's two panels show, read once per request."""

    checklist: PublishChecklist
    credit_check: CreditCheck | None  # None until the course is saved
    warnings: list[str]
    credits: list[CourseCredit] = field(default_factory=list)  # with their accreditors


def course_editor_report(*, course: CoursePage) -> EditorReport:
    """The checklist (what blocks sending for approval, what blocks only publishing,
    the pages still to be reviewed), the credit check and the warnings, from one
    reading of the course, its lessons and the policies."""
    if not course.pk:
        return EditorReport(
            checklist=PublishChecklist(problems=[], before_publishing=[], pending=[]),
            credit_check=None,
            warnings=[],
        )
    read = _read(course, course_facts(course))
    problems = _problems(course, read, for_submission=True)
    publishing = _problems(course, read, for_submission=False)
    check = read.check or course_credit_check(course=course, credits=read.facts.credits, lessons=[])
    return EditorReport(
        checklist=PublishChecklist(
            problems=problems,
            before_publishing=[p for p in publishing if p not in problems],
            pending=course_children_pending(course=course),
        ),
        credit_check=check,
        warnings=course_warnings(
            course=course,
            check=check,
            credits=read.facts.credits,
            instructors=read.facts.instructors,
        ),
        credits=read.facts.credits,
    )


def course_publish_checklist(*, course: CoursePage) -> PublishChecklist:
    return course_editor_report(course=course).checklist


# --- The pages under a course ----------------------------------------------------------------


@dataclass(frozen=True)
class PendingChild:
    """A page under a course (a lesson, the post-test) that is not live yet, or whose
    changes are in moderation."""

    page_id: int
    title: str
    kind: str
    status: str
    live: bool
    edit_url: str


def course_children_pending(*, course: CoursePage) -> list[PendingChild]:
    """The course's child pages still to be reviewed, in tree order (two queries).

    A child is listed when it is not live, or when a workflow is running on it. Its
    status says which: awaiting approval, changes requested, or a draft nobody has
    submitted yet."""
    if not course.pk:
        return []
    children = list(
        Page.objects.child_of(course)
        .order_by("path")
        .only("id", "title", "draft_title", "live", "content_type")
    )
    workflow_status = dict(
        WorkflowState.objects.active()
        .filter(
            base_content_type_id=course.get_base_content_type().pk,
            object_id__in=[str(child.pk) for child in children],
        )
        .values_list("object_id", "status")
    )
    pending = []
    for child in children:
        status = workflow_status.get(str(child.pk))
        if child.live and status is None:
            continue
        if status == WorkflowState.STATUS_IN_PROGRESS:
            label = "changes awaiting approval" if child.live else "awaiting approval"
        elif status == WorkflowState.STATUS_NEEDS_CHANGES:
            label = "changes requested"
        else:
            label = "draft, not submitted for approval"
        pending.append(
            PendingChild(
                page_id=child.pk,
                title=child.draft_title or child.title,
                kind=str(child.specific_class._meta.verbose_name),
                status=f"live; {label}" if child.live else label,
                live=child.live,
                edit_url=reverse("wagtailadmin_pages:edit", args=(child.pk,)),
            )
        )
    return pending

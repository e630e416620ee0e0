"""The instructor's home ("My courses"): the courses a person authors, with where
each stands, its figures, and what they may do next.

Who may manage a course (preview it whole, duplicate it, see it on "My courses"):
its authors — the page's owner and the staff accounts of its instructors — and
the Administrators (whoever may publish it). Clinicians never reach the admin.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from django.contrib.contenttypes.models import ContentType
from django.db.models import Count, Q, QuerySet, TextChoices
from django.urls import reverse
from wagtail.models import Page, WorkflowState
from wagtail.permission_policies.pages import PagePermissionPolicy

from ..models import CourseCompletion, CourseIndexPage, CoursePage, Enrollment, LessonPage
from ..registry import course_figures


class CourseStatus(TextChoices):
    """Where a course stands in its one review round."""

    DRAFT = "draft", "Draft"
    IN_REVIEW = "in_review", "In review"
    CHANGES_REQUESTED = "changes_requested", "Changes requested"
    LIVE = "live", "Live"


def course_reviewer(*, user, course: CoursePage) -> bool:
    """An Administrator of this course: whoever may publish it."""
    return course.permissions_for_user(user).can_publish()


def course_author(*, user, course: CoursePage) -> bool:
    """The page's owner, or a staff account linked to one of its instructors."""
    if not user.is_authenticated:
        return False
    if course.owner_id == user.pk:
        return True
    return course.course_instructors.filter(instructor__user=user).exists()


def course_may_manage(*, user, course: CoursePage) -> bool:
    """Its authors and the Administrators; nobody else (other instructors, clinicians)."""
    if not (user.is_authenticated and user.is_active):
        return False
    return course_reviewer(user=user, course=course) or course_author(user=user, course=course)


def courses_authored(*, user) -> QuerySet[CoursePage]:
    """The courses `user` owns or teaches (an Instructor linked to the account)."""
    if not user.is_authenticated:
        return CoursePage.objects.none()
    ids = CoursePage.objects.filter(
        Q(owner=user) | Q(course_instructors__instructor__user=user)
    ).values("pk")
    return CoursePage.objects.filter(pk__in=ids)


def course_home_shown(*, user) -> bool:
    """Whether "My courses" is for this person: they may add pages (instructors,
    Administrators) or author a course."""
    if not user.is_authenticated:
        return False
    return PagePermissionPolicy().user_has_permission(user, "add") or (
        courses_authored(user=user).exists()
    )


@dataclass(frozen=True)
class Link:
    label: str
    url: str


@dataclass
class CourseRow:
    course: CoursePage
    status: CourseStatus
    #: Live, with changes saved since that are not in review yet.
    draft_changes: bool
    lessons: int
    enrollments: int
    completions: int
    #: (heading, value) of each registered figure (quizzes: the pass rate).
    figures: list[tuple[str, str]] = field(default_factory=list)
    #: What may be added under it now: New lesson, Add post-test (while it has none).
    add_links: list[Link] = field(default_factory=list)
    may_edit: bool = False

    @property
    def title(self) -> str:
        return self.course.draft_title or self.course.title


@dataclass
class CourseHome:
    rows: list[CourseRow]
    figure_labels: list[str]
    #: The add-page view for a new course under the catalog, if this person may add one.
    new_course_url: str = ""
    #: Whether this person may list every course (Administrators).
    may_see_all: bool = False


def course_home(*, user, everyone: bool = False) -> CourseHome:
    """The courses `user` authors (every course, for an Administrator asking for
    `everyone`), newest change first, with status, enrollments, completions, the
    registered figures and the pages that may be added. A constant number of
    queries whatever the number of courses (tests/courses/test_instructor_home.py)."""
    catalog = CourseIndexPage.objects.first()
    may_see_all = catalog is not None and catalog.permissions_for_user(user).can_publish()
    courses_qs = (
        CoursePage.objects.all() if everyone and may_see_all else courses_authored(user=user)
    )
    courses = list(
        courses_qs.select_related("owner").order_by("-latest_revision_created_at", "title")
    )
    ids = [course.pk for course in courses]
    statuses = _workflow_statuses(courses)
    children = _children_by_type(courses)
    enrollments = dict(
        Enrollment.objects.filter(course_id__in=ids)
        .values("course_id")
        .annotate(n=Count("pk"))
        .values_list("course_id", "n")
    )
    completions = dict(
        CourseCompletion.objects.filter(enrollment__course_id__in=ids)
        .values("enrollment__course_id")
        .annotate(n=Count("pk"))
        .values_list("enrollment__course_id", "n")
    )
    figures = [(figure.label, figure.figures_for(course_ids=ids)) for figure in course_figures()]
    rows = []
    for course in courses:
        perms = course.permissions_for_user(user)
        workflow = statuses.get(course.pk)
        rows.append(
            CourseRow(
                course=course,
                status=_status(course, workflow),
                draft_changes=course.live and course.has_unpublished_changes and workflow is None,
                lessons=children[course.pk][LessonPage],
                enrollments=enrollments.get(course.pk, 0),
                completions=completions.get(course.pk, 0),
                figures=[(label, values.get(course.pk, "—")) for label, values in figures],
                add_links=_add_links(course, children[course.pk])
                if perms.can_add_subpage()
                else [],
                may_edit=perms.can_edit(),
            )
        )
    new_course_url = ""
    if (
        catalog is not None
        and CoursePage.can_create_at(catalog)
        and catalog.permissions_for_user(user).can_add_subpage()
    ):
        new_course_url = reverse(
            "wagtailadmin_pages:add", args=("courses", "coursepage", catalog.pk)
        )
    return CourseHome(
        rows=rows,
        figure_labels=[label for label, _ in figures],
        new_course_url=new_course_url,
        may_see_all=may_see_all,
    )


def _workflow_statuses(courses: list[CoursePage]) -> dict[int, str]:
    if not courses:
        return {}
    return {
        int(object_id): status
        for object_id, status in WorkflowState.objects.active()
        .filter(
            base_content_type_id=courses[0].get_base_content_type().pk,
            object_id__in=[str(course.pk) for course in courses],
        )
        .values_list("object_id", "status")
    }


def _status(course: CoursePage, workflow: str | None) -> CourseStatus:
    if workflow == WorkflowState.STATUS_IN_PROGRESS:
        return CourseStatus.IN_REVIEW
    if workflow == WorkflowState.STATUS_NEEDS_CHANGES:
        return CourseStatus.CHANGES_REQUESTED
    return CourseStatus.LIVE if course.live else CourseStatus.DRAFT


def _children_by_type(courses: list[CoursePage]) -> dict[int, Counter]:
    """How many pages of each type (model) are under each course: one query."""
    counts: dict[int, Counter] = {course.pk: Counter() for course in courses}
    if not courses:
        return counts
    by_path = {course.path: course.pk for course in courses}
    paths = Q()
    for path in by_path:
        paths |= Q(path__startswith=path)
    models = {
        ContentType.objects.get_for_model(model).pk: model  # cached by Django
        for model in CoursePage.creatable_subpage_models()
    }
    for path, content_type_id in Page.objects.filter(
        paths, depth__in={course.depth + 1 for course in courses}
    ).values_list("path", "content_type_id"):
        course_id = by_path.get(path[: -CoursePage.steplen])
        if course_id is not None and content_type_id in models:
            counts[course_id][models[content_type_id]] += 1
    return counts


def _add_links(course: CoursePage, children: Counter) -> list[Link]:
    """The add-page views for each page type the course may still take."""
    links = []
    for model in CoursePage.creatable_subpage_models():
        limit = model.max_count_per_parent
        if limit is not None and children[model] >= limit:
            continue
        meta = model._meta
        label = "New lesson" if model is LessonPage else f"Add {meta.verbose_name}"
        url = reverse("wagtailadmin_pages:add", args=(meta.app_label, meta.model_name, course.pk))
        links.append(Link(label=label, url=url))
    return links


def course_editor_links(*, course: CoursePage) -> list[Link]:
    """The links the course editor shows above its checklist: the whole course's
    preview, its duplicate as a template, and the course review screen while the
    course is in review."""
    links = [
        Link(
            label="Preview the whole course as a learner",
            url=reverse("courses_preview:course", args=(course.pk,)),
        ),
        Link(
            label="Duplicate as a template",
            url=reverse("courses_duplicate:course", args=(course.pk,)),
        ),
    ]
    state = course.current_workflow_state
    if state is not None and state.status == WorkflowState.STATUS_IN_PROGRESS:
        links.append(
            Link(
                label="This course is in review: open the course review screen",
                url=reverse("courses_review:course", args=(course.pk,)),
            )
        )
    return links

"""Duplicate a course as a template (a write, beside courses.services): Wagtail's
copy of the course with its lessons and post-test, all as drafts owned by the
person who copied them, under a new title and slug. Nothing of the original's
learners comes along (enrollments, progress, attempts, completions point at the
original pages and are never copied), nor its review state, its accreditors'
approval numbers (each course gets its own) or its history: each copy starts
with one revision, the original's latest version (drafts included)."""

from __future__ import annotations

from django.db import transaction
from django.utils.text import slugify
from wagtail.models import Page, Revision

from audit.models import AuditAction
from audit.services import audit_record
from cms.refusals import Refusal

from .models import CourseCredit, CoursePage
from .selectors.instructing import course_may_manage

#: What a copy never keeps of the original page (scheduling, locks).
_RESET = {
    "go_live_at": None,
    "expire_at": None,
    "locked": False,
    "locked_by": None,
    "locked_at": None,
}


def course_copy_slug(*, course: CoursePage, title: str) -> str:
    """A slug from the title that no sibling of the course uses yet."""
    base = (slugify(title) or "course")[:240]
    taken = set(Page.objects.child_of(course.get_parent()).values_list("slug", flat=True))
    slug, number = base, 2
    while slug in taken:
        slug, number = f"{base}-{number}", number + 1
    return slug


@transaction.atomic
def course_duplicate(*, course_id: int, user, title: str) -> CoursePage:
    """Copy the course and the pages under it as drafts titled `title`. Only the
    course's authors and the Administrators may, and only if they may add a course
    to the catalog; a row goes to the audit log."""
    course = CoursePage.objects.filter(pk=course_id).first()
    if course is None:
        raise Refusal("There is no such course.", kind=Refusal.Kind.NOT_FOUND)
    if not course_may_manage(user=user, course=course):
        raise Refusal(
            "Only the course's instructors and the Administrators may duplicate it.",
            kind=Refusal.Kind.NOT_ALLOWED,
        )
    catalog = course.get_parent()
    if not catalog.permissions_for_user(user).can_add_subpage():
        raise Refusal(
            "You may not add courses to the catalog, so you may not duplicate one.",
            kind=Refusal.Kind.NOT_ALLOWED,
        )
    title = " ".join(title.split())
    if not title:
        raise Refusal("Give the copy a title.")
    slug = course_copy_slug(course=course, title=title)
    copy = course.copy(
        recursive=True,
        keep_live=False,
        user=user,
        update_attrs={"title": title, "draft_title": title, "slug": slug, **_RESET},
        log_action="wagtail.copy",
    ).specific
    # The accreditors' approval numbers belong to the original course.
    CourseCredit.objects.filter(page=copy).update(approval_number="")
    draft = copy.get_latest_revision_as_object()
    for credit in draft.credits.all():
        credit.approval_number = ""
    draft.save_revision(user=user, changed=False, clean=False)
    # Each copy starts its own history with the original's latest version.
    pages = list(Page.objects.descendant_of(copy, inclusive=True))
    Revision.page_revisions.filter(object_id__in=[str(p.pk) for p in pages]).exclude(
        pk__in=[p.latest_revision_id for p in pages]
    ).delete()
    audit_record(
        actor=user,
        action=AuditAction.COURSE_DUPLICATE,
        obj=copy,
        data={
            "source": {"id": course.pk, "title": course.draft_title or course.title},
            "pages": len(pages),
        },
    )
    return CoursePage.objects.get(pk=copy.pk)

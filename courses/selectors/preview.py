"""The course preview: the whole course walked as a learner walks it — the course
page, each lesson in order, then the post-test — from the latest revision of
each page, drafts included (courses.preview_views renders each step)."""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import reverse
from wagtail.models import Page

from ..models import CoursePage, LessonPage
from .drafts import latest_versions
from .learning import OutlineItem


@dataclass
class PreviewStep:
    number: int  # 1 for the course page
    page: Page  # the latest version (a draft, if one was saved since it was published)
    url: str
    label: str  # "Course page", "Lesson 2: Repair", "Post-test: Post-test"
    #: "draft", "live", or "live, with draft changes": what the learner would see today.
    state: str


@dataclass
class CourseWalk:
    course: CoursePage
    steps: list[PreviewStep]

    def step(self, page_id: int | None) -> PreviewStep | None:
        if page_id is None:
            return self.steps[0]
        return next((s for s in self.steps if s.page.pk == page_id), None)

    def neighbours(self, step: PreviewStep) -> tuple[PreviewStep | None, PreviewStep | None]:
        index = step.number - 1
        previous = self.steps[index - 1] if index > 0 else None
        following = self.steps[index + 1] if index + 1 < len(self.steps) else None
        return previous, following

    @property
    def lessons(self) -> list[LessonPage]:
        return [s.page for s in self.steps if isinstance(s.page, LessonPage)]

    def outline(self, current: Page | None = None) -> list[OutlineItem]:
        """Every lesson in order, as the lesson page's outline lists them (nothing done)."""
        return [
            OutlineItem(
                lesson=lesson, done=False, current=current is not None and lesson.pk == current.pk
            )
            for lesson in self.lessons
        ]


def _state(page: Page) -> str:
    if not page.live:
        return "draft"
    return "live, with draft changes" if page.has_unpublished_changes else "live"


def course_walk(*, course: CoursePage) -> CourseWalk:
    """The steps of the preview, each page as last saved (three queries and one per
    page type under the course). Each page carries `preview_url`, which the learner
    templates link to instead of its public address while previewing."""
    children = list(Page.objects.child_of(course).order_by("path").specific())
    pages = latest_versions([course, *children])
    steps = []
    lesson_number = 0
    for number, page in enumerate(pages, start=1):
        if number == 1:
            label = "Course page"
            url = reverse("courses_preview:course", args=(course.pk,))
        else:
            if isinstance(page, LessonPage):
                lesson_number += 1
                label = f"Lesson {lesson_number}: {page.title}"
            else:
                label = f"{str(page.specific_class._meta.verbose_name).capitalize()}: {page.title}"
            url = reverse("courses_preview:page", args=(course.pk, page.pk))
        page.preview_url = url
        steps.append(
            PreviewStep(number=number, page=page, url=url, label=label, state=_state(page))
        )
    return CourseWalk(course=steps[0].page, steps=steps)

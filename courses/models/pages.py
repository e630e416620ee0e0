"""The course pages: the catalog, a course with its inline rows, and its lessons."""

import logging
import uuid
from decimal import Decimal

from django.core.validators import MinValueValidator
from django.db import models
from django.utils.functional import cached_property
from modelcluster.contrib.taggit import ClusterTaggableManager
from modelcluster.fields import ParentalKey
from taggit.models import TaggedItemBase
from wagtail.admin.panels import (
    FieldPanel,
    FieldRowPanel,
    InlinePanel,
    MultiFieldPanel,
    ObjectList,
    TabbedInterface,
)
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Orderable, Page, PagePermissionTester
from wagtail.search import index

from accounts.validators import validate_printable_line
from cms.models import ProviderSettings

from ..blocks import ReferenceBlock
from ..forms import CoursePageForm
from ..panels import CreditCheckPanel, ObjectivesInlinePanel, PublishChecklistPanel
from .choices import CreditCategory, CreditMethod, DeliveryFormat, Level
from .credit import (
    Accreditor,
    Instructor,
    credit_hours_by_accreditor,
    credit_minutes_shown,
    credit_total_hours,
)

logger = logging.getLogger(__name__)

# --- Pages ---------------------------------------------------------------------------------


class CourseIndexPage(Page):
    """The catalog (/courses/)."""

    intro = RichTextField(blank=True, features=["bold", "italic", "link"])

    template = "pages/course_index_page.html"
    parent_page_types = ["cms.HomePage"]
    subpage_types = ["courses.CoursePage"]
    max_count = 1

    content_panels = [*Page.content_panels, FieldPanel("intro")]

    def get_context(self, request, *args, **kwargs):
        # They import this module.
        from ..catalog_form import CatalogFilterForm
        from ..selectors import catalog_accreditors, catalog_page, catalog_topics

        context = super().get_context(request, *args, **kwargs)
        form = CatalogFilterForm(
            request.GET,
            accreditors=catalog_accreditors(index=self),
            topics=catalog_topics(index=self),
        )
        filters = form.filters()
        result = catalog_page(index=self, filters=filters, page_number=request.GET.get("page"))
        context.update(
            {
                "form": form,
                "filters": filters,
                "result": result,
                "courses": result.courses,
            }
        )
        return context


class CourseTopic(TaggedItemBase):
    content_object = ParentalKey(
        "courses.CoursePage", on_delete=models.CASCADE, related_name="topic_items"
    )


class CoursePagePermissionTester(PagePermissionTester):
    """Wagtail's add permission on the catalog reaches every course in it. Pages go
    under a course — created, copied or moved there — only for those who may edit
    the course: its owner (an instructor) and the administrators."""

    def can_add_subpage(self):
        return super().can_add_subpage() and self.can_edit()


class CoursePage(Page):
    summary = models.TextField(help_text="One to three sentences for the catalog.")
    hero_image = models.ForeignKey(
        "wagtailimages.Image", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    outline = RichTextField(
        features=["bold", "italic", "ol", "ul"], help_text="The syllabus, one item per line."
    )
    target_audience = models.TextField()
    limitations = RichTextField(
        "limitations and risks",
        blank=True,
        features=["bold", "italic", "ul", "link"],
        help_text="What the course does not cover or establish, and the risks of applying it. "
        "Required before publishing.",
    )
    level = models.CharField(max_length=20, choices=Level.choices, default=Level.INTERMEDIATE)
    delivery_format = models.CharField(
        max_length=40, choices=DeliveryFormat.choices, default=DeliveryFormat.SELF_PACED_READING
    )
    estimated_minutes = models.PositiveIntegerField(default=60)
    credit_method = models.CharField(
        "how the credit hours were set",
        max_length=20,
        choices=CreditMethod.choices,
        default=CreditMethod.WORD_COUNT,
    )
    credit_evidence = models.TextField(
        blank=True, help_text="For media minutes or a pilot test: what was measured, by whom, when."
    )
    words_per_credit_hour = models.PositiveIntegerField(
        default=10_000,
        validators=[MinValueValidator(1000)],
        help_text="The word-count rule: words of lesson text per credit hour.",
    )
    references = StreamField([("reference", ReferenceBlock())], blank=True, use_json_field=True)
    price = models.DecimalField(
        max_digits=8, decimal_places=2, default=Decimal("0"), help_text="US dollars. 0 for free."
    )
    topics = ClusterTaggableManager(through=CourseTopic, blank=True)
    featured = models.BooleanField(
        "feature on the home page",
        default=False,
        help_text="Featured courses come first on the home page; the most recent follow.",
    )

    template = "pages/course_page.html"
    parent_page_types = ["courses.CourseIndexPage"]
    subpage_types = ["courses.LessonPage", "quizzes.PostTestPage"]
    base_form_class = CoursePageForm

    content_panels = [
        PublishChecklistPanel(heading="Before this course can be published"),
        *Page.content_panels,
        FieldPanel("summary"),
        FieldPanel("hero_image"),
        ObjectivesInlinePanel(
            "objectives", heading="Learning objectives", label="Objective", min_num=3
        ),
        FieldPanel("outline"),
        FieldPanel("target_audience"),
        FieldPanel("limitations"),
        FieldRowPanel(
            [FieldPanel("level"), FieldPanel("delivery_format"), FieldPanel("estimated_minutes")]
        ),
        InlinePanel("course_instructors", heading="Instructors", label="Instructor", min_num=1),
        FieldPanel("references"),
        MultiFieldPanel([FieldPanel("price"), FieldPanel("topics")], heading="Cost and catalog"),
    ]
    credit_panels = [
        CreditCheckPanel(heading="Word count and credit check"),
        InlinePanel(
            "credits", heading="Credit hours by accreditor and category", label="Credit", min_num=1
        ),
        FieldPanel("credit_method"),
        FieldPanel("words_per_credit_hour"),
        FieldPanel("credit_evidence"),
    ]
    edit_handler = TabbedInterface(
        [
            ObjectList(content_panels, heading="Course"),
            ObjectList(credit_panels, heading="CE credit"),
            ObjectList([*Page.promote_panels, FieldPanel("featured")], heading="Promote"),
            ObjectList(Page.settings_panels, heading="Settings"),
        ]
    )

    search_fields = [
        *Page.search_fields,
        index.SearchField("summary"),
        index.SearchField("outline"),
        index.SearchField("target_audience"),
        index.RelatedFields("objectives", [index.SearchField("text")]),
        index.FilterField("level"),
    ]

    def permissions_for_user(self, user):
        return CoursePagePermissionTester(user, self)

    def publish(self, revision, *args, **kwargs):
        # Every publish path (editor, workflow approval, bulk action, schedule) ends here.
        from ..publishing import CoursePublishRefused, course_publish_problems  # it imports this

        problems = course_publish_problems(course=revision.as_object())
        if problems:
            if kwargs.get("log_action") == "wagtail.publish.scheduled":
                # `publish_scheduled` must go on with other pages: unschedule and say why.
                logger.error(
                    "Scheduled publishing of course %s refused: %s", self.pk, "; ".join(problems)
                )
                type(revision).objects.filter(pk=revision.pk).update(approved_go_live_at=None)
                return None
            raise CoursePublishRefused(page_id=self.pk, problems=problems)
        return super().publish(revision, *args, **kwargs)

    def get_context(self, request, *args, **kwargs):
        """Also what the admin's preview renders."""
        from .. import selectors, services  # they import this module

        context = super().get_context(request, *args, **kwargs)
        enrollment = selectors.enrollment_get(user=request.user, course=self)
        if enrollment is not None:
            enrollment.course = self  # already loaded: the summary below needs its path
        summary = None
        if enrollment is not None:
            summary = selectors.enrollment_summaries(enrollments=[enrollment])[0]
            if services.completions_settle(summaries=[summary]):
                enrollment = selectors.enrollment_get(user=request.user, course=self)
                enrollment.course = self
                summary = selectors.enrollment_summaries(enrollments=[enrollment])[0]
        outline = selectors.course_outline(course=self, enrollment=enrollment)
        if getattr(request, "is_preview", False):
            # A preview shows the version being previewed (the editor's form, a draft
            # revision): its rows are in memory, not yet in the database.
            credits = sorted(
                self.credits.all(), key=lambda c: (c.accreditor.short_name, c.category)
            )
            instructors = [ci.instructor for ci in self.course_instructors.all()]
        else:
            credits = selectors.course_credits(course=self)
            instructors = selectors.course_instructors(course=self)
        total_hours = credit_total_hours(credits=credits)
        time_minutes, time_asked_by = selectors.course_time_requirement(
            course=self, credits=credits
        )
        provider = ProviderSettings.load(request_or_site=request)
        context.update(
            {
                "enrollment": enrollment,
                "outline": outline,
                "resume": selectors.resume_lesson(outline=outline, enrollment=enrollment),
                "summary": summary,
                "instructors": instructors,
                # A course whose instructors are fictional samples says so (the demo's modules).
                "sample_course": any(instructor.is_sample for instructor in instructors),
                "real_author_needs": selectors.REAL_AUTHOR_NEEDS,
                "credits": credits,
                "total_hours": total_hours,
                "minutes_shown": credit_minutes_shown(
                    estimated_minutes=self.estimated_minutes, hours=total_hours
                ),
                # The minimum active time, said before anyone enrolls or attests.
                "time_required_minutes": time_minutes,
                "time_asked_by": " and ".join(time_asked_by),
                "statements": selectors.course_statements(
                    credits=credits, provider_name=provider.name
                ),
            }
        )
        return context

    def hours_by_accreditor(self) -> dict[int, Decimal]:
        """Credit hours per accreditor id, summed over categories."""
        return credit_hours_by_accreditor(credits=self.credits.all())

    @cached_property
    def minutes_shown(self) -> int:
        """The estimated time shown beside the credit (credit_minutes_shown)."""
        return credit_minutes_shown(
            estimated_minutes=self.estimated_minutes, hours=self.total_credit_hours
        )

    @cached_property
    def total_credit_hours(self) -> Decimal:
        """The hours a participant can earn (the largest total under any one accreditor)."""
        return credit_total_hours(credits=self.credits.all())


class LearningObjective(Orderable):
    """A course objective. `key` names it for good: post-test questions measure an
    objective by its key, so moving objectives in the editor moves no question. A
    copy of the course keeps the keys (its post-test's questions then still point at
    its own objectives)."""

    page = ParentalKey(CoursePage, on_delete=models.CASCADE, related_name="objectives")
    key = models.UUIDField(default=uuid.uuid4)
    text = models.CharField(
        max_length=400,
        help_text='Measurable: begin with a verb such as "Describe", "Identify", "Apply".',
    )

    panels = [FieldPanel("text")]

    class Meta(Orderable.Meta):
        constraints = [
            models.UniqueConstraint("page", "key", name="courses_objective_key_unique"),
        ]

    def __str__(self):
        return self.text


class CourseInstructor(Orderable):
    page = ParentalKey(CoursePage, on_delete=models.CASCADE, related_name="course_instructors")
    instructor = models.ForeignKey(Instructor, on_delete=models.PROTECT, related_name="+")

    panels = [FieldPanel("instructor")]


class CourseCredit(Orderable):
    page = ParentalKey(CoursePage, on_delete=models.CASCADE, related_name="credits")
    accreditor = models.ForeignKey(Accreditor, on_delete=models.PROTECT, related_name="+")
    category = models.CharField(
        max_length=30, choices=CreditCategory.choices, default=CreditCategory.GENERAL
    )
    hours = models.DecimalField(
        max_digits=5, decimal_places=2, validators=[MinValueValidator(Decimal("0.25"))]
    )
    approval_number = models.CharField(
        "approval (course) number",
        max_length=80,
        blank=True,
        validators=[validate_printable_line],
        help_text=(
            "The number this accreditor gave the course (e.g. its CE Broker course number), "
            "which the accreditor report sends. One per accreditor: where its rows give "
            "several, the first is used."
        ),
    )

    panels = [
        FieldRowPanel([FieldPanel("accreditor"), FieldPanel("category"), FieldPanel("hours")]),
        FieldPanel("approval_number"),
    ]

    class Meta(Orderable.Meta):
        constraints = [
            models.UniqueConstraint("page", "accreditor", "category", name="courses_credit_unique"),
        ]

    def __str__(self):
        return f"{self.accreditor.short_name} {self.get_category_display()} {self.hours}"

"""Learning records: enrollments, progress, journal entries and completions."""

from django.conf import settings
from django.db import models

from .lessons import LessonPage
from .overrides import LearnerOverride
from .pages import CoursePage

# --- Learning records ----------------------------------------------------------------------


class Enrollment(models.Model):
    class Status(models.TextChoices):
        ACTIVE = "active", "Active"
        UNENROLLED = "unenrolled", "Unenrolled"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="enrollments"
    )
    course = models.ForeignKey(CoursePage, on_delete=models.PROTECT, related_name="enrollments")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.ACTIVE)
    enrolled_at = models.DateTimeField(auto_now_add=True)
    unenrolled_at = models.DateTimeField(null=True, blank=True)
    last_lesson = models.ForeignKey(
        LessonPage, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    last_activity_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint("user", "course", name="courses_enrollment_unique")]
        indexes = [models.Index(fields=["user", "status"])]

    def __str__(self):
        return f"{self.user} in {self.course_id}"

    @property
    def is_active(self) -> bool:
        return self.status == self.Status.ACTIVE


class LessonProgress(models.Model):
    enrollment = models.ForeignKey(
        Enrollment, on_delete=models.CASCADE, related_name="lesson_progress"
    )
    lesson = models.ForeignKey(LessonPage, on_delete=models.PROTECT, related_name="+")
    first_viewed_at = models.DateTimeField(auto_now_add=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    active_seconds = models.PositiveIntegerField(default=0)
    last_heartbeat_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint("enrollment", "lesson", name="courses_progress_unique")
        ]

    def __str__(self):
        return f"Lesson {self.lesson_id} for enrollment {self.enrollment_id}"


class JournalEntry(models.Model):
    """A clinician's private reflection. Only its author ever reads it."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    lesson = models.ForeignKey(LessonPage, on_delete=models.CASCADE, related_name="+")
    prompt_id = models.CharField(max_length=64, help_text="The reflection block's id.")
    text = models.TextField(max_length=20_000)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint("user", "lesson", "prompt_id", name="courses_journal_unique")
        ]
        verbose_name_plural = "journal entries"

    def __str__(self):
        return f"Journal entry {self.pk}"


class CourseCompletion(models.Model):
    """A frozen record: what was completed, against which revision, when."""

    enrollment = models.OneToOneField(
        Enrollment, on_delete=models.PROTECT, related_name="completion"
    )
    completed_at = models.DateTimeField()
    course_revision = models.ForeignKey(
        "wagtailcore.Revision", null=True, on_delete=models.PROTECT, related_name="+"
    )
    snapshot = models.JSONField(
        help_text="Course facts at completion: title, credits, format, instructors."
    )
    active_seconds = models.PositiveIntegerField(default=0)
    participant = models.JSONField(
        default=dict,
        blank=True,
        help_text=(
            "The participant as certified at completion, frozen for rosters and audits: "
            "name, email, licenses (profession, number, region), claimed accreditors."
        ),
    )
    override = models.ForeignKey(
        LearnerOverride,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="The override whose lowered minimum active time this completion needed.",
    )

    def __str__(self):
        return f"Completion of {self.snapshot.get('title')} by enrollment {self.enrollment_id}"

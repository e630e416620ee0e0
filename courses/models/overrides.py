"""Per-learner overrides: what an Administrator grants one clinician for one
course (an accommodation, or the answer to a request): extra post-test
attempts, a longer time limit or none, the wait between attempts waived, the
minimum active time lowered. Grading and pass marks are never changed.

The model lives in courses, the lowest app that needs it (the minimum active
time); quizzes reads the attempt fields. Writes: courses.overrides."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone

from .pages import CoursePage

MAX_EXTRA_ATTEMPTS = 10
MAX_TIME_LIMIT_MINUTES = 600


def _day(value) -> str:
    return f"{value.day} {value:%b %Y}"


class LearnerOverride(models.Model):
    """One grant. At most one per clinician and course is current (not ended): a
    new grant ends the one before it, which stays on record. It is in force
    while current and not past its expiry day."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="learner_overrides"
    )
    course = models.ForeignKey(CoursePage, on_delete=models.PROTECT, related_name="+")
    extra_attempts = models.PositiveSmallIntegerField(
        default=0, validators=[MaxValueValidator(MAX_EXTRA_ATTEMPTS)]
    )
    time_limit_minutes = models.PositiveSmallIntegerField(
        "longer time limit (minutes)",
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(MAX_TIME_LIMIT_MINUTES)],
        help_text="Never shorter than the post-test's own limit.",
    )
    no_time_limit = models.BooleanField(default=False)
    waive_wait = models.BooleanField("waiting period waived", default=False)
    minimum_active_minutes = models.PositiveIntegerField(
        "minimum active time lowered to (minutes)", null=True, blank=True
    )
    reason = models.TextField(max_length=2000)
    expires_on = models.DateField(help_text="In force through the end of this day.")
    granted_at = models.DateTimeField(default=timezone.now)
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    # support.SupportRequest's id (support sits above courses: no foreign key).
    support_request_id = models.PositiveBigIntegerField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-granted_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                "user",
                "course",
                condition=Q(ended_at__isnull=True),
                name="courses_override_current",
            ),
        ]

    def __str__(self):
        return f"Override for {self.user} in {self.course_id}, granted {_day(self.granted_at)}"

    def in_force(self, today=None) -> bool:
        today = today or timezone.localdate()
        return self.ended_at is None and self.expires_on >= today

    @property
    def granted_on(self) -> str:
        return _day(timezone.localtime(self.granted_at))

    def grants(self, *, post_test_only: bool = False) -> list[str]:
        """What it grants, in words: ["1 extra attempt", "no time limit", ...];
        `post_test_only`: without the minimum active time."""
        parts = []
        if self.extra_attempts:
            parts.append(f"{self.extra_attempts} extra attempt{'s' * (self.extra_attempts != 1)}")
        if self.no_time_limit:
            parts.append("no time limit")
        elif self.time_limit_minutes:
            parts.append(f"a time limit of {self.time_limit_minutes} minutes")
        if self.waive_wait:
            parts.append("no wait between attempts")
        if self.minimum_active_minutes is not None and not post_test_only:
            parts.append(f"minimum active time lowered to {self.minimum_active_minutes} minutes")
        return parts

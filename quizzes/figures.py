"""The post-test's figure on the instructor's "My courses" (courses.registry's
course figures): its pass rate, as the course report counts it."""

from django.db.models import Count, Q

from .models import Attempt


class PassRateFigure:
    """Of the participants with a graded attempt, the share who passed (all time)."""

    key = "pass_rate"
    label = "Pass rate"
    order = 10

    def figures_for(self, *, course_ids: list[int]) -> dict[int, str]:
        rows = (
            Attempt.objects.filter(enrollment__course_id__in=course_ids, score__isnull=False)
            .values("enrollment__course_id")
            .annotate(
                takers=Count("enrollment", distinct=True),
                passed=Count("enrollment", distinct=True, filter=Q(passed=True)),
            )
            .values_list("enrollment__course_id", "takers", "passed")
        )
        return {
            course_id: f"{round(100 * passed / takers)} % ({passed} of {takers})"
            for course_id, takers, passed in rows
            if takers
        }

from django.apps import AppConfig


class CoursesConfig(AppConfig):
    name = "courses"
    verbose_name = "Courses"

    def ready(self):
        from cms.media import register_media_hold

        from .selectors import instructor_cv_holds

        register_media_hold(instructor_cv_holds)

        from .registry import register_batch_statement
        from .selectors.learning import LESSONS_DONE
        from .selectors.overrides import OVERRIDES_IN_FORCE
        from .selectors.seat_time import ACTIVE_SECONDS

        # The step providers' reads the dashboard makes in one statement (selectors.batch).
        for statement in (LESSONS_DONE, OVERRIDES_IN_FORCE, ACTIVE_SECONDS):
            register_batch_statement(statement)

        from wagtail.signals import (
            page_published,
            task_approved,
            task_rejected,
            task_submitted,
            workflow_rejected,
        )

        from . import audit_hooks, review

        # The audit log (courses.audit_hooks): credit rows as published, approval decisions.
        page_published.connect(audit_hooks.course_published, dispatch_uid="courses.audit_credits")
        task_submitted.connect(audit_hooks.task_submitted, dispatch_uid="courses.audit_submit")
        task_approved.connect(audit_hooks.task_approved, dispatch_uid="courses.audit_approve")
        task_rejected.connect(audit_hooks.task_rejected, dispatch_uid="courses.audit_reject")

        # One review round: a course's lessons and post-test go through review with it.
        task_submitted.connect(review.on_task_submitted, dispatch_uid="courses.review_submit")
        workflow_rejected.connect(review.on_workflow_rejected, dispatch_uid="courses.review_reject")

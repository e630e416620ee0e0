from django.apps import AppConfig


class ReportsConfig(AppConfig):
    """Every audit report and export that reads across apps (the course roster,
    the accreditor report, the course evidence packet). The top of the stack:
    it reads certificates, quizzes, courses and accounts; only the cms wiring
    imports it."""

    name = "reports"
    verbose_name = "Audit reports"

    def ready(self):
        from courses.signals import course_completed

        from . import receivers

        course_completed.connect(
            receivers.completion_claims_freeze, dispatch_uid="reports.completion_claims_freeze"
        )

from django.apps import AppConfig


class QuizzesConfig(AppConfig):
    name = "quizzes"
    verbose_name = "Post-tests and evaluations"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        # The one place quizzes plugs into courses: two completion steps, a
        # publishing check and the pass rate on "My courses" (courses.registry);
        # courses never imports quizzes.
        from courses.registry import (
            register_batch_statement,
            register_course_figure,
            register_publish_check,
            register_step_provider,
        )

        from .figures import PassRateFigure
        from .providers import ATTEMPTS, EVALUATIONS, EvaluationStepProvider, PostTestStepProvider
        from .selectors import course_post_test_problems

        register_step_provider(PostTestStepProvider())
        register_step_provider(EvaluationStepProvider())
        register_batch_statement(ATTEMPTS)
        register_batch_statement(EVALUATIONS)
        register_publish_check(course_post_test_problems)
        register_course_figure(PassRateFigure())

from django.apps import AppConfig


class QuizzesConfig(AppConfig):
    name = "quizzes"
    verbose_name = "Post-tests and evaluations"
    default_auto_field = "django.db.models.BigAutoField"

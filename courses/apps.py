from django.apps import AppConfig


class CoursesConfig(AppConfig):
    name = "courses"
    verbose_name = "Courses"

    def ready(self):
        from cms.media import register_media_hold

        from .selectors import instructor_cv_holds

        register_media_hold(instructor_cv_holds)

from django.core.exceptions import PermissionDenied
from wagtail import hooks
from wagtail.admin.ui.components import Component
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from .models import Accreditor, CoursePage, Instructor
from .selectors import accreditor_warnings, course_children_addable


class AccreditorViewSet(SnippetViewSet):
    model = Accreditor
    icon = "success"
    menu_label = "Accreditors"
    add_to_admin_menu = True
    menu_order = 300
    list_display = ["short_name", "name", "provider_number", "approval_start", "approval_end"]
    search_fields = ["name", "short_name", "provider_number"]


class InstructorViewSet(SnippetViewSet):
    model = Instructor
    icon = "user"
    menu_label = "Instructors"
    add_to_admin_menu = True
    menu_order = 310
    list_display = ["name", "credentials"]
    search_fields = ["name", "credentials"]


register_snippet(AccreditorViewSet)
register_snippet(InstructorViewSet)


class AccreditorWarningsPanel(Component):
    """The admin dashboard's banner: placeholder provider numbers, approvals ending soon."""

    name = "accreditor_warnings"
    order = 50
    template_name = "courses/admin/accreditor_warnings_panel.html"

    def __init__(self, warnings: list[str]):
        self.warnings = warnings

    def get_context_data(self, parent_context):
        return {"warnings": self.warnings}


@hooks.register("construct_homepage_panels")
def add_accreditor_warnings(request, panels):
    if request.user.has_perm("courses.change_accreditor"):
        warnings = accreditor_warnings()
        if warnings:
            panels.insert(0, AccreditorWarningsPanel(warnings))


@hooks.register("before_create_page")
def refuse_lessons_in_courses_of_others(request, parent_page, page_class):
    # Wagtail's add permission covers the whole catalog; lessons go only into
    # courses the user may edit (an instructor's own).
    if isinstance(parent_page.specific, CoursePage) and not course_children_addable(
        user=request.user, course=parent_page
    ):
        raise PermissionDenied

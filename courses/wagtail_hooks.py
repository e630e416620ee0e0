from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from .models import Accreditor, Instructor


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

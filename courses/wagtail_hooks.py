from django.contrib import messages
from django.db.models import ProtectedError, RestrictedError
from django.db.models.deletion import Collector
from django.shortcuts import redirect
from wagtail import hooks
from wagtail.admin.ui.components import Component
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from . import audit_hooks
from .models import Accreditor, Instructor
from .selectors import accreditor_warnings


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


@hooks.register("before_delete_page")
def refuse_deleting_pages_with_learner_records(request, page):
    """Enrollments, progress, attempts, completions and certificates are audit
    records and protect the pages they point to; say so instead of failing.
    Django's deletion collector, run dry over the page and its subpages, finds
    every protected record whichever app it belongs to."""
    from wagtail.models import Page

    try:
        Collector(using="default").collect(Page.objects.descendant_of(page, inclusive=True))
    except (ProtectedError, RestrictedError) as refused:
        kinds = sorted({str(obj._meta.verbose_name_plural) for obj in refused.args[1]})
        messages.error(
            request,
            f"“{page.title}” cannot be deleted: learner records depend on it "
            f"({', '.join(kinds)}), and they are kept for audits. Unpublish it instead.",
        )
        return redirect("wagtailadmin_pages:edit", page.pk)
    return None


# --- The audit log: accreditors' create, edit and delete (courses.audit_hooks) ---------------


@hooks.register("before_edit_snippet")
def audit_accreditor_edit_started(request, instance):
    audit_hooks.accreditor_edit_started(request, instance)


@hooks.register("after_edit_snippet")
def audit_accreditor_edited(request, instance):
    audit_hooks.accreditor_saved(request, instance, created=False)


@hooks.register("after_create_snippet")
def audit_accreditor_created(request, instance):
    audit_hooks.accreditor_saved(request, instance, created=True)


@hooks.register("before_delete_snippet")
def audit_accreditors_delete_started(request, instances):
    audit_hooks.accreditors_delete_started(request, instances)


@hooks.register("after_delete_snippet")
def audit_accreditors_deleted(request, instances):
    audit_hooks.accreditors_deleted(request, instances)

from django.contrib import messages
from django.shortcuts import redirect
from wagtail import hooks
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from .models import RequirementTemplate
from .selectors import template_in_use_count


class RequirementTemplateViewSet(SnippetViewSet):
    model = RequirementTemplate
    icon = "calendar-check"
    menu_label = "Renewal requirements"
    add_to_admin_menu = True
    menu_order = 320
    list_display = ["board", "region", "profession", "credential", "total_hours", "is_example"]
    list_filter = ["profession", "region", "is_example"]
    search_fields = ["board", "region", "credential"]


register_snippet(RequirementTemplateViewSet)


@hooks.register("before_delete_snippet")
def refuse_deleting_templates_in_use(request, instances):
    """Clinicians' licenses follow a template's numbers: one in use is kept."""
    for instance in instances:
        if isinstance(instance, RequirementTemplate):
            count = template_in_use_count(template=instance)
            if count:
                messages.error(
                    request,
                    f"“{instance}” cannot be deleted: {count} clinician license"
                    f"{'s follow' if count != 1 else ' follows'} it. Correct its numbers instead.",
                )
                return redirect("wagtailsnippets_renewals_requirementtemplate:edit", instance.pk)
    return None

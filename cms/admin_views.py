"""What our admin views share (the cms site layer: any app may import it)."""

from __future__ import annotations

from django.http import JsonResponse
from django.template.response import TemplateResponse
from django.views import View
from wagtail.admin.views.generic import WagtailAdminTemplateMixin


class AdminPageMixin(WagtailAdminTemplateMixin):
    """Wagtail's admin page, whose breadcrumbs end with the page's title (the last
    item is the title a sighted user reads; the h1 is for screen readers). Between
    Wagtail's own items and the title stand `breadcrumbs_parents()`, the pages above
    this one; `breadcrumb_label()` is the last item, where it is shorter than the title.
    What the template shows besides Wagtail's own context is `page_context()`."""

    def breadcrumbs_parents(self) -> list[tuple[str, str]]:
        """(url, label) of each page above this one, the highest first."""
        return []

    def breadcrumb_label(self) -> str:
        return self.get_page_title()

    def get_breadcrumbs_items(self):
        parents = [{"url": url, "label": label} for url, label in self.breadcrumbs_parents()]
        return [*self.breadcrumbs_items, *parents, {"url": "", "label": self.breadcrumb_label()}]

    def page_context(self) -> dict:
        return {}

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), **self.page_context()}


class PermittedOnly:
    """A real 403 for staff the view is not for (Wagtail's own refusal is a
    redirect to the dashboard with a message), decided before anything is loaded:
    Wagtail's generic views fetch their object in setup(), and a 404 for a missing
    id next to a 403 for an existing one would tell who may not look which exist.

    A view names `forbidden_template` (shown with `forbidden_context`) and says who
    may see it in `permits`."""

    forbidden_template: str
    forbidden_context: dict | None = None

    def permits(self, user) -> bool:
        raise NotImplementedError(
            f"{type(self).__name__} must say who may see it: define permits(user)"
        )

    def setup(self, request, *args, **kwargs):
        self.permitted = self.permits(request.user)
        if self.permitted:
            super().setup(request, *args, **kwargs)
        else:
            View.setup(self, request, *args, **kwargs)

    def dispatch(self, request, *args, **kwargs):
        if not self.permitted:
            return TemplateResponse(
                request, self.forbidden_template, self.forbidden_context, status=403
            )
        return super().dispatch(request, *args, **kwargs)


class ListAndInspectOnly:
    """A ModelViewSet of records nobody adds, edits or deletes through a form: only
    the listing and each row's page (the viewset's get_urlpatterns). Without this,
    the listing and the row's page would link to the missing views for a superuser,
    who holds every permission, and fail to build the links."""

    def get_common_view_kwargs(self, **kwargs):
        return super().get_common_view_kwargs(
            **{
                "add_url_name": None,
                "edit_url_name": None,
                "delete_url_name": None,
                "history_url_name": None,
                "usage_url_name": None,
                **kwargs,
            }
        )


def job_progress_response(job, **details) -> JsonResponse:
    """A background job's progress as the admin page's script polls it: its state
    (`status`, which the script decides on), the words for that state
    (`status_label`, which it shows), `percent` done, and the job's own `details`
    (counts, a download link)."""
    return JsonResponse(
        {
            "status": job.status,
            "status_label": job.get_status_display(),
            "percent": job.percent,
            **details,
        }
    )

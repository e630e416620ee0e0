"""What every certificates admin view shares: the namespace of its URL names,
the Administrators-only gate, and the re-authenticated form view."""

from __future__ import annotations

from django.urls import reverse
from django.views.generic import FormView

from accounts.decorators import StaffReauthRequiredMixin
from cms.admin_views import AdminPageMixin, PermittedOnly

from .. import selectors

NAMESPACE = "certificates_admin"


def admin_url(name: str, *args) -> str:
    return reverse(f"{NAMESPACE}:{name}", args=args)


class AdministratorsOnly(PermittedOnly):
    """A real 403 for staff outside the Administrators group, before anything is
    loaded (an instructor must not learn which certificates and jobs exist)."""

    forbidden_template = "certificates/admin/forbidden.html"

    def permits(self, user) -> bool:
        return selectors.user_is_certificate_admin(user=user)


class AdminFormView(AdministratorsOnly, StaffReauthRequiredMixin, AdminPageMixin, FormView):
    """Every form here acts on records of legal weight: the password is asked
    again first (accounts.decorators)."""

    template_name = "certificates/admin/form.html"
    header_icon = "doc-full"
    submit_label = "Save"
    submit_class = "button"
    destructive = False
    description = ""

    def breadcrumbs_parents(self):
        return [(admin_url("index"), "Certificates")]

    def form_invalid(self, form):
        response = super().form_invalid(form)
        response.status_code = 400
        return response

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            {
                "submit_label": self.submit_label,
                "submit_class": self.submit_class,
                "destructive": self.destructive,
                "description": self.description,
                "cancel_url": self.get_cancel_url(),
            }
        )
        return context

    def get_cancel_url(self):
        return admin_url("index")

"""Two-factor authentication in the Wagtail admin (Administrators and superusers):
who among the staff has an authenticator app, and resetting someone's MFA with a
reason that is logged. Views are thin: the form validates, services act,
selectors read."""

from __future__ import annotations

from django import forms
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils.functional import cached_property
from django.views.generic import FormView, TemplateView
from wagtail.admin import messages
from wagtail.admin.views.account import BaseSettingsPanel

from cms.admin_views import AdminPageMixin
from cms.refusals import Refusal

from .decorators import StaffReauthRequiredMixin
from .forms import MFAResetForm
from .models import User
from .selectors import mfa_reset_refusal, staff_mfa_list, user_has_mfa, user_may_reset_mfa
from .services import mfa_reset

NAMESPACE = "accounts_mfa"


class MFAAdministratorsOnly:
    """Wagtail's refusal (back to the dashboard with a message) for anyone but
    Administrators and superusers, decided before anything is loaded."""

    def dispatch(self, request, *args, **kwargs):
        if not user_may_reset_mfa(actor=request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)


class StaffMFAListView(MFAAdministratorsOnly, AdminPageMixin, TemplateView):
    template_name = "accounts/admin/mfa_list.html"
    page_title = "Two-factor authentication"
    header_icon = "key"

    def page_context(self):
        staff = list(staff_mfa_list())
        for person in staff:
            person.may_reset = (person.totp_added_at or person.recovery_codes) and not (
                mfa_reset_refusal(actor=self.request.user, user=person)
            )
        return {"staff": staff, "reset_url_name": f"{NAMESPACE}:reset"}


class MFAResetView(MFAAdministratorsOnly, StaffReauthRequiredMixin, AdminPageMixin, FormView):
    template_name = "accounts/admin/mfa_reset.html"
    form_class = MFAResetForm
    header_icon = "key"

    @cached_property
    def person(self) -> User:
        return get_object_or_404(User, pk=self.kwargs["pk"])

    def get_page_title(self):
        return f"Reset two-factor authentication of {self.person}"

    def breadcrumbs_parents(self):
        return [(reverse(f"{NAMESPACE}:index"), StaffMFAListView.page_title)]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update({"person": self.person, "cancel_url": reverse(f"{NAMESPACE}:index")})
        return context

    def form_invalid(self, form):
        response = super().form_invalid(form)
        response.status_code = 400
        return response

    def form_valid(self, form):
        try:
            mfa_reset(actor=self.request.user, user=self.person, reason=form.cleaned_data["reason"])
        except Refusal as exc:
            form.add_error(None, str(exc))
            return self.form_invalid(form)
        messages.success(
            self.request,
            f"Two-factor authentication of {self.person} was reset. They are asked to "
            "set up an authenticator app again before any admin page answers.",
        )
        return redirect(f"{NAMESPACE}:index")


class _NoFields(forms.Form):
    """The panel below only shows links; Wagtail's account view wants a form."""


class SignInSettingsPanel(BaseSettingsPanel):
    """The account page's sign-in panel: the email and two-factor authentication are
    changed on allauth's pages (verified, re-authenticated, the old address told),
    not in this admin (WAGTAIL_EMAIL_MANAGEMENT_ENABLED is off)."""

    name = "sign_in"
    title = "Sign-in email and two-factor authentication"
    order = 150
    template_name = "accounts/admin/sign_in_panel.html"

    def get_form(self):
        return _NoFields(prefix=self.name)

    def get_context_data(self):
        return {
            "email": self.user.email,
            "has_mfa": user_has_mfa(user=self.user),
        }


def urlpatterns():
    return [
        path("", StaffMFAListView.as_view(), name="index"),
        path("<id:pk>/reset/", MFAResetView.as_view(), name="reset"),
    ]

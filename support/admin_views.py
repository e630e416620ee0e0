"""The support inbox in the Wagtail admin (Administrators only): the list of
requests, newest first, with the overdue ones flagged; one request with its
attachments and the form that sets its status, assignee, notes and answer."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.views.generic import FormView, TemplateView

from cms.admin_views import AdminPageMixin, PermittedOnly
from cms.refusals import Refusal
from courses.selectors import user_may_grant_overrides

from . import selectors, services
from .models import RequestStatus, SupportRequest


class AdministratorsOnly(PermittedOnly):
    """A real 403 for staff who may not manage requests, decided before the
    request's id is looked up (so a 404 tells nobody which requests exist)."""

    forbidden_template = "support/admin/forbidden.html"

    def permits(self, user) -> bool:
        return selectors.user_may_manage_requests(user=user)


class InboxView(AdministratorsOnly, AdminPageMixin, TemplateView):
    template_name = "support/admin/inbox.html"
    page_title = "Support requests"
    header_icon = "help"

    def page_context(self):
        status = self.request.GET.get("status", "")
        status = status if status in RequestStatus.values else ""
        overdue = self.request.GET.get("overdue") == "1"
        requests = list(selectors.inbox(status=status, overdue=overdue)[:500])
        for item in requests:
            item.overdue = selectors.request_is_overdue(request=item)
        return {
            "requests": requests,
            "statuses": RequestStatus.choices,
            "status": status,
            "overdue": overdue,
            "counts": selectors.inbox_counts(),
        }


class RequestAnswerForm(forms.Form):
    status = forms.ChoiceField(choices=RequestStatus.choices)
    assignee = forms.ModelChoiceField(
        queryset=get_user_model().objects.filter(is_staff=True, is_active=True).order_by("email"),
        required=False,
    )
    internal_notes = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4}), required=False, help_text="Staff only."
    )
    response = forms.CharField(
        label="Answer to the clinician",
        widget=forms.Textarea(attrs={"rows": 5}),
        required=False,
        help_text="Shown on their requests page and in the email sent when the status changes.",
    )


class RequestView(AdministratorsOnly, AdminPageMixin, FormView):
    template_name = "support/admin/request.html"
    form_class = RequestAnswerForm
    header_icon = "help"

    def dispatch(self, request, *args, **kwargs):
        self.support_request = None
        if self.permitted:
            self.support_request = (
                SupportRequest.objects.select_related("user", "course", "assignee")
                .prefetch_related("attachments")
                .filter(pk=kwargs["request_id"])
                .first()
            )
            if self.support_request is None:
                return TemplateResponse(
                    request, "support/admin/forbidden.html", {"missing": True}, status=404
                )
        return super().dispatch(request, *args, **kwargs)

    def get_page_title(self):
        return str(self.support_request)

    def breadcrumbs_parents(self):
        return [(reverse("support_admin:inbox"), InboxView.page_title)]

    def get_initial(self):
        item = self.support_request
        return {
            "status": item.status,
            "assignee": item.assignee,
            "internal_notes": item.internal_notes,
            "response": item.response,
        }

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            {
                "item": self.support_request,
                "overdue": selectors.request_is_overdue(request=self.support_request),
                "overrides": selectors.request_overrides(request=self.support_request),
                "may_grant": user_may_grant_overrides(user=self.request.user),
                "submit_label": "Save",
                "cancel_url": reverse("support_admin:inbox"),
            }
        )
        return context

    def form_valid(self, form):
        data = form.cleaned_data
        try:
            changed = services.request_update(
                request=self.support_request,
                actor=self.request.user,
                status=data["status"],
                assignee=data["assignee"],
                internal_notes=data["internal_notes"],
                response=data["response"],
            )
        except Refusal as exc:
            form.add_error(None, str(exc))
            return self.form_invalid(form)
        if "status" in changed:
            messages.success(self.request, "Saved; the clinician was emailed the new status.")
        elif changed:
            messages.success(self.request, "Saved.")
        else:
            messages.info(self.request, "Nothing was changed.")
        return redirect("support_admin:request", self.support_request.pk)

    def form_invalid(self, form):
        response = super().form_invalid(form)
        response.status_code = 400
        return response

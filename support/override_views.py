"""Per-learner overrides in the Wagtail admin (Administrators only): the list of
every override granted, in force or not; the grant form, on its own or opened
from a support request (the clinician and course filled in, the request kept
with the override); and ending an override early. The rules and the audit rows
are courses.overrides'; these views only parse and show."""

from __future__ import annotations

from datetime import timedelta

from django import forms
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.views.generic import FormView, TemplateView

from cms.admin_dates import admin_date_field, admin_date_hint
from cms.admin_views import AdminPageMixin, PermittedOnly
from cms.forms import ReasonField
from cms.ids import IdModelChoiceField, id_parse
from cms.refusals import Refusal, post_action, request_post
from courses.models import MAX_EXTRA_ATTEMPTS, MAX_TIME_LIMIT_MINUTES, CoursePage
from courses.overrides import override_end, override_grant
from courses.selectors import override_list, user_may_grant_overrides

from .models import SupportRequest


class AdministratorsOnly(PermittedOnly):
    """A 403 for anyone who may not grant overrides, before any id is looked up."""

    forbidden_template = "support/admin/forbidden.html"
    forbidden_context = {"overrides": True}

    def permits(self, user) -> bool:
        return user_may_grant_overrides(user=user)


class OverrideListView(AdministratorsOnly, AdminPageMixin, TemplateView):
    template_name = "support/admin/overrides.html"
    page_title = "Learner overrides"
    header_icon = "key"

    def page_context(self):
        today = timezone.localdate()
        overrides = list(override_list().prefetch_related("attempts")[:500])
        for item in overrides:
            item.current = item.in_force(today)
        return {"overrides": overrides, "new_url": reverse("support_admin:override_new")}


class OverrideForm(forms.Form):
    """What an Administrator types; courses.overrides.override_grant decides."""

    email = forms.EmailField(label="Clinician's email", max_length=254)
    course = IdModelChoiceField(
        queryset=CoursePage.objects.live().order_by("title"),
        empty_label="— Choose a course —",
        error_messages={"invalid_choice": "There is no such course. Choose one from the list."},
    )
    extra_attempts = forms.IntegerField(
        label="Extra post-test attempts",
        min_value=0,
        max_value=MAX_EXTRA_ATTEMPTS,
        required=False,
        help_text="Added to what the post-test allows. Grading and the pass mark do not change.",
    )
    time_limit_minutes = forms.IntegerField(
        label="Longer time limit (minutes)",
        min_value=1,
        max_value=MAX_TIME_LIMIT_MINUTES,
        required=False,
        help_text="Never shorter than the post-test's own limit.",
    )
    no_time_limit = forms.BooleanField(label="No time limit", required=False)
    waive_wait = forms.BooleanField(label="Waive the wait between attempts", required=False)
    minimum_active_minutes = forms.IntegerField(
        label="Lower the minimum active time to (minutes)",
        min_value=0,
        required=False,
        help_text="Only for a course whose accreditor asks for a minimum active time.",
    )
    reason = ReasonField(
        max_length=2000,
        help_text="Kept with the override, in the roster, the audit packet and the audit log.",
    )
    expires_on = admin_date_field(
        label="Expires on",
        help_text=f"{admin_date_hint()}. The override is in force through the end of this day.",
    )

    def __init__(self, *args, fixed: tuple[str, ...] = (), **kwargs):
        super().__init__(*args, **kwargs)
        # Opened from a request: its clinician (and its course, if it names one) are fixed.
        for name in fixed:
            self.fields[name].disabled = True

    def clean_email(self):
        email = self.cleaned_data["email"]
        user = get_user_model().objects.filter(email__iexact=email, is_active=True).first()
        if user is None:
            raise forms.ValidationError("There is no active account with that email.")
        self.user = user
        return email


class OverrideGrantView(AdministratorsOnly, AdminPageMixin, FormView):
    template_name = "support/admin/override_form.html"
    form_class = OverrideForm
    page_title = "Grant an override"
    header_icon = "key"

    def breadcrumbs_parents(self):
        return [(reverse("support_admin:overrides"), OverrideListView.page_title)]

    def dispatch(self, request, *args, **kwargs):
        self.support_request = None
        if self.permitted and "request" in request.GET:
            request_id = id_parse(request.GET.get("request"))
            self.support_request = (
                SupportRequest.objects.select_related("user", "course")
                .filter(pk=request_id)
                .first()
                if request_id
                else None
            )
            if self.support_request is None:
                return TemplateResponse(
                    request, "support/admin/forbidden.html", {"missing": True}, status=404
                )
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        item = self.support_request
        kwargs["fixed"] = () if item is None else ("email", "course") if item.course else ("email",)
        return kwargs

    def get_initial(self):
        initial = {"expires_on": timezone.localdate() + timedelta(days=30)}
        item = self.support_request
        if item is not None:
            initial.update({"email": item.user.email, "course": item.course_id})
        return initial

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            {
                "item": self.support_request,
                "submit_label": "Grant the override",
                "cancel_url": (
                    reverse("support_admin:request", args=[self.support_request.pk])
                    if self.support_request
                    else reverse("support_admin:overrides")
                ),
            }
        )
        return context

    def form_valid(self, form):
        data = form.cleaned_data
        try:
            override = override_grant(
                actor=self.request.user,
                user=form.user,
                course=data["course"],
                extra_attempts=data["extra_attempts"] or 0,
                time_limit_minutes=data["time_limit_minutes"],
                no_time_limit=data["no_time_limit"],
                waive_wait=data["waive_wait"],
                minimum_active_minutes=data["minimum_active_minutes"],
                reason=data["reason"],
                expires_on=data["expires_on"],
                support_request_id=self.support_request.pk if self.support_request else None,
            )
        except Refusal as exc:
            form.add_error(None, exc.message)
            return self.form_invalid(form)
        messages.success(
            self.request,
            f"Granted to {form.user.email} for “{override.course.title}” until "
            f"{override.expires_on:%-d %B %Y}: {', '.join(override.grants())}.",
        )
        if self.support_request is not None:
            return redirect("support_admin:request", self.support_request.pk)
        return redirect("support_admin:overrides")

    def form_invalid(self, form):
        response = super().form_invalid(form)
        response.status_code = 400
        return response


@post_action
def override_end_view(request, override_id: int):
    if not user_may_grant_overrides(user=request.user):
        raise Refusal("Only Administrators end overrides.", kind=Refusal.Kind.NOT_ALLOWED)
    override = override_end(
        actor=request.user, override_id=override_id, reason=request_post(request).get("reason", "")
    )
    messages.success(request, f"The override for {override.user.email} has ended.")
    return redirect("support_admin:overrides")

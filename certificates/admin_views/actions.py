"""The actions on one certificate (reissue, revoke, restore, release) and the
manual issue, each with a reason and re-authentication."""

from __future__ import annotations

from django import forms
from django.contrib.admin.utils import quote
from django.shortcuts import get_object_or_404, redirect
from django.utils.functional import cached_property
from wagtail.admin import messages

from cms.refusals import Refusal

from .. import selectors, services
from ..forms import ManualIssueForm, ReasonForm, StatusChangeForm
from ..models import Certificate
from .base import AdminFormView, admin_url


class CertificateActionView(AdminFormView):
    form_class = ReasonForm
    action = ""  # reissue / revoke / restore / release

    @cached_property
    def object(self):
        return get_object_or_404(Certificate, pk=self.kwargs["pk"])

    def get_page_title(self):
        return f"{self.submit_label} certificate {self.object.number}"

    def get_cancel_url(self):
        return admin_url("inspect", quote(self.object.pk))

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["certificate"] = self.object
        return context

    def form_valid(self, form):
        service = getattr(services, f"certificate_{self.action}")
        extra = {}
        if "clinician_reason" in form.cleaned_data:
            extra["clinician_reason"] = form.cleaned_data["clinician_reason"]
        try:
            result = service(
                certificate=self.object,
                actor=self.request.user,
                reason=form.cleaned_data["reason"],
                **extra,
            )
        except Refusal as exc:
            form.add_error(None, str(exc))
            return self.form_invalid(form)
        messages.success(self.request, self.success_message.format(number=result.number))
        return redirect(admin_url("inspect", quote(result.pk)))


class RetryDeliveryView(CertificateActionView):
    """ "Retry now" for an undelivered certificate: same number, fresh attempts."""

    form_class = forms.Form  # nothing to give but the password (re-authentication)
    submit_label = "Retry delivery of"
    description = (
        "The part of the delivery that is left (the PDF, or the email) starts again now with "
        "fresh attempts. The certificate keeps its number."
    )

    def form_valid(self, form):
        try:
            services.certificate_delivery_retry(certificate=self.object, actor=self.request.user)
        except Refusal as exc:
            form.add_error(None, str(exc))
            return self.form_invalid(form)
        messages.success(self.request, f"Delivery of {self.object.number} retried.")
        return redirect(admin_url("inspect", quote(self.object.pk)))


class ReissueView(CertificateActionView):
    form_class = StatusChangeForm
    action = "reissue"
    submit_label = "Reissue"
    description = (
        "A new certificate with a new number and a new PDF is issued from the participant's "
        "current name and licenses; what was earned (course, date, credit hours, accreditor) "
        "stays as issued. This certificate will show as reissued and point to the new one, "
        "and the participant is emailed the new PDF with the reason for the clinician."
    )
    success_message = "Certificate reissued as {number}."

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["preview"] = selectors.certificate_reissue_preview(certificate=self.object)
        return context


class RevokeView(CertificateActionView):
    form_class = StatusChangeForm
    action = "revoke"
    submit_label = "Revoke"
    submit_class = "button no"  # Wagtail's destructive style
    destructive = True
    description = (
        "Revoking cannot be undone silently: the verification page, the signed status list "
        "and the clinician's dashboard will show the certificate as revoked from today, and "
        "the clinician is emailed once, with the reason for the clinician if you give one. "
        "To correct a name or a license, reissue instead."
    )
    success_message = "Certificate {number} revoked."


class RestoreView(CertificateActionView):
    form_class = StatusChangeForm
    action = "restore"
    submit_label = "Restore"
    description = (
        "The certificate becomes valid again, and the clinician is emailed once, with the "
        "reason for the clinician if you give one."
    )
    success_message = "Certificate {number} restored."


class ReleaseView(CertificateActionView):
    action = "release"
    submit_label = "Issue anyway"
    description = (
        "This certificate was held because the completion falls outside the accreditor's "
        "approval period. Issuing it overrides that rule: record why."
    )
    success_message = "Certificate {number} issued."


class ManualIssueView(AdminFormView):
    form_class = ManualIssueForm
    page_title = "Issue a certificate manually"
    submit_label = "Issue certificate"
    description = (
        "An override, e.g. after a technical fault: issues a certificate for an enrollment "
        "even outside the accreditor's approval period. A held certificate for the same "
        "enrollment and accreditor is released instead."
    )

    def form_valid(self, form):
        try:
            certificate = services.certificate_issue_manual(
                enrollment=form.cleaned_data["enrollment"],
                accreditor=form.cleaned_data.get("accreditor"),
                actor=self.request.user,
                reason=form.cleaned_data["reason"],
                completed_on=form.cleaned_data.get("completed_on"),
            )
        except Refusal as exc:
            form.add_error(None, str(exc))
            return self.form_invalid(form)
        messages.success(self.request, f"Certificate {certificate.number} issued.")
        return redirect(admin_url("inspect", quote(certificate.pk)))

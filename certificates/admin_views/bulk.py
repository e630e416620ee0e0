"""Bulk reissue: the form that starts a job, the jobs' list, a job's page and
its progress (JSON for the progress bar)."""

from __future__ import annotations

from django.shortcuts import get_object_or_404, redirect
from django.utils.functional import cached_property
from django.views import View
from django.views.generic import TemplateView
from wagtail.admin import messages

from cms.admin_views import AdminPageMixin, job_progress_response
from cms.refusals import Refusal

from .. import services
from ..forms import ReasonForm
from ..models import BulkJob, Certificate
from .base import NAMESPACE, AdminFormView, AdministratorsOnly, admin_url
from .listing import (
    InvalidFilters,
    filter_querystring,
    filtered_certificates,
    invalid_filters_response,
)


class BulkReissueView(AdminFormView):
    form_class = ReasonForm
    page_title = "Reissue certificates in bulk"
    submit_label = "Reissue all"

    def dispatch(self, request, *args, **kwargs):
        try:
            return super().dispatch(request, *args, **kwargs)
        except InvalidFilters as exc:
            return invalid_filters_response(request, exc)

    @cached_property
    def matching(self):
        return filtered_certificates(self.request).filter(status=Certificate.Status.VALID)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        count = self.matching.count()
        context["description"] = (
            f"{count} valid certificate(s) match the listing's filters. Each is reissued with a "
            "new number from the participant's current name and licenses, and emailed. The job "
            "runs in the background; you can leave this page."
        )
        context["form_action"] = self.request.get_full_path()
        context["count"] = count
        return context

    def get_cancel_url(self):
        query = filter_querystring(self.request)
        return admin_url("index") + (f"?{query}" if query else "")

    def form_valid(self, form):
        ids = list(self.matching.values_list("pk", flat=True))
        try:
            job = services.bulk_reissue_create(
                certificate_ids=ids,
                actor=self.request.user,
                reason=form.cleaned_data["reason"],
                filters={k: v for k, v in self.request.GET.items() if k != "p"},
            )
        except Refusal as exc:
            form.add_error(None, str(exc))
            return self.form_invalid(form)
        messages.success(self.request, f"Bulk reissue of {job.total} certificate(s) started.")
        return redirect(admin_url("bulk_job", job.pk))


class BulkJobListView(AdministratorsOnly, AdminPageMixin, TemplateView):
    template_name = "certificates/admin/bulk_jobs.html"
    page_title = "Bulk jobs"
    header_icon = "list-ul"

    def breadcrumbs_parents(self):
        return [(admin_url("index"), "Certificates")]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["jobs"] = BulkJob.objects.select_related("actor")[:50]
        context["job_url_name"] = f"{NAMESPACE}:bulk_job"
        return context


class BulkJobView(AdministratorsOnly, AdminPageMixin, TemplateView):
    template_name = "certificates/admin/bulk_job.html"
    header_icon = "list-ul"

    @cached_property
    def job(self):
        return get_object_or_404(BulkJob.objects.select_related("actor"), pk=self.kwargs["pk"])

    def get_page_title(self):
        return f"Bulk reissue #{self.job.pk}"

    def breadcrumbs_parents(self):
        return [(admin_url("index"), "Certificates"), (admin_url("bulk_jobs"), "Bulk jobs")]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["job"] = self.job
        context["status_url"] = admin_url("bulk_job_status", self.job.pk)
        context["failures"] = self.job.items.exclude(error="").select_related("certificate")[:100]
        return context


class BulkJobStatusView(AdministratorsOnly, View):
    def get(self, request, pk):
        job = get_object_or_404(BulkJob, pk=pk)
        return job_progress_response(job, total=job.total, done=job.done, failed=job.failed)

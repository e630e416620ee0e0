"""The certificates listing (search, filters) and a certificate's page with its
history."""

from __future__ import annotations

import django_filters
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.utils.functional import cached_property
from wagtail.admin.filters import DateRangePickerWidget, WagtailFilterSet
from wagtail.admin.views.generic import IndexView, InspectView
from wagtail.admin.widgets.button import HeaderButton

from cms.hooks import hook_urls
from cms.ids import IdModelChoiceFilter
from courses.models import Accreditor, CoursePage

from .. import selectors
from ..models import Certificate
from .base import NAMESPACE, AdministratorsOnly, admin_url

#: The seam for the listing's export links: reports, which serves the exports,
#: answers it with {"csv": url, "xlsx": url} for the listing's query string.
EXPORT_URLS_HOOK = "certificates_listing_export_urls"


def _accreditor_choices():
    return [("none", "None (attendance)")] + [
        (str(pk), short_name)
        for pk, short_name in Accreditor.objects.order_by("short_name").values_list(
            "pk", "short_name"
        )
    ]


class CertificateFilterSet(WagtailFilterSet):
    status = django_filters.ChoiceFilter(choices=Certificate.Status.choices, label="Status")
    course = IdModelChoiceFilter(queryset=CoursePage.objects.order_by("title"), label="Course")
    accreditor = django_filters.ChoiceFilter(
        choices=_accreditor_choices, method="filter_accreditor", label="Accreditor"
    )
    completion_date = django_filters.DateFromToRangeFilter(
        label="Completion date", widget=DateRangePickerWidget
    )
    delivery = django_filters.ChoiceFilter(
        choices=[
            ("pending", "PDF not rendered yet"),
            ("failed", "Rendering failed"),
            ("not_emailed", "Not emailed yet"),
            ("email_pending", "Email pending (PDF stored)"),
            ("email_failed", "Email failed"),
            ("undelivered", "Undelivered (PDF or email)"),
        ],
        method="filter_delivery",
        label="Delivery",
    )

    class Meta:
        model = Certificate
        fields: list[str] = []

    def filter_accreditor(self, queryset, name, value):
        if value == "none":
            return queryset.filter(accreditor__isnull=True)
        return queryset.filter(accreditor_id=int(value))

    def filter_delivery(self, queryset, name, value):
        valid = queryset.filter(status=Certificate.Status.VALID)
        if value == "pending":
            return valid.filter(rendered_at__isnull=True)
        if value == "failed":
            return valid.filter(rendered_at__isnull=True).exclude(render_error="")
        if value == "email_pending":
            return valid.filter(rendered_at__isnull=False, emailed_at__isnull=True, email_error="")
        if value == "email_failed":
            return valid.filter(rendered_at__isnull=False, emailed_at__isnull=True).exclude(
                email_error=""
            )
        return valid.filter(emailed_at__isnull=True)  # not_emailed, undelivered


class InvalidFilters(Exception):
    pass


def filtered_certificates(request):
    """The listing's queryset for the current filters and search (export, bulk).

    Filters that do not validate are refused rather than ignored: ignoring them
    would export, or reissue, every certificate."""
    queryset = Certificate.objects.all()
    filterset = CertificateFilterSet(data=request.GET or None, queryset=queryset, request=request)
    if filterset.is_bound:
        if not filterset.is_valid():
            raise InvalidFilters(
                "These filters are not valid: "
                + "; ".join(
                    f"{name}: {' '.join(errors)}" for name, errors in filterset.errors.items()
                )
            )
        queryset = filterset.qs
    return selectors.certificates_search(queryset=queryset, query=request.GET.get("q", ""))


def invalid_filters_response(request, exc):
    return TemplateResponse(
        request, "certificates/admin/invalid_filters.html", {"message": str(exc)}, status=400
    )


def filter_querystring(request) -> str:
    params = request.GET.copy()
    for key in ("p", "_w_filter_fragment", "ordering"):
        params.pop(key, None)
    return params.urlencode()


def delivery_label(certificate: Certificate) -> str:
    state = selectors.certificate_state(certificate)
    if certificate.status != Certificate.Status.VALID:
        return "—"
    if state == "ready":
        return {"emailed": "Emailed", "failed": "Email failed"}.get(
            certificate.email_status, "Email pending"
        )
    return "Failed" if state == "failed" else "Pending"


class CertificateIndexView(AdministratorsOnly, IndexView):
    results_template_name = "certificates/admin/index_results.html"

    def get_base_queryset(self):
        return super().get_base_queryset().select_related("accreditor", "user")

    def _get_title_column(self, field_name, *args, **kwargs):
        # The number column: never wrapped at the number's hyphens (admin.css).
        if field_name == "number":
            kwargs.setdefault("classname", "cert-number")
        return super()._get_title_column(field_name, *args, **kwargs)

    def search_queryset(self, queryset):
        if not self.is_searching:
            return queryset
        return selectors.certificates_search(queryset=queryset, query=self.search_query)

    @cached_property
    def header_buttons(self):
        return [
            HeaderButton("Issue manually", url=admin_url("issue_manual"), icon_name="plus"),
            HeaderButton("Bulk jobs", url=admin_url("bulk_jobs"), icon_name="list-ul"),
        ]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        query = filter_querystring(self.request)
        context["export_urls"] = hook_urls(EXPORT_URLS_HOOK, f"?{query}" if query else "")
        context["bulk_url"] = admin_url("bulk_reissue") + (f"?{query}" if query else "")
        return context


class CertificateInspectView(AdministratorsOnly, InspectView):
    template_name = "certificates/admin/inspect.html"

    def get_object(self, queryset=None):
        return get_object_or_404(
            Certificate.objects.select_related(
                "user", "course", "accreditor", "supersedes", "enrollment"
            ),
            pk=self.pk,
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        certificate = self.object
        status = certificate.status
        # (label, url, style): the destructive one in Wagtail's red, set apart, last.
        actions, destructive = [], []
        plain = "button button-small"
        if status == Certificate.Status.HELD:
            actions.append(("Issue anyway", admin_url("release", certificate.pk), plain))
        if status == Certificate.Status.VALID:
            actions.append(("Reissue", admin_url("reissue", certificate.pk), plain))
            if certificate.emailed_at is None:
                actions.append(
                    ("Retry delivery now", admin_url("retry_delivery", certificate.pk), plain)
                )
            destructive.append(
                ("Revoke", admin_url("revoke", certificate.pk), "button button-small no")
            )
        if status == Certificate.Status.REVOKED:
            actions.append(("Restore", admin_url("restore", certificate.pk), plain))
        superseded_by = Certificate.objects.filter(supersedes=certificate).first()
        context.update(
            {
                "certificate": certificate,
                "state": selectors.certificate_state(certificate),
                "delivery": delivery_label(certificate),
                "actions": actions,
                "destructive_actions": destructive,
                "events": certificate.events.select_related("actor"),
                "superseded_by": superseded_by,
                "urls": selectors.certificate_urls(certificate),
                "inspect_url_name": f"{NAMESPACE}:inspect",
            }
        )
        return context

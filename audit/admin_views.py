"""The audit log in the Wagtail admin (Administrators and superusers): a
listing filtered by actor, action, object and dates, each row's page, and the
filtered rows as CSV or XLSX, an export that is itself recorded.

Nothing here adds, changes or deletes a row: the viewset has no such views."""

from __future__ import annotations

import json

import django_filters
from django import forms
from django.http import Http404
from django.template.response import TemplateResponse
from django.urls import path
from django.utils import timezone
from wagtail.admin.filters import DateRangePickerWidget, WagtailFilterSet
from wagtail.admin.ui.tables import Column, TitleColumn
from wagtail.admin.views.generic import IndexView, InspectView
from wagtail.admin.viewsets.model import ModelViewSet

from cms.admin_views import ListAndInspectOnly, PermittedOnly
from cms.spreadsheet import SpreadsheetFormat, spreadsheet_response

from . import selectors
from .models import AuditAction, AuditEvent
from .services import audit_export_recorder

NAMESPACE = "audit_log"
EXPORT_CHUNK_SIZE = 500  # rows read per round trip (reasons and details can be long)

EXPORT_COLUMNS = [
    "When",
    "Actor id",
    "Actor",
    "IP address",
    "Action",
    "Action (code)",
    "Object type",
    "Object id",
    "Object",
    "Reason",
    "Details (JSON)",
]


def audit_export_lines(events):
    """The header, then one line per row, read through a server-side cursor."""
    labels = dict(AuditAction.choices)
    yield EXPORT_COLUMNS
    for event in events.iterator(chunk_size=EXPORT_CHUNK_SIZE):
        yield [
            event.created_at,
            event.actor_id,
            event.actor_display,
            event.ip_address,
            labels.get(event.action, event.action),
            event.action,
            event.object_type,
            event.object_id,
            event.object_label,
            event.reason,
            json.dumps(event.data, sort_keys=True, ensure_ascii=False),
        ]


class AuditLogReadersOnly(PermittedOnly):
    """A real 403 for staff who may not read the log."""

    forbidden_template = "audit/admin/forbidden.html"

    def permits(self, user) -> bool:
        return selectors.user_may_view_audit_log(user=user)


def _object_type_choices():
    return [(value, value) for value in selectors.audit_object_types()]


class AuditEventFilterSet(WagtailFilterSet):
    actor = django_filters.CharFilter(
        label="Actor", method="filter_actor", help_text="Email (or part of it), or the id."
    )
    action = django_filters.MultipleChoiceFilter(
        choices=AuditAction.choices, label="Action", widget=forms.CheckboxSelectMultiple
    )
    object_type = django_filters.ChoiceFilter(choices=_object_type_choices, label="Object type")
    object_id = django_filters.CharFilter(label="Object id", method="filter_object_id")
    created_at = django_filters.DateFromToRangeFilter(
        label="Date", widget=DateRangePickerWidget, method="filter_dates"
    )

    class Meta:
        model = AuditEvent
        fields: list[str] = []

    def filter_actor(self, queryset, name, value):
        return queryset & selectors.audit_events(actor=value.strip())

    def filter_object_id(self, queryset, name, value):
        return queryset.filter(object_id=value.strip())

    def filter_dates(self, queryset, name, value):
        if not value:
            return queryset
        return queryset & selectors.audit_events(since=value.start, until=value.stop)


class InvalidFilters(Exception):
    pass


def filtered_events(request):
    """The listing's rows for the request's filters; filters that do not validate
    are refused, not ignored (an export of everything instead)."""
    filterset = AuditEventFilterSet(
        data=request.GET or None, queryset=AuditEvent.objects.all(), request=request
    )
    if not filterset.is_bound:
        return AuditEvent.objects.all()
    if not filterset.is_valid():
        raise InvalidFilters(
            "These filters are not valid: "
            + "; ".join(f"{name}: {' '.join(errors)}" for name, errors in filterset.errors.items())
        )
    return filterset.qs


class AuditEventIndexView(AuditLogReadersOnly, IndexView):
    def get(self, request, *args, **kwargs):
        # An export skips the listing's context, which would load every row.
        if self.is_export:
            return self.as_spreadsheet(None, request.GET.get("export"))
        return super().get(request, *args, **kwargs)

    def as_spreadsheet(self, queryset, spreadsheet_format):
        try:
            events = filtered_events(self.request).order_by("-created_at", "-pk")
        except InvalidFilters as exc:
            return TemplateResponse(
                self.request,
                "audit/admin/invalid_filters.html",
                {"message": str(exc)},
                status=400,
            )
        if spreadsheet_format not in SpreadsheetFormat.values:
            raise Http404
        return spreadsheet_response(
            file_format=spreadsheet_format,
            lines=audit_export_lines(events),
            filename_stem="audit-log",
            sheet_title="Audit log",
            on_done=audit_export_recorder(
                request=self.request, report="audit_log", file_format=spreadsheet_format
            ),
        )


class AuditEventInspectView(AuditLogReadersOnly, InspectView):
    template_name = "audit/admin/inspect.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["event"] = self.object
        context["data_json"] = json.dumps(
            self.object.data, indent=2, sort_keys=True, ensure_ascii=False
        )
        return context


class AuditEventViewSet(ListAndInspectOnly, ModelViewSet):
    model = AuditEvent
    url_prefix = "audit-log"
    url_namespace = NAMESPACE
    icon = "history"
    menu_label = "Audit log"
    menu_name = "audit_log"
    menu_order = 700
    add_to_admin_menu = False  # in the Reports menu (audit.wagtail_hooks)
    inspect_view_enabled = True
    copy_view_enabled = False
    add_to_reference_index = False
    index_view_class = AuditEventIndexView
    inspect_view_class = AuditEventInspectView
    filterset_class = AuditEventFilterSet
    search_fields = None
    list_per_page = 50
    ordering = ["-created_at", "-pk"]
    list_export = ["created_at"]  # enables the CSV and XLSX buttons; see as_spreadsheet
    list_display = [
        TitleColumn(
            "created_at",
            label="When",
            sort_key="created_at",
            accessor=lambda event: f"{timezone.localtime(event.created_at):%Y-%m-%d %H:%M:%S}",
            url_name=f"{NAMESPACE}:inspect",
        ),
        Column("actor", label="Actor", accessor="actor_display"),
        Column("action", label="Action", accessor="get_action_display", sort_key="action"),
        Column("object", label="Object", accessor="object_display"),
        Column("ip_address", label="From"),
        Column("reason", label="Reason"),
    ]

    def get_urlpatterns(self):
        return [
            path("", self.index_view, name="index"),
            path("results/", self.index_results_view, name="index_results"),
            path("inspect/<id:pk>/", self.inspect_view, name="inspect"),
        ]

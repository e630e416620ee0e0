"""The audit packet in the admin, for Administrators only: start a build from
the course report page (POST), follow its progress (JSON, polled by
reports.js; the page also shows it without scripts), download the ZIP
(recorded in the audit log)."""

from __future__ import annotations

from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect
from django.views import View
from wagtail.admin import messages

from certificates.admin_views import AdministratorsOnly
from cms.admin_views import job_progress_response
from courses.models import CoursePage

from . import services
from .forms import ReportPeriodForm
from .models import AuditPacket
from .views import report_url


def packet_context(*, course, period) -> dict:
    """What the course report page shows an Administrator about packets."""
    packets = list(AuditPacket.objects.filter(course=course).order_by("-requested_at")[:5])
    return {
        "packet": {
            "start_url": report_url("packet_start", course.pk),
            "period": period,
            "recent": [
                (
                    p,
                    report_url("packet_status", p.pk),
                    report_url("packet_download", p.pk)
                    if p.status == AuditPacket.Status.READY
                    else "",
                )
                for p in packets
            ],
        }
    }


class PacketStartView(AdministratorsOnly, View):
    http_method_names = ["post"]

    def post(self, request, course_id):
        course = get_object_or_404(CoursePage, pk=course_id)
        form = ReportPeriodForm(request.POST)
        back = report_url("course", course.pk)
        if not form.is_valid():
            messages.error(request, "Choose a valid period for the packet.")
            return redirect(back)
        services.packet_request(actor=request.user, course=course, period=form.period)
        messages.success(request, "The audit packet is being built; this page shows its progress.")
        return redirect(f"{back}?start={form.period.start}&end={form.period.end}")


class PacketStatusView(AdministratorsOnly, View):
    def get(self, request, packet_id):
        packet = get_object_or_404(AuditPacket, pk=packet_id)
        ready = packet.status == AuditPacket.Status.READY
        return job_progress_response(
            packet,
            steps_done=packet.steps_done,
            steps_total=packet.steps_total,
            download_url=report_url("packet_download", packet.pk) if ready else "",
        )


class PacketDownloadView(AdministratorsOnly, View):
    def get(self, request, packet_id):
        packet = get_object_or_404(AuditPacket, pk=packet_id)
        if packet.status != AuditPacket.Status.READY or not packet.file:
            raise Http404("This packet is not ready.")
        services.packet_download_record(actor=request.user, packet=packet)
        response = FileResponse(
            packet.file.open("rb"),
            as_attachment=True,
            filename=packet.file.name.rsplit("/", 1)[-1],
            content_type="application/zip",
        )
        response["Cache-Control"] = "no-store"
        return response

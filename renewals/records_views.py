""" "My records" (docs/records.md): thin views over renewals.records. Each
download is the signed-in clinician's own and is recorded in the audit log as
personal data leaving the site."""

from django.http import HttpResponse
from django.template.response import TemplateResponse
from django.utils import timezone

from audit.services import audit_export_recorder
from certificates.forms import TranscriptPeriodForm
from cms.downloads import personal_get, private_download
from cms.spreadsheet import SpreadsheetFormat, spreadsheet_response

from . import records


def _period_form(request) -> TranscriptPeriodForm:
    return TranscriptPeriodForm.from_query(request.GET)


def _render(request, form, *, status: int = 200):
    return TemplateResponse(
        request,
        "renewals/records.html",
        {
            "form": form,
            "certificates": records.certificates_downloadable(user=request.user),
        },
        status=status,
    )


@personal_get
def records_index(request):
    form = _period_form(request)
    return _render(request, form, status=200 if form.is_valid() else 400)


@personal_get
def transcript_spreadsheet(request, file_format: str = SpreadsheetFormat.CSV):
    """The transcript of a period as CSV or XLSX (the same rows)."""
    form = _period_form(request)
    if not form.is_valid():
        return _render(request, form, status=400)
    start, end = form.cleaned_data["start"], form.cleaned_data["end"]
    return spreadsheet_response(
        file_format=file_format,
        lines=records.transcript_csv_lines(user=request.user, start=start, end=end),
        filename_stem=f"ce-transcript-{start.isoformat()}-{end.isoformat()}",
        sheet_title="CE transcript",
        on_done=audit_export_recorder(
            request=request, report="my_transcript", file_format=file_format
        ),
    )


@personal_get
def certificates_zip(request):
    spool, count = records.certificates_zip(user=request.user)
    audit_export_recorder(request=request, report="my_certificates", file_format="zip")(rows=count)
    return private_download(
        spool,
        filename=f"certificates-{timezone.localdate().isoformat()}.zip",
        content_type="application/zip",
    )


@personal_get
def data_json(request):
    body = records.data_export_json(user=request.user)
    audit_export_recorder(request=request, report="my_data", file_format="json")(rows=1)
    response = HttpResponse(body, content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="practicum-data-{timezone.localdate().isoformat()}.json"'
    )
    response["Cache-Control"] = "private, no-store"
    return response

"""Thin views for clinicians: send a request, see one's own requests and their
answers, open one's own attachments. Another person's request or attachment
answers 404, as one that does not exist."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_http_methods

from cms.downloads import personal_get, private_download
from cms.refusals import Refusal, refusal_field
from cms.uploads import UploadLimitHandler, megabytes

from . import selectors, services
from .forms import RequestForm

CORRECTION_PROMPT = (
    "Please correct my records.\nWhich record (certificate number, course or date): \n"
    "What it says now: \nWhat it should say: "
)


def _render_new(request, form, *, status=200):
    return TemplateResponse(
        request,
        "support/new.html",
        {"form": form, "max_upload": megabytes(services.attachment_max_bytes())},
        status=status,
    )


@csrf_exempt
@login_required
@require_http_methods(["GET", "POST"])
def request_new(request):
    if request.method == "GET":
        initial = {"kind": request.GET.get("kind") or "accommodation"}
        if request.GET.get("course", "").isdigit():
            initial["course"] = request.GET["course"]
        if request.GET.get("topic") == "correction":
            # From "My records": a correction of a record, sent as a grievance.
            initial["details"] = CORRECTION_PROMPT
        form = RequestForm(initial=initial, courses=selectors.course_choices())
        return _render_new(request, form)
    limit = UploadLimitHandler.install(request, max_bytes=services.attachment_max_bytes())
    return _request_create(request, limit)


@csrf_protect
def _request_create(request, limit: UploadLimitHandler):
    form = RequestForm(request.POST, request.FILES, courses=selectors.course_choices())
    if limit.refuse_in(
        form,
        "attachments",
        f"A file is larger than {megabytes(services.attachment_max_bytes())}; "
        "attach a smaller copy (a PDF, or a scan at a lower resolution).",
    ):
        return _render_new(request, form, status=400)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.request_create(
                user=request.user,
                kind=data["kind"],
                course_id=data["course"],
                details=data["details"],
                outcome_sought=data["outcome_sought"],
                uploads=[services.Upload(f.name, f.read()) for f in data["attachments"]],
            )
        except Refusal as exc:
            form.add_error(refusal_field(exc, form), str(exc))
        else:
            messages.success(
                request,
                "Your request was sent to the CE administrator. You will get an email "
                "each time its status changes.",
            )
            return redirect("support:mine")
    return _render_new(request, form, status=400)


@personal_get
def requests_mine(request):
    return TemplateResponse(
        request, "support/mine.html", {"requests": selectors.requests_of(user=request.user)}
    )


@personal_get
def attachment_file(request, attachment_id: int):
    attachment = selectors.attachment_for(user=request.user, attachment_id=attachment_id)
    if attachment is None:
        raise Http404("There is no such attachment among your requests.")
    return private_download(
        attachment.file.open("rb"),
        filename=attachment.original_name,
        content_type=attachment.content_type,
    )

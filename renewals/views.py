"""Thin views: parse, call a selector or a service, render. A license, upload or
packet that is not the requester's own answers 404 with the same message as
one that does not exist, and changes nothing."""

from functools import wraps

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from cms.downloads import personal_get, private_download
from cms.refusals import Refusal

from . import ics, selectors, services
from .forms import RequirementForm, UploadForm
from .models import RenewalPacket
from .uploads import UploadLimitHandler, megabytes

NO_SUCH_LICENSE = "There is no such license on your profile."
NO_SUCH_UPLOAD = "There is no such certificate among your uploads."


def _refuse(request, message: str, *, status: int = 400, title: str = ""):
    return TemplateResponse(
        request,
        "refused.html",
        {"message": message, "title": title or "That did not work"},
        status=status,
    )


def _license_or_none(request, license_id: int):
    return selectors.license_for_owner(user=request.user, license_id=license_id)


def _license_post(view):
    """A signed-in person's POST about one of their licenses: the view is called
    with the license; another's, or none, is refused as not found."""

    @login_required
    @require_POST
    @wraps(view)
    def wrapped(request, license_id: int):
        license = _license_or_none(request, license_id)
        if license is None:
            return _refuse(request, NO_SUCH_LICENSE, status=404, title="Not found")
        return view(request, license)

    return wrapped


# --- Overview, uploads and the calendar -----------------------------------------------------


def _render_index(request, *, upload_form=None, status: int = 200):
    feed = selectors.calendar_feed_for(user=request.user)
    return TemplateResponse(
        request,
        "renewals/index.html",
        {
            "cards": selectors.license_cards(user=request.user, suggest=False),
            "uploads": selectors.outside_certificates(user=request.user),
            "upload_form": upload_form or UploadForm(),
            "feed": feed,
            "feed_url": (
                settings.SITE_URL + reverse("renewals:calendar_feed", args=[feed.token])
                if feed
                else ""
            ),
            "max_upload": megabytes(services.upload_max_bytes()),
        },
        status=status,
    )


@login_required
@require_GET
def index(request):
    return _render_index(request)


@csrf_exempt
@login_required
@require_POST
def upload_add(request):
    limit = UploadLimitHandler.install(request, max_bytes=services.upload_max_bytes())
    return _upload_add(request, limit)


@csrf_protect
def _upload_add(request, limit: UploadLimitHandler):
    form = UploadForm(request.POST, request.FILES)
    if limit.refuse_in(
        form,
        "file",
        f"The file is larger than {megabytes(services.upload_max_bytes())}; scan it at a "
        "lower resolution or upload a PDF.",
    ):
        return _render_index(request, upload_form=form, status=400)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.outside_certificate_add(
                user=request.user,
                data=data["file"].read(),
                original_name=data["file"].name,
                title=data["title"],
                provider=data["provider"],
                accreditor=data["accreditor"],
                category=data["category"],
                hours=data["hours"],
                completed_on=data["completed_on"],
                home_study=data["home_study"],
                certificate_number=data["certificate_number"],
            )
        except Refusal as exc:
            form.add_error("file", str(exc))
        else:
            messages.success(request, f"“{data['title']}” was added to your certificates.")
            return redirect("renewals:index")
    return _render_index(request, upload_form=form, status=400)


@personal_get
def upload_file(request, upload_id: int):
    upload = selectors.outside_certificate_for(user=request.user, upload_id=upload_id)
    if upload is None:
        return _refuse(request, NO_SUCH_UPLOAD, status=404, title="Not found")
    extension = upload.file.name.rsplit(".", 1)[-1]
    return private_download(
        upload.file.open("rb"),
        filename=f"certificate-{upload.pk}.{extension}",
        content_type=upload.content_type,
        attachment=upload.content_type == "application/pdf",
    )


@login_required
@require_POST
def upload_delete(request, upload_id: int):
    try:
        services.outside_certificate_delete(user=request.user, upload_id=upload_id)
    except Refusal as exc:
        return _refuse(request, str(exc), status=404, title="Not found")
    messages.success(request, "The certificate was removed.")
    return redirect("renewals:index")


@login_required
@require_POST
def calendar_reset(request):
    had_one = selectors.calendar_feed_for(user=request.user) is not None
    services.calendar_feed_reset(user=request.user)
    messages.success(
        request,
        "Your calendar has a new address; the old one no longer works."
        if had_one
        else "Your calendar address is ready: add it to your calendar app.",
    )
    return redirect(reverse("renewals:index") + "#calendar")


@require_GET
@never_cache
def calendar_feed(request, token: str):
    feed = selectors.calendar_feed_by_token(token=token)
    if feed is None or not feed.user.is_active:
        return HttpResponse("No such calendar.", status=404, content_type="text/plain")
    response = HttpResponse(ics.calendar_ics(user=feed.user), content_type="text/calendar")
    response["Content-Disposition"] = 'inline; filename="license-renewals.ics"'
    return response


# --- One license ----------------------------------------------------------------------------


def _render_license(request, license, *, form=None, status: int = 200):
    card = selectors.license_card(license=license)
    requirement = card.requirement
    if form is None:
        initial = {}
        if requirement is not None:
            initial = {
                "template": requirement.template,
                "cycle_start": requirement.cycle_start,
                "deadline": requirement.deadline,
                "cycle_months": requirement.cycle_months,
                "total_hours": requirement.total_hours if not requirement.template else None,
                "home_study_cap": requirement.home_study_cap,
                "accepted_accreditors": requirement.accepted_accreditors,
                **{f"minimum_{k}": v for k, v in (requirement.minimums or {}).items()},
            }
        elif license.expires_on:
            initial = {"deadline": license.expires_on}
        form = RequirementForm(license=license, initial=initial)
    packet = selectors.latest_packet(license=license)
    return TemplateResponse(
        request,
        "renewals/license.html",
        {
            "license": license,
            "card": card,
            "form": form,
            "templates": list(form.fields["template"].queryset.prefetch_related("minimums")),
            "packet": packet,
            "packet_state": selectors.packet_state(packet) if packet else None,
        },
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def license_detail(request, license_id: int):
    license = _license_or_none(request, license_id)
    if license is None:
        return _refuse(request, NO_SUCH_LICENSE, status=404, title="Not found")
    if request.method == "GET":
        return _render_license(request, license)
    form = RequirementForm(request.POST, license=license)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.requirement_save(
                license=license,
                template=data["template"],
                cycle_start=data["cycle_start"],
                deadline=data["deadline"],
                cycle_months=data["cycle_months"] or 24,
                total_hours=data["total_hours"],
                minimums=form.minimums,
                home_study_cap=data["home_study_cap"],
                accepted_accreditors=data["accepted_accreditors"],
            )
        except Refusal as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, "Your renewal requirement was saved.")
            return redirect("renewals:license", license.pk)
    return _render_license(request, license, form=form, status=400)


@_license_post
def license_untrack(request, license):
    services.requirement_remove(license=license)
    messages.success(request, "This license is no longer tracked.")
    return redirect("renewals:index")


@_license_post
def reminders_toggle(request, license):
    requirement = selectors.license_requirement(license)
    if requirement is None:
        return _refuse(request, NO_SUCH_LICENSE, status=404, title="Not found")
    enabled = request.POST.get("enabled") == "on"
    services.reminders_set(requirement=requirement, enabled=enabled)
    messages.success(
        request,
        "Reminders are on for this license." if enabled else "Reminders are off for this license.",
    )
    return redirect("renewals:license", license.pk)


@_license_post
def packet_request(request, license):
    try:
        services.packet_request(user=request.user, license=license)
    except Refusal as exc:
        return _refuse(request, str(exc))
    messages.success(request, "Your renewal packet is being prepared.")
    return redirect(reverse("renewals:license", args=[license.pk]) + "#packet")


@personal_get
def packet_status(request, packet_id: int):
    packet = selectors.packet_for_owner(user=request.user, packet_id=packet_id)
    if packet is None:
        return JsonResponse({"error": "No such packet."}, status=404)
    return JsonResponse(selectors.packet_state(packet))


@personal_get
def packet_pdf(request, packet_id: int):
    packet = selectors.packet_for_owner(user=request.user, packet_id=packet_id)
    if packet is None:
        return _refuse(request, "There is no such renewal packet.", status=404, title="Not found")
    if packet.status != RenewalPacket.Status.DONE or not packet.pdf:
        return _refuse(request, "This packet is still being prepared.", status=404)
    filename = f"renewal-packet-{packet.license.license_number}-{packet.deadline}.pdf"
    return private_download(
        packet.pdf.open("rb"), filename=filename.replace(" ", "-"), content_type="application/pdf"
    )


# --- The signed link in reminder emails (no sign-in) ----------------------------------------


def _reminders_set_by_link(request, token: str, *, enabled: bool):
    """Turn the reminders of the signed link's license on or off: the page that says
    which (with the button that turns them back), or the refusal."""
    reminders_set = services.reminders_resubscribe if enabled else services.reminders_unsubscribe
    try:
        requirement = reminders_set(token=token)
    except Refusal as exc:
        return _refuse(request, str(exc), title="Reminders not changed")
    return TemplateResponse(
        request,
        "renewals/unsubscribed.html",
        {"license": requirement.license, "token": token, "enabled": enabled},
    )


@csrf_exempt  # RFC 8058: a mail client's one-click POST carries no CSRF token
@require_http_methods(["GET", "POST"])
@never_cache
def unsubscribe(request, token: str):
    response = _reminders_set_by_link(request, token, enabled=False)
    if request.method == "POST" and response.status_code == 200:
        return HttpResponse("Reminders stopped.", content_type="text/plain")
    return response


@require_POST
@csrf_protect
def resubscribe(request, token: str):
    return _reminders_set_by_link(request, token, enabled=True)

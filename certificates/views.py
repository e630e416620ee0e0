"""Thin views: the public verification pages, downloads for the owner, the
dashboard's status endpoint and the transcript."""

import json

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.http import FileResponse, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from accounts.client_ip import client_ip

from . import rendering, selectors
from .badges import certificate_badge
from .forms import TranscriptPeriodForm, VerifyForm
from .numbers import number_normalize
from .services import verify_url


def _message(request, title: str, message: str, *, status: int):
    return TemplateResponse(
        request, "certificates/message.html", {"title": title, "message": message}, status=status
    )


def _not_found(request):
    return _message(
        request,
        "Certificate not found",
        "There is no certificate with this number that you can open.",
        status=404,
    )


# --- Public verification -------------------------------------------------------------------


def _verify_rate_limited(request) -> bool:
    """Fixed-window counter per client in the cache (the client as the trusted
    proxies saw it: accounts.client_ip): lookups beyond the limit are refused,
    so certificate numbers cannot be enumerated."""
    limit, window = settings.CERTIFICATE_VERIFY_RATE_LIMIT
    bucket = int(timezone.now().timestamp() // window)
    key = f"certificates:verify:{client_ip(request)}:{bucket}"
    cache.add(key, 0, timeout=window + 5)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=window + 5)
        count = 1
    return count > limit


def _too_many(request):
    _, window = settings.CERTIFICATE_VERIFY_RATE_LIMIT
    response = _message(
        request,
        "Too many lookups",
        f"You have looked up many certificates in a short time. Try again in {max(1, window // 60)} minute(s).",
        status=429,
    )
    response["Retry-After"] = str(window)
    return response


@require_GET
def verify(request):
    if "number" not in request.GET:
        return TemplateResponse(request, "certificates/verify.html", {"form": VerifyForm()})
    if _verify_rate_limited(request):
        return _too_many(request)
    form = VerifyForm(request.GET)
    if not form.is_valid():
        return TemplateResponse(request, "certificates/verify.html", {"form": form}, status=400)
    return redirect("certificates:verify", number=form.cleaned_data["number"])


@require_GET
def verify_detail(request, number: str):
    if _verify_rate_limited(request):
        return _too_many(request)
    normalized = number_normalize(number)
    if normalized is None:
        form = VerifyForm({"number": number[:40]})
        form.is_valid()
        return TemplateResponse(request, "certificates/verify.html", {"form": form}, status=404)
    if normalized != number:
        return redirect("certificates:verify", number=normalized)
    verification = selectors.certificate_verify(number=normalized)
    if verification is None:
        return _message(
            request,
            "Certificate not found",
            f"No certificate was issued with the number {normalized}. Check it against the "
            "certificate, or contact us.",
            status=404,
        )
    return TemplateResponse(
        request, "certificates/verify_result.html", {"verification": verification}
    )


# --- The owner's downloads -----------------------------------------------------------------


@login_required
@require_GET
@never_cache
def certificate_pdf(request, number: str):
    certificate = selectors.certificate_for_owner_or_admin(user=request.user, number=number)
    if certificate is None:
        return _not_found(request)
    if not certificate.pdf or certificate.rendered_at is None:
        return _message(
            request,
            "Not ready yet",
            "This certificate is still being prepared. Try again in a moment.",
            status=404,
        )
    response = FileResponse(
        certificate.pdf.open("rb"),
        as_attachment=True,
        filename=f"{certificate.number}.pdf",
        content_type="application/pdf",
    )
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_GET
@never_cache
def certificate_badge_download(request, number: str):
    certificate = selectors.certificate_for_owner_or_admin(user=request.user, number=number)
    if certificate is None or certificate.status != certificate.Status.VALID:
        return _not_found(request)
    badge = certificate_badge(certificate=certificate, verify_url=verify_url(certificate.number))
    response = HttpResponse(
        json.dumps(badge, ensure_ascii=False, indent=2), content_type="application/ld+json"
    )
    response["Content-Disposition"] = f'attachment; filename="{certificate.number}.jsonld"'
    return response


@login_required
@require_GET
@never_cache
def enrollment_status(request, enrollment_id: int):
    status = selectors.enrollment_certificate_status(user=request.user, enrollment_id=enrollment_id)
    if status is None:
        return JsonResponse({"error": "No such enrollment."}, status=404)
    return JsonResponse(status)


# --- Transcript ----------------------------------------------------------------------------


def _period_form(request) -> TranscriptPeriodForm:
    if "start" in request.GET or "end" in request.GET:
        form = TranscriptPeriodForm(request.GET)
    else:
        form = TranscriptPeriodForm(TranscriptPeriodForm.default_period(timezone.localdate()))
    form.is_valid()
    return form


@login_required
@require_GET
def transcript(request):
    form = _period_form(request)
    context = {"form": form, "certificates": selectors.certificates_for_user(user=request.user)}
    if form.is_valid():
        context["transcript"] = selectors.transcript_build(
            user=request.user, start=form.cleaned_data["start"], end=form.cleaned_data["end"]
        )
    for certificate in context["certificates"]:
        certificate.state = selectors.certificate_state(certificate)
        certificate.urls = selectors.certificate_urls(certificate)
    return TemplateResponse(
        request, "certificates/transcript.html", context, status=200 if form.is_valid() else 400
    )


@login_required
@require_GET
@never_cache
def transcript_pdf(request):
    form = _period_form(request)
    if not form.is_valid():
        return TemplateResponse(
            request,
            "certificates/transcript.html",
            {"form": form, "certificates": []},
            status=400,
        )
    built = selectors.transcript_build(
        user=request.user, start=form.cleaned_data["start"], end=form.cleaned_data["end"]
    )
    pdf = rendering.render_transcript_pdf(
        selectors.transcript_document(user=request.user, transcript=built)
    )
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = (
        f'attachment; filename="ce-transcript-{built.start.isoformat()}-{built.end.isoformat()}.pdf"'
    )
    return response

"""Thin views: the public verification pages, downloads for the owner, the
dashboard's status endpoint and the transcript."""

import json
import logging

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.views.decorators.http import require_GET

from accounts.client_ip import client_ip
from cms.downloads import personal_get, private_download

from . import rendering, selectors
from .badges import certificate_credential, certificate_credential_check
from .credentials import keys, status_list
from .forms import TranscriptPeriodForm, VerifyForm
from .numbers import number_normalize
from .services import verify_url

logger = logging.getLogger(__name__)


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


def _public_lookup(request, number: str, *, url_name: str):
    """(the number as normalised, None), or (None, the answer instead): 429 beyond the
    rate limit, a redirect to the normalised number, or — for a number that cannot
    be one — the form again with its error."""
    if _verify_rate_limited(request):
        return None, _too_many(request)
    normalized = number_normalize(number)
    if normalized is None:
        form = VerifyForm({"number": number[:40]})
        form.is_valid()
        return None, TemplateResponse(
            request, "certificates/verify.html", {"form": form}, status=404
        )
    if normalized != number:
        return None, redirect(url_name, number=normalized)
    return normalized, None


@require_GET
def verify_detail(request, number: str):
    normalized, answer = _public_lookup(request, number, url_name="certificates:verify")
    if answer is not None:
        return answer
    # The verification URL is the Open Badge's id: a client asking for JSON gets the
    # signed credential, a browser the page.
    media_type = request.get_preferred_type(["text/html", *CREDENTIAL_MEDIA_TYPES])
    if media_type in CREDENTIAL_MEDIA_TYPES:
        response = _credential_response(normalized, media_type=media_type)
        patch_vary_headers(response, ["Accept"])
        return response
    verification = selectors.certificate_verify(number=normalized)
    if verification is None:
        response = _message(
            request,
            "Certificate not found",
            f"No certificate was issued with the number {normalized}. Check it against the "
            "certificate, or contact us.",
            status=404,
        )
    else:
        response = TemplateResponse(
            request,
            "certificates/verify_result.html",
            {"verification": verification, "credential": _credential_check(normalized)},
        )
    patch_vary_headers(response, ["Accept"])
    return response


# --- The Open Badge as a verifiable credential ---------------------------------------------

#: What the verification URL answers with JSON to (the first is VC 2.0's JSON-LD type).
CREDENTIAL_MEDIA_TYPES = ["application/vc+ld+json", "application/ld+json", "application/json"]


def _public_json(data: dict, *, content_type: str, status: int = 200) -> HttpResponse:
    # Browser-based verifiers and wallets fetch these from other origins.
    response = HttpResponse(
        json.dumps(data, ensure_ascii=False, indent=2), content_type=content_type, status=status
    )
    response["Access-Control-Allow-Origin"] = "*"
    return response


def _with_signing_key(badge_function, certificate, *, doing: str):
    """badge_function (certificates.badges: sign the certificate's Open Badge, or
    check it) applied to the certificate; None, logged, when no signing key is
    configured. `doing` names the work in the log line."""
    try:
        return badge_function(certificate=certificate, verify_url=verify_url(certificate.number))
    except (ImproperlyConfigured, keys.KeyStoreError):
        logger.exception("Cannot %s the Open Badge of %s", doing, certificate.number)
        return None


def _credential_response(number: str, *, media_type: str, download: bool = False):
    certificate = selectors.certificate_public(number=number)
    if certificate is None:
        return _public_json(
            {"error": "No certificate with this number."}, content_type=media_type, status=404
        )
    credential = _with_signing_key(certificate_credential, certificate, doing="sign")
    if credential is None:
        return _public_json(
            {"error": "The signed credential is not available right now."},
            content_type=media_type,
            status=503,
        )
    response = _public_json(credential, content_type=media_type)
    response["Cache-Control"] = "public, max-age=300"
    if download:
        response["Content-Disposition"] = (
            f'attachment; filename="{certificate.number}-open-badge.json"'
        )
    return response


def _credential_check(number: str):
    """The signature and status of the certificate's Open Badge, checked here as a
    verifier would; None when it cannot be (no signing key configured)."""
    certificate = selectors.certificate_public(number=number)
    if certificate is None:
        return None
    return _with_signing_key(certificate_credential_check, certificate, doing="check")


@require_GET
def credential_download(request, number: str):
    """The signed Open Badge as a file, for a wallet (public, like the verification page)."""
    normalized, answer = _public_lookup(request, number, url_name="certificates:credential")
    if answer is not None:
        return answer
    return _credential_response(normalized, media_type="application/ld+json", download=True)


@require_GET
def did_document(request):
    """The issuer's DID document (did:web): every public key that signed credentials."""
    try:
        document = keys.did_document(keys.key_set_load())
    except (ImproperlyConfigured, keys.KeyStoreError):
        logger.exception("No credential signing key")
        return _public_json(
            {"error": "No signing key configured."}, content_type="application/json", status=503
        )
    response = _public_json(document, content_type="application/did+ld+json")
    response["Cache-Control"] = "public, max-age=300"
    return response


@require_GET
def status_list_credential(request, list_number: int):
    """A BitstringStatusListCredential, computed from the certificates' statuses."""
    if not status_list.status_list_in_use(list_number=list_number):
        return _public_json(
            {"error": "No such status list."}, content_type="application/json", status=404
        )
    try:
        credential = status_list.status_list_credential(list_number=list_number)
    except (ImproperlyConfigured, keys.KeyStoreError):
        logger.exception("Cannot sign status list %s", list_number)
        return _public_json(
            {"error": "The status list is not available right now."},
            content_type="application/json",
            status=503,
        )
    response = _public_json(credential, content_type="application/vc+ld+json")
    # Verifiers may keep it a minute; a revocation shows within that.
    response["Cache-Control"] = "public, max-age=60"
    return response


# --- The owner's downloads -----------------------------------------------------------------


@personal_get
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
    return private_download(
        certificate.pdf.open("rb"),
        filename=f"{certificate.number}.pdf",
        content_type="application/pdf",
    )


@personal_get
def certificate_badge_download(request, number: str):
    certificate = selectors.certificate_for_owner_or_admin(user=request.user, number=number)
    if certificate is None or certificate.status != certificate.Status.VALID:
        return _not_found(request)
    badge = _with_signing_key(certificate_credential, certificate, doing="sign")
    if badge is None:
        return _message(
            request,
            "Badge not available",
            "The signed Open Badge cannot be made right now. Try again later, or contact us.",
            status=503,
        )
    response = HttpResponse(
        json.dumps(badge, ensure_ascii=False, indent=2), content_type="application/ld+json"
    )
    response["Content-Disposition"] = f'attachment; filename="{certificate.number}.jsonld"'
    return response


@personal_get
def enrollment_status(request, enrollment_id: int):
    status = selectors.enrollment_certificate_status(user=request.user, enrollment_id=enrollment_id)
    if status is None:
        return JsonResponse({"error": "No such enrollment."}, status=404)
    return JsonResponse(status)


# --- Transcript ----------------------------------------------------------------------------


def _period_form(request) -> TranscriptPeriodForm:
    return TranscriptPeriodForm.from_query(request.GET)


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


@personal_get
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

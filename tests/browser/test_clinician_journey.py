"""Journey 1: a new clinician, at a laptop's size, from signup to a verified
certificate (the walk itself, with its page-by-page assertions, is
`tests/browser/walks.py`, shared through the `clinician_walk` fixture with the
administrator's journey). Here: what the walk produced, read back — the
certificate record and the downloaded PDF, which is tagged for screen readers."""

from __future__ import annotations

import io
import re

from pypdf import PdfReader

from tests.certificates.pdf import pdf_structure


def test_new_clinician_goes_from_signup_to_a_verified_certificate(clinician_walk):
    from certificates.models import Certificate
    from quizzes.models import Attempt

    walk = clinician_walk
    # Failed once on purpose, then passed with the key.
    failed, passed = walk.scores
    assert float(failed.rstrip(" %")) < 75 and passed == "100 %"
    attempts = Attempt.objects.filter(enrollment__user__email=walk.email).order_by("number")
    assert [(a.number, a.passed) for a in attempts] == [(1, False), (2, True)]

    certificate = Certificate.objects.get(number=walk.certificate_number)
    assert certificate.user.email == walk.email
    assert certificate.snapshot["participant_name"] == walk.name
    assert certificate.course_title == walk.course_title
    assert certificate.accreditor.short_name == "APA"  # claimed: the license is a psychologist's

    text = PdfReader(io.BytesIO(walk.pdf)).pages[0].extract_text()
    for expected in (walk.name, walk.course_title, walk.certificate_number):
        assert expected in text, f"{expected!r} is not in the PDF"
    assert walk.pages_checked >= 25, "every page of the walk went through axe-core"


def test_downloaded_certificate_pdf_is_tagged_with_title_language_and_reading_order(
    clinician_walk,
):
    walk = clinician_walk
    reader = PdfReader(io.BytesIO(walk.pdf))
    catalog = reader.trailer["/Root"]

    # Tagged: a structure tree, marked content, the page's tab order by structure.
    assert bool(catalog["/MarkInfo"]["/Marked"])
    tree = catalog["/StructTreeRoot"].get_object()
    assert "/ParentTree" in tree
    page = reader.pages[0]
    assert page["/Tabs"] == "/S" and "/StructParents" in page
    roles, figures = pdf_structure(walk.pdf)
    assert roles[0] == "/Document" and "/H1" in roles and "/P" in roles
    assert figures and all(alt.strip() for alt in figures), "every figure has alternative text"
    assert any(f"/verify/{walk.certificate_number}/" in alt for alt in figures), figures

    # Language and title (shown as the window title, from the XMP dc:title too).
    assert catalog["/Lang"] == "en-US"
    assert bool(catalog["/ViewerPreferences"]["/DisplayDocTitle"])
    title = f"CE certificate {walk.certificate_number} — {walk.name}"
    assert reader.metadata.title == title
    assert reader.xmp_metadata.dc_title["x-default"] == title
    assert reader.xmp_metadata.dc_language == ["en-US"]
    xmp = catalog["/Metadata"].get_object().get_data().decode()
    assert re.search(r"pdfuaid:part>\s*1\s*<", xmp), "declared PDF/UA-1"

    # Reading order: the sentence of the certificate reads in order.
    text = page.extract_text()
    order = [
        text.index("This certifies that"),
        text.index(walk.name),
        text.index("has successfully completed"),
        text.index(walk.course_title),
    ]
    assert order == sorted(order), order

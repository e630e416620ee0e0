"""The renewal packet: its text read back from the PDF (pypdf), the uploaded
certificates appended after the summary, and the whole flow through a real
Celery worker with the progress the license page polls."""

import io
import time
from datetime import date
from pathlib import Path

import pytest
from pypdf import PdfReader

from renewals import services
from renewals.models import RenewalPacket
from tests.certificates.worker import worker_drain
from tests.factories import (
    AccreditorFactory,
    certificates_completed_on,
    clinician,
    course_build,
    image_bytes,
    outside_certificate,
    pdf_bytes,
    requirement_template,
)
from tests.renewals.conftest import md_tracked


def _pages_text(pdf: bytes) -> list[str]:
    return [
        " ".join((page.extract_text() or "").split()) for page in PdfReader(io.BytesIO(pdf)).pages
    ]


def _history(user, apa):
    license = md_tracked(
        user, requirement_template(board="Maryland Board of Examiners of Psychologists")
    )
    (certificate,) = certificates_completed_on(
        user=user,
        course=course_build(title="Countertransference", accreditors=[apa]),
        day=date(2026, 2, 1),
    )
    outside_certificate(
        user=user,
        title="Ethics in telehealth",
        category="ethics",
        hours="3",
        completed_on=date(2026, 3, 1),
        certificate_number="EXT-77",
        data=pdf_bytes("Outside certificate EXT-77", pages=2),
    )
    outside_certificate(
        user=user,
        title="Scanned workshop",
        hours="2",
        completed_on=date(2026, 4, 1),
        home_study=False,
        data=image_bytes("JPEG"),
        original_name="scan.jpg",
    )
    outside_certificate(  # not accepted by the board: neither listed as counted nor appended
        user=user, title="Counselors only", accreditor="NBCC", completed_on=date(2026, 5, 1)
    )
    outside_certificate(  # before the cycle
        user=user, title="Long ago", completed_on=date(2024, 5, 1)
    )
    return license, certificate


@pytest.mark.django_db
def test_the_packet_lists_every_credit_counted_and_appends_the_uploads(
    apa, django_capture_on_commit_callbacks
):
    user = clinician(full_name="Dana Whitfield")
    license, certificate = _history(user, apa)
    with django_capture_on_commit_callbacks(execute=False):
        packet = services.packet_request(user=user, license=license)
    assert services.packet_build(packet_id=packet.pk) == "built"
    packet.refresh_from_db()
    assert (packet.status, packet.progress, packet.step) == ("done", 100, "Ready")
    assert services.packet_build(packet_id=packet.pk) == "nothing to do"  # safe to run twice

    pages = _pages_text(packet.pdf.read())
    summary = " ".join(pages[:-3])
    for expected in (
        "Continuing Education Renewal Packet",
        "Dana Whitfield",
        f"License {license.license_number}",
        "Maryland Board of Examiners of Psychologists",
        "April 1, 2025 – March 31, 2027",
        "Countertransference",
        certificate.number,
        f"http://testserver/verify/{certificate.number}/",
        "Ethics in telehealth",
        "EXT-77",
        "Scanned workshop",
        "verify it with the board",
    ):
        assert expected in summary, expected
    assert "Counselors only" not in summary and "Long ago" not in summary
    # The two pages of the uploaded PDF, then the scan as one page (no text in it).
    assert pages[-3:-1] == [
        "Outside certificate EXT-77, page 1",
        "Outside certificate EXT-77, page 2",
    ]
    assert pages[-1] == ""
    assert PdfReader(io.BytesIO(packet.pdf.open("rb").read())).metadata.title.startswith(
        "Renewal packet — Dana Whitfield"
    )


@pytest.mark.django_db
def test_a_second_request_while_one_is_queued_returns_it(apa, django_capture_on_commit_callbacks):
    user = clinician()
    license = md_tracked(user, requirement_template())
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        first = services.packet_request(user=user, license=license)
        second = services.packet_request(user=user, license=license)
    assert first == second and len(callbacks) == 1


@pytest.mark.django_db(transaction=True)
def test_the_packet_is_built_by_the_worker_while_the_page_shows_its_progress(client, celery_worker):
    user = clinician(full_name="Dana Whitfield")
    license, certificate = _history(user, AccreditorFactory())
    client.force_login(user)
    response = client.post(f"/renewals/licenses/{license.pk}/packet/")
    assert response.status_code == 302
    packet = RenewalPacket.objects.get(license=license)
    page = client.get(f"/renewals/licenses/{license.pk}/").content.decode()
    assert f'data-packet-status-url="/renewals/packets/{packet.pk}/status/"' in page
    assert 'aria-label="Renewal packet"' in page

    seen = []
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        state = client.get(f"/renewals/packets/{packet.pk}/status/").json()
        seen.append(state["progress"])
        if state["status"] in ("done", "failed"):
            break
        time.sleep(0.2)
    worker_drain()
    assert state["status"] == "done", state
    assert state["url"] == f"/renewals/packets/{packet.pk}/pdf/"
    assert seen == sorted(seen) and seen[-1] == 100
    download = client.get(state["url"])
    assert download.status_code == 200
    text = " ".join(_pages_text(b"".join(download.streaming_content)))
    assert certificate.number in text and "Ethics in telehealth" in text


@pytest.mark.django_db
def test_a_new_packet_replaces_the_finished_one_and_its_file(
    apa, django_capture_on_commit_callbacks
):
    user = clinician()
    license = md_tracked(user, requirement_template())
    packets = []
    for _ in range(2):
        with django_capture_on_commit_callbacks(execute=False):  # the task is not sent
            packet = services.packet_request(user=user, license=license)
        with django_capture_on_commit_callbacks(execute=True):  # as the worker would
            services.packet_build(packet_id=packet.pk)
        packet.refresh_from_db()
        assert packet.status == "done"
        packets.append(packet)
    assert list(RenewalPacket.objects.values_list("pk", flat=True)) == [packets[1].pk]
    assert not Path(packets[0].pdf.path).exists()
    assert Path(packets[1].pdf.path).exists()

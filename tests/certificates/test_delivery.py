"""End to end through Redis and a real Celery worker process: the last requirement
completed → the certificate PDF rendered, stored privately, emailed; and the
PDF read back field by field."""

import hashlib
import io
import re
import threading
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.images import ImageFile
from django.db import connection
from PIL import Image as PILImage
from wagtail.images.models import Image

from certificates import services
from certificates.models import Certificate, CertificateEvent
from certificates.tasks import certificate_render
from cms.models import ProviderSettings
from tests.certificates.pdf import (
    pdf_image_count,
    pdf_qr_codes,
    pdf_reader,
    pdf_text,
    pdf_xmp,
    pdf_xmp_values,
    wait_for,
)
from tests.certificates.worker import WORKER_TESTS, worker_drain
from tests.factories import clinician, course_completed_by

pytestmark = WORKER_TESTS

NAME = "Zoë Ñúñez-Łukasiewicz 李小龙"


def _png(color, size=(600, 200)) -> bytes:
    buffer = io.BytesIO()
    PILImage.new("RGBA", size, color).save(buffer, "PNG")
    return buffer.getvalue()


@pytest.fixture
def provider_with_images():
    from wagtail.models import Collection

    if not Collection.objects.filter(depth=1).exists():  # gone with an earlier test's flush
        Collection.add_root(name="Root")
    provider = ProviderSettings.load()
    provider.logo = Image.objects.create(
        title="Provider logo", file=ImageFile(io.BytesIO(_png((29, 78, 95, 255))), name="logo.png")
    )
    provider.signature = Image.objects.create(
        title="Signature", file=ImageFile(io.BytesIO(_png((10, 10, 10, 255))), name="sig.png")
    )
    provider.save()
    return provider


def _delivered(certificate_id):
    certificate = Certificate.objects.get(pk=certificate_id)
    return certificate if certificate.emailed_at else None


def test_completing_the_last_requirement_renders_stores_and_emails_the_certificate(
    drained_worker, mailbox, provider_with_images, client
):
    user = clinician(full_name=NAME, professions=("psychologist",))
    license_ = user.licenses.get()

    enrollment, completion = course_completed_by(user=user, title="Working with stuck treatments")

    certificate = Certificate.objects.get(enrollment=enrollment)
    certificate = wait_for(lambda: _delivered(certificate.pk), what="the certificate email")

    # Stored in private storage, outside MEDIA_ROOT: no URL of the site serves it.
    path = Path(certificate.pdf.path)
    assert path.is_relative_to(Path(settings.PRIVATE_MEDIA_ROOT))
    assert not path.is_relative_to(Path(settings.MEDIA_ROOT))
    assert client.get(f"{settings.MEDIA_URL}{certificate.pdf.name}").status_code == 404
    pdf = path.read_bytes()
    assert hashlib.sha256(pdf).hexdigest() == certificate.pdf_sha256

    # One landscape page with every field of docs/ce-rules.md's list ("Certificates").
    reader = pdf_reader(pdf)
    assert len(reader.pages) == 1
    box = reader.pages[0].mediabox
    assert float(box.width) > float(box.height)
    text = pdf_text(pdf)
    snap = certificate.snapshot
    expected = [
        NAME,  # 1. participant name, non-Latin letters included
        "Psychologist",  # 2. license type, number, state
        license_.license_number,
        "CA",
        "Working with stuck treatments",  # 3. course title and completion date
        completion.completed_at.strftime("%B %-d, %Y"),
        "General",  # 4. hours by category for the accreditor
        "0.50",
        "Self-paced online, reading-based",  # 5. delivery format
        snap["instructors"][0]["name"],  # 6. instructors with credentials
        "PhD, licensed psychologist",
        "Practicum Continuing Education",  # 7. provider name and contact details
        "100 Example Street, Suite 200, Baltimore, MD 21201",
        "+1 410 555 0100",
        "ce@practicum.example",
        "American Psychological Association (APA)",  # 8. accreditor, statement, number
        "APA-1234",
        " ".join(snap["statement"].split()),
        "Jordan Avery, PsyD",  # 9. CE administrator
        "Director of Continuing Education",
        certificate.number,  # 10. number and verification address
        f"http://testserver/verify/{certificate.number}/",
    ]
    for value in expected:
        assert value in text, f"{value!r} missing from the PDF text"
    assert "CERTIFICATE OF COMPLETION" in text

    # The QR code decodes to the verification URL.
    assert pdf_qr_codes(pdf) == [f"http://testserver/verify/{certificate.number}/"]
    # Logo and signature from the provider settings are embedded images.
    assert pdf_image_count(pdf) == 2

    # Tagged PDF/UA-1 and PDF/A-2a, with title and language.
    root = reader.trailer["/Root"]
    assert "/StructTreeRoot" in root
    assert bool(root["/MarkInfo"]["/Marked"])
    assert root["/Lang"] == "en-US"
    assert f"CE certificate {certificate.number} — {NAME}" in pdf_xmp(pdf)
    markers = pdf_xmp_values(pdf)
    assert markers["pdfaid:part"] == "2"
    assert markers["pdfaid:conformance"] == "A"
    assert markers["pdfuaid:part"] == "1"

    # The email: text and HTML, the same PDF attached, a link to the dashboard.
    (message,) = [m for m in mailbox() if certificate.number in m["Subject"]]
    assert message["To"] == user.email
    body = message.get_body(preferencelist=("plain",)).get_content()
    html_body = message.get_body(preferencelist=("html",)).get_content()
    assert "http://testserver/dashboard/" in body
    assert 'href="http://testserver/dashboard/"' in html_body
    (attachment,) = list(message.iter_attachments())
    assert attachment.get_content_type() == "application/pdf"
    assert attachment.get_filename() == f"{certificate.number}.pdf"
    assert attachment.get_content() == pdf

    actions = list(certificate.events.values_list("action", flat=True))
    assert actions == ["issued", "rendered", "emailed"]


def test_the_render_task_delivered_twice_renders_and_emails_once(drained_worker, mailbox):
    certificate = Certificate.objects.get(enrollment=course_completed_by(user=clinician())[0])
    # Two more messages for the same certificate, as a redelivery or a retry would send.
    certificate_render.delay(certificate.pk)
    certificate_render.delay(certificate.pk)
    # Every render message handled, and the email tasks they handed on.
    worker_drain()
    certificate.refresh_from_db()
    assert certificate.emailed_at is not None
    assert certificate.render_attempts == 1
    assert len([m for m in mailbox() if certificate.number in m["Subject"]]) == 1
    stored = list(Path(settings.PRIVATE_MEDIA_ROOT).rglob(f"{certificate.number}*.pdf"))
    assert len(stored) == 1
    assert certificate.events.filter(action=CertificateEvent.Action.RENDERED).count() == 1
    assert certificate.events.filter(action=CertificateEvent.Action.EMAILED).count() == 1


def _in_thread(target, results, errors):
    def run():
        try:
            results.append(target())
        except Exception as exc:  # reported by the test
            errors.append(exc)
        finally:
            connection.close()

    return threading.Thread(target=run)


def _unqueued_certificate():
    """A valid certificate whose rendering was never enqueued (issued held, then
    released behind the services' back), for the threads below to deliver."""
    from datetime import date

    from courses.services import enrollment_create
    from tests.factories import AccreditorFactory, completion_record, course_build

    apa = AccreditorFactory()
    course = course_build(accreditors=[apa])
    enrollment = enrollment_create(user=clinician(), course=course)
    completion = completion_record(enrollment=enrollment)
    apa.approval_end = date(2021, 12, 31)
    apa.save()
    (certificate,) = services.certificates_issue(completion=completion, accreditors=[apa])
    assert certificate.status == Certificate.Status.HELD
    Certificate.objects.filter(pk=certificate.pk).update(status=Certificate.Status.VALID)
    return certificate, completion, apa


def _race(*targets):
    results, errors = [], []
    threads = [_in_thread(target, results, errors) for target in targets]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert errors == []
    return results


def test_two_deliveries_at_the_same_time_render_and_email_once(mailbox):
    certificate, _, _ = _unqueued_certificate()
    deliver = lambda: services.certificate_deliver(certificate_id=certificate.pk)  # noqa: E731
    results = _race(deliver, deliver)
    # Each stage's row lock serialises them: one renders, one emails (the same or
    # the other), and nothing is done twice.
    assert "delivered" in results
    assert len([m for m in mailbox() if certificate.number in m["Subject"]]) == 1
    assert certificate.events.filter(action=CertificateEvent.Action.RENDERED).count() == 1
    assert certificate.events.filter(action=CertificateEvent.Action.EMAILED).count() == 1


def test_two_concurrent_completions_issue_one_certificate(drained_worker):
    """The issuing service run by two transactions at once for the same completion:
    the unique constraint, not timing luck, decides; both get the same certificate."""
    from django.db import transaction

    from courses.services import enrollment_create
    from tests.factories import AccreditorFactory, completion_record, course_build

    apa = AccreditorFactory()
    enrollment = enrollment_create(user=clinician(), course=course_build(accreditors=[apa]))
    completion = completion_record(enrollment=enrollment)
    first_inserted = threading.Event()
    second_started = threading.Event()

    def first():
        with transaction.atomic():
            (certificate,) = services.certificates_issue(completion=completion, accreditors=[apa])
            first_inserted.set()
            second_started.wait(10)
            # Keep the transaction open while the second one inserts and waits on it.
            threading.Event().wait(0.5)
        return certificate.pk

    def second():
        first_inserted.wait(10)
        second_started.set()
        with transaction.atomic():
            (certificate,) = services.certificates_issue(completion=completion, accreditors=[apa])
        return certificate.pk

    results = _race(first, second)
    assert len(results) == 2
    assert results[0] == results[1]
    assert Certificate.objects.filter(enrollment=enrollment).count() == 1
    assert re.match(r"^PRC-\d{4}-", Certificate.objects.get(enrollment=enrollment).number)


def test_two_completions_evaluated_at_once_issue_one_certificate(drained_worker):
    """The last requirement met in two requests at once: courses' completion rule
    runs twice concurrently; one completion, one certificate."""
    from courses.models import CourseCompletion
    from courses.services import completion_evaluate

    enrollment, completion = course_completed_by(user=clinician())
    worker_drain()  # its certificate delivered: nothing holds the rows deleted below
    # Back to "every requirement met, not yet completed". The records are inside the
    # retention window: this session lifts the database's guard (reports 0003) to
    # delete them on purpose, and puts it back.
    with connection.cursor() as cursor:
        cursor.execute("SET practicum.record_retention_years = 0")
        try:
            CertificateEvent.objects.filter(certificate__enrollment=enrollment).delete()
            Certificate.objects.filter(enrollment=enrollment).delete()
            completion.delete()
        finally:
            cursor.execute("RESET practicum.record_retention_years")

    barrier = threading.Barrier(2)

    def complete():
        barrier.wait(10)
        return completion_evaluate(enrollment_id=enrollment.pk).pk

    results = _race(complete, complete)
    assert len(set(results)) == 1
    assert CourseCompletion.objects.filter(enrollment=enrollment).count() == 1
    assert Certificate.objects.filter(enrollment=enrollment).count() == 1


def _other_database_sessions() -> set[tuple[int, object]]:
    """(pid, start) of every client session on the test database but this test's own:
    with no other process running, the worker's."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pid, backend_start FROM pg_stat_activity WHERE datname = current_database() "
            "AND backend_type = 'client backend' AND pid <> pg_backend_pid()"
        )
        return set(cursor.fetchall())


def test_the_worker_keeps_its_database_connection_and_replaces_a_dropped_one(
    drained_worker, mailbox
):
    def deliver_one():
        certificate = Certificate.objects.get(enrollment=course_completed_by(user=clinician())[0])
        wait_for(lambda: _delivered(certificate.pk), what="the certificate email")
        worker_drain()  # the task has returned, its post-run handlers included
        certificate.refresh_from_db()
        return certificate

    # One pool process, one session on the server, kept from task to task
    # (Celery's default would connect anew for every task: cms/celery.py).
    seen = []
    for _ in range(3):
        deliver_one()
        seen.append(_other_database_sessions())
    assert len(seen[0]) == 1
    assert seen[0] == seen[1] == seen[2]

    # The server drops it (a restart, an idle timeout): the next task notices before
    # its first query and connects again, so the certificate goes out at the first try.
    ((pid, _),) = seen[0]
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_terminate_backend(%s)", [pid])
    wait_for(lambda: not _other_database_sessions(), what="the session to end")
    log_start = drained_worker.log_path.stat().st_size
    certificate = deliver_one()
    assert certificate.render_attempts == 1
    assert certificate.render_error == ""
    with drained_worker.log_path.open("rb") as log:
        log.seek(log_start)
        new_log = log.read().decode(errors="replace")
    assert "OperationalError" not in new_log and "InterfaceError" not in new_log
    after = _other_database_sessions()
    assert len(after) == 1 and after != seen[0]

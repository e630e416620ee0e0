"""The audit packet: its contents checked against its MANIFEST, the parts an
auditor asks for, resuming after an interruption (in process, and with a real
worker SIGKILLed mid-build), who may start and download it, and the audit rows
of builds and downloads."""

import csv
import hashlib
import io
import zipfile

import pytest
from django.utils import timezone

from audit.models import AuditAction, AuditEvent
from certificates.models import Certificate
from reports import services
from reports.models import AuditPacket
from reports.selectors import Period
from reports.tasks import packet_build_task, packets_sweep
from tests.certificates.pdf import wait_for
from tests.factories import (
    AccreditorFactory,
    clinician,
    course_build,
    course_completed_by,
    staff_user,
)

START = "/admin/audit-reports/courses/{}/packet/"
DOWNLOAD = "/admin/audit-reports/packets/{}/download/"
STATUS = "/admin/audit-reports/packets/{}/"


def dataset():
    apa = AccreditorFactory(short_name="APA")
    course = course_build(title="Ruptures", accreditors=[apa])
    user = clinician(full_name='Dana "D" Whitfield, PhD')
    user.licenses.update(license_number="007001")
    course_completed_by(user=user, course=course, accreditors=[apa])
    today = timezone.localdate()
    return course, Period(start=today.replace(month=1, day=1), end=today)


def packet_of(course, period, admin=None):
    return AuditPacket.objects.create(
        course=course, start=period.start, end=period.end, requested_by=admin
    )


def read_zip(packet) -> dict[str, bytes]:
    packet.refresh_from_db()
    with packet.file.open("rb") as f, zipfile.ZipFile(io.BytesIO(f.read())) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def check_manifest(files: dict[str, bytes]) -> None:
    manifest = files["MANIFEST.txt"].decode().splitlines()
    listed = {
        line.split("  ", 1)[1]: line.split("  ", 1)[0] for line in manifest[3:] if line.strip()
    }
    assert set(listed) == set(files) - {"MANIFEST.txt"}
    for name, digest in listed.items():
        assert hashlib.sha256(files[name]).hexdigest() == digest, name


@pytest.mark.django_db
def test_the_packet_holds_what_an_auditor_asks_for_and_its_manifest_matches():
    course, period = dataset()
    packet = services.packet_build(packet_id=packet_of(course, period).pk)
    assert packet.status == AuditPacket.Status.READY and packet.percent == 100
    files = read_zip(packet)
    check_manifest(files)
    names = set(files)
    assert {
        "course/summary.txt",
        "instructors/instructors.csv",
        "post-test/post-test-with-key.csv",
        "evaluation/evaluation-summary.csv",
        "evaluation/evaluation-summary.pdf",
        "roster/roster.csv",
        "roster/roster.xlsx",
        "accreditor-report/apa.csv",
        "sample-certificates/apa.pdf",
        "MANIFEST.txt",
    } <= names
    delivered = [n for n in names if n.startswith("course/as-delivered-revision-")]
    assert len(delivered) == 1
    for pdf in (delivered[0], "evaluation/evaluation-summary.pdf", "sample-certificates/apa.pdf"):
        assert files[pdf].startswith(b"%PDF"), pdf
    roster = list(csv.reader(io.StringIO(files["roster/roster.csv"].decode("utf-8-sig"))))
    assert roster[1][0] == 'Dana "D" Whitfield, PhD'
    assert "007001" in roster[1][2]
    key = files["post-test/post-test-with-key.csv"].decode("utf-8-sig")
    assert "Because." in key and ",yes," in key
    # The objective each question measures, by number and text (questions store its key).
    assert ",1. Describe key idea number 1.\r\n" in key
    report = list(csv.reader(io.StringIO(files["accreditor-report/apa.csv"].decode("utf-8-sig"))))
    assert report[1][6] == "007001"
    assert zipfile.is_zipfile(io.BytesIO(files["roster/roster.xlsx"]))
    assert "Objective" in files["evaluation/evaluation-summary.csv"].decode("utf-8-sig")
    (row,) = AuditEvent.objects.filter(action=AuditAction.AUDIT_PACKET_BUILD)
    assert row.data["packet"] == packet.pk and row.data["sha256"] == packet.sha256


@pytest.mark.django_db
def test_an_interrupted_build_resumes_with_the_next_part():
    course, period = dataset()
    packet = packet_of(course, period)
    made = []

    def crash_after_three(name):
        made.append(name)
        if len(made) == 3:
            raise RuntimeError("worker gone")

    with pytest.raises(RuntimeError):
        services.packet_build(packet_id=packet.pk, after_part=crash_after_three)
    packet.refresh_from_db()
    assert packet.status == AuditPacket.Status.BUILDING and packet.steps_done == 3
    assert 0 < packet.percent < 100
    second = []
    services.packet_build(packet_id=packet.pk, after_part=second.append)
    assert not set(made) & set(second)  # nothing made twice
    check_manifest(read_zip(packet))


@pytest.mark.django_db
def test_only_administrators_start_and_download_and_each_download_is_recorded(client):
    course, period = dataset()
    admin = staff_user(group="Administrators")
    packet = services.packet_build(packet_id=packet_of(course, period, admin).pk)
    instructor = staff_user(group="Instructors")
    for user, expected in ((instructor, 403), (clinician(full_name="Curious"), 302)):
        client.force_login(user)
        assert client.get(DOWNLOAD.format(packet.pk)).status_code == expected
        assert client.get(STATUS.format(packet.pk)).status_code == expected
        started = client.post(START.format(course.pk), {"start": period.start, "end": period.end})
        assert started.status_code == expected
    assert AuditPacket.objects.count() == 1
    assert not AuditEvent.objects.filter(action=AuditAction.AUDIT_PACKET_DOWNLOAD).exists()

    client.force_login(admin)
    status = client.get(STATUS.format(packet.pk)).json()
    assert status["status"] == "ready" and status["percent"] == 100
    assert status["status_label"] == "Ready"  # the words the page shows, beside the state
    response = client.get(DOWNLOAD.format(packet.pk))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    body = b"".join(response.streaming_content)
    assert hashlib.sha256(body).hexdigest() == packet.sha256
    (row,) = AuditEvent.objects.filter(action=AuditAction.AUDIT_PACKET_DOWNLOAD)
    assert row.actor_id == admin.pk and row.data["packet"] == packet.pk
    # A new request is a new build.
    page = client.post(START.format(course.pk), {"start": period.start, "end": period.end})
    assert page.status_code == 302
    assert AuditPacket.objects.count() == 2
    bad = client.post(START.format(course.pk), {"start": period.end, "end": period.start})
    assert bad.status_code == 302 and AuditPacket.objects.count() == 2


@pytest.mark.django_db
def test_the_course_report_offers_the_packet_to_administrators_only(client):
    course, _ = dataset()
    teacher = staff_user(group="Instructors")
    course.owner = teacher
    course.save_revision().publish()
    client.force_login(teacher)
    page = client.get(f"/admin/audit-reports/courses/{course.pk}/").content.decode()
    assert "Build the packet" not in page
    client.force_login(staff_user(group="Administrators"))
    page = client.get(f"/admin/audit-reports/courses/{course.pk}/").content.decode()
    assert "Build the packet" in page


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_mid_build_resumes_and_finishes(celery_worker, monkeypatch):
    course, period = dataset()
    celery_worker.stop()
    monkeypatch.setenv("AUDIT_PACKET_TEST_DELAY", "3")
    celery_worker.start()
    try:
        packet = packet_of(course, period)
        packet_build_task.delay(packet.pk)
        wait_for(
            lambda: AuditPacket.objects.get(pk=packet.pk).steps_done >= 2,
            what="the worker to store two parts",
        )
        celery_worker.kill()  # SIGKILL to the worker and its pool process
        stopped = AuditPacket.objects.get(pk=packet.pk)
        assert stopped.status == AuditPacket.Status.BUILDING
        assert stopped.steps_done < stopped.steps_total
        kept = dict(stopped.parts)
    finally:
        monkeypatch.delenv("AUDIT_PACKET_TEST_DELAY")
        celery_worker.start()
    # What beat runs every two minutes, once the build has shown no life for that long.
    AuditPacket.objects.filter(pk=packet.pk).update(
        heartbeat_at=timezone.now() - timezone.timedelta(minutes=5)
    )
    assert packets_sweep.delay().get(timeout=30) == 1
    ready = wait_for(
        lambda: AuditPacket.objects.filter(pk=packet.pk, status="ready").first(),
        what="the resumed packet",
    )
    for name, digest in kept.items():  # parts made before the kill were kept
        assert ready.parts[name] == digest
    check_manifest(read_zip(ready))
    assert Certificate.objects.filter(course=course).exists()

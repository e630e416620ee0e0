"""Certificates from other providers: kept only when their content is a PDF, PNG
or JPEG (whatever their name) within the size limit, stored privately, and
opened by their owner only (staff need the permission)."""

from pathlib import Path

import pytest
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile

from renewals.models import OutsideCertificate
from tests.factories import (
    UserFactory,
    image_bytes,
    outside_certificate,
    page_text,
    pdf_bytes,
    staff_user,
)

pytestmark = pytest.mark.django_db

ELF = b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 2000
WINDOWS_EXE = b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 2000


def _post(client, data: bytes, *, name="certificate.pdf", content_type="application/pdf", **fields):
    form = {
        "file": SimpleUploadedFile(name, data, content_type=content_type),
        "title": "Trauma-informed care",
        "provider": "Elsewhere CE",
        "accreditor": "APA",
        "category": "general",
        "hours": "3",
        "completed_on": "2026-06-01",
        "home_study": "on",
    }
    return client.post("/renewals/uploads/", form | fields)


@pytest.fixture
def new_private_files(settings):
    """The files written to private storage since the test began."""

    def files() -> set[Path]:
        return {p for p in Path(settings.PRIVATE_MEDIA_ROOT).rglob("*") if p.is_file()}

    before = files()
    return lambda: sorted(files() - before)


def test_a_pdf_is_kept_in_private_storage_and_its_owner_opens_it(client, psychologist, settings):
    client.force_login(psychologist)
    data = pdf_bytes("Outside certificate")
    response = _post(client, data)
    assert response.status_code == 302
    upload = OutsideCertificate.objects.get(user=psychologist)
    assert (upload.content_type, upload.size, upload.original_name) == (
        "application/pdf",
        len(data),
        "certificate.pdf",
    )
    stored = Path(upload.file.path)
    assert Path(settings.PRIVATE_MEDIA_ROOT) in stored.parents
    assert "certificate" not in stored.name  # a random name, not the clinician's
    with pytest.raises(ValueError, match="no public URL"):
        _ = upload.file.url
    download = client.get(f"/renewals/uploads/{upload.pk}/")
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == data
    assert "private" in download["Cache-Control"] and "no-store" in download["Cache-Control"]


def test_the_content_decides_the_type_not_the_name(client, psychologist):
    client.force_login(psychologist)
    assert _post(client, image_bytes("PNG"), name="scan.pdf").status_code == 302
    assert (
        _post(client, image_bytes("JPEG"), name="scan.png", content_type="image/png").status_code
        == 302
    )
    kept = OutsideCertificate.objects.order_by("pk")
    assert [u.content_type for u in kept] == ["image/png", "image/jpeg"]
    assert [Path(u.file.name).suffix for u in kept] == [".png", ".jpg"]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (ELF, "This file is a Linux program (ELF), not a certificate, whatever its name says."),
        (WINDOWS_EXE, "This file is a Windows program (EXE), not a certificate"),
        (b"%PDF-1.7\nnot really a pdf", "This PDF is damaged and cannot be read."),
        (b"\x89PNG\r\n\x1a\n" + b"\x00" * 100, "This image is damaged and cannot be read."),
        (b"Hello, I am a text file.", "This file is not a PDF, PNG or JPEG"),
        (b"", "The submitted file is empty."),
    ],
    ids=["elf", "exe", "damaged-pdf", "damaged-png", "text", "empty"],
)
def test_a_file_that_is_not_a_certificate_is_refused_with_the_reason_and_nothing_kept(
    client, psychologist, new_private_files, data, message
):
    client.force_login(psychologist)
    response = _post(client, data, name="certificate.pdf")
    assert response.status_code == 400
    assert message in page_text(response)
    assert not OutsideCertificate.objects.exists()
    assert new_private_files() == []


def test_a_50_mb_upload_is_refused_without_being_stored(client, psychologist, new_private_files):
    client.force_login(psychologist)
    data = b"%PDF-1.7\n" + b"0" * (50 * 1024 * 1024)
    response = _post(client, data)
    assert response.status_code == 400
    assert "The file is larger than 10 MB" in page_text(response)
    assert not OutsideCertificate.objects.exists()
    assert new_private_files() == []


def test_a_file_just_over_the_limit_is_refused_while_it_is_read(client, psychologist, settings):
    settings.RENEWAL_UPLOAD_MAX_BYTES = 1024 * 1024
    client.force_login(psychologist)
    # The request is within the margin for form fields: the file's own bytes stop it.
    response = _post(client, pdf_bytes() + b"%" * (1024 * 1024))
    assert response.status_code == 400
    assert "The file is larger than 1 MB" in page_text(response)
    assert not OutsideCertificate.objects.exists()


def test_a_password_protected_pdf_is_refused(client, psychologist):
    import io

    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(pdf_bytes())))
    writer.encrypt("secret")
    out = io.BytesIO()
    writer.write(out)
    client.force_login(psychologist)
    response = _post(client, out.getvalue())
    assert response.status_code == 400
    assert "This PDF is password-protected" in page_text(response)


def test_hours_category_and_date_are_checked(client, psychologist):
    client.force_login(psychologist)
    response = _post(
        client, pdf_bytes(), hours="-2", category="astrology", completed_on="2999-01-01"
    )
    assert response.status_code == 400
    text = page_text(response)
    assert "Hours: enter 0.25 hours or more (hours cannot be negative)." in text
    assert "Select a valid choice. astrology is not one of the available choices." in text
    response = _post(client, pdf_bytes(), hours="250")
    assert "Hours: more than 200 hours is not plausible; check the number." in page_text(response)
    response = _post(client, pdf_bytes(), completed_on="2999-01-01")
    assert "The completion date cannot be in the future." in page_text(response)
    assert not OutsideCertificate.objects.exists()


def test_an_upload_is_invisible_to_other_clinicians_and_to_staff_without_the_permission(
    client, psychologist
):
    upload = outside_certificate(user=psychologist, title="Private matters")
    url = f"/renewals/uploads/{upload.pk}/"

    other = UserFactory()
    client.force_login(other)
    assert client.get(url).status_code == 404
    assert "Private matters" not in client.get("/renewals/").content.decode()
    assert client.post(f"/renewals/uploads/{upload.pk}/delete/").status_code == 404
    assert OutsideCertificate.objects.filter(pk=upload.pk).exists()

    administrator = staff_user(group="Administrators")
    client.force_login(administrator)
    assert client.get(url).status_code == 404

    administrator.user_permissions.add(
        Permission.objects.get(
            content_type__app_label="renewals", codename="view_outside_certificate_files"
        )
    )
    client.force_login(type(administrator).objects.get(pk=administrator.pk))
    assert client.get(url).status_code == 200

    client.logout()
    assert client.get(url).status_code == 302  # to the sign-in page


def test_the_owner_removes_an_upload_and_its_file_once_that_commits(
    client, psychologist, django_capture_on_commit_callbacks
):
    upload = outside_certificate(user=psychologist)
    path = Path(upload.file.path)
    client.force_login(psychologist)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/renewals/uploads/{upload.pk}/delete/")
    assert response.status_code == 302
    assert not OutsideCertificate.objects.exists()
    assert not path.exists()


def test_an_upload_without_the_csrf_token_is_refused(psychologist):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(psychologist)
    response = _post(client, pdf_bytes())
    assert response.status_code == 403
    assert not OutsideCertificate.objects.exists()


def test_a_deleted_account_takes_its_uploaded_files_with_it(
    psychologist, django_capture_on_commit_callbacks
):
    from accounts.services import user_delete_self

    path = Path(outside_certificate(user=psychologist).file.path)
    with django_capture_on_commit_callbacks(execute=True):
        assert user_delete_self(user=psychologist) is True
    assert not OutsideCertificate.objects.exists()
    assert not path.exists()

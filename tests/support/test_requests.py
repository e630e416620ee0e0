"""Learner support requests: the clinician's form refuses bad input clearly and
keeps nothing; the inbox answers Administrators only; a clinician sees only
their own requests; each status change emails the clinician exactly once and
every change is in the audit log."""

import re

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from audit.models import AuditEvent
from support import services
from support.models import RequestStatus, SupportAttachment, SupportRequest
from tests.factories import clinician, page_text, pdf_bytes, staff_user

pytestmark = pytest.mark.django_db

ELF = b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 2000


def _post(client, *, files=(), **fields):
    form = {"kind": "accommodation", "course": "", "details": "", "outcome_sought": ""}
    form |= fields
    if files:
        form["attachments"] = list(files)
    return client.post("/support/new/", form)


def test_an_accommodation_with_an_attachment_is_kept_privately_and_shown_to_its_sender(
    client, dana, course
):
    client.force_login(dana)
    data = pdf_bytes("Letter from my physician")
    response = _post(
        client,
        course=str(course.pk),
        details="Extra time on the post-test (dyslexia).",
        files=[SimpleUploadedFile("letter.pdf", data, content_type="application/pdf")],
    )
    assert response.status_code == 302
    item = SupportRequest.objects.get(user=dana)
    assert (item.kind, item.course_id, item.status) == ("accommodation", course.pk, "new")
    attachment = item.attachments.get()
    with pytest.raises(ValueError, match="no public URL"):
        _ = attachment.file.url
    page = page_text(client.get("/support/"))
    assert "Extra time on the post-test" in page and "letter.pdf" in page
    download = client.get(f"/support/attachments/{attachment.pk}/")
    assert b"".join(download.streaming_content) == data
    assert AuditEvent.objects.filter(action="request.create", object_id=str(item.pk)).exists()


@pytest.mark.parametrize(
    ("fields", "message", "field"),
    [
        ({}, "Describe what you need.", "details"),
        (
            {"details": "Extra time please."},
            "Choose the course the accommodation is for.",
            "course",
        ),
        ({"course": "COURSE", "details": "   "}, "Describe what you need.", "details"),
        (
            {"kind": "grievance", "details": "The timer stopped."},
            "Say what outcome you are seeking.",
            "outcome_sought",
        ),
        ({"kind": "complaint", "details": "x"}, "Select a valid choice.", None),
    ],
)
def test_an_empty_or_incomplete_request_is_refused_clearly(
    client, dana, course, fields, message, field
):
    client.force_login(dana)
    fields = {k: (str(course.pk) if v == "COURSE" else v) for k, v in fields.items()}
    response = _post(client, **fields)
    assert response.status_code == 400
    assert message in page_text(response)
    if field:  # the message stands at the field it is about, tied to its input
        html = response.content.decode()
        error = html.split(f'id="id_{field}-error"', 1)[1].split("</div>", 1)[0]
        assert message in error
        assert f'aria-describedby="id_{field}-error' in html
    assert not SupportRequest.objects.exists()


def test_a_foreign_course_id_is_refused(client, dana, course):
    client.force_login(dana)
    for foreign in (str(course.get_parent().pk), "999999", "9" * 30, "abc"):
        response = _post(client, course=foreign, details="Extra time please.")
        assert response.status_code == 400
        assert "There is no such course in the catalog" in page_text(response)
    assert not SupportRequest.objects.exists()


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        (
            "letter.pdf",
            lambda: ELF,
            "letter.pdf: This file is a Linux program (ELF), not a document",
        ),
        (
            "big.pdf",
            lambda: b"%PDF-1.7\n" + b"0" * (50 * 1024 * 1024),
            "A file is larger than 10 MB",
        ),
    ],
    ids=["an executable named pdf, by its content", "50 MB"],
)
def test_a_bad_attachment_is_refused_without_being_stored(
    client, dana, course, name, content, message
):
    client.force_login(dana)
    response = _post(
        client,
        course=str(course.pk),
        details="Extra time please.",
        files=[SimpleUploadedFile(name, content(), content_type="application/pdf")],
    )
    assert response.status_code == 400
    assert message in page_text(response)
    assert not SupportRequest.objects.exists() and not SupportAttachment.objects.exists()


def test_the_form_needs_a_signed_in_clinician(client):
    response = client.get("/support/new/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_a_clinician_sees_only_their_own_requests_and_attachments(client, dana, course):
    other = clinician(email="other@example.com")
    theirs = services.request_create(
        user=other,
        kind="grievance",
        details="Secret grievance text",
        outcome_sought="A refund",
        uploads=[services.Upload("private.pdf", pdf_bytes())],
    )
    client.force_login(dana)
    assert "Secret grievance text" not in page_text(client.get("/support/"))
    attachment = theirs.attachments.get()
    assert client.get(f"/support/attachments/{attachment.pk}/").status_code == 404


@pytest.fixture
def grievance(dana):
    return services.request_create(
        user=dana, kind="grievance", details="The timer stopped.", outcome_sought="Another try"
    )


@pytest.mark.parametrize(
    ("who", "status"),
    [("clinician", 302), ("Instructors", 403), ("Administrators", 200)],
)
def test_the_inbox_is_for_administrators_only(client, grievance, who, status):
    user = clinician(email="c2@example.com") if who == "clinician" else staff_user(group=who)
    client.force_login(user)
    for url in ("/admin/support/", f"/admin/support/{grievance.pk}/"):
        response = client.get(url)
        assert response.status_code == status, url
        if status == 200:
            assert "dana@example.com" in page_text(response)
        else:
            assert "The timer stopped." not in page_text(response)


def test_each_status_change_emails_the_clinician_once_and_is_audited(
    client, grievance, django_capture_on_commit_callbacks
):
    admin = staff_user(group="Administrators")
    client.force_login(admin)
    url = f"/admin/support/{grievance.pk}/"

    def save(**fields):
        form = {"status": "new", "assignee": "", "internal_notes": "", "response": ""} | fields
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(url, form)

    assert save(status="in_progress", assignee=str(admin.pk)).status_code == 302
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["dana@example.com"]
    assert "in progress" in mail.outbox[0].subject
    # Notes alone, or saving again unchanged: no email.
    save(status="in_progress", assignee=str(admin.pk), internal_notes="Check the logs")
    save(status="in_progress", assignee=str(admin.pk), internal_notes="Check the logs")
    assert len(mail.outbox) == 1
    save(status="resolved", assignee=str(admin.pk), response="A new attempt is open to you.")
    assert len(mail.outbox) == 2
    assert "A new attempt is open to you." in mail.outbox[1].body
    grievance.refresh_from_db()
    assert grievance.status == RequestStatus.RESOLVED
    actions = list(
        AuditEvent.objects.filter(object_id=str(grievance.pk), object_type="support.supportrequest")
        .order_by("pk")
        .values_list("action", flat=True)
    )
    assert actions == [
        "request.create",
        "request.edit",
        "request.status_change",
        "request.edit",
        "request.edit",
        "request.status_change",
    ]
    client.force_login(grievance.user)
    assert "A new attempt is open to you." in page_text(client.get("/support/"))


def test_requests_open_past_the_configured_days_are_flagged_overdue(client, grievance, settings):
    settings.SUPPORT_OVERDUE_DAYS = 3
    SupportRequest.objects.filter(pk=grievance.pk).update(
        created_at=timezone.now() - timezone.timedelta(days=4)
    )
    client.force_login(staff_user(group="Administrators"))
    inbox = client.get("/admin/support/")
    assert b"data-overdue" in inbox.content
    home = client.get("/admin/")
    assert b"data-support-overdue" in home.content
    settings.SUPPORT_OVERDUE_DAYS = 5
    assert b"data-overdue" not in client.get("/admin/support/").content


def _dashboard_counts(client) -> dict[str, int] | None:
    """The dashboard's support panel as its reader sees it: {"open": n, "overdue": n}
    (overdue 0 when the panel shows no overdue link); None without the panel."""
    response = client.get("/admin/")
    assert response.status_code == 200
    page = response.content.decode()
    if "data-support-panel" not in page:
        return None
    open_link = re.search(
        r'<a href="/admin/support/"><strong data-support-open>(\d+)</strong> open</a>', page
    )
    overdue_link = re.search(
        r'<a href="/admin/support/\?overdue=1"><strong data-support-overdue>(\d+)</strong>'
        r" overdue</a>",
        page,
    )
    assert open_link, "the panel links its open count to the inbox"
    return {"open": int(open_link[1]), "overdue": int(overdue_link[1]) if overdue_link else 0}


def test_the_dashboard_counts_open_and_overdue_requests_as_they_open_and_close(
    client, dana, course, settings
):
    """The Administrators' dashboard panel: requests new or in progress count as
    open, resolved and declined ones stop counting; those open past the configured
    days count as overdue too, and the overdue link goes once none is."""
    settings.SUPPORT_OVERDUE_DAYS = 3
    admin = staff_user(group="Administrators")
    client.force_login(admin)
    assert _dashboard_counts(client) == {"open": 0, "overdue": 0}

    def ask(kind: str) -> SupportRequest:
        return services.request_create(
            user=dana, kind=kind, details=f"A {kind}.", outcome_sought="An answer",
            course_id=course.pk,
        )  # fmt: skip

    def set_status(request: SupportRequest, status: str) -> None:
        services.request_update(request=request, actor=admin, status=status)

    first, second, third = ask("grievance"), ask("accommodation"), ask("grievance")
    assert _dashboard_counts(client) == {"open": 3, "overdue": 0}
    set_status(first, RequestStatus.IN_PROGRESS)
    assert _dashboard_counts(client) == {"open": 3, "overdue": 0}, "in progress is still open"
    SupportRequest.objects.filter(pk__in=[first.pk, second.pk]).update(
        created_at=timezone.now() - timezone.timedelta(days=4)
    )
    assert _dashboard_counts(client) == {"open": 3, "overdue": 2}
    set_status(first, RequestStatus.RESOLVED)
    assert _dashboard_counts(client) == {"open": 2, "overdue": 1}
    set_status(second, RequestStatus.DECLINED)
    assert _dashboard_counts(client) == {"open": 1, "overdue": 0}
    set_status(third, RequestStatus.RESOLVED)
    assert _dashboard_counts(client) == {"open": 0, "overdue": 0}
    set_status(third, RequestStatus.NEW)  # reopened
    assert _dashboard_counts(client) == {"open": 1, "overdue": 0}


def test_only_administrators_see_the_dashboard_count(client, grievance):
    client.force_login(staff_user(group="Administrators"))
    assert _dashboard_counts(client) == {"open": 1, "overdue": 0}
    client.force_login(staff_user(group="Instructors"))
    assert _dashboard_counts(client) is None
    client.force_login(clinician(email="c3@example.com"))
    response = client.get("/admin/")
    assert response.status_code == 302 and "data-support-panel" not in response.content.decode()

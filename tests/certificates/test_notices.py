"""The clinician is told: a revocation, a reissue and a restoration are each
emailed to them once, by the real worker, with the reason the administrator
chose to share ("reason for the clinician") and never the internal reason."""

from audit.models import AuditAction, AuditEvent
from certificates import selectors
from certificates.models import Certificate, CertificateEvent
from certificates.tasks import certificate_notice
from tests.certificates.pdf import pdf_text, wait_for
from tests.certificates.worker import WORKER_TESTS, worker_drain
from tests.factories import clinician, course_completed_by

pytestmark = WORKER_TESTS

INTERNAL = "Internal: the attestation was contradicted by the LMS logs (ticket 4411)."
SHARED = "Our records show the post-test was completed by someone else."


def _delivered(user) -> Certificate:
    enrollment, _ = course_completed_by(user=user, title="Understanding stuck treatments")
    certificate = Certificate.objects.get(enrollment=enrollment)
    return wait_for(
        lambda: Certificate.objects.filter(pk=certificate.pk, emailed_at__isnull=False).first(),
        what="the certificate email",
    )


def _notified(certificate, action) -> CertificateEvent:
    return wait_for(
        lambda: CertificateEvent.objects.filter(
            certificate=certificate, action=action, notified_at__isnull=False
        ).first(),
        what=f"the {action} notice",
    )


def _texts(message) -> tuple[str, str]:
    return (
        message.get_body(preferencelist=("plain",)).get_content(),
        message.get_body(preferencelist=("html",)).get_content(),
    )


def test_a_revocation_is_emailed_once_with_the_reason_for_the_clinician_only(
    drained_worker, mailbox, admin_client
):
    user = clinician(full_name="Dana Whitfield")
    certificate = _delivered(user)

    response = admin_client.post(
        f"/admin/certificates/{certificate.pk}/revoke/",
        {"reason": INTERNAL, "clinician_reason": SHARED},
    )
    assert response.status_code == 302
    event = _notified(certificate, CertificateEvent.Action.REVOKED)
    assert (event.reason, event.clinician_reason) == (INTERNAL, SHARED)
    row = AuditEvent.objects.get(action=AuditAction.CERTIFICATE_REVOKE)
    assert (row.reason, row.data) == (INTERNAL, {"clinician_reason": SHARED})

    # The same notice sent again (a redelivered task, the sweep): nothing more is sent.
    certificate_notice.delay(event.pk)
    certificate_notice.delay(event.pk)
    worker_drain()
    notices = [m for m in mailbox() if "revoked" in m["Subject"]]
    assert len(notices) == 1
    (message,) = notices
    assert message["To"] == user.email
    assert certificate.number in message["Subject"]
    text, html = _texts(message)
    for body in (text, html):
        assert "Dana Whitfield" in body
        assert SHARED in body
        assert "Understanding stuck treatments" in body
        assert "ticket 4411" not in body and "LMS logs" not in body
    assert f"http://testserver/verify/{certificate.number}/" in text

    # The dashboard's line for it carries the same reason.
    certificate.refresh_from_db()
    assert SHARED in selectors.certificate_message(certificate)
    assert "ticket 4411" not in selectors.certificate_message(certificate)


def test_a_restoration_is_emailed_once_and_without_a_shared_reason_says_whom_to_ask(
    drained_worker, mailbox, admin_client
):
    user = clinician(full_name="Ana Restrepo")
    certificate = _delivered(user)
    admin_client.post(
        f"/admin/certificates/{certificate.pk}/revoke/", {"reason": INTERNAL}
    )  # no reason for the clinician
    revoked = _notified(certificate, CertificateEvent.Action.REVOKED)
    assert revoked.clinician_reason == ""
    admin_client.post(
        f"/admin/certificates/{certificate.pk}/restore/",
        {"reason": "Revoked the wrong certificate.", "clinician_reason": "Revoked by mistake."},
    )
    _notified(certificate, CertificateEvent.Action.RESTORED)
    worker_drain()

    messages = [m for m in mailbox() if certificate.number in m["Subject"]]
    subjects = [m["Subject"] for m in messages]
    assert sum("revoked" in s for s in subjects) == 1
    assert sum("valid again" in s for s in subjects) == 1
    revoked_text, _ = _texts(next(m for m in messages if "revoked" in m["Subject"]))
    assert "did not give a reason" in revoked_text
    assert "ce@practicum.example" in revoked_text
    restored_text, restored_html = _texts(next(m for m in messages if "valid" in m["Subject"]))
    assert "Revoked by mistake." in restored_text and "Revoked by mistake." in restored_html
    assert "wrong certificate" not in restored_text
    certificate.refresh_from_db()
    assert certificate.status == Certificate.Status.VALID


def test_a_reissue_is_told_in_the_new_certificates_email_once_with_the_new_pdf(
    drained_worker, mailbox, admin_client
):
    user = clinician(full_name="Jon Smtih")
    old = _delivered(user)
    user.full_name = "Jon Smith"
    user.save()

    response = admin_client.post(
        f"/admin/certificates/{old.pk}/reissue/",
        {"reason": "Ticket 77: name typo", "clinician_reason": "We corrected your name."},
    )
    assert response.status_code == 302
    new = Certificate.objects.get(supersedes=old)
    new = wait_for(
        lambda: Certificate.objects.filter(pk=new.pk, emailed_at__isnull=False).first(),
        what="the reissued certificate's email",
    )
    event = _notified(old, CertificateEvent.Action.REISSUED)
    assert event.clinician_reason == "We corrected your name."
    worker_drain()

    (message,) = [m for m in mailbox() if new.number in m["Subject"]]
    text, html = _texts(message)
    for body in (text, html):
        assert f"replaces certificate {old.number}" in body
        assert "We corrected your name." in body
        assert "Ticket 77" not in body
    (attachment,) = list(message.iter_attachments())
    assert "Jon Smith" in pdf_text(attachment.get_content())
    # No separate notice about the old number: its only email is its first delivery.
    assert len([m for m in mailbox() if old.number in m["Subject"]]) == 1

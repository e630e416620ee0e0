"""A certificate's email keeps one Message-ID however often it is sent, so a
delivery repeated after a worker died between the mail server's acceptance and
the commit reaches the clinician's mailbox once (mail servers and clients drop a
second message with an id they have seen)."""

from certificates import services


def test_a_certificate_emailed_twice_carries_the_same_message_id(issued, mailoutbox):
    services.certificate_email_send(certificate=issued)
    ids = [message.message()["Message-ID"] for message in mailoutbox]
    assert ids == [f"<certificate.{issued.number}@testserver>"] * 2


def test_a_reissued_certificate_is_a_new_message(issued, deliver, mailoutbox):
    new = deliver(services.certificate_reissue(certificate=issued, actor=None, reason="Name fix"))
    first, second = (m.message()["Message-ID"] for m in mailoutbox[:2])
    assert first == f"<certificate.{issued.number}@testserver>"
    assert second == f"<certificate.{new.number}@testserver>"

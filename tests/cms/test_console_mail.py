"""`make run` prints email to its log: whole messages, attachments named, not dumped."""

import base64
import io

from django.core.mail import EmailMultiAlternatives

from cms.mail import ConsoleEmailBackend
from tests.processes import python_run


def test_console_email_prints_text_and_html_but_only_names_the_attachment():
    pdf = b"%PDF-1.7\n" + bytes(range(256)) * 40
    message = EmailMultiAlternatives(
        subject="Your CE certificate PRC-2026-7KQ9-X4DM",
        body="Zoë, your certificate is attached.",
        from_email="Practicum <no-reply@practicum.example>",
        to=["zoe@example.com"],
    )
    message.attach_alternative("<p>Zoë, your certificate is attached.</p>", "text/html")
    message.attach("PRC-2026-7KQ9-X4DM.pdf", pdf, "application/pdf")
    stream = io.StringIO()

    sent = ConsoleEmailBackend(stream=stream).send_messages([message])

    printed = stream.getvalue()
    assert sent == 1
    assert "Subject: Your CE certificate PRC-2026-7KQ9-X4DM" in printed
    assert "To: zoe@example.com" in printed
    assert "text/html" in printed
    assert (
        "[attachment PRC-2026-7KQ9-X4DM.pdf (application/pdf, 10,249 bytes) not printed]" in printed
    )
    encoded = base64.b64encode(pdf).decode()
    assert encoded[:60] not in printed
    assert len(printed) < 3000
    # The message itself is untouched: what is sent still carries the PDF.
    assert message.attachments[0][1] == pdf


def test_make_run_uses_it_for_console_email():
    # A separate interpreter: the dev settings set defaults in os.environ.
    result = python_run(
        "-c",
        "from django.conf import settings; print(settings.EMAIL_BACKEND)",
        env_extra={"DJANGO_SETTINGS_MODULE": "cms.settings.dev"},
        env_without=("EMAIL_URL", "SECRET_KEY", "DEBUG"),
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "cms.mail.ConsoleEmailBackend"

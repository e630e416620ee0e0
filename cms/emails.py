"""The site's emails, each from its templates in templates/emails/ (the cms site
layer: any app may import it): `<name>_subject.txt`, `<name>.txt` and, unless
the email is plain text only, `<name>.html`."""

from __future__ import annotations

from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string


def email_from_templates(
    name: str,
    context: dict,
    *,
    to: list[str],
    html: bool = True,
    headers: dict[str, str] | None = None,
) -> EmailMultiAlternatives:
    """The email `name` for `to`, rendered with `context` and not sent yet (the
    caller attaches files and sends it). The subject is folded onto one line, as
    a header must be, however the template breaks it."""
    subject = " ".join(render_to_string(f"emails/{name}_subject.txt", context).split())
    message = EmailMultiAlternatives(
        subject=subject,
        body=render_to_string(f"emails/{name}.txt", context),
        to=to,
        headers=headers,
    )
    if html:
        message.attach_alternative(render_to_string(f"emails/{name}.html", context), "text/html")
    return message

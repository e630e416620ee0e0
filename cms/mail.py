"""The console email backend `make run` uses: messages in full, attachments by name.

Django's own console backend prints each attachment base64-encoded, so one
certificate email fills a screen of the log with its PDF; here an attachment
is one line naming it (the clinician's copy is on the dashboard).
"""

from email.message import Message

from django.core.mail.backends.console import EmailBackend as DjangoConsoleBackend


def _summarised(part: Message) -> Message:
    if part.is_multipart():
        part.set_payload([_summarised(p) for p in part.get_payload()])
    elif part.get_filename():
        size = len(part.get_payload(decode=True) or b"")
        stub = Message()
        stub["Content-Type"] = "text/plain; charset=utf-8"
        stub.set_payload(
            f"[attachment {part.get_filename()} ({part.get_content_type()}, "
            f"{size:,} bytes) not printed]"
        )
        return stub
    return part


class ConsoleEmailBackend(DjangoConsoleBackend):
    def write_message(self, message):
        msg = _summarised(message.message())
        self.stream.write(msg.as_bytes().decode("utf-8", errors="replace"))
        self.stream.write("\n" + "-" * 79 + "\n")

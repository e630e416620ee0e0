"""An email backend that takes its time, as an SMTP server does: two reminder runs
started together are then both inside their sending transaction at once."""

import time

from django.core.mail.backends.locmem import EmailBackend

SEND_SECONDS = 0.3


class SlowLocmemBackend(EmailBackend):
    def send_messages(self, messages):
        time.sleep(SEND_SECONDS)
        return super().send_messages(messages)

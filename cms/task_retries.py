"""What our Celery tasks share about retrying (the cms site layer: any app may
import it). A task owns its retries (docs/contributing.md, Tasks): it retries
only on errors a later attempt may not meet."""

import smtplib

from django.db import InterfaceError, OperationalError

#: Errors a later attempt may not meet: the database, storage, a mail server.
#: Any other error (a template, the data) is one that retrying will not fix.
TRANSIENT_ERRORS = (OperationalError, InterfaceError, OSError, smtplib.SMTPException)

#: The options of a task Celery beat runs (a sweep, the reminders): acknowledged
#: once it has run, no result kept, three retries with backoff on transient errors
#: (the next beat runs it again after that).
BEAT_TASK = {
    "acks_late": True,
    "ignore_result": True,
    "autoretry_for": TRANSIENT_ERRORS,
    "retry_backoff": True,
    "max_retries": 3,
}

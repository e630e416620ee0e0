"""The retention rules, pure: when the window ends, and what of a record is personal
data (docs/records.md).

`reports.retention` (the weekly `records_pseudonymise`) and its selector read the
records and ask these; which dates make an enrollment's last record is the selector's
query (`reports.selectors.retention.enrollments_with_last_record`).
"""

from __future__ import annotations

import re
from datetime import datetime

from django.conf import settings
from django.utils import timezone

from accounts.services import ERASED_EMAIL

#: What replaces a participant's name on their records (and a closed account's name).
PSEUDONYM = "Former participant {pk}"
#: Keys of a frozen snapshot that hold personal data (certificates and completions).
PERSONAL_KEYS = ("participant_name", "name_as_certified", "email", "license_number")

_ERASED = re.compile("^" + re.escape(ERASED_EMAIL).replace(r"\{pk\}", r"\d+") + "$")


def retention_cutoff(*, now: datetime | None = None, years: int | None = None) -> datetime:
    """The instant before which a record is past the window: `years` calendar
    years before `now` (29 February counts back to 28 February)."""
    now = now or timezone.now()
    years = settings.RECORD_RETENTION_YEARS if years is None else years
    try:
        return now.replace(year=now.year - years)
    except ValueError:
        return now.replace(year=now.year - years, day=28)


def pseudonym(*, user_id: int) -> str:
    return PSEUDONYM.format(pk=user_id)


def snapshot_scrub(snapshot: dict | None, *, pseudonym: str) -> dict:
    """A snapshot with its personal facts replaced: the name by the pseudonym,
    license numbers emptied (profession and state kept), email dropped; marked
    `pseudonymised`. The snapshot given is not changed."""
    snapshot = dict(snapshot or {})
    for key in PERSONAL_KEYS:
        if key in snapshot:
            snapshot[key] = pseudonym if "name" in key else ""
    if isinstance(snapshot.get("licenses"), list):
        snapshot["licenses"] = [
            {**lic, "number": ""} if isinstance(lic, dict) else "" for lic in snapshot["licenses"]
        ]
    snapshot["pseudonymised"] = True
    return snapshot


def participant_scrub(participant: dict | None, *, pseudonym: str) -> dict:
    """A completion's participant facts scrubbed as a snapshot is, its `name` too."""
    scrubbed = snapshot_scrub(participant, pseudonym=pseudonym)
    if "name" in scrubbed:
        scrubbed["name"] = pseudonym
    return scrubbed


def account_erased(email: str) -> bool:
    """Is this the address an account closed by its owner is left with?"""
    return bool(_ERASED.match(email))

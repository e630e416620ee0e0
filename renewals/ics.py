"""The clinician's renewal calendar (RFC 5545, the `icalendar` package): for each
tracked license, the deadline of its current cycle as an all-day event with
alarms, and one all-day event on each reminder day (90, 30 and 7 days before),
for calendar apps that ignore a subscribed feed's alarms."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

import icalendar
from django.conf import settings

from . import rules, selectors
from .models import REMINDER_THRESHOLDS


def calendar_ics(*, user) -> bytes:
    host = urlsplit(settings.SITE_URL).hostname or "practicum"
    calendar = icalendar.Calendar()
    calendar.add("prodid", "-//Practicum//License renewals//EN")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", "License renewals (Practicum)")
    stamp = datetime.now(UTC).replace(microsecond=0)
    for card in selectors.license_cards(user=user, suggest=False):
        if not card.tracked:
            continue
        license, standing = card.license, card.standing
        deadline = standing.cycle.deadline
        name = f"{license.get_profession_display()} license {license.license_number} ({license.region})"
        uid = f"renewal-{license.pk}-{deadline.isoformat()}"
        event = icalendar.Event()
        event.add("uid", f"{uid}@{host}")
        event.add("dtstamp", stamp)
        event.add("dtstart", deadline)
        event.add("dtend", deadline + timedelta(days=1))
        event.add("summary", f"Renewal deadline: {name}")
        event.add("description", f"{card.sentence}\n{settings.SITE_URL}/dashboard/")
        event.add("transp", "TRANSPARENT")
        for threshold in REMINDER_THRESHOLDS:
            alarm = icalendar.Alarm()
            alarm.add("action", "DISPLAY")
            alarm.add("description", f"{threshold} days to the renewal deadline of your {name}")
            alarm.add("trigger", timedelta(days=-threshold))
            event.add_component(alarm)
        calendar.add_component(event)
        for threshold in REMINDER_THRESHOLDS:
            day = deadline - timedelta(days=threshold)
            reminder = icalendar.Event()
            reminder.add("uid", f"{uid}-{threshold}@{host}")
            reminder.add("dtstamp", stamp)
            reminder.add("dtstart", day)
            reminder.add("dtend", day + timedelta(days=1))
            reminder.add(
                "summary", f"Renewal check: {threshold} days to the deadline of your {name}"
            )
            reminder.add(
                "description",
                f"Deadline {rules.long_date(deadline)}. {card.sentence}\n{settings.SITE_URL}/dashboard/",
            )
            reminder.add("transp", "TRANSPARENT")
            calendar.add_component(reminder)
    return calendar.to_ical()

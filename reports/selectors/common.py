"""What the reports share: the period, the CSV chunk size, the hours columns."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from itertools import islice

from django.utils import timezone

from courses.models import CreditCategory

#: Rows fetched per round trip of a CSV export (a server-side cursor on PostgreSQL).
CSV_CHUNK_SIZE = 1000

#: Hours columns of the CSV exports, in this order; a category label a snapshot
#: holds that is none of these goes to "Other categories" (as "label hours").
HOURS_COLUMNS = [(label, f"{label} hours") for label in CreditCategory.labels]


@dataclass(frozen=True)
class Period:
    """Calendar days from `start` to `end`, both included, in the site's time zone."""

    start: date
    end: date

    @property
    def since(self) -> datetime:
        return timezone.make_aware(datetime.combine(self.start, time.min))

    @property
    def until(self) -> datetime:
        """The first instant after the period."""
        return timezone.make_aware(datetime.combine(self.end + timedelta(days=1), time.min))


def chunks(iterable: Iterable, size: int) -> Iterator[list]:
    iterator = iter(iterable)
    while chunk := list(islice(iterator, size)):
        yield chunk


def local_date(value: datetime | None) -> date | None:
    return timezone.localdate(value) if value else None


def hours_by_column(credits: list[dict]) -> tuple[dict[str, Decimal], list[str]]:
    """A snapshot's credits ({"category": label, "hours": "0.50"}) by CSV column, and
    the ones no column holds."""
    known = dict(HOURS_COLUMNS)
    by_column: dict[str, Decimal] = {}
    other = []
    for credit in credits or []:
        label, hours = credit.get("category", ""), Decimal(str(credit.get("hours") or "0"))
        if label in known:
            by_column[known[label]] = by_column.get(known[label], Decimal("0")) + hours
        else:
            other.append(f"{label} {hours}")
    return by_column, other

"""A soak (issue 20): mixed load on a real gunicorn and a real Celery worker for a while
(1 minute here; 30 with `make reliability`), then: no 5xx, the web and worker
processes' memory grown less than 10 % after warm-up, and every completion with
exactly one certificate, delivered once.

The load, one request after another in random order: the catalog and a course page
(visitors), a lesson read with its heartbeat (signed-in clinicians, with their CSRF
token), verification of issued certificates, the roster CSV (an Administrator), and a
course completed by a new clinician every few seconds (through the services in this
process, which enqueue the delivery for the worker as the site does).

SOAK_DEBUG=<file>: the bodies of 400 answers are appended there, to see why.
"""

import os
import random
import time
import urllib.error
import urllib.request
from datetime import timedelta

import psutil
import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone

from certificates.models import Certificate
from certificates.tasks import certificates_sweep
from courses.services import enrollment_create
from tests.certificates.worker import worker_drain
from tests.conftest import ROOT, _worker_env
from tests.factories import (
    client_reauthenticated,
    clinician,
    course_build,
    course_completed_by,
    lessons_of,
    staff_user,
)

from .drills import FULL, Gunicorn, poll, report

SECONDS = float(os.environ.get("DRILL_SOAK_SECONDS") or (1800 if FULL else 60))
WARM_UP = 0.25  # of the time: memory is compared with its level after this share
CSRF = "soaktoken" + "0" * 23  # 32 characters: a valid CSRF secret, sent as cookie and header


def _request(base, path, *, session=None, data=None):
    headers = {}
    if session:
        headers["Cookie"] = f"sessionid={session}; csrftoken={CSRF}"
        headers["X-CSRFToken"] = CSRF
        headers["Referer"] = base + "/"
    body = data.encode() if data is not None else None
    if body is not None:
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    request = urllib.request.Request(base + path, data=body, headers=headers)  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
            response.read()
            return response.status
    except urllib.error.HTTPError as error:
        if error.code == 400 and os.environ.get("SOAK_DEBUG"):
            with open(os.environ["SOAK_DEBUG"], "ab") as debug:
                debug.write(f"\n=== {path}\n".encode() + error.read(6000))
        return error.code
    except OSError:
        return 0


def _rss(pid: int) -> int:
    process = psutil.Process(pid)
    return sum(p.memory_info().rss for p in [process, *process.children(recursive=True)])


def _session_of(user, *, admin=False) -> str:
    client = Client()
    client.force_login(user)
    if admin:
        client_reauthenticated(client)
    return client.cookies["sessionid"].value


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_soak_of_mixed_load_gives_no_5xx_no_memory_growth_and_no_lost_records(
    celery_worker, mailbox, site_tree
):
    rng = random.Random()
    course = course_build()
    lessons = lessons_of(course)
    readers = []
    for i in range(4):
        user = clinician(full_name=f"Reader {i}")
        enrollment_create(user=user, course=course)
        readers.append(_session_of(user))
    admin = _session_of(staff_user(group="Administrators"), admin=True)

    server = Gunicorn(_worker_env(settings.DATABASES["default"]["NAME"]), ROOT)
    base = server.base
    today = timezone.localdate()
    period = f"start={today - timedelta(days=30)}&end={today}"
    statuses: dict[str, dict[int, int]] = {}
    web_rss, worker_rss = [], []
    completions, numbers = [], []
    try:
        assert poll(lambda: _request(base, "/courses/") == 200, timeout=60), "gunicorn not up"
        started = last_sample = last_completion = time.monotonic()
        while (now := time.monotonic()) - started < SECONDS:
            kind = rng.choices(
                ["browse", "lesson", "heartbeat", "verify", "roster"], weights=[4, 3, 4, 2, 1]
            )[0]
            lesson = rng.choice(lessons)
            if kind == "browse":
                status = _request(base, rng.choice(["/courses/", course.url, "/verify/"]))
            elif kind == "lesson":
                status = _request(base, lesson.url, session=rng.choice(readers))
            elif kind == "heartbeat":
                data = f"lesson={lesson.pk}&seconds={rng.randint(5, 30)}"
                status = _request(base, "/learn/heartbeat/", session=rng.choice(readers), data=data)
            elif kind == "verify" and numbers:
                status = _request(base, f"/verify/{rng.choice(numbers)}/")
            else:
                roster = f"/admin/audit-reports/roster/csv/?course={course.pk}&{period}"
                status = _request(base, roster, session=admin)
            by_status = statuses.setdefault(kind, {})
            by_status[status] = by_status.get(status, 0) + 1
            if now - last_completion > 4:
                enrollment, _ = course_completed_by(user=clinician(), course=course)
                completions.append(enrollment)
                numbers += list(enrollment.certificates.values_list("number", flat=True))
                last_completion = now
            if now - last_sample > 2:
                web_rss.append((round(now - started), _rss(server.proc.pid)))
                worker_rss.append((round(now - started), _rss(celery_worker.proc.pid)))
                last_sample = now
    finally:
        server.stop()

    # No 5xx, and nothing refused for the wrong reason: a heartbeat may be refused as too
    # frequent (400, with the reason), one client's verifications beyond the limit against
    # enumeration (429); everything else answers 200.
    allowed = {"heartbeat": {200, 400}, "verify": {200, 429}}
    for kind, by_status in statuses.items():
        assert set(by_status) <= allowed.get(kind, {200}) and by_status.get(200), statuses

    def growth(samples):
        warm = [rss for t, rss in samples if t >= SECONDS * WARM_UP]
        return (max(warm[len(warm) // 2 :]) - warm[0]) / warm[0]

    web_growth, worker_growth = growth(web_rss), growth(worker_rss)
    assert web_growth < 0.10, web_rss
    assert worker_growth < 0.10, worker_rss

    # Every completion: one certificate, delivered (PDF and email) exactly once.
    def delivered():
        if Certificate.objects.filter(emailed_at__isnull=True).exists():
            certificates_sweep.delay(0)
            return False
        return True

    assert poll(delivered, timeout=120, interval=2)
    worker_drain()
    certificates = list(Certificate.objects.filter(enrollment__in=completions))
    assert len(certificates) == len(completions)
    subjects = [m["Subject"] for m in mailbox()]
    assert all(sum(c.number in s for s in subjects) == 1 for c in certificates)
    report(
        "soak",
        {
            "seconds": SECONDS,
            "requests": sum(sum(v.values()) for v in statuses.values()),
            "answers_by_kind_and_status": statuses,
            "completions": len(completions),
            "certificates_delivered_once": len(certificates),
            "web_rss_growth_after_warm_up": f"{web_growth:.1%}",
            "worker_rss_growth_after_warm_up": f"{worker_growth:.1%}",
            "web_rss_curve_mb": [
                (t, round(r / 2**20)) for t, r in web_rss[:: max(1, len(web_rss) // 15)]
            ],
        },
    )
